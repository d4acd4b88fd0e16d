"""The request class: every text the client sends arrives without NUL characters.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL characters"), so one in a
form field, a query string or a JSON body would turn an ordinary search or form into a 500. No
legitimate input contains NUL, so it is removed where the request is parsed: every form, every
``request.args.get`` and every JSON API of every feature is covered, whatever form class it uses.

JSON bodies nested deeper than ``MAX_JSON_DEPTH`` are refused before parsing (Python's parser
would recurse until RecursionError, a 500): ``get_json`` then answers as for invalid JSON, a 400.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.exceptions import BadRequest

MAX_JSON_DEPTH = 32  # our deepest body (a dialogue with questions and commitments) is 5
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes) -> int:
    """Deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", data)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def without_nul(value: Any) -> Any:
    """``value`` with NUL removed from every string in it (dicts and lists included)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


class CleanMultiDict(ImmutableMultiDict):
    """Query-string and form storage; werkzeug builds ``args``, ``form`` and ``files`` with it."""

    def __init__(self, mapping=None):
        if mapping is not None:
            mapping = [(without_nul(k), without_nul(v)) for k, v in iter_multi_items(mapping)]
        super().__init__(mapping)


class Request(FlaskRequest):
    parameter_storage_class = CleanMultiDict

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if (force or self.is_json) and json_depth(self.get_data(cache=True)) > MAX_JSON_DEPTH:
            if silent:
                return None
            raise BadRequest("JSON nested too deeply")
        return without_nul(super().get_json(force=force, silent=silent, cache=cache))
