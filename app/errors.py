"""Friendly error pages in the user's language; JSON errors for JSON requests."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Yêu cầu không hợp lệ"), _("Dữ liệu gửi lên không hợp lệ. Vui lòng quay lại và thử lại.")),
        403: (_("Không có quyền"), _("Tài khoản của bạn không có quyền dùng chức năng này.")),
        404: (_("Không tìm thấy"), _("Trang hoặc bản ghi này không tồn tại, hoặc nằm ngoài phạm vi của bạn.")),
        405: (_("Không được phép"), _("Thao tác này không được hỗ trợ ở địa chỉ này.")),
        413: (_("Tệp quá lớn"), _("Tệp gửi lên vượt quá dung lượng cho phép.")),
        429: (_("Quá nhiều yêu cầu"), _("Bạn đã thử quá nhiều lần. Vui lòng đợi một lúc rồi thử lại.")),
        500: (_("Lỗi hệ thống"), _("Đã có lỗi xảy ra. Dữ liệu của bạn chưa được lưu; vui lòng thử lại.")),
        503: (_("Tạm thời gián đoạn"), _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.")),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or (best == "application/json" and
                                                request.accept_mimetypes[best] > request.accept_mimetypes["text/html"])


def render_error(code: int, detail: str | None = None, headers: dict | None = None):
    if request.path.startswith("/api/"):
        from app.api.errors import error_response

        return error_response(code, detail, headers=headers)
    title, message = _messages().get(code, _messages()[500])
    if detail:
        message = detail
    if wants_json():
        return jsonify(error={"code": code, "title": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                   "Vui lòng tải lại trang và gửi lại."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Keep the headers the error defines (``Allow`` on a 405), not its HTML content type.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return render_error(exc.code or 500, headers=headers)

    @app.errorhandler(OperationalError)
    def database_down(exc):
        db.session.rollback()
        app.logger.error("database unavailable: %s", exc)
        return render_error(503)

    @app.errorhandler(Exception)
    def server_error(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500)
