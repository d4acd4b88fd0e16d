"""Tests ("bài kiểm tra", instruments): an ordered list of items copied from the bank.

A test evolves in versions. A version that has responses is frozen: editing the test then makes
a new version, and the old responses keep pointing at the items they answered.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from app.extensions import db
from app.models import Unit, UTCDateTime, utcnow
from surveys.models.bank import QuestionContent, Topic


class Instrument(db.Model):
    __tablename__ = "survey_instruments"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_topics.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # Phone forms show each respondent the options in her own order (mapped back on save);
    # paper forms keep the canonical order so the grid entry matches what was circled.
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_active: Mapped[bool] = mapped_column(default=True)

    topic: Mapped[Topic] = relationship()
    unit: Mapped[Unit] = relationship()
    versions: Mapped[list[InstrumentVersion]] = relationship(
        back_populates="instrument", order_by="InstrumentVersion.number", cascade="all, delete-orphan")

    @property
    def current_version(self) -> InstrumentVersion:
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<Instrument {self.id} {self.title!r}>"


class InstrumentVersion(db.Model):
    __tablename__ = "survey_instrument_versions"
    __table_args__ = (sa.UniqueConstraint("instrument_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_instruments.id"))
    number: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instrument: Mapped[Instrument] = relationship(back_populates="versions")
    items: Mapped[list[Item]] = relationship(back_populates="version", order_by="Item.position",
                                             cascade="all, delete-orphan")
    # Never loaded, only queried (is_frozen). Named, not imported: surveys.models.response imports
    # this module, and the model modules import one way only (bank <- instrument <- training <- response).
    responses: WriteOnlyMapped[Response] = relationship(viewonly=True)  # noqa: F821

    @property
    def scored_items(self) -> list[Item]:
        return [it for it in self.items if it.is_scored]

    @property
    def max_score(self) -> int:
        return sum(it.max_points for it in self.items)

    @property
    def is_frozen(self) -> bool:
        """True once any response points at this version (one EXISTS query)."""
        return bool(db.session.scalar(sa.select(sa.exists(self.responses.select()))))

    def __repr__(self) -> str:
        return f"<InstrumentVersion {self.instrument_id}v{self.number}>"


class Item(QuestionContent, db.Model):
    """One question of one test version, frozen with the content it had when it was added."""

    __tablename__ = "survey_items"
    __table_args__ = (sa.UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_instrument_versions.id"))
    position: Mapped[int]
    # Where it came from in the bank (kept for cross-training item analysis; may be gone later).
    question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="SET NULL"), index=True)
    # The phone form does not take the answers without this one (paper and grid still may).
    required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    version: Mapped[InstrumentVersion] = relationship(back_populates="items")

    @property
    def key(self) -> str:
        """Stable key used by the workbook columns and the statistics: Q1, Q2, ..."""
        return f"Q{self.position}"

    def __repr__(self) -> str:
        return f"<Item {self.version_id}:{self.position}>"
