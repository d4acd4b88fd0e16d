"""The database goes away: a clear Vietnamese 503 page, recovery on its own once it is back, and a
submission interrupted by a database error leaves nothing behind.

Each test builds its own app with ``create_app({...})`` on a real unreachable or vanishing
database, so the shared test database and the other tests are never touched.
"""
from __future__ import annotations

import os
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import current_user, login_required
from sqlalchemy.pool import NullPool

from app import create_app, locking, services
from app.extensions import db as _db
from app.models import Agency, AuditLog, Role, Unit, UnitLevel

UNAVAILABLE = "Tạm thời gián đoạn"


def make_app(tmp_path, url: str, **engine_options):
    return create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
    })


def as_logged_in(client, user_id: int = 1):
    """A session cookie naming a user, as a browser would send it after logging in."""
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = f"{user_id}:1", True  # User.get_id: id and session version
    return client


def assert_unavailable(response):
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


# --- PostgreSQL that is not there at all ---------------------------------------------------

@pytest.fixture
def unreachable_app(tmp_path):
    app = make_app(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/caunoi",
                   connect_args={"connect_timeout": 2})
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_logged_in_page_answers_503_when_the_user_cannot_be_loaded(unreachable_app):
    response = as_logged_in(unreachable_app.test_client()).get("/home")
    assert_unavailable(response)
    assert 'lang="vi"' in response.get_data(as_text=True)


def test_error_page_of_another_error_still_renders_without_the_database(unreachable_app):
    # A 404 page extends base.html, which shows the logged-in user's name and unit.
    assert_unavailable(as_logged_in(unreachable_app.test_client()).get("/no-such-page"))


def test_form_submission_answers_503(unreachable_app):
    response = unreachable_app.test_client().post("/login", data={"username": "chodon", "password": "demo1234"})
    assert_unavailable(response)


def test_json_clients_get_a_json_503(unreachable_app):
    response = as_logged_in(unreachable_app.test_client()).get("/home", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.json["error"]["code"] == 503


def test_pages_that_need_no_database_still_work(unreachable_app):
    assert unreachable_app.test_client().get("/login").status_code == 200


# --- SQLite whose file disappears, then comes back ------------------------------------------

@pytest.fixture
def vanishing_sqlite(tmp_path):
    """An app on a SQLite file in ``data/``; ``take_away()`` and ``bring_back()`` move the folder.

    NullPool: an open SQLite connection keeps reading a moved file, so only new connections
    notice; each checkout here is a new connection, as after a restart of the database host.
    """
    data = tmp_path / "data"
    data.mkdir()
    app = make_app(tmp_path, f"sqlite:///{data / 'caunoi.sqlite3'}", poolclass=NullPool)

    @app.get("/_test/outage-while-rendering")
    @login_required
    def outage_while_rendering():
        assert current_user.username  # the user is loaded...
        _db.session.commit()  # ...its transaction ends, so the template's next query reconnects
        take_away()
        return render_template_string('{% extends "base.html" %}{% block content %}ok{% endblock %}')

    def take_away():
        os.rename(data, tmp_path / "away")

    def bring_back():
        os.rename(tmp_path / "away", data)

    with app.app_context():
        _db.create_all()
        country = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
        _db.session.add(country)
        services.create_user("chodon", "demo1234", Role.commune, country)
        _db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"username": "chodon", "password": "demo1234"}).status_code == 302
    yield client, take_away, bring_back


def test_app_recovers_by_itself_when_the_database_is_back(vanishing_sqlite):
    client, take_away, bring_back = vanishing_sqlite
    assert client.get("/home").status_code == 200
    take_away()
    assert_unavailable(client.get("/home"))
    assert_unavailable(client.get("/people/"))
    bring_back()
    assert client.get("/home").status_code == 200


def test_outage_while_rendering_the_base_template_answers_503(vanishing_sqlite):
    client, _take_away, bring_back = vanishing_sqlite
    response = client.get("/_test/outage-while-rendering")
    bring_back()
    assert_unavailable(response)


# --- PostgreSQL restarted under a running app ------------------------------------------------

