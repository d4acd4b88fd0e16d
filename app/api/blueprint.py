"""The ``/api/v1`` blueprint: token authentication, role checks, input parsing, pagination.

``route`` declares an endpoint once: it records the Flask view and the OpenAPI operation, and
wraps the view so that the role check, the query parameters and the body are handled exactly as
documented. The core and each feature declare their endpoints with it, in any order; each
application gets a blueprint holding every endpoint declared when it is built (``make_blueprint``). Views receive ``query`` (parsed parameters) and ``body`` (a validated JSON object)
and return ``(dict, status)`` or a ready response.

Authentication is by ``Authorization: Bearer <token>`` only: the session cookie is never read on
API routes (see ``app.api.sessions``) and Flask-Login's user is the token's user for the request,
so the audit log and every scope check see who acted.
"""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.api import ratelimit, tokens
from app.api.errors import ApiError
from app.api.openapi import MAX_ID, OPERATIONS, Answer, Operation, Param, schema, validator
from app.extensions import db, login_manager
from app.models import Role, User

NAME, URL_PREFIX = "api", "/api/v1"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_BY_ENDPOINT: dict[str, Operation] = {}
_VIEWS: list[tuple[str, str, object, str]] = []  # (rule, view name, wrapped view, method), in declaration order

ERROR = schema("Error", {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"], "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "description": "Stable machine code: not_found, validation_failed, ..."},
            "message": {"type": "string", "description": "For people, in the language asked for."},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "JSON path of a body field (`questions.2.content`) or a parameter name "
                                      "-> message."}}}}})

PAGE_PARAMS = [
    Param("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "Page number, from 1."),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}, "Items per page (at most 100)."),
]


def page_of(item_schema: dict) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total", "pages"],
            "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": item_schema}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "total": {"type": "integer"},
                           "pages": {"type": "integer"}}}


def route(rule: str, method: str = "GET", *, summary: str, tag: str, description: str = "",
          roles: tuple[Role, ...] | None = None, query: list[Param] | None = None, body: str | None = None,
          answers: dict[int, Answer], public: bool = False):
    """Declare an endpoint: the Flask route, its OpenAPI entry and its checks, in one place."""
    def decorator(view):
        op = Operation(endpoint=f"{NAME}.{view.__name__}", method=method, rule=rule, summary=summary,
                       description=description, tag=tag, roles=roles, query=list(query or []), body=body,
                       answers=answers, public=public, is_write=method in WRITE_METHODS)

        @wraps(view)
        def wrapped(**kwargs):
            if roles is not None and not g.api_user.has_role(*roles):
                raise ApiError(403)
            if any(isinstance(v, int) and v > MAX_ID for v in kwargs.values()):
                raise ApiError(404)
            if op.query:
                kwargs["query"] = parse_query(op.query)
            if op.body:
                kwargs["body"] = parse_body(op.body)
            result = view(**kwargs)
            if isinstance(result, tuple):
                payload, status = result
                return jsonify(payload), status
            return result

        _VIEWS.append((rule, view.__name__, wrapped, method))
        OPERATIONS.append(op)
        _BY_ENDPOINT[op.endpoint] = op
        return wrapped
    return decorator


def make_blueprint() -> Blueprint:
    """The API blueprint of one application: every endpoint declared so far, behind the token
    check and the no-store header. Built when the application is, so endpoints declared after an
    earlier application was created still join the next one."""
    bp = Blueprint(NAME, __name__, url_prefix=URL_PREFIX)
    bp.before_request(authenticate)
    bp.after_request(no_store)
    for rule, name, view, method in _VIEWS:
        bp.add_url_rule(rule, name, view, methods=[method])
    return bp


# --- authentication ------------------------------------------------------------------------

def _unauthorized(sent: bool) -> ApiError:
    challenge = 'Bearer realm="api"' + (', error="invalid_token"' if sent else "")
    return ApiError(401, headers={"WWW-Authenticate": challenge})


