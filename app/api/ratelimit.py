"""Write rate limit per token: at most ``API_WRITES_PER_MINUTE`` writes in any 60 seconds.

Each write is logged in ``api_writes`` in its own committed transaction before the request runs, so
a write that fails validation still counts, and every worker on every host sees the same log. The
log is written first and counted after, so two simultaneous requests can never both slip in as
the last allowed one; a refused write is removed again so it does not push the window further.
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
    now = utcnow()
    since = now - WINDOW
    with db.engine.begin() as conn:
        conn.execute(sa.delete(ApiWrite).where(ApiWrite.token_id == token.id, ApiWrite.created_dt < since))
        mine = conn.execute(sa.insert(ApiWrite).values(token_id=token.id, created_dt=now)
                            .returning(ApiWrite.id)).scalar_one()
    with db.engine.begin() as conn:
        others = conn.execute(sa.select(ApiWrite.created_dt).where(
            ApiWrite.token_id == token.id, ApiWrite.created_dt >= since, ApiWrite.id != mine)
            .order_by(ApiWrite.created_dt)).scalars().all()
        if len(others) < limit:
            return 0
        conn.execute(sa.delete(ApiWrite).where(ApiWrite.id == mine))
    # The slot opens when enough of the oldest writes have left the window.
    frees_at = others[len(others) - limit] + WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds()))
