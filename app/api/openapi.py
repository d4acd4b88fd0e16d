"""The OpenAPI 3.1 document, built from the same declarations that register the routes.

Every endpoint is declared once with ``app.api.blueprint.route`` (method, path, roles, query
parameters, body schema, answers); the declaration registers the Flask route, checks the request
against it, and is the entry written here. Component schemas are JSON Schema 2020-12: the same
schema validates a request body at run time and documents it, so they cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache


from app.models import Role

SCHEMAS: dict[str, dict] = {}
OPERATIONS: list[Operation] = []
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def schema(name: str, definition: dict) -> dict:
    """Register a component schema; returns a ``$ref`` to it."""
    if name in SCHEMAS and SCHEMAS[name] != definition:
        raise ValueError(f"schema {name} registered twice")
    SCHEMAS[name] = definition
    return ref(name)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(definition: dict) -> dict:
    """``definition`` or null (an enum lists null among its values too)."""
    kind = definition.get("type")
    if not isinstance(kind, str):
        return {"anyOf": [definition, {"type": "null"}]}
    out = {**definition, "type": [kind, "null"]}
    if "enum" in definition:
        out["enum"] = [*definition["enum"], None]
    return out


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}


@dataclass
class Param:
    """A query parameter: name, JSON Schema of its value (integer, boolean, string, date), text."""

    name: str
    schema: dict
    description: str
    required: bool = False


@dataclass
class Answer:
    description: str
    schema: dict | None = None
    media_type: str = "application/json"


@dataclass
class Operation:
    endpoint: str
    method: str
    rule: str
    summary: str
    description: str
    tag: str
    roles: tuple[Role, ...] | None  # None: any authenticated user
    query: list[Param] = field(default_factory=list)
    body: str | None = None  # component schema name
    answers: dict[int, Answer] = field(default_factory=dict)
    public: bool = False
    is_write: bool = False

    @property
    def path(self) -> str:
        """The Flask rule as an OpenAPI path: ``/trainings/<int:training_id>`` -> ``/trainings/{training_id}``."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.rule)


ROLE_NAMES = {Role.admin: "admin", Role.province: "province", Role.commune: "commune", Role.trainer: "trainer",
              Role.authority: "authority"}


def error_answers(op: Operation) -> dict[int, Answer]:
    """The refusals every operation of this kind can give, all with the Error schema."""
    error = ref("Error")
    answers = {}
    if not op.public:
        answers[401] = Answer("No token, or an unknown, revoked or expired one (header `WWW-Authenticate: Bearer`).",
                              error)
        if op.roles is not None:
            answers[403] = Answer("The token's user has a role this endpoint does not serve.", error)
    if op.path_params:
        answers[404] = Answer("No such object, or outside the user's scope (never distinguished).", error)
    if op.query or op.body:
        answers[422] = Answer("Invalid input: `fields` maps each JSON path or parameter to its message.", error)
    if op.body:
        answers[400] = Answer("The body is not valid JSON.", error)
        answers[415] = Answer("The body is not sent as `application/json`.", error)
    if op.is_write:
        answers[413] = Answer("The body is larger than the limit.", error)
        answers[429] = Answer("Too many writes with this token in the last minute (header `Retry-After`).", error)
    return answers


def _parameters(op: Operation) -> list[dict]:
    params = [{"name": name, "in": "path", "required": True, "schema": ID} for name in op.path_params]
    params += [{"name": p.name, "in": "query", "required": p.required, "description": p.description,
                "schema": p.schema} for p in op.query]
    return params


def _answer(status: int, answer: Answer) -> dict:
    out: dict = {"description": answer.description}
    if answer.schema is not None:
        out["content"] = {answer.media_type: {"schema": answer.schema}}
    headers = {401: ("WWW-Authenticate", "`Bearer realm=\"api\"`, with `error=\"invalid_token\"` when one was sent."),
               429: ("Retry-After", "Seconds to wait before the next write.")}
    if status in headers:
        name, text = headers[status]
        out["headers"] = {name: {"description": text, "schema": {"type": "string"}}}
    return out


def _operation(op: Operation) -> dict:
    description = op.description
    if op.roles is not None:
        description += "\n\nRoles: " + ", ".join(ROLE_NAMES[r] for r in op.roles) + " (and admin)."
    out = {"operationId": op.endpoint.split(".")[-1], "summary": op.summary, "description": description.strip(),
           "tags": [op.tag], "parameters": _parameters(op),
           "responses": {str(code): _answer(code, answer)
                         for code, answer in sorted({**error_answers(op), **op.answers}.items())}}
    if op.public:
        out["security"] = []
    if op.body:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(op.body)}}}
    return out


def _in_order() -> list[Operation]:
    """Operations by tag, reference data first, then alphabetically; in declaration order within a
    tag (so the document does not depend on which feature was loaded first)."""
    return sorted(OPERATIONS, key=lambda op: (op.tag != "reference", op.tag))


def document() -> dict:
    paths: dict[str, dict] = {}
    operations = _in_order()
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cầu Nối API",
            "version": "1.0.0",
            "description": (
                "JSON API of Cầu Nối: trainings with pre/post tests, policy dialogues, commitments and their "
                "follow-up, over the same rules as the web pages. Authenticate with a personal token: "
                "`Authorization: Bearer cn_...`. Error messages follow `Accept-Language` (vi by default, en). "
                "See docs/api.md."),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in operations)],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token (`cn_...`)."}},
            "schemas": SCHEMAS,
        },
    }


@cache
def validator(name: str):
    """Validator of component schema ``name`` (references to other components resolve); jsonschema
    is imported on the first API write, not with the app (memory per worker)."""
    from jsonschema import Draft202012Validator, FormatChecker

    root = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": SCHEMAS}}
    return Draft202012Validator(root, format_checker=FormatChecker(["date"]))
