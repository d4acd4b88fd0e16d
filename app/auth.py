"""Login, logout, password change, and the unit-scope rule every feature builds on.

Scope: a user bound to unit U sees U and everything below it (``Unit.contains``); an authority
user sees only its agency's records. Out-of-scope objects answer 404, never revealing they exist.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app import throttle
from app.extensions import db, login_manager
from app.forms import ChangePasswordForm, LoginForm
from app.models import Role, Unit, User, utcnow
from app.services import ServiceError, change_password

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def roles_required(*roles: Role):
    """Log-in plus role check (admins pass every role check)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def unit_scope(user: User, unit_id_column):
    """SQL filter limiting rows (by their unit id column) to the user's subtree."""
    return user.unit.subtree_filter(unit_id_column)


def scoped_units(user: User):
    return sa.select(Unit).where(Unit.path.startswith(user.unit.path))


def get_in_scope_or_404(model, object_id: int, user: User | None = None, unit_of=lambda obj: obj.unit):
    """Fetch ``model`` by id, or 404 when it is missing or outside the user's unit scope."""
    user = user or current_user
    obj = db.session.get(model, object_id)
    if obj is None or not user.can_see_unit(unit_of(obj)):
        abort(404)
    return obj


def is_safe_next(target: str | None) -> bool:
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        address = request.remote_addr or "?"
        wait = throttle.seconds_to_wait(username, address, known_device=_is_known_login(username))
        if wait:
            form.password.errors.append(_("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau %(n)d giây.", n=wait))
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if not password_matches(user, form.password.data) or not user.is_active:
            throttle.record_failure(username, address)  # committed: the page answers 200
            form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            throttle.clear(username)
            login_user(user, remember=form.remember.data)
            user.last_login_dt = utcnow()
            target = request.args.get("next")
            response = redirect(target if is_safe_next(target) else url_for("core.home"))
            response.set_cookie(KNOWN_LOGIN_COOKIE, _known_login_signer().dumps(username), max_age=KNOWN_LOGIN_AGE,
                                httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return render_template("auth/login.html", form=form)


def password_matches(user: User | None, password: str) -> bool:
    """The same work for an unknown user as for a known one (a dummy hash of the same cost), so the
    answer's timing does not tell which usernames exist."""
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return False
    return check_password_hash(user.password_hash, password or "")


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    cache = current_app.extensions.setdefault("caunoi_dummy_hash", {})
    if method not in cache:
        cache[method] = generate_password_hash("not-a-password-0", method=method)
    return cache[method]


# A browser that logged in to an account holds this signed cookie; the account's failures from
# elsewhere then do not make it wait (app.throttle), so guessing cannot lock the owner out.
KNOWN_LOGIN_COOKIE = "known_login"
KNOWN_LOGIN_AGE = 365 * 24 * 3600


def _known_login_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-login")


def _is_known_login(username: str) -> bool:
    try:
        return _known_login_signer().loads(request.cookies.get(KNOWN_LOGIN_COOKIE, ""),
                                           max_age=KNOWN_LOGIN_AGE) == username
    except BadSignature:
        return False


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.old_password.data, form.new_password.data)
        except ServiceError as exc:
            getattr(form, exc.field, form.new_password).errors.append(exc.message)
        else:
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form)
