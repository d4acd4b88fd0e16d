"""Factory, configuration, database settings, errors, i18n, audit log, CSRF."""
import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import ConfigError
from app.models import AuditLog, Role


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


@pytest.mark.parametrize("env", ["Production", "prod", "PRODUCTION ", "staging", ""])
def test_unknown_app_env_refuses_to_start(monkeypatch, env):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="APP_ENV must be one of"):
        create_app()


@pytest.mark.parametrize("key", ["a", "a-real-random-secret-value", "x" * 31])
def test_production_refuses_a_short_secret(monkeypatch, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        create_app()


def test_production_cookie_is_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-random-secret-value-of-32-bytes-or-more")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_DIR": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_sqlite_pragmas(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_error_pages_are_vietnamese_and_json_when_asked(client, db):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Không tìm thấy" in page.get_data(as_text=True)
    data = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert data.status_code == 404 and data.json["error"]["code"] == 404
    assert data.json["error"]["title"] == "Không tìm thấy"


def test_english_locale_is_remembered(client, db):
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page
    client.get("/lang/vi")
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_language_switch_is_no_open_redirect(client, db):
    response = client.get("/lang/en?next=https://evil.example/")
    assert "evil.example" not in response.headers["Location"]


def test_login_has_no_open_redirect(client, create_user):
    user = create_user(Role.trainer, "02020")
    response = client.post("/login?next=//evil.example/x", data={"username": user.username, "password": "secret123"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_login_redirects_to_safe_next(client, create_user):
    user = create_user(Role.trainer, "02020")
    response = client.post("/login?next=/people/", data={"username": user.username, "password": "secret123"})
    assert response.headers["Location"].endswith("/people/")


def test_csrf_is_required_on_forms(app, client, create_user, db):
    user = create_user(Role.trainer, "02020")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": user.username, "password": "secret123"})
        assert response.status_code == 400
        assert "biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("url, data, typed", [
    ("/login", {"username": "lo.thi.anh", "password": "x"}, 'value="lo.thi.anh"'),
    ("/people/new", {"full_name": "Lò Thị Ánh Dương", "code": "CD-977", "sex": "F", "birth_year": "1990"},
     'value="Lò Thị Ánh Dương"'),
])
def test_a_csrf_refused_form_comes_back_with_what_was_typed_and_writes_nothing(app, client, login_as, db, url,
                                                                               data, typed):
    """Any form, not only the dialogues': the same view shows its form again on the posted values,
    with a fresh token, and nothing is stored (app.errors.form_again_after_csrf_error)."""
    from app.models import Person

    if url != "/login":
        login_as(Role.commune, "02020")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(url, data={**data, "csrf_token": "expired-or-forged"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and typed in page and "vẫn còn dưới đây" in page
        assert re.search(r'name="csrf_token" type="hidden" value="[^"]{20,}"', page)  # a fresh token
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_logout_needs_post(client, login_as):
    login_as(Role.trainer, "02020")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/home").status_code == 302


def test_security_headers(client, db):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_audit_log_records_who_and_before_after(client, login_as, db, create_person):
    person = create_person(full_name="Lò Thị Ánh")
    user = login_as(Role.trainer, "02020")
    client.post(f"/people/{person.id}/edit", data={"full_name": "Lò Thị Ánh Hồng", "unit_id": person.unit_id})
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Person", AuditLog.action == "update"))
    assert row.user_id == user.id and row.source == "web"
    assert row.before["full_name"] == "Lò Thị Ánh" and row.after["full_name"] == "Lò Thị Ánh Hồng"
    # password hashes never reach the log
    created = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "User"))
    assert "password_hash" not in (created.after or {})


def test_admin_reads_audit_log(client, login_as, create_person):
    create_person(full_name="Lò Thị Ánh")
    login_as(Role.admin, "VN")
    page = client.get("/admin/audit/?type=Person").get_data(as_text=True)
    assert "Lò Thị Ánh" in page


def test_utc_datetimes_are_aware(db, create_person):
    person = create_person()
    db.session.expire_all()
    assert person.created_dt.tzinfo is not None


@pytest.mark.parametrize("referrer", ["//evil.example/x", "http://localhost//evil.example/x",
                                      "http://localhost/\\\\evil.example", "https://evil.example/x",
                                      "http://localhost:80@evil.example/x"])
def test_language_switch_follows_no_foreign_referrer(client, db, referrer):
    response = client.get("/lang/en", headers={"Referer": referrer})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and not location.startswith("//")


def test_language_switch_returns_to_the_page_of_this_site(client, db):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/people/?q=Ha"})
    assert response.headers["Location"] == "/people/?q=Ha"


def test_audit_rows_carry_the_unit_of_the_record(db, units, create_person, create_dialogue, create_user):
    from app.audit import set_cli_actor
    from dialogues.models import Commitment

    person = create_person(unit="na_nguoc", full_name="Lò Thị Ánh")
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Person",
                                                      AuditLog.object_id == person.id))
    assert row.unit_id == units["na_nguoc"].id
    # a commitment has no unit of its own: it is placed by its dialogue's organising unit
    dialogue = create_dialogue("02086", status="held", questions=1, commitments=1)
    commitment = db.session.scalar(sa.select(Commitment))
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Commitment",
                                                      AuditLog.object_id == commitment.id))
    assert row.unit_id == dialogue.unit_id == units["02086"].id
    # a record with no unit at all (a national topic) falls back to the actor's unit
    officer = create_user(Role.province, "19")
    set_cli_actor(officer.id)
    try:
        from surveys.models import Topic
        topic = Topic(name="Chủ đề thử audit")
        db.session.add(topic)
        db.session.commit()
    finally:
        set_cli_actor(None)
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Topic", AuditLog.object_id == topic.id))
    assert row.unit_id == units["19"].id and row.user_id == officer.id


def test_admin_reads_the_audit_log_of_her_scope_only(client, login_as, create_person):
    create_person(unit="na_nguoc", full_name="Lò Thị Ánh")
    create_person(unit="08", full_name="Ma Thị Bền")
    login_as(Role.admin, "19")
    page = client.get("/admin/audit/?type=Person").get_data(as_text=True)
    assert "Lò Thị Ánh" in page and "Ma Thị Bền" not in page and "Nà Nguộc" in page
    login_as(Role.admin, "08")
    page = client.get("/admin/audit/?type=Person").get_data(as_text=True)
    assert "Ma Thị Bền" in page and "Lò Thị Ánh" not in page
    login_as(Role.admin, "VN")
    page = client.get("/admin/audit/?type=Person").get_data(as_text=True)
    assert "Ma Thị Bền" in page and "Lò Thị Ánh" in page
