"""Trainings: a session in a commune or village, its roster and its pre/post test phases."""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Person, Unit, UTCDateTime, enum_column, utcnow
from surveys.models.bank import Topic
from surveys.models.instrument import InstrumentVersion


class Phase(enum.Enum):
    pre = "pre"
    post = "post"


class PhaseState(enum.Enum):
    draft = "draft"      # not opened yet
    open = "open"        # the phone form accepts answers
    closed = "closed"    # the phone form refuses answers; paper entry still allowed


class Training(db.Model):
    __tablename__ = "survey_trainings"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_topics.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    # Names as printed on the invitation; trainers are often outside experts without an account.
    trainers: Mapped[str] = mapped_column(sa.String(300), default="")
    # The test version answered before and after: both phases use the same items.
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_instrument_versions.id"), index=True)
    # Phone form layout: every question on one page, or one question per screen.
    one_question_per_screen: Mapped[bool] = mapped_column(default=False)
    # After sending the post-test, the participant sees her score and the right answers.
    show_results_after_post: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Archived (a training with responses is never deleted): hidden from the lists, results kept.
    archived_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Last time its responses were re-scored against a corrected answer key ("chấm lại ngày …").
    rescored_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    topic: Mapped[Topic] = relationship()
    unit: Mapped[Unit] = relationship()
    version: Mapped[InstrumentVersion] = relationship()
    phases: Mapped[list[TrainingPhase]] = relationship(
        back_populates="training", order_by="TrainingPhase.id", cascade="all, delete-orphan")
    participants: Mapped[list[Participant]] = relationship(back_populates="training",
                                                           cascade="all, delete-orphan")

    def phase(self, phase: Phase) -> TrainingPhase:
        return next(p for p in self.phases if p.phase is phase)

    def __repr__(self) -> str:
        return f"<Training {self.id} {self.title!r}>"


def new_public_token() -> str:
    # 8 random bytes = 11 URL-safe characters: short enough to type, far too many to guess.
    return secrets.token_urlsafe(8)


class TrainingPhase(db.Model):
    """The pre or post test of one training, with its unguessable public link."""

    __tablename__ = "survey_training_phases"
    __auditable__ = True
    __table_args__ = (sa.UniqueConstraint("training_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_trainings.id"))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, 4))
    public_token: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_token)
    state: Mapped[PhaseState] = mapped_column(enum_column(PhaseState, 10), default=PhaseState.draft)
    opened_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    training: Mapped[Training] = relationship(back_populates="phases")

    @property
    def is_open(self) -> bool:
        return self.state is PhaseState.open

    def open(self) -> None:
        """Open (or reopen) the phone form; refuses when already open."""
        if self.state is PhaseState.open:
            raise ValueError("phase already open")
        self.state, self.opened_dt, self.closed_dt = PhaseState.open, utcnow(), None

    def close(self) -> None:
        if self.state is not PhaseState.open:
            raise ValueError("phase not open")
        self.state, self.closed_dt = PhaseState.closed, utcnow()


class Participant(db.Model):
    """A person on a training's roster."""

    __tablename__ = "survey_participants"
    __auditable__ = True
    __table_args__ = (sa.UniqueConstraint("training_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_trainings.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    added_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    training: Mapped[Training] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()
