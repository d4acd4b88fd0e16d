"""Read queries of the dialogues feature. Counts are computed in SQL, so a page's number of
queries does not grow with its rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app import ethnicities
from app.extensions import db
from app.models import Person, Sex, Unit
from dialogues.models import (DialogueAnswer, AnswerOutcome, Commitment, Dialogue, DialogueAttendee, DialogueLeader,
                              DialogueStatus, DialogueQuestion)


# The dialogues the indicators count (``dialogues.follow_up.indicators.COUNTED_DIALOGUES``): the
# drill-down lists filter with the same tuple, so a figure and its list cannot drift apart.
COUNTED_STATUSES = (DialogueStatus.held, DialogueStatus.approved)


def in_unit_and_period(stmt, unit_id: int | None, date_from: date | None, date_to: date | None):
    """``stmt`` (which involves Dialogue) limited to dialogues of ``unit_id``'s subtree (an unknown
    unit matches nothing) held between the dates; None means no limit. Shared by the dialogue and
    the commitment lists."""
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        stmt = stmt.where(unit.subtree_filter(Dialogue.unit_id) if unit else sa.false())
    if date_from:
        stmt = stmt.where(Dialogue.held_on >= date_from)
    if date_to:
        stmt = stmt.where(Dialogue.held_on <= date_to)
    return stmt


@dataclass
class DialogueFilter:
    unit_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: DialogueStatus | None = None
    q: str = ""
    category_id: int | None = None
    counted: bool = False  # only those the indicators count (held or approved)

    def apply(self, stmt, visible):
        stmt = in_unit_and_period(stmt.where(visible), self.unit_id, self.date_from, self.date_to)
        if self.counted:
            stmt = stmt.where(Dialogue.status.in_(COUNTED_STATUSES))
        if self.status:
            stmt = stmt.where(Dialogue.status == self.status)
        if self.q:
            like = f"%{self.q}%"
            in_questions = sa.select(DialogueQuestion.dialogue_id).where(DialogueQuestion.content.ilike(like))
            stmt = stmt.where(sa.or_(Dialogue.title.ilike(like), Dialogue.topics.ilike(like),
                                     Dialogue.venue.ilike(like), Dialogue.id.in_(in_questions)))
        if self.category_id is not None:
            stmt = stmt.where(Dialogue.id.in_(sa.select(DialogueQuestion.dialogue_id)
                                              .where(DialogueQuestion.category_id == self.category_id)))
        return stmt


def _count(model_column, where):
    return sa.select(sa.func.count(model_column)).where(where).correlate(Dialogue).scalar_subquery()


# Per-dialogue counts as correlated subqueries: one SQL statement for a whole page.
QUESTION_COUNT = _count(DialogueQuestion.id,
                        sa.and_(DialogueQuestion.dialogue_id == Dialogue.id, DialogueQuestion.is_raised))
ON_SPOT_COUNT = (sa.select(sa.func.count(DialogueAnswer.id)).join(DialogueAnswer.question)
                 .where(DialogueQuestion.dialogue_id == Dialogue.id, DialogueQuestion.is_raised,
                        DialogueAnswer.outcome == AnswerOutcome.answered).correlate(Dialogue).scalar_subquery())
# Commitments written in the minutes (not the copies follow-up forwards to other agencies).
COMMITMENT_COUNT = (sa.select(sa.func.count(Commitment.id)).join(Commitment.question)
                    .where(DialogueQuestion.dialogue_id == Dialogue.id, Commitment.forwarded_from_id.is_(None))
                    .correlate(Dialogue).scalar_subquery())


def dialogue_list(filters: DialogueFilter, visible):
    """Statement for the list page, newest first."""
    stmt = (sa.select(Dialogue).options(joinedload(Dialogue.unit), joinedload(Dialogue.venue_unit))
            .order_by(Dialogue.held_on.desc(), Dialogue.id.desc()))
    return filters.apply(stmt, visible)


@dataclass
class DialogueCounts:
    questions: int = 0
    on_spot: int = 0
    commitments: int = 0


def counts_for(dialogue_ids: list[int]) -> dict[int, DialogueCounts]:
    """Questions raised, answered on the spot and commitments of each dialogue (one query)."""
    if not dialogue_ids:
        return {}
    rows = db.session.execute(sa.select(Dialogue.id, QUESTION_COUNT, ON_SPOT_COUNT, COMMITMENT_COUNT)
                              .where(Dialogue.id.in_(dialogue_ids))).all()
    return {row[0]: DialogueCounts(*row[1:]) for row in rows}


def dialogue_totals(filters: DialogueFilter, visible) -> dict:
    """Totals over every dialogue matching the filters (not just the current page)."""
    ids = filters.apply(sa.select(Dialogue.id), visible).subquery()
    row = db.session.execute(
        sa.select(sa.func.count(Dialogue.id).label("dialogues"),
                  sa.func.count(Dialogue.id).filter(Dialogue.status != DialogueStatus.planned).label("held"),
                  sa.func.coalesce(sa.func.sum(Dialogue.attendance_total), 0).label("attendance"),
                  sa.func.coalesce(sa.func.sum(Dialogue.attendance_women), 0).label("women"),
                  sa.func.coalesce(sa.func.sum(Dialogue.attendance_minority), 0).label("minority"))
        .where(Dialogue.id.in_(sa.select(ids.c.id)))).one()
    questions = db.session.execute(
        sa.select(sa.func.count(DialogueQuestion.id).label("questions"),
                  sa.func.count(DialogueAnswer.id).filter(DialogueAnswer.outcome == AnswerOutcome.answered)
                  .label("on_spot"))
        .outerjoin(DialogueQuestion.answer)
        .where(DialogueQuestion.is_raised, DialogueQuestion.dialogue_id.in_(sa.select(ids.c.id)))).one()
    commitments = db.session.scalar(
        sa.select(sa.func.count(Commitment.id)).join(Commitment.question)
        .where(DialogueQuestion.dialogue_id.in_(sa.select(ids.c.id)), Commitment.forwarded_from_id.is_(None)))
    return {**row._asdict(), **questions._asdict(), "commitments": commitments}


def totals_by_unit(filters: DialogueFilter, visible) -> list:
    """Per organising unit: dialogues, attendance, women, ethnic minority, questions."""
    stmt = (sa.select(Unit.id, Unit.name, sa.func.count(Dialogue.id).label("dialogues"),
                      sa.func.coalesce(sa.func.sum(Dialogue.attendance_total), 0).label("attendance"),
                      sa.func.coalesce(sa.func.sum(Dialogue.attendance_women), 0).label("women"),
                      sa.func.coalesce(sa.func.sum(Dialogue.attendance_minority), 0).label("minority"),
                      sa.func.coalesce(sa.func.sum(QUESTION_COUNT), 0).label("questions"))
            .join(Dialogue.unit).group_by(Unit.id, Unit.name).order_by(Unit.name))
    return db.session.execute(filters.apply(stmt, visible)).all()


def questions_for(dialogue: Dialogue, only=None) -> list[DialogueQuestion]:
    """Questions of a dialogue in meeting order, with everything the page or the minutes shows,
    loaded in a fixed number of queries. ``only`` is an extra SQL filter (an agency's view)."""
    stmt = (sa.select(DialogueQuestion).where(DialogueQuestion.dialogue_id == dialogue.id)
            .options(joinedload(DialogueQuestion.category), joinedload(DialogueQuestion.agency),
                     joinedload(DialogueQuestion.village), joinedload(DialogueQuestion.person),
                     selectinload(DialogueQuestion.answer).options(joinedload(DialogueAnswer.answerer_agency),
                                                           joinedload(DialogueAnswer.forwarded_agency)),
                     selectinload(DialogueQuestion.commitments).joinedload(Commitment.agency),
                     selectinload(DialogueQuestion.repeat_of).joinedload(DialogueQuestion.dialogue),
                     selectinload(DialogueQuestion.petition))
            .order_by(DialogueQuestion.number))
    if only is not None:
        stmt = stmt.where(only)
    return list(db.session.scalars(stmt).unique())


def leaders_for(dialogue: Dialogue) -> list[DialogueLeader]:
    return list(db.session.scalars(sa.select(DialogueLeader).where(DialogueLeader.dialogue_id == dialogue.id)
                                   .options(joinedload(DialogueLeader.agency)).order_by(DialogueLeader.position)))


@dataclass
class RosterRow:
    ethnicity: str
    women: int
    men: int
    other: int

    @property
    def total(self) -> int:
        return self.women + self.men + self.other


def roster_breakdown(dialogue: Dialogue) -> list[RosterRow]:
    """Named attendees counted by ethnicity and sex (one GROUP BY)."""
    rows = db.session.execute(
        sa.select(Person.ethnicity_system, Person.ethnicity_code, Person.sex, sa.func.count(Person.id))
        .join(DialogueAttendee, DialogueAttendee.person_id == Person.id)
        .where(DialogueAttendee.dialogue_id == dialogue.id)
        .group_by(Person.ethnicity_system, Person.ethnicity_code, Person.sex)).all()
    table: dict[str, RosterRow] = {}
    for system, code, sex, count in rows:
        name = ethnicities.name_of(code, system or ethnicities.DEFAULT_SYSTEM) or "—"
        row = table.setdefault(name, RosterRow(name, 0, 0, 0))
        if sex is Sex.female:
            row.women += count
        elif sex is Sex.male:
            row.men += count
        else:
            row.other += count
    return sorted(table.values(), key=lambda r: (-r.total, r.ethnicity))


def roster_people(dialogue: Dialogue) -> list[Person]:
    """The attendees listed by name: erased people left out (``roster_breakdown`` still counts them)."""
    return list(db.session.scalars(
        sa.select(Person).join(DialogueAttendee, DialogueAttendee.person_id == Person.id)
        .where(DialogueAttendee.dialogue_id == dialogue.id, Person.erased_dt.is_(None))
        .options(joinedload(Person.unit))
        .order_by(Person.name_key)))


def question_search(visible, q: str = "", category_id: int | None = None, outcome: AnswerOutcome | None = None,
                    unit_id: int | None = None, date_from: date | None = None, date_to: date | None = None,
                    counted: bool = False, repeated: bool = False):
    """Statement for the question search page (dates: of the dialogue). ``counted``: only the
    questions the indicators count (raised, at a held or approved dialogue)."""
    stmt = (sa.select(DialogueQuestion).join(DialogueQuestion.dialogue).where(visible)
            .options(joinedload(DialogueQuestion.dialogue).joinedload(Dialogue.unit),
                     joinedload(DialogueQuestion.category),
                     joinedload(DialogueQuestion.person), joinedload(DialogueQuestion.village),
                     joinedload(DialogueQuestion.agency), selectinload(DialogueQuestion.answer),
                     selectinload(DialogueQuestion.repeat_of).joinedload(DialogueQuestion.dialogue),
                     selectinload(DialogueQuestion.commitments).joinedload(Commitment.agency))
            .order_by(Dialogue.held_on.desc(), DialogueQuestion.dialogue_id.desc(), DialogueQuestion.number))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(DialogueQuestion.content.ilike(like), DialogueQuestion.raiser_name.ilike(like),
                                 DialogueQuestion.id.in_(sa.select(DialogueAnswer.question_id)
                                                         .where(DialogueAnswer.content.ilike(like)))))
    if counted:
        stmt = stmt.where(DialogueQuestion.is_raised, Dialogue.status.in_(COUNTED_STATUSES))
    if repeated:
        stmt = stmt.where(DialogueQuestion.repeat_of_id.is_not(None))
    if category_id is not None:
        stmt = stmt.where(DialogueQuestion.category_id == category_id)
    if outcome is not None:
        stmt = stmt.where(DialogueQuestion.id.in_(sa.select(DialogueAnswer.question_id)
                                                  .where(DialogueAnswer.outcome == outcome)))
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        stmt = stmt.where(unit.subtree_filter(Dialogue.unit_id) if unit else sa.false())
    if date_from:
        stmt = stmt.where(Dialogue.held_on >= date_from)
    if date_to:
        stmt = stmt.where(Dialogue.held_on <= date_to)
    return stmt
