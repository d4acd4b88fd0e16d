"""Login, logout, password change, and the unit-scope rule every feature builds on.

Scope: a user bound to unit U sees U and everything below it (``Unit.contains``); an authority
user sees only its agency's records. Out-of-scope objects answer 404, never revealing they exist.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app import throttle
from app.locking import write_lock_later
from app.extensions import db, login_manager
from app.forms import ChangePasswordForm, LoginForm
from app.models import RememberToken, Role, Unit, User, utcnow
from app.services import change_password, service_call

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user, if its session version is still the account's (``User.get_id``): every
    request checks it, so a bumped version ends copied and forgotten sessions at once."""
    user_id, _sep, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


# --- remember me: a random token, stored hashed, replaced on each use -----------------------

REMEMBER_COOKIE = "caunoi_remember"
REMEMBER_DAYS = 30


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue_remember_token(user: User) -> None:
    """A new token for ``user``; the cookie is set on this request's response."""
    secret = secrets.token_urlsafe(32)
    db.session.add(RememberToken(user_id=user.id, token_hash=_token_hash(secret),
                                 expires_dt=utcnow() + timedelta(days=REMEMBER_DAYS)))
    g.remember_cookie = secret


@login_manager.request_loader
def load_user_from_remember_token(request) -> User | None:
    """No session: a valid remember-me token logs the browser in again, once (then a new token)."""
    secret = request.cookies.get(REMEMBER_COOKIE)
    if not secret or request.path.startswith("/api/") or len(secret) > 100:
        return None
    token = db.session.scalar(sa.select(RememberToken).where(RememberToken.token_hash == _token_hash(secret)))
    if token is None:
        g.remember_cookie = ""  # unknown, used or revoked: forget it
        return None
    user, expired = token.user, token.expires_dt <= utcnow()
    db.session.delete(token)
    if expired or not user.is_active:
        g.remember_cookie = ""
        return None
    _issue_remember_token(user)
    login_user(user)
    return user


def set_remember_cookie(response):
    """after_request: write (or clear) the remember-me cookie decided during the request."""
    secret = g.pop("remember_cookie", None)
    if secret:
        response.set_cookie(REMEMBER_COOKIE, secret, max_age=REMEMBER_DAYS * 24 * 3600, httponly=True,
                            samesite="Lax", secure=current_app.config["REMEMBER_COOKIE_SECURE"])
    elif secret == "":
        response.delete_cookie(REMEMBER_COOKIE, httponly=True, samesite="Lax",
                               secure=current_app.config["REMEMBER_COOKIE_SECURE"])
    return response


def end_sessions(user: User) -> None:
    """Log out everywhere: every session and remember-me token of ``user``, this browser's too."""
    user.revoke_sessions()
    logout_user()
    g.remember_cookie = ""


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


def unit_in_scope(unit: int | str | None, user: User | None = None) -> Unit | None:
    """The unit named by id or by code (a request parameter, a form field), if the user may see it;
    None when it does not exist or lies outside the user's scope: the caller cannot tell which.
    A missing value (None, "") names the user's own unit."""
    user = user or current_user
    if unit is None or (isinstance(unit, str) and not unit.strip()):
        return user.unit
    if isinstance(unit, int):
        found = db.session.get(Unit, unit) if 0 < unit < 2**31 else None
    else:
        found = db.session.scalar(sa.select(Unit).where(Unit.code == unit.strip()[:32]))
    return found if found is not None and user.can_see_unit(found) else None


def unit_in_scope_or_404(unit: int | str | None, user: User | None = None) -> Unit:
    """As :func:`unit_in_scope` for the object of a request: unknown or out of scope is a 404."""
    found = unit_in_scope(unit, user)
    if found is None:
        abort(404)
    return found


def shared_list_filter(user: User, unit_id_column):
    """SQL filter on a shared list (topics, categories): the national entries (no unit) and the
    local entries of the user's unit, of a unit above it, or of a unit below it."""
    above = [u.id for u in user.unit.ancestors] + [user.unit_id]
    return sa.or_(unit_id_column.is_(None), unit_id_column.in_(above),
                  unit_id_column.in_(sa.select(Unit.id).where(user.unit.subtree_filter(Unit.id))))


def can_edit_shared(user: User, unit: Unit | None) -> bool:
    """National entries (``unit`` None) are changed only by administrators; a local entry by the
    unit that added it and the units above it."""
    return user.is_admin if unit is None else user.can_see_unit(unit)


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
    # SQLite: the password hash is slow by design, so it runs before the write lock is taken; the
    # failed-login counter or the last login is then written in a short transaction (app.locking).
    write_lock_later()
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        address = request.remote_addr or "?"
        known_device = _is_known_login(username)
        if refused := _refused_while_waiting(form, username, address, known_device):
            return refused
        user = db.session.scalar(sa.select(User).where(User.username == username))
        valid = password_matches(user, form.password.data) and user.is_active  # the slow part: no lock held
        throttle.lock_attempts(username, address)  # the short write transaction starts here
        # Again under the lock: guesses sent together count one after another, and a guess
        # refused here learns nothing of its password.
        if refused := _refused_while_waiting(form, username, address, known_device):
            return refused
        if not valid:
            throttle.record_failure(username, address)  # committed: the page answers 200
            form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            throttle.clear(username)
            login_user(user)
            if form.remember.data:
                _issue_remember_token(user)
            user.last_login_dt = utcnow()
            target = request.args.get("next")
            response = redirect(target if is_safe_next(target) else url_for("core.home"))
            response.set_cookie(KNOWN_LOGIN_COOKIE, _known_login_signer().dumps(username), max_age=KNOWN_LOGIN_AGE,
                                httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return render_template("auth/login.html", form=form)


def _refused_while_waiting(form, username: str, address: str, known_device: bool):
    wait = throttle.seconds_to_wait(username, address, known_device=known_device)
    if not wait:
        return None
    form.password.errors.append(_("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau %(n)d giây.", n=wait))
    return render_template("auth/login.html", form=form), 429


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
    """Logging out ends every session of the account: a copied session or remember-me cookie
    stops working (sessions are signed cookies, so the version is what can be revoked)."""
    end_sessions(current_user)
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with service_call(form, "new_password") as call:
            change_password(current_user, form.old_password.data, form.new_password.data)
        if call.ok:
            login_user(current_user._get_current_object())  # this browser goes on; every other session ends
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    end_sessions(current_user)
    flash(_("Đã đăng xuất trên mọi thiết bị."), "info")
    return redirect(url_for("auth.login"))
