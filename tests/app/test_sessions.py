"""Revocable sessions: a session version per account, checked on every request, and remember-me
tokens that are random, stored hashed, used once and revoked with the sessions."""
import hashlib

import pytest
import sqlalchemy as sa

from app import services
from app.auth import REMEMBER_COOKIE
from app.models import RememberToken, Role, User

PASSWORD = "secret123"


def log_in(client, user, remember=False):
    data = {"username": user.username, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/login", data=data).status_code == 302


def copy_of(app, client):
    """A second browser holding copies of ``client``'s cookies (a stolen or forgotten session)."""
    other = app.test_client()
    for cookie in client._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return other


def logged_in(client) -> bool:
    return client.get("/home").status_code == 200


@pytest.fixture
def user(create_user):
    return create_user(Role.commune, "02020")


def test_a_copied_session_cookie_dies_at_logout(app, client, user):
    log_in(client, user)
    thief = copy_of(app, client)
    assert logged_in(thief)
    client.post("/logout")
    assert not logged_in(thief) and not logged_in(client)


def test_password_change_ends_the_other_sessions_not_this_one(app, client, user):
    log_in(client, user)
    elsewhere = app.test_client()
    log_in(elsewhere, user)
    response = client.post("/account/password", data={"old_password": PASSWORD, "new_password": "new-secret-9",
                                                     "confirm": "new-secret-9"})
    assert response.status_code == 302
    assert logged_in(client) and not logged_in(elsewhere)


def test_log_out_everywhere(app, client, user):
    log_in(client, user, remember=True)
    elsewhere = app.test_client()
    log_in(elsewhere, user, remember=True)
    assert "Đăng xuất trên mọi thiết bị" in client.get("/account/password").get_data(as_text=True)
    assert client.post("/account/logout-everywhere").status_code == 302
    assert not logged_in(client) and not logged_in(elsewhere)
    assert not logged_in(copy_of(app, elsewhere))  # its remember-me token was revoked too


@pytest.mark.parametrize("change", ["role", "unit", "deactivate"])
def test_role_unit_change_or_deactivation_ends_sessions(app, client, db, user, units, change):
    log_in(client, user)
    user = db.session.get(User, user.id)
    services.update_user(user, role=Role.province if change == "role" else user.role,
                         unit=units["02086"] if change == "unit" else user.unit, agency=None,
                         full_name="", email=None, is_active=change != "deactivate")
    db.session.commit()
    assert not logged_in(client)


def test_a_name_change_keeps_the_session(client, db, user):
    log_in(client, user)
    user = db.session.get(User, user.id)
    services.update_user(user, role=user.role, unit=user.unit, agency=None, full_name="Tên mới", email=None,
                         is_active=True)
    db.session.commit()
    assert logged_in(client)


def test_remember_me_token_is_random_hashed_and_rotated(app, client, db, user):
    log_in(client, user, remember=True)
    first = client.get_cookie(REMEMBER_COOKIE).value
    assert "|" not in first and len(first) >= 40  # not Flask-Login's user_id|HMAC
    stored = db.session.scalars(sa.select(RememberToken.token_hash)).all()
    assert stored == [hashlib.sha256(first.encode()).hexdigest()]
    # A browser restart (no session cookie): the token logs in once and is replaced.
    client.delete_cookie("session")
    assert logged_in(client)
    second = client.get_cookie(REMEMBER_COOKIE).value
    assert second != first
    db.session.expire_all()
    assert db.session.scalars(sa.select(RememberToken.token_hash)).all() == [hashlib.sha256(second.encode()).hexdigest()]
    replay = app.test_client()
    replay.set_cookie(REMEMBER_COOKIE, first)
    assert not logged_in(replay)


@pytest.mark.parametrize("revoke", ["logout", "password"])
def test_remember_me_token_is_revoked_by_logout_and_password_change(app, client, db, user, revoke):
    log_in(client, user, remember=True)
    stolen = client.get_cookie(REMEMBER_COOKIE).value
    if revoke == "logout":
        client.post("/logout")
    else:
        client.post("/account/password", data={"old_password": PASSWORD, "new_password": "new-secret-9",
                                              "confirm": "new-secret-9"})
    thief = app.test_client()
    thief.set_cookie(REMEMBER_COOKIE, stolen)
    assert not logged_in(thief)
    assert db.session.scalar(sa.select(sa.func.count(RememberToken.id))) == 0


def test_legacy_flask_login_remember_cookie_is_ignored(app, client, user):
    """The old ``user_id|HMAC`` cookie (valid 365 days) no longer logs anyone in."""
    from flask_login.utils import encode_cookie

    with app.test_request_context():
        legacy = encode_cookie(str(user.id))
    client.set_cookie("remember_token", legacy)
    assert not logged_in(client)
