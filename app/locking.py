"""SQLite's write lock, taken as late as the busiest write allows.

On SQLite every request that may write starts with ``BEGIN IMMEDIATE`` (``app._configure_engine``
calls :func:`begin_immediate`): concurrent writers queue for the one write lock instead of both
passing a "does it exist?" check and colliding on the insert. The lock is then held for the whole
request, reads and page rendering included, and writers run one after another.

The phone form's submission is the write that arrives fifty at a time. Its view calls
:func:`write_lock_later` before its first query: its reads (the link, the participant, the
questions) run without the lock, and :func:`take_write_lock`, called by ``save_response`` before its
checks, takes it for the check-then-insert only. On PostgreSQL both do nothing: row locks, the
unique constraints and the IntegrityError path of ``save_response`` do the work.
"""
from __future__ import annotations

import os
import sqlite3
import time

import sqlalchemy as sa
from flask import g

from app.extensions import db

# DB_STATEMENT_TIMEOUT (seconds, as for PostgreSQL's statement timeout in app.config): after that
# long "database is locked" surfaces, a 503 page with nothing written, instead of a hung request.
LOCK_WAIT_SECONDS = float(os.environ.get("DB_STATEMENT_TIMEOUT", "10"))
BUSY_TIMEOUT_MS = int(LOCK_WAIT_SECONDS * 1000)  # SQLite's own wait, for everything else (every new connection)


def write_lock_later() -> None:
    """This request takes SQLite's write lock when it calls take_write_lock(), not at its first query."""
    g.write_lock_later = True


def wants_lock_at_begin() -> bool:
    """In a request that may write: whether its first query takes the lock (all but the phone form)."""
    return not g.get("write_lock_later")


def take_write_lock() -> None:
    """Before a check-then-insert: on SQLite, start the write transaction now (BEGIN IMMEDIATE)
    unless one is open already; on other databases nothing."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        begin_immediate(connection.connection.driver_connection)


def commit_now() -> None:
    """Commit the request's writes before its page is rendered, keeping the loaded objects as
    they are (the page shows what was just stored, without reloading it): SQLite's write lock,
    and PostgreSQL's row and advisory locks, are released a page render earlier. For the busiest
    write (the phone form's answers, fifty at once). The request's own commit then has nothing
    left to write; a page that fails to render after this leaves the answers stored (a resubmit
    finds them)."""
    session = db.session()
    session.expire_on_commit = False  # this request's session only: a new one is made for the next
    session.commit()


def begin_immediate(sqlite_connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, trying again every fraction of a millisecond while another request writes.

    SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries: under a stream of short
    writes (a class sending its phone forms at once) a waiting request oversleeps while the lock
    is free, or finds it taken again and falls further behind. Here the wait starts at 0.1 ms and
    grows to 2 ms. After LOCK_WAIT_SECONDS the error is raised as SQLAlchemy's OperationalError,
    which the app answers with its 503 page.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.0001
    sqlite_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                sqlite_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, exc) from exc
            time.sleep(pause)
            pause = min(pause * 1.5, 0.002)
    finally:
        sqlite_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
