"""The "API tokens" page of the account menu: a user lists, creates and revokes their own tokens.

A new token's secret is shown once, on the page that answers the creating POST (never in a
flash message: those travel in the session cookie). The hidden form token makes a reload of
that page harmless: it finds the token made before and shows no secret again.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length

from app.forms import BaseForm
from app.api import tokens
from app.api.models import ApiToken
from app.extensions import db
from app.services import service_call

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")

EXPIRY_CHOICES = [("90", _l("90 ngày")), ("365", _l("1 năm")), ("30", _l("30 ngày")), ("0", _l("Không hết hạn"))]


class TokenForm(BaseForm):
    name = StringField(_l("Tên gợi nhớ"), [Length(max=tokens.MAX_NAME, message=_l("Không được dài quá %(max)d ký tự."))],
                       description=_l("Ví dụ: “Báo cáo của tỉnh”, “Ứng dụng khảo sát ngoại tuyến”."))
    days = SelectField(_l("Thời hạn"), choices=EXPIRY_CHOICES, default="90")
    token = HiddenField()


class RevokeForm(BaseForm):
    pass


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    form.token.data = secrets.token_urlsafe(16)  # a fresh one for the next creation
    response = make_response(render_template("api/list_tokens.html", form=form, secret=secret,
                                             tokens=tokens.tokens_of(current_user), revoke_form=RevokeForm()),
                             status)
    response.headers["Cache-Control"] = "no-store"  # the page may hold a secret
    return response


@bp.route("/")
@login_required
def list_tokens():
    return _page(TokenForm())


@bp.route("/", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    with service_call(form, "name") as call:
        token, secret = tokens.create_token(current_user, form.name.data, int(form.days.data) or None,
                                            creation_token=form.token.data)
    if not call.ok:
        return _page(form, status=400)
    if secret is None:
        flash(_("Khóa “%(name)s” đã được tạo trước đó; mã khóa chỉ hiển thị một lần.", name=token.name), "info")
        return redirect(url_for("api_tokens.list_tokens"))
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        tokens.revoke_token(token)
        flash(_("Đã thu hồi khóa “%(name)s”. Các chương trình dùng khóa này không truy cập được nữa.",
                name=token.name), "success")
    return redirect(url_for("api_tokens.list_tokens"))
