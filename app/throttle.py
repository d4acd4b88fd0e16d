"""Login throttling per account and per address, with exponential backoff.

After ``FREE_TRIES`` failures within ``WINDOW`` an account (or ``FREE_TRIES_ADDRESS`` for one
address) must wait 30 s, then 60 s, 120 s ... up to ``MAX_WAIT`` after each further failure.
State lives in the database, so it holds across workers and hosts.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import LoginAttempt, utcnow

WINDOW = timedelta(minutes=15)
FREE_TRIES = 5
FREE_TRIES_ADDRESS = 20
BASE_WAIT = 30
MAX_WAIT = 15 * 60


def _wait_for(column, value: str, free: int) -> int:
    since = utcnow() - WINDOW
    failures, last = db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.max(LoginAttempt.created_dt))
        .where(column == value, LoginAttempt.created_dt >= since)).one()
    if failures < free or last is None:
        return 0
    if last.tzinfo is None:  # SQLite aggregates bypass the column type
        from datetime import timezone
        last = last.replace(tzinfo=timezone.utc)
    wait = min(BASE_WAIT * 2 ** (failures - free), MAX_WAIT)
    remaining = (last + timedelta(seconds=wait) - utcnow()).total_seconds()
    return max(0, int(remaining) + 1)


def seconds_to_wait(username: str, address: str) -> int:
    """0 when a login may be tried now, else how many seconds to wait."""
    return max(_wait_for(LoginAttempt.username, username, FREE_TRIES),
               _wait_for(LoginAttempt.address, address, FREE_TRIES_ADDRESS))


def record_failure(username: str, address: str) -> None:
    db.session.add(LoginAttempt(username=username[:50], address=address[:64]))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_dt < utcnow() - timedelta(days=1)))
    db.session.flush()


def clear(username: str) -> None:
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username))
