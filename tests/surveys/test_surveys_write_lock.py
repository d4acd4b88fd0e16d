"""SQLite's write lock (app.locking): waited for in short steps, given up with a 503 after the
limit, and taken by the phone form only for its writes."""
import threading
import time

import pytest
import sqlalchemy as sa

from app import locking
from surveys.models import Phase, Response
from test_surveys_phone import ANSWERS


@pytest.fixture
def sqlite_only(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")


@pytest.fixture
def lock_holder(db, sqlite_only):
    """hold(seconds) -> release: another connection holds the write lock for that long from now, or
    until ``release.set()``; ``release.done`` is set once the lock is given back."""
    threads, engine = [], db.engine

    def hold(seconds: float) -> threading.Event:
        taken, release = threading.Event(), threading.Event()
        release.done = threading.Event()

        def run():
            with engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                taken.set()
                release.wait(seconds)
                conn.exec_driver_sql("COMMIT")
                release.done.set()

        thread = threading.Thread(target=run)
        thread.start()
        threads.append(thread)
        assert taken.wait(5)
        return release

    yield hold
    for thread in threads:
        thread.join()


def test_begin_immediate_waits_for_the_lock_then_takes_it(db, lock_holder):
    lock_holder(0.15)
    start = time.monotonic()
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        locking.begin_immediate(raw)
        waited = time.monotonic() - start
        assert raw.in_transaction
        conn.exec_driver_sql("ROLLBACK")
        # SQLite's own wait is back for everything else.
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == locking.BUSY_TIMEOUT_MS
    assert 0.1 < waited < 1.0


def test_begin_immediate_gives_up_with_sqlalchemys_operational_error(db, lock_holder, monkeypatch):
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.05)
    lock_holder(0.4)
    with db.engine.connect() as conn:
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            locking.begin_immediate(conn.connection.driver_connection)
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == locking.BUSY_TIMEOUT_MS


def test_phone_form_reads_without_the_lock_and_waits_only_to_write(app, db, create_training, phone, lock_holder,
                                                                   monkeypatch):
    # The rate limit counts every post with a row of its own (a write); off here, so that what is
    # measured is the form itself. With it on, every post waits for the lock to count itself.
    monkeypatch.setitem(app.config, "PHONE_POSTS_PER_MINUTE_LINK", 0)
    monkeypatch.setitem(app.config, "PHONE_POSTS_PER_MINUTE_ADDRESS", 0)
    training = create_training(people=2, open_phases=[Phase.pre])
    first, second = (p.person for p in training.participants)
    form = phone(training, Phase.pre)
    token = form.token_for(first)
    db.session.commit()
    release = lock_holder(60)
    # An option that does not exist: the form comes back with its message while the lock is still
    # held by the other connection (had it waited for the lock, it would still be waiting, or 503).
    assert form.submit(first, {"Q1": "9"}, token=token).status_code == 400
    assert not release.done.is_set()
    # A complete form waits for the lock (given back a moment later), then is stored.
    threading.Timer(0.3, release.set).start()
    assert form.submit(second, ANSWERS).status_code == 200
    assert release.is_set()  # stored only once the other writer was told to let go
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_phone_form_answers_503_when_the_lock_never_comes_and_stores_nothing(db, create_training, phone,
                                                                             lock_holder, monkeypatch):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = form.token_for(person)
    db.session.commit()
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.05)
    lock_holder(0.5)
    page = form.submit(person, ANSWERS, token=token)
    assert page.status_code == 503 and page.headers["Retry-After"]
    time.sleep(0.5)
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
    assert form.submit(person, ANSWERS, token=token).status_code == 200  # and it recovers


def test_phone_form_lets_go_of_the_lock_before_its_thank_you_page(app, db, create_training, phone, sqlite_only,
                                                                   monkeypatch):
    """The answers are committed before the thank-you page renders (``locking.commit_now``):
    while it renders, another connection can take the write lock at once, and the page still
    shows what was stored (the loaded objects are not expired)."""
    from surveys.views import phone as views

    monkeypatch.setitem(app.config, "PHONE_POSTS_PER_MINUTE_LINK", 0)
    monkeypatch.setitem(app.config, "PHONE_POSTS_PER_MINUTE_ADDRESS", 0)
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    db.session.commit()
    seen = {}
    done_page = views._done_page

    def while_rendering(*args, **kwargs):
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("PRAGMA busy_timeout=0")  # no waiting: taken now, or "database is locked"
            raw.execute("BEGIN IMMEDIATE")
            seen["stored"] = raw.execute("SELECT count(*) FROM survey_responses").fetchone()[0]
            raw.execute("ROLLBACK")
        return done_page(*args, **kwargs)

    monkeypatch.setattr(views, "_done_page", while_rendering)
    page = form.submit(person, ANSWERS)
    assert page.status_code == 200 and "Đã ghi nhận câu trả lời" in page.get_data(as_text=True)
    assert seen == {"stored": 1}
