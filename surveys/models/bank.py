"""The question bank: an editable list of topics, and questions filed under them.

A question's content (text, type, options, answer key, points, "Không biết" option) lives in
``QuestionContent``, shared with the test items that copy it: an item is a frozen snapshot, so
editing the bank never changes what an answered test meant.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Unit, UTCDateTime, enum_column, utcnow

DONT_KNOW_LABEL = "Không biết"


class QuestionKind(enum.Enum):
    single = "single"          # one right option
    multi = "multi"            # right only when the chosen set equals the key
    truefalse = "truefalse"    # options "Đúng" / "Sai"
    likert = "likert"          # attitude scale: recorded, never scored
    text = "text"              # short free text: recorded, never scored

    @property
    def is_scored(self) -> bool:
        return self in (QuestionKind.single, QuestionKind.multi, QuestionKind.truefalse)

    @property
    def has_options(self) -> bool:
        return self is not QuestionKind.text


class Topic(db.Model):
    __tablename__ = "survey_topics"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # None: the national list, changed only by administrators; else a unit's own topic.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)

    unit: Mapped[Unit | None] = relationship()

    def __repr__(self) -> str:
        return f"<Topic {self.name}>"


class QuestionContent:
    """Columns and scoring rules common to bank questions and test items.

    Options are 1-based positions in ``options``; when ``has_dont_know`` is set, one more option
    ("Không biết") follows them at position ``len(options) + 1``: it is always wrong, and answers
    choosing it are flagged so reports can tell "did not know" from "got it wrong".
    """

    text: Mapped[str] = mapped_column(sa.String(1000))
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    options: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # 1-based positions of the right options (empty for likert and text).
    correct: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    points: Mapped[int] = mapped_column(default=1)
    has_dont_know: Mapped[bool] = mapped_column(default=False)

    @property
    def is_scored(self) -> bool:
        return self.kind.is_scored

    @property
    def max_points(self) -> int:
        return self.points if self.is_scored else 0

    @property
    def dont_know_position(self) -> int | None:
        return len(self.options) + 1 if self.has_dont_know and self.kind.has_options else None

    @property
    def option_count(self) -> int:
        """Positions a respondent may choose, "Không biết" included."""
        return len(self.options) + (1 if self.dont_know_position else 0)

    def all_options(self) -> list[str]:
        return [*self.options, DONT_KNOW_LABEL] if self.dont_know_position else list(self.options)

    def content(self) -> dict:
        """The fields that define the question, for copying and comparing."""
        return {"text": self.text, "kind": self.kind, "options": list(self.options),
                "correct": sorted(self.correct), "points": self.points, "has_dont_know": self.has_dont_know}


class Question(QuestionContent, db.Model):
    __tablename__ = "survey_questions"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_topics.id"), index=True)
    # The unit that owns it: users of that unit and below edit it; units below reuse it.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_active: Mapped[bool] = mapped_column(default=True)

    topic: Mapped[Topic] = relationship()
    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind.value}>"


def shared_unit_filter(user_unit: Unit, unit_id_column):
    """SQL filter for shared material (questions, tests): units in the user's subtree or above it,
    so a province's bank serves every commune below while communes do not see each other's."""
    above = sa.select(Unit.id).where(sa.literal(user_unit.path).startswith(Unit.path))
    return sa.or_(user_unit.subtree_filter(unit_id_column), unit_id_column.in_(above))
