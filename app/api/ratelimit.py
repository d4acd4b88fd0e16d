"""Write rate limit per token: at most ``API_WRITES_PER_MINUTE`` writes in any 60 seconds.

Each write is logged in ``api_writes`` and committed before the request runs (like a failed
login in ``app.throttle``), so a write that then fails validation still counts, and every worker
on every host sees the same log. The log is written first and counted after, so two simultaneous
requests can never both slip in as the last allowed one; a refused write is removed again (and
that removal committed) so it does not push the window further. The commits are the request's
own session's: on SQLite a write request holds the write lock, which a second connection would
wait for.
"""
from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.api.models import ApiToken, ApiWrite
from app.extensions import db
from app.models import utcnow

WINDOW = timedelta(minutes=1)


def seconds_to_wait(token: ApiToken) -> int:
    """Log one write by ``token``: 0 when it may go ahead, else seconds until a slot frees up."""
    limit = current_app.config["API_WRITES_PER_MINUTE"]
    token_id, now = token.id, utcnow()
    since = now - WINDOW
    db.session.execute(sa.delete(ApiWrite).where(ApiWrite.token_id == token_id, ApiWrite.created_dt < since))
    mine = ApiWrite(token_id=token_id, created_dt=now)
    db.session.add(mine)
    db.session.commit()
    others = db.session.scalars(sa.select(ApiWrite.created_dt).where(
        ApiWrite.token_id == token_id, ApiWrite.created_dt >= since, ApiWrite.id != mine.id)
        .order_by(ApiWrite.created_dt)).all()
    if len(others) < limit:
        return 0
    db.session.execute(sa.delete(ApiWrite).where(ApiWrite.id == mine.id))
    db.session.commit()
    # The slot opens when enough of the oldest writes have left the window.
    frees_at = others[len(others) - limit] + WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds()))
