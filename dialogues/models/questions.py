"""Opinions and petitions raised at a dialogue ("ý kiến, kiến nghị") and the answers given."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Agency, Person, Sex, Unit, UTCDateTime, enum_column, utcnow
from dialogues.models.dialogues import Dialogue


class QuestionCategory(db.Model):
    """Editable list of topics (land, credit, health...). One national list (``unit_id`` None,
    changed only by administrators), so province and national statistics compare like with like;
    a unit may add local entries, seen by it and the units below."""

    __tablename__ = "question_categories"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)

    unit: Mapped[Unit | None] = relationship()

    def __repr__(self) -> str:
        return f"<QuestionCategory {self.code}>"


class QuestionOrigin(enum.Enum):
    collected = "collected"  # gathered beforehand at union branches, entered before the meeting
    on_day = "on_day"        # raised from the floor on the day


class RaiserKind(enum.Enum):
    person = "person"
    group = "group"          # e.g. "Chi hội phụ nữ bản Bản Ca"
    anonymous = "anonymous"  # no name kept; sex, ethnicity and village still count in statistics


class DialogueQuestion(db.Model):
    __tablename__ = "dialogue_questions"
    __auditable__ = True
    __lock_parent__ = ("dialogue", "dialogue_id")  # see dialogues.models.lock
    __table_args__ = (
        sa.UniqueConstraint("dialogue_id", "number", name="uq_dialogue_questions_number"),
        sa.CheckConstraint("number > 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # order in the meeting
    origin: Mapped[QuestionOrigin] = mapped_column(enum_column(QuestionOrigin), default=QuestionOrigin.on_day)
    # A collected question is marked raised when it is actually put to the leaders on the day.
    is_raised: Mapped[bool] = mapped_column(default=True)
    raiser_kind: Mapped[RaiserKind] = mapped_column(enum_column(RaiserKind), default=RaiserKind.person)
    raiser_name: Mapped[str] = mapped_column(sa.String(200), default="")
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    # Kept for statistics even when the raiser is anonymous.
    raiser_sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 1))
    raiser_ethnicity_system: Mapped[str | None] = mapped_column(sa.String(20))
    raiser_ethnicity_code: Mapped[str | None] = mapped_column(sa.String(10))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    content: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_categories.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)  # addressed to
    # "Nhắc lại": the same petition raised again; the earlier question of the same organising unit.
    repeat_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("dialogue_questions.id", ondelete="SET NULL"), index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="questions")
    person: Mapped[Person | None] = relationship()
    village: Mapped[Unit | None] = relationship()
    category: Mapped[QuestionCategory | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    repeat_of: Mapped[DialogueQuestion | None] = relationship(remote_side="DialogueQuestion.id")
    answer: Mapped[DialogueAnswer | None] = relationship(back_populates="question", cascade="all, delete-orphan",
                                                 uselist=False)
    # The promises written in the minutes; follow-up copies forwarded to other agencies are not among them.
    commitments: Mapped[list["Commitment"]] = relationship(  # noqa: F821
        back_populates="question", order_by="Commitment.position", cascade="all, delete-orphan",
        primaryjoin="and_(DialogueQuestion.id == Commitment.question_id, Commitment.forwarded_from_id.is_(None), "
                    "Commitment.is_petition.is_(False))")
    # The petition forwarded in writing at the meeting, followed at the receiving agency (its
    # follow-up copies, if forwarded again, are not this one). Written by services.questions.
    petition: Mapped["Commitment | None"] = relationship(  # noqa: F821
        viewonly=True, uselist=False,
        primaryjoin="and_(DialogueQuestion.id == Commitment.question_id, Commitment.forwarded_from_id.is_(None), "
                    "Commitment.is_petition.is_(True))")

    def __repr__(self) -> str:
        return f"<DialogueQuestion {self.dialogue_id}#{self.number}>"


    @property
    def has_meeting_record(self) -> bool:
        """An answer, an outcome or a commitment was written for it: it was put to the leaders,
        so it can never be "not raised" (the flush guard in ``dialogues.models.lock`` holds it)."""
        return self.answer is not None or bool(self.commitments)

    @property
    def raiser_label(self) -> str:
        """Who raised it: the registered person's (possibly erased) name, or the typed name."""
        return self.person.full_name if self.person is not None else self.raiser_name



class AnswerOutcome(enum.Enum):
    answered = "answered"    # answered on the spot
    accepted = "accepted"    # accepted ("tiếp thu"), with one or more commitments
    forwarded = "forwarded"  # beyond the leaders' authority: forwarded in writing to a higher level
    noted = "noted"          # noted, no commitment


class DialogueAnswer(db.Model):
    """What the leaders said at the meeting, and how the question was handled there."""

    __tablename__ = "dialogue_answers"
    __auditable__ = True
    __lock_parent__ = ("question", "question_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogue_questions.id", ondelete="CASCADE"),
                                             unique=True)
    answerer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    answerer_title: Mapped[str] = mapped_column(sa.String(200), default="")
    answerer_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    content: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[AnswerOutcome] = mapped_column(enum_column(AnswerOutcome), index=True)
    forwarded_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    # The written transfer, e.g. "Công văn số 45/UBND-VP ngày 30/9/2025" (may follow later).
    forward_document: Mapped[str] = mapped_column(sa.String(300), default="")

    question: Mapped[DialogueQuestion] = relationship(back_populates="answer")
    answerer_agency: Mapped[Agency | None] = relationship(foreign_keys=[answerer_agency_id])
    forwarded_agency: Mapped[Agency | None] = relationship(foreign_keys=[forwarded_agency_id])

    @property
    def is_transfer(self) -> bool:
        """Forwarded to an agency of the organising unit's own level: a transfer to another agency
        ("chuyển cơ quan khác"), not up a level ("chuyển cấp trên")."""
        agency = self.forwarded_agency
        return (self.outcome is AnswerOutcome.forwarded and agency is not None
                and agency.unit_id == self.question.dialogue.unit_id)
