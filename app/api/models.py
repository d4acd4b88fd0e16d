"""Personal API tokens and the write log that rate-limits them.

A token is shown once, at creation; only its SHA-256 is stored. The short public ``prefix`` finds
the row without scanning hashes. Writes are logged per token in the database (not in memory) so
the rate limit holds across workers and hosts, like the login throttle.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import User, UTCDateTime, utcnow


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __auditable__ = True
    # The hash is a secret's fingerprint; last use changes on every call and is no event.
    __audit_exclude__ = {"token_hash", "last_used_dt"}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Hidden form token of the web page: reloading the "created" page makes no second token.
    creation_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_dt is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_dt is not None and self.expires_dt <= (now or utcnow())

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired() and self.user.is_active


class ApiWrite(db.Model):
    """One write request (POST, PATCH) made with a token, kept for the rate-limit window only."""

    __tablename__ = "api_writes"
    __table_args__ = (sa.Index("ix_api_writes_token_dt", "token_id", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
