"""Login attempts (for throttling), remember-me tokens, and the access log of personal-data exports."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class LoginAttempt(db.Model):
    """A failed login. Kept in the database, not in memory, so every worker on every host agrees."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_username_dt", "username", "created_dt"),
                      sa.Index("ix_login_attempts_address_dt", "address", "created_dt"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(50))
    address: Mapped[str] = mapped_column(sa.String(64))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExportLog(db.Model):
    """Who exported personal data, what and when (Law 91/2025 asks for an access log)."""

    __tablename__ = "export_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(50))
    object_type: Mapped[str] = mapped_column(sa.String(50))
    object_id: Mapped[int | None]
    has_names: Mapped[bool] = mapped_column(default=False)
    rows: Mapped[int | None]

    user = relationship("User")


class RememberToken(db.Model):
    """A "remember me" login: a random secret in the browser's cookie, stored here only as SHA-256.

    Used once: each use replaces it with a new one (a stolen copy stops working when the owner
    comes back). Logout, a password change and every ``User.revoke_sessions`` delete them all.
    """

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime())

    user = relationship("User")


class RateEvent(db.Model):
    """One request counted by a rate limit (``app.throttle.limit_rate``), e.g. a post to the public
    phone form. In the database, so the limit holds across workers and hosts."""

    __tablename__ = "rate_events"
    __table_args__ = (sa.Index("ix_rate_events_bucket_dt", "bucket", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(120))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
