"""Login throttling per account and per address, with exponential backoff.

After ``FREE_TRIES`` failures within ``WINDOW`` an account (or ``FREE_TRIES_ADDRESS`` for one
address) must wait 30 s, then 60 s, 120 s ... up to ``MAX_WAIT`` after each further failure.
State lives in the database, so it holds across workers and hosts.

An attacker guessing one account's password must not lock its owner out: a browser that has
logged in to the account before (it holds a signed "known login" cookie, see ``app.auth``) is
throttled only by the failures from its own address, not by the account's failures elsewhere.
An administrator can clear an account's failures at once (``clear``: the user's page, or
``flask users unlock``).
"""
from __future__ import annotations

from datetime import timedelta, timezone
from functools import wraps

import sqlalchemy as sa
from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

from app.extensions import db
from app.models import LoginAttempt, RateEvent, utcnow

WINDOW = timedelta(minutes=15)
FREE_TRIES = 5
FREE_TRIES_ADDRESS = 20
BASE_WAIT = 30
MAX_WAIT = 15 * 60


def _wait_for(condition, free: int) -> int:
    since = utcnow() - WINDOW
    failures, last = db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.max(LoginAttempt.created_dt))
        .where(condition, LoginAttempt.created_dt >= since)).one()
    if failures < free or last is None:
        return 0
    if last.tzinfo is None:  # SQLite aggregates bypass the column type
        last = last.replace(tzinfo=timezone.utc)
    wait = min(BASE_WAIT * 2 ** (failures - free), MAX_WAIT)
    remaining = (last + timedelta(seconds=wait) - utcnow()).total_seconds()
    return max(0, int(remaining) + 1)


def seconds_to_wait(username: str, address: str, known_device: bool = False) -> int:
    """0 when a login may be tried now, else how many seconds to wait. ``known_device``: the
    browser logged in to this account before, so only failures from its address count."""
    account = LoginAttempt.username == username
    if known_device:
        account = sa.and_(account, LoginAttempt.address == address)
    return max(_wait_for(account, FREE_TRIES), _wait_for(LoginAttempt.address == address, FREE_TRIES_ADDRESS))


def lock_attempts(username: str, address: str) -> None:
    """Until this transaction ends, the login attempts of this account and address are counted and
    recorded by this request alone: SQLite's write lock; on PostgreSQL two advisory locks (the
    account's, then the address's: always in that order, so two logins never wait on each other)."""
    from app.locking import take_write_lock

    take_write_lock()
    if db.session.get_bind().dialect.name == "postgresql":
        for key in (f"login:{username}", f"login-address:{address}"):
            db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def record_failure(username: str, address: str) -> None:
    db.session.add(LoginAttempt(username=username[:50], address=address[:64]))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_dt < utcnow() - timedelta(days=1)))
    db.session.flush()


RATE_WINDOW = timedelta(minutes=1)


def _over_limit(limits: dict[str, int]) -> bool:
    """Count one request in each bucket; True when any is beyond its limit a minute. Logged and
    committed first, then counted (two simultaneous requests cannot both be the last allowed);
    a refused request is removed again from every bucket. The request's own session: on SQLite a
    write request holds the write lock, which a second connection would wait for (as
    ``app.api.ratelimit``)."""
    now = utcnow()
    since = now - RATE_WINDOW
    db.session.execute(sa.delete(RateEvent).where(RateEvent.bucket.in_(limits), RateEvent.created_dt < since))
    mine = [RateEvent(bucket=bucket, created_dt=now) for bucket in limits]
    db.session.add_all(mine)
    db.session.commit()
    counts = dict(db.session.execute(sa.select(RateEvent.bucket, sa.func.count(RateEvent.id)).where(
        RateEvent.bucket.in_(limits), RateEvent.created_dt >= since).group_by(RateEvent.bucket)).all())
    if all(counts.get(bucket, 0) <= limit for bucket, limit in limits.items()):
        return False
    db.session.execute(sa.delete(RateEvent).where(RateEvent.id.in_([event.id for event in mine])))
    db.session.commit()
    return True


class RateLimited(TooManyRequests):
    """A 429 whose page says, in the user's language, what was limited (``message``: a callable
    returning the translated text, or None for the general 429 text)."""

    def __init__(self, message=None, retry_after: int | None = None):
        super().__init__(retry_after=retry_after)
        self.user_message = message() if message else None


def limit_rate(name: str, per_target: str | None, per_address: str, message=None):
    """View decorator: at most ``app.config[per_target]`` requests a minute for the same URL
    arguments (e.g. one phone link) and ``app.config[per_address]`` from one address; beyond that
    a Vietnamese 429 page with Retry-After (``message`` says what was limited). A limit of 0, or
    ``per_target`` None, is no limit (and no counting)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            target = f"{name}:" + ":".join(str(v) for v in kwargs.values())
            address = f"{name}@{request.remote_addr or '?'}"
            limits = {key[:120]: limit for key, limit in (
                (target, current_app.config[per_target] if per_target else 0),
                (address, current_app.config[per_address])) if limit}
            if not limits:
                return view(*args, **kwargs)  # every limit set to 0: no limit, no counting write
            if _over_limit(limits):
                # The app's error handler renders the Vietnamese 429 page and keeps Retry-After.
                raise RateLimited(message, retry_after=int(RATE_WINDOW.total_seconds()))
            return view(*args, **kwargs)
        return wrapped
    return decorator


def is_locked(username: str) -> bool:
    """Whether a login to this account from a new browser must wait now."""
    return _wait_for(LoginAttempt.username == username, FREE_TRIES) > 0


def clear(username: str) -> int:
    """Forget the account's failures (after a good login, or an administrator's unlock)."""
    result = db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username))
    db.session.flush()
    return result.rowcount or 0