def test_stale_connections_are_replaced_after_a_database_restart(app, db, create_user, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no server to restart")
    user = create_user(Role.commune, "02020")
    other = make_app(tmp_path, url, connect_args={"application_name": "caunoi_restart_test"})
    client = as_logged_in(other.test_client(), user.id)
    try:
        assert client.get("/home").status_code == 200  # the pool now holds a live connection
        db.session.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE application_name = 'caunoi_restart_test'"))
        db.session.commit()
        assert client.get("/home").status_code == 200  # pool_pre_ping threw the dead one away
    finally:
        with other.app_context():
            _db.engine.dispose()


# --- a submission interrupted half-way ------------------------------------------------------

def _duplicate_key():
    _db.session.add(Agency(code="HALF-1", name="Bản sao", unit_id=_first_unit_id()))
    _db.session.flush()


def _missing_value():
    _db.session.add(Agency(code="HALF-2", name=None, unit_id=_first_unit_id()))
    _db.session.flush()


def _connection_lost():
    _db.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))


def _first_unit_id() -> int:
    return _db.session.scalar(sa.select(Unit.id).order_by(Unit.id))


@pytest.mark.parametrize("second_write, status", [
    (_duplicate_key, 409), (_missing_value, 500), (_connection_lost, 503),
], ids=["duplicate key", "missing value", "connection lost"])
def test_interrupted_submission_stores_nothing(app, db, units, tmp_path, second_write, status):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if second_write is _connection_lost and not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: a SQLite connection cannot be cut from outside")
    other = make_app(tmp_path, url)
    commune_id = units["02020"].id

    @other.post("/_test/two-rows")
    def two_rows():
        services.create_agency("HALF-1", "Dòng thứ nhất", _db.session.get(Unit, commune_id))
        second_write()  # the first row and its audit entry are already flushed
        return "stored"

    try:
        response = other.test_client().post("/_test/two-rows")
    finally:
        with other.app_context():
            _db.engine.dispose()
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(AuditLog.object_type == "Agency")) == 0


# --- a database that does not answer: the 503 page within a few seconds, not gunicorn's timeout ---

FEW_SECONDS = 10  # a loose bound: the timeouts below are 2 s; this is a fault test, not a benchmark


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


@pytest.fixture
def black_hole():
    """A TCP port that accepts connections and never says a word (a frozen database host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_silent_postgresql_host_answers_503_within_the_connect_timeout(tmp_path, black_hole):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{black_hole}/caunoi",
                      "DB_CONNECT_TIMEOUT": 2})
    try:
        response, elapsed = timed(lambda: as_logged_in(app.test_client()).get("/home"))
    finally:
        with app.app_context():
            _db.engine.dispose()
    assert_unavailable(response)
    assert elapsed < FEW_SECONDS


def test_the_timeouts_are_connect_arguments_of_every_postgresql_connection(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@db.internal/caunoi",
                      "DB_CONNECT_TIMEOUT": 3, "DB_STATEMENT_TIMEOUT": 4.5, "INSTANCE_DIR": str(tmp_path)})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {
        "connect_timeout": 3, "options": "-c statement_timeout=4500 -c lock_timeout=4500"}


def test_a_locked_table_on_postgresql_answers_503_within_the_statement_timeout(app, db, create_user, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (SQLite: the next test)")
    user_id = create_user(Role.commune, "02020").id
    db.session.commit()
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "INSTANCE_DIR": str(tmp_path),
                        "SQLALCHEMY_DATABASE_URI": url, "DB_STATEMENT_TIMEOUT": 2})
    holder = sa.create_engine(url)
    try:
        with holder.connect() as conn:
            # Another session holds the users table (a stuck migration, a runaway VACUUM FULL...).
            conn.exec_driver_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            response, elapsed = timed(lambda: as_logged_in(other.test_client(), user_id).get("/home"))
            conn.rollback()
        assert_unavailable(response)
        assert elapsed < FEW_SECONDS
        assert as_logged_in(other.test_client(), user_id).get("/home").status_code == 200  # and back
    finally:
        holder.dispose()
        with other.app_context():
            _db.engine.dispose()


def test_a_writer_holding_sqlite_answers_503_within_the_lock_wait(app, db, create_user, monkeypatch):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("SQLite only (PostgreSQL: the test above)")
    # As with DB_STATEMENT_TIMEOUT=2 in the environment: both waits, on new connections.
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 2.0)
    monkeypatch.setattr(locking, "BUSY_TIMEOUT_MS", 2000)
    user = create_user(Role.commune, "02020")
    db.session.commit()
    db.engine.dispose()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # a writer that never finishes
        response, elapsed = timed(lambda: app.test_client().post(
            "/login", data={"username": user.username, "password": "secret123"}))
        conn.exec_driver_sql("ROLLBACK")
    db.engine.dispose()  # no connection with the short busy timeout stays in the pool
    assert_unavailable(response)
    assert 1.5 < elapsed < FEW_SECONDS
