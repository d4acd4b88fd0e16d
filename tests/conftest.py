"""Shared fixtures: ``app`` (schema built by the migrations), ``db``, ``client``, ``login_as``,
and factory fixtures that return callables.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Each test
starts from empty tables; requests run in their own app context, as in production.

Under pytest-xdist (``make test`` runs ``-n auto``) each worker has its own database: its own
SQLite file in its own temporary folder, and on PostgreSQL the database ``<TEST_DATABASE_URL's
database>_<worker>`` (``test_gw0``, ``test_gw1``...), created when missing. The worker's URL is
put back into ``TEST_DATABASE_URL`` so that tests reading it (a second database for the backup
round trip) derive their own names from the worker's.
"""
from __future__ import annotations

import os
import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app import create_app, services
from app.extensions import db as _db
from app.models import Agency, Person, Role, Sex, Unit, UnitLevel, User
from factories import build_dialogue, fake_minutes_pdf

TEST_PASSWORD = "secret123"


def worker_database_url(url: str | None, worker: str | None) -> str | None:
    """The PostgreSQL database of one xdist worker (``test`` -> ``test_gw0``), created when missing;
    SQLite and serial runs keep ``url``."""
    if not url or not worker or worker == "master":
        return url
    parsed = sa.engine.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return url  # a SQLite file named in TEST_DATABASE_URL: each worker gets its own file below
    name = f"{parsed.database}_{worker}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL")
    if worker and url:
        if sa.engine.make_url(url).drivername.startswith("sqlite"):
            base, dot, ext = url.rpartition(".")
            os.environ["TEST_DATABASE_URL"] = f"{base}_{worker}.{ext}" if dot and "/" not in ext else f"{url}_{worker}"
        else:
            os.environ["TEST_DATABASE_URL"] = worker_database_url(url, worker)


def reset_database(url: str) -> None:
    """Empty the test database completely so the migrations build it from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            for (name,) in conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type='table'")).all():
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Flask:
    tmp = tmp_path_factory.mktemp("caunoi")
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.sqlite3'}"
    reset_database(url)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # same algorithm, cheaper: hashing dominated the suite
        "STORAGE_DIR": str(tmp / "storage"),
        "INSTANCE_DIR": str(tmp),
        "JOBS_DB": str(tmp / "jobs.sqlite3"),
        "JOBS_IMMEDIATE": True,  # jobs (app.jobs) run inside the request that queues them
    })
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


class IsolatedClient(FlaskClient):
    """Each request gets a fresh app context (new ``g``, new DB session), even while a test
    holds one open, so tests see what production would see."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def db(app):
    settings = dict(app.config)  # the app is the session's: a setting a test changes is put back
    with app.app_context():
        yield _db
        _db.session.remove()
        empty_tables()
    if app.config != settings:
        app.config.clear()
        app.config.update(settings)


