"""Commitments made at a dialogue: who will do what by when.

They are created with the minutes; following them up (status updates, extensions) is the
tracking feature's job, so ``status`` and ``deadline`` stay writable after the minutes lock
while what was promised (agency, description, original deadline) does not.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Agency, UTCDateTime, enum_column, utcnow
from dialogues.models.questions import DialogueQuestion


class CommitmentStatus(enum.Enum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    partly_resolved = "partly_resolved"
    not_feasible = "not_feasible"
    forwarded = "forwarded"


class Commitment(db.Model):
    __tablename__ = "commitments"
    __auditable__ = True
    # Columns follow-up may change after the minutes are approved (see dialogues.models.lock).
    __tracking_columns__ = frozenset({"status", "deadline", "updated_dt"})

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogue_questions.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(default=0)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    responsible_person: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text)
    # ``deadline`` may be extended during follow-up; ``original_deadline`` keeps what was promised.
    deadline: Mapped[date] = mapped_column(index=True)
    original_deadline: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(enum_column(CommitmentStatus), default=CommitmentStatus.open,
                                                     index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    question: Mapped[DialogueQuestion] = relationship(back_populates="commitments")
    agency: Mapped[Agency] = relationship()

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.status.value}>"

    @property
    def locking_dialogue(self):
        return self.question.dialogue
