"""Login, logout, password change, and the unit-scope rule every feature builds on.

Scope: a user bound to unit U sees U and everything below it (``Unit.contains``); an authority
user sees only its agency's records. Out-of-scope objects answer 404, never revealing they exist.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import throttle
from app.extensions import db, login_manager
from app.forms import ChangePasswordForm, LoginForm
from app.models import Role, Unit, User, utcnow
from app.services import change_password, service_call

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
        wait = throttle.seconds_to_wait(username, address)
        if wait:
            form.password.errors.append(_("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau %(n)d giây.", n=wait))
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            throttle.record_failure(username, address)  # committed: the page answers 200
            form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            throttle.clear(username)
            login_user(user, remember=form.remember.data)
            user.last_login_dt = utcnow()
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("core.home"))
    return render_template("auth/login.html", form=form)


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
        with service_call(form, "new_password") as call:
            change_password(current_user, form.old_password.data, form.new_password.data)
        if call.ok:
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form)
