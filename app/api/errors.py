"""One error shape for every API answer that is not a success:
``{"error": {"code": "not_found", "message": "...", "fields": {"field.path": "..."}}}``.

Messages follow ``Accept-Language`` (Vietnamese by default); ``code`` is stable for programs.
``app.errors`` sends every HTTP error under ``/api/`` here, so routing errors (unknown URL,
wrong method) and server errors get the same shape as the API's own refusals.
"""
from __future__ import annotations

import re

from flask import jsonify
from flask_babel import gettext as _

from app.services import ServiceError

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_failed",
    429: "rate_limited", 500: "server_error", 503: "unavailable",
}


def default_message(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần khóa API hợp lệ: thiếu khóa, khóa sai, đã thu hồi hoặc đã hết hạn."),
        403: _("Tài khoản của bạn không có quyền dùng chức năng này."),
        404: _("Không tìm thấy, hoặc nằm ngoài phạm vi của bạn."),
        405: _("Thao tác này không được hỗ trợ ở địa chỉ này."),
        409: _("Xung đột với dữ liệu đã có."),
        413: _("Dữ liệu gửi lên vượt quá dung lượng cho phép."),
        415: _("Dữ liệu phải gửi dạng JSON (Content-Type: application/json)."),
        422: _("Dữ liệu chưa hợp lệ; xem lỗi của từng trường."),
        429: _("Quá nhiều yêu cầu ghi. Vui lòng đợi rồi thử lại."),
        500: _("Đã có lỗi xảy ra. Dữ liệu của bạn chưa được lưu; vui lòng thử lại."),
        503: _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."),
    }
    return messages.get(status, messages[500])


class ApiError(Exception):
    """Raised anywhere in an API request; rendered by ``error_response``."""

    def __init__(self, status: int, message: str | None = None, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message or "")
        self.status, self.message, self.fields, self.headers = status, message, fields or {}, headers or {}

    @classmethod
    def invalid(cls, fields: dict[str, str], message: str | None = None) -> ApiError:
        return cls(422, message, fields)


def error_response(status: int, message: str | None = None, fields: dict | None = None,
                   headers: dict | None = None):
    response = jsonify(error={"code": CODES.get(status, "error"), "message": message or default_message(status),
                              "fields": fields or {}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# Services name form fields ("questions-3-commitments-0-deadline"); the API names JSON paths.
_FORM_INDEX = re.compile(r"-(\d+)-")


def field_path(form_field: str | None) -> str:
    return _FORM_INDEX.sub(r".\1.", form_field or "")


def from_service(exc: ServiceError, renames: dict[str, str] | None = None) -> ApiError:
    """A broken business rule as a 422 on the field it names (``renames`` maps service field
    names to API ones); a rule that names no field goes in ``message`` alone."""
    field = (renames or {}).get(exc.field, exc.field) if exc.field else None
    return ApiError(422, exc.message, {field_path(field): exc.message} if field else {})


def register(app) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.fields, exc.headers)
