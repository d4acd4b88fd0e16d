"""Friendly error pages in the user's language; JSON errors for JSON requests.

When the database is unreachable every page answers 503 "service unavailable", even when the
failure comes from loading the logged-in user or from inside a template: the error page itself is
rendered for an anonymous visitor, so it never needs the database. The pool pings connections
before use (``pool_pre_ping``), so the app recovers by itself once the database is back.
"""
from __future__ import annotations

from flask import current_app, flash, g, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, login_manager
from app.services import database_refusal, is_unique_violation

RETRY_AFTER_SECONDS = 30


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Yêu cầu không hợp lệ"), _("Dữ liệu gửi lên không hợp lệ. Vui lòng quay lại và thử lại.")),
        403: (_("Không có quyền"), _("Tài khoản của bạn không có quyền dùng chức năng này.")),
        404: (_("Không tìm thấy"), _("Trang hoặc bản ghi này không tồn tại, hoặc nằm ngoài phạm vi của bạn.")),
        405: (_("Không được phép"), _("Thao tác này không được hỗ trợ ở địa chỉ này.")),
        409: (_("Dữ liệu vừa thay đổi"), _("Bản ghi này vừa được lưu từ một yêu cầu khác. "
                                          "Vui lòng tải lại trang và kiểm tra trước khi gửi lại.")),
        413: (_("Tệp quá lớn"), _("Tệp gửi lên vượt quá dung lượng cho phép.")),
        429: (_("Quá nhiều yêu cầu"), _("Bạn đã thử quá nhiều lần. Vui lòng đợi một lúc rồi thử lại.")),
        500: (_("Lỗi hệ thống"), _("Đã có lỗi xảy ra. Dữ liệu của bạn chưa được lưu; vui lòng thử lại.")),
        503: (_("Tạm thời gián đoạn"), _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút.")),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or (best == "application/json" and
                                                request.accept_mimetypes[best] > request.accept_mimetypes["text/html"])


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for errors that mean "cannot reach the database" rather than a bug in a query."""
    return isinstance(exc, (OperationalError, InterfaceError)) or \
        (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def render_error(code: int, detail: str | None = None, headers: dict | None = None):
    if request.path.startswith("/api/"):  # the JSON API has its own error shape (app.api.errors)
        from app.api.errors import error_response

        return error_response(code, detail, headers=headers)
    try:  # the locale selector and base.html may load the logged-in user from the database
        title, message = _messages().get(code, _messages()[500])
        body, status = render_error_page(code, title, detail or message)
        return body, status, headers or {}
    except SQLAlchemyError as exc:
        if not is_database_unavailable(exc):
            raise
        return database_unavailable(exc)


def database_unavailable(exc: BaseException):
    """The 503 page, rendered without touching the database again."""
    current_app.logger.error("database unavailable: %s", exc)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the pool discards it
    # Treat the visitor as anonymous for the error page: base.html and the locale selector would
    # otherwise load the user (and its unit) from the database that just failed.
    g._login_user = login_manager.anonymous_user()
    title, message = _messages()[503]
    try:
        response = current_app.make_response(render_error_page(503, title, message))
    except Exception:  # noqa: BLE001 - last resort: a page with no template and no database
        response = current_app.response_class(
            f"<!doctype html><meta charset=utf-8><title>{escape(title)}</title>"
            f"<h1>{escape(title)} (503)</h1><p>{escape(message)}</p>", 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def render_error_page(code: int, title: str, message: str):
    if request.path.startswith("/api/"):
        from app.api.errors import error_response

        return error_response(code)
    if wants_json():
        return jsonify(error={"code": code, "title": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


class ReplayWriteError(RuntimeError):
    """A form refused for its CSRF token tried to write while being shown again."""


@event.listens_for(Session, "before_flush")
def _no_write_while_replaying(session, flush_context, instances) -> None:
    from flask import has_request_context

    if has_request_context() and g.get("csrf_replay"):
        raise ReplayWriteError("a submission refused for its CSRF token must not write")


def form_again_after_csrf_error():
    """A submit whose CSRF token expired (or whose session was lost) is not carried out, but the
    typed text is not thrown away either: the same view runs again on the posted values, whose
    form now fails validation on its token, so it shows the form with every value typed and a
    fresh token. Nothing may be written meanwhile (a flush raises, the session is rolled back).
    Returns the 400 response, or None when the view does not answer with a page (a redirect, a
    file, an abort): then the plain error page is shown."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.method != "POST" or wants_json() or g.get("csrf_replay"):
        return None
    g.csrf_replay = True
    flashes = len(session.get("_flashes", []))
    flash(_("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ nên nội dung chưa được gửi đi. Những gì bạn "
            "đã nhập vẫn còn dưới đây; hãy kiểm tra rồi bấm gửi lại."), "error")
    response = None
    try:
        response = current_app.make_response(view(**(request.view_args or {})))
    except Exception:  # noqa: BLE001 - an abort, a refused write: fall back to the plain page
        response = None
    finally:
        db.session.rollback()
        g.csrf_replay = False
    if response is None or response.mimetype != "text/html" or not 200 <= response.status_code < 300 \
            and response.status_code != 422:
        session["_flashes"] = session.get("_flashes", [])[:flashes]  # the message belongs to the form
        return None
    response.status_code = 400
    return response


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        again = form_again_after_csrf_error()
        if again is not None:
            return again
        return render_error(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                   "Vui lòng tải lại trang và gửi lại."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # A 500 wrapping a database outage: the commit in after_request (or a teardown) failed.
        if isinstance(exc, InternalServerError) and is_database_unavailable(exc.original_exception):
            return database_unavailable(exc.original_exception)
        if isinstance(exc, InternalServerError) and (refusal := database_refusal(exc.original_exception)):
            return refused(refusal)  # refused at the request's commit (a deferred check)
        # Keep the headers the error defines (``Allow`` on a 405), not its HTML content type.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return render_error(exc.code or 500, getattr(exc, "user_message", None), headers=headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(exc):
        return database_unavailable(exc)

    def refused(refusal):
        db.session.rollback()
        return render_error(409, refusal.message)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc):
        # A concurrent request stored the same key between a service's check and its insert.
        db.session.rollback()
        if refusal := database_refusal(exc):  # a feature's database rule (a trigger) said no
            return refused(refusal)
        if is_unique_violation(exc):
            return render_error(409)
        app.logger.exception("integrity error")
        return render_error(500)

    @app.errorhandler(Exception)
    def server_error(exc):
        if is_database_unavailable(exc):
            return database_unavailable(exc)
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500)
