"""Responses: one person's answers to one phase of one training, however they were collected.

Phone, paper grid and workbook import all land here through one service, scored on save.
Each answer keeps its points so results are one SQL query, never a re-scoring pass.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Person, UTCDateTime, enum_column, utcnow
from surveys.models.instrument import InstrumentVersion, Item
from surveys.models.training import Phase, Training


class ResponseSource(enum.Enum):
    phone = "phone"
    grid = "grid"            # typed from a paper form by the trainer
    workbook = "workbook"    # imported from the interchange workbook
    api = "api"              # sent through the JSON API (an offline collection app, a partner system)


class Response(db.Model):
    __tablename__ = "survey_responses"
    __auditable__ = True
    # One live response per person and phase, even when two submits race each other; a voided
    # response frees the slot (it stays as history), so only the live ones are unique.
    __table_args__ = (sa.Index("uq_survey_responses_live", "training_id", "phase", "person_id", unique=True,
                               sqlite_where=sa.text("voided_dt IS NULL"),
                               postgresql_where=sa.text("voided_dt IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_trainings.id"))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, 4))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_instrument_versions.id"), index=True)
    source: Mapped[ResponseSource] = mapped_column(enum_column(ResponseSource, 10))
    # Generated when the phone form is rendered: a resubmitted form never makes a second row.
    client_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    score: Mapped[int] = mapped_column(default=0)
    max_score: Mapped[int] = mapped_column(default=0)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Offline phones: when the answers were taken on the phone (its clock, checked for sanity), and
    # whether they arrived later from the phone's queue (or a saved queue file) rather than live.
    answered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Voided: kept (and restorable) but left out of every statistic; see surveys.queries.counted().
    voided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    void_reason: Mapped[str | None] = mapped_column(sa.String(300))
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    training: Mapped[Training] = relationship()
    person: Mapped[Person] = relationship()
    version: Mapped[InstrumentVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")

    @property
    def is_voided(self) -> bool:
        return self.voided_dt is not None

    def __repr__(self) -> str:
        return f"<Response {self.training_id}/{self.phase.value}/{self.person_id}>"


class Answer(db.Model):
    """An answered item; unanswered items have no row."""

    __tablename__ = "survey_answers"
    __table_args__ = (sa.UniqueConstraint("response_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_responses.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_items.id"), index=True)
    # Canonical 1-based option positions, ascending, comma separated ("2", "1,3"), as in the workbook.
    choice: Mapped[str | None] = mapped_column(sa.String(100))
    text: Mapped[str | None] = mapped_column(sa.String(1000))
    # Points earned; None for items that are not scored (likert, text).
    points: Mapped[int | None]
    is_dont_know: Mapped[bool] = mapped_column(default=False)

    response: Mapped[Response] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()

    @property
    def positions(self) -> list[int]:
        return [int(p) for p in self.choice.split(",")] if self.choice else []


class OfflineRefusal(db.Model):
    """A queued phone answer the server could not accept (phase closed before it was taken, the
    test changed, no consent...): kept with its reason for the trainer, so nothing sent from an
    offline phone disappears silently. Its client token makes a replay a no-op, as for responses.
    The answers themselves are not kept (they may lack consent)."""

    __tablename__ = "survey_offline_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_trainings.id"), index=True)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, 4))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    client_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(30))  # a key of surveys.services.offline.REASONS
    detail: Mapped[str | None] = mapped_column(sa.String(300))  # e.g. which answer was impossible
    answered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person | None] = relationship()


class Rescore(db.Model):
    """One response re-scored when its training adopted a corrected answer key: before and after."""

    __tablename__ = "survey_rescores"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_trainings.id"), index=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             index=True)
    from_version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_instrument_versions.id"))
    to_version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_instrument_versions.id"))
    score_before: Mapped[int]
    max_before: Mapped[int]
    score_after: Mapped[int]
    max_after: Mapped[int]
    rescored_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rescored_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    response: Mapped[Response] = relationship()