def empty_tables() -> None:
    """Delete every row, children first, and restart the ids at 1 (SQLite reuses them once a
    table is empty; PostgreSQL's sequences are set back). DELETE, not TRUNCATE: a TRUNCATE of
    every table gives each one new files, 2 to 3 s per test on a busy disk, where the DELETE of
    a few rows takes milliseconds. The lock on approved minutes (migration 0015) is a set of row
    triggers: they step aside while the tables are emptied (PostgreSQL: replica mode for this
    transaction; SQLite: dropped and created again)."""
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # one round trip (psycopg sends the statements together)
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica;"
                                 + "".join(f'DELETE FROM "{t.name}";' for t in tables) + (
                "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
        else:
            triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
            for t in tables:
                conn.execute(t.delete())
            for _name, sql in triggers:
                conn.execute(sa.text(sql))


@pytest.fixture
def client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def stored_queue(app, tmp_path, monkeypatch):
    """A real SqliteHuey that only stores tasks (JOBS_IMMEDIATE off): run them with ``factories.work``."""
    from app import jobs

    previous = jobs._queue
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    jobs.use(jobs.make_queue(None, str(tmp_path / "jobs.sqlite3")))
    yield jobs.queue()
    if previous is not None:
        jobs.use(previous)
    else:
        jobs._queue = None


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


class FrozenClock:
    """Stands in for ``app.clock.today``: ``frozen.day = date(...)`` moves time."""

    def __init__(self, day):
        self.day = day

    def __call__(self):
        return self.day


@pytest.fixture
def freeze_today(monkeypatch):
    """``freeze_today(day) -> FrozenClock``: the clock says ``day`` until moved."""
    from app import clock

    def freeze(day) -> FrozenClock:
        frozen = FrozenClock(day)
        monkeypatch.setattr(clock, "today", frozen)
        return frozen

    return freeze


@pytest.fixture
def statements(db):
    """``statements(fn)``: run ``fn`` and return the SQL statements it sent, in order."""
    def record_while(fn) -> list[str]:
        seen = []

        def record(_conn, _cursor, statement, *_args):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            fn()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return seen

    return record_while


_seq = itertools.count(1)


@pytest.fixture
def units(db):
    """A small tree shaped like the demo: VN > Thái Nguyên (19) > Chợ Đồn, Chợ Mới > villages."""
    vn = Unit(code="VN", name="Việt Nam", level=UnitLevel.country, path="/VN/")
    tn = Unit(code="19", name="Thái Nguyên", level=UnitLevel.province, division_type="tỉnh", parent=vn,
              path="/VN/19/")
    cd = Unit(code="02020", name="Xã Chợ Đồn", level=UnitLevel.commune, division_type="xã", parent=tn,
              path="/VN/19/02020/")
    cm = Unit(code="02086", name="Xã Chợ Mới", level=UnitLevel.commune, division_type="xã", parent=tn,
              path="/VN/19/02086/")
    other = Unit(code="08", name="Tuyên Quang", level=UnitLevel.province, division_type="tỉnh", parent=vn,
                 path="/VN/08/")
    db.session.add_all([vn, tn, cd, cm, other])
    db.session.flush()
    ban_ca = services.create_unit(cd, "Bản Ca", "bản")
    na_nguoc = services.create_unit(cm, "Nà Nguộc", "thôn")
    db.session.commit()
    return {"VN": vn, "19": tn, "02020": cd, "02086": cm, "08": other, "ban_ca": ban_ca, "na_nguoc": na_nguoc}


@pytest.fixture
def create_agency(db, units):
    def create(code: str | None = None, unit: Unit | None = None, name: str | None = None) -> Agency:
        code = code or f"AG-{next(_seq)}"
        agency = services.create_agency(code, name or f"Cơ quan {code}", unit or units["02020"])
        db.session.commit()
        return agency
    return create


@pytest.fixture
def create_user(db, units, create_agency):
    def create(role: Role | str = Role.commune, unit: Unit | str = "02020", agency: Agency | None = None,
               username: str | None = None, password: str = TEST_PASSWORD) -> User:
        role = Role(role)
        unit = units[unit] if isinstance(unit, str) else unit
        if role is Role.authority and agency is None:
            agency = create_agency(unit=unit)
        user = services.create_user(username or f"user{next(_seq)}", password, role, unit, agency)
        db.session.commit()
        return user
    return create


@pytest.fixture
def create_person(db, units):
    def create(unit: Unit | str = "ban_ca", **kw) -> Person:
        unit = units[unit] if isinstance(unit, str) else unit
        kw.setdefault("full_name", f"Người {next(_seq)}")
        kw.setdefault("sex", Sex.female)
        person = services.save_person(None, unit=unit, **kw)
        db.session.commit()
        return person
    return create


@pytest.fixture
def test_password() -> str:
    """The password of every user made by ``create_user``."""
    return TEST_PASSWORD


@pytest.fixture
def login_as(client, create_user):
    """login_as(role, unit) -> the logged-in user (a new account each call)."""
    def login(role: Role | str = Role.commune, unit: Unit | str = "02020", **kw) -> User:
        user = create_user(role, unit, **kw)
        client.post("/logout")
        response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user
    return login


# --- dialogues (tests/factories.py holds the plain functions) ----------------------------------

@pytest.fixture
def agencies(db, units, create_agency):
    """The agencies of the demo's communes and province, by code."""
    return {
        "UBND-02020": create_agency("UBND-02020", units["02020"], "Ủy ban nhân dân xã Chợ Đồn"),
        "VHXH-02020": create_agency("VHXH-02020", units["02020"], "Phòng Văn hóa - Xã hội xã Chợ Đồn"),
        "UBND-02086": create_agency("UBND-02086", units["02086"], "Ủy ban nhân dân xã Chợ Mới"),
        "SYT-19": create_agency("SYT-19", units["19"], "Sở Y tế tỉnh Thái Nguyên"),
    }


@pytest.fixture
def categories(db):
    """The default question categories: code -> id."""
    from dialogues import services as dialogue_services
    from dialogues.models import QuestionCategory

    dialogue_services.ensure_default_categories()
    db.session.commit()
    return dict(db.session.execute(sa.select(QuestionCategory.code, QuestionCategory.id)).all())


@pytest.fixture
def create_dialogue(db, units, request):
    """create_dialogue(unit="02020", status="planned"|"held"|"approved", questions=0, commitments=0,
    rows=None, actor=None, **data) -> the dialogue, built by ``factories.build_dialogue``.

    ``questions`` sample questions go to the commune's People's Committee (the first
    ``commitments`` of them accepted, with a commitment due 30 days after the meeting); or give
    your own ``rows``. The ``agencies`` and ``categories`` are made only when sample questions are."""
    from dialogues.models import AnswerOutcome
    from dialogues.services import CommitmentRow, QuestionRow

    def sample_rows(unit_key: str, questions: int, commitments: int):
        agency = request.getfixturevalue("agencies")["UBND-02020" if unit_key == "02020" else "UBND-02086"]
        category = request.getfixturevalue("categories")["credit"]

        def rows(dialogue):
            return [QuestionRow(
                content=f"Nội dung ý kiến thử số {i}", raiser_name=f"Người nêu {i}", agency_id=agency.id,
                category_id=category, answerer_name="Hoàng Văn Thắng", answer=f"Nội dung trả lời số {i}",
                outcome=AnswerOutcome.accepted if i <= commitments else AnswerOutcome.answered,
                commitments=[CommitmentRow(agency_id=agency.id, description=f"Cam kết thử số {i}",
                                           deadline=dialogue.held_on + timedelta(days=30))] if i <= commitments else [])
                for i in range(1, questions + 1)]
        return rows

    def create(unit: Unit | str = "02020", status: str = "planned", questions: int = 0, commitments: int = 0,
               rows=None, actor=None, **data):
        if rows is None and questions:
            rows = sample_rows(unit, questions, commitments)
        return build_dialogue(units[unit] if isinstance(unit, str) else unit, status=status, rows=rows or (),
                              actor=actor, **data)
    return create


@pytest.fixture
def quick_pdf(monkeypatch):
    """Approving minutes renders their PDF; where only access or figures matter, skip the rendering."""
    import dialogues.minutes

    monkeypatch.setattr(dialogues.minutes, "render_minutes", fake_minutes_pdf)
