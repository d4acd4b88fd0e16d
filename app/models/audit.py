"""Audit log rows: who did what to which record, with before/after values."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # "web", "api" (a request with a personal token) or "cli" (no logged-in user).
    # The unit the changed record belongs to (else the actor's): an admin reads her scope only.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(20), default="web")
    action: Mapped[str] = mapped_column(sa.String(30))
    object_type: Mapped[str] = mapped_column(sa.String(50), index=True)
    object_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    user = relationship("User")
    unit = relationship("Unit")
