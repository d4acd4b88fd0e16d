"""Official minutes: the yearly number counter, issued PDF versions
and the dated addenda that correct a locked record (the header settings
of each union are a core model: ``app.models.OrgHeader``)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import User, UTCDateTime, utcnow
from dialogues.models.dialogues import Dialogue


class MinutesCounter(db.Model):
    """Last minutes number used by a unit in a year. Incremented in the approving transaction,
    so numbers have no gaps (a failed approval rolls its increment back) and no duplicates
    (the row lock serialises concurrent approvals)."""

    __tablename__ = "minutes_counters"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class MinutesIssue(db.Model):
    """One issued PDF version of approved minutes. The bytes live in the file store under
    ``storage_key``; the SHA-256 lets anyone check a copy later."""

    __tablename__ = "minutes_issues"
    __auditable__ = True
    __table_args__ = (sa.UniqueConstraint("dialogue_id", "version", name="uq_minutes_issues_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id"), index=True)
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size_bytes: Mapped[int]
    storage_key: Mapped[str] = mapped_column(sa.String(200))
    issued_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Short code printed (with a QR of the public check page) on the PDF itself; None on versions
    # issued before codes existed. Random, so it tells nothing about the content.
    verify_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)

    dialogue: Mapped[Dialogue] = relationship(back_populates="issues")
    issued_by: Mapped[User | None] = relationship()

    @property
    def filename(self) -> str:
        number = (self.dialogue.minutes_number_text or str(self.dialogue_id)).replace("/", "-")
        return f"bien-ban-{number}-v{self.version}.pdf"


class Addendum(db.Model):
    """A dated correction to approved minutes; it appears in the next issued version."""

    __tablename__ = "minutes_addenda"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id"), index=True)
    written_on: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Hidden form token: a resubmitted form does not add the same correction twice.
    token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    dialogue: Mapped[Dialogue] = relationship(back_populates="addenda")
    created_by: Mapped[User | None] = relationship()
