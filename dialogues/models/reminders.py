"""Daily reminders to agencies: the digests written (the outbox) and which commitment was
reminded on which day (the log that keeps a second run from reminding again)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Agency, UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """One agency's digest of one day. Kept whether it went out by e-mail (``sent_dt``) or
    waits to be read in the app, so the union can see what each agency was told."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    recipients: Mapped[str] = mapped_column(sa.Text, default="")  # e-mail addresses, one per line
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    item_count: Mapped[int]
    overdue_count: Mapped[int]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: not e-mailed, read in the app

    agency: Mapped[Agency] = relationship()


class ReminderLog(db.Model):
    """A commitment listed in a digest on a day. The unique key is what makes reminding
    idempotent: concurrent or repeated runs insert with ON CONFLICT DO NOTHING, and only the
    run whose insert went through lists the item."""

    __tablename__ = "reminder_log"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "day", name="uq_reminder_log_commitment_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"))
    day: Mapped[date]
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id"), index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
