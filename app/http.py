"""The request class: every text the client sends arrives without NUL characters.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL characters"), so one in a
form field, a query string or a JSON body would turn an ordinary search or form into a 500. No
legitimate input contains NUL, so it is removed where the request is parsed: every form, every
``request.args.get`` and every JSON API of every feature is covered, whatever form class it uses.
"""
from __future__ import annotations

from typing import Any

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items


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
        return without_nul(super().get_json(force=force, silent=silent, cache=cache))