def authenticate():
    # Nobody (no session, no remember cookie) until a token says otherwise.
    login_manager._update_request_context_with_user(None)
    g.api_token = g.api_user = None
    limit = current_app.config["API_MAX_BODY_BYTES"]
    request.max_content_length = limit  # also caps bodies sent without Content-Length
    if (request.content_length or 0) > limit:
        raise ApiError(413)
    op = _BY_ENDPOINT.get(request.endpoint)
    if op is None or op.public:
        return
    scheme, _sep, presented = request.headers.get("Authorization", "").partition(" ")
    token = tokens.token_for(presented.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise _unauthorized(bool(presented))
    login_manager._update_request_context_with_user(token.user)
    g.api_token, g.api_user = token, token.user
    tokens.touch(token)
    if op.is_write and (wait := ratelimit.seconds_to_wait(token)):
        raise ApiError(429, _("Quá nhiều yêu cầu ghi. Vui lòng thử lại sau %(n)d giây.", n=wait),
                       headers={"Retry-After": str(wait)})


def no_store(response):
    # Answers carry personal data: never kept by shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def api_user() -> User:
    return g.api_user


# --- input ---------------------------------------------------------------------------------

def _parse_value(param: Param, raw: str):
    kind, fmt = param.schema.get("type"), param.schema.get("format")
    if kind == "integer":
        value = int(raw) if raw.strip().lstrip("-").isdigit() and len(raw) < 12 else None
        if value is None:
            raise ValueError(_("Phải là một số nguyên."))
        low, high = param.schema.get("minimum"), param.schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(_("Phải là số từ %(a)d đến %(b)d.", a=low, b=high))
        return value
    if kind == "boolean":
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise ValueError(_("Phải là true hoặc false."))
    if fmt == "date":
        try:
            if len(raw) != 10:
                raise ValueError
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_("Ngày phải viết dạng YYYY-MM-DD.")) from None
    if "enum" in param.schema and raw not in param.schema["enum"]:
        raise ValueError(_("Giá trị không hợp lệ; chọn một trong: %(values)s.",
                           values=", ".join(param.schema["enum"])))
    return raw


def parse_query(params: list[Param]) -> dict:
    values, errors = {}, {}
    for param in params:
        raw = request.args.get(param.name)
        if raw is None or raw == "":
            if param.required:
                errors[param.name] = _("Thiếu tham số bắt buộc.")
            values[param.name] = param.schema.get("default")
            continue
        try:
            values[param.name] = _parse_value(param, raw)
        except ValueError as exc:
            errors[param.name] = str(exc)
    if errors:
        raise ApiError.invalid(errors)
    return values


def parse_body(schema_name: str) -> dict:
    if not request.is_json:
        raise ApiError(415)
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, _("Nội dung không phải JSON hợp lệ."))
    errors = {}
    for error in validator(schema_name).iter_errors(body):
        for path, message in _schema_messages(error):
            errors.setdefault(path, message)
    if errors:
        raise ApiError.invalid(errors)
    return body


TYPE_NAMES = {"string": _l("chuỗi"), "integer": _l("số nguyên"), "number": _l("số"), "boolean": "true/false",
              "array": _l("danh sách"), "object": _l("đối tượng")}


def _schema_messages(error) -> list[tuple[str, str]]:
    """Vietnamese (or English) messages for a JSON Schema error, keyed by JSON path."""
    path = ".".join(str(p) for p in error.absolute_path)
    join = (lambda name: f"{path}.{name}" if path else name)
    kind, value = error.validator, error.validator_value
    if kind == "required":
        return [(join(name), _("Thiếu trường bắt buộc.")) for name in value if name not in error.instance]
    if kind == "additionalProperties":
        allowed = error.schema.get("properties", {})
        return [(join(name), _("Trường này không được hỗ trợ.")) for name in error.instance if name not in allowed]
    if kind == "type":
        kinds = value if isinstance(value, list) else [value]
        names = [str(TYPE_NAMES.get(k, k)) for k in kinds if k != "null"]
        message = _("Sai kiểu dữ liệu: cần %(kind)s.", kind=" / ".join(names))
    elif kind == "maxLength":
        message = _("Dài quá %(n)d ký tự.", n=value)
    elif kind == "minLength":
        message = _("Không được để trống.")
    elif kind in ("minimum", "maximum"):
        message = _("Phải là số từ %(a)s đến %(b)s.", a=error.schema.get("minimum", "…"),
                    b=error.schema.get("maximum", "…"))
    elif kind == "enum":
        message = _("Giá trị không hợp lệ; chọn một trong: %(values)s.",
                    values=", ".join(str(v) for v in value if v is not None))
    elif kind == "maxItems":
        message = _("Tối đa %(n)d mục.", n=value)
    elif kind == "format" and value == "date":
        message = _("Ngày phải viết dạng YYYY-MM-DD.")
    elif kind == "pattern":
        message = _("Sai định dạng.")
    else:
        message = _("Giá trị không hợp lệ.")
    return [(path or "body", message)]


# --- output --------------------------------------------------------------------------------

def paginate(stmt, query: dict, serialize) -> dict:
    """One page of ``stmt`` (a select of ORM rows) in the documented envelope."""
    page = db.paginate(stmt, page=query["page"], per_page=query["per_page"], max_per_page=100, error_out=False)
    return {"items": [serialize(row) for row in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total or 0, "pages": page.pages}
