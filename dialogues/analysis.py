"""Province analysis of petitions: the questions raised in a unit's subtree over a period by
category, by the raiser's sex and by the raiser's ethnicity, with small cells masked, and the
petitions forwarded in writing to agencies of province level with where they stand.

Counted exactly as the dashboard's ``questions_raised`` (``dialogues.follow_up.indicators``):
raised questions of dialogues held or approved (``COUNTED_STATUSES``) in the period, organised by
the unit or a unit below it. The three breakdowns partition the same questions, so a masked
cell is protected in all three together (``app.disclosure.suppress`` with the questions as
members): cells under ``MIN_CELL`` questions are masked, then the further cells that would let
the masked ones be worked out from the total and the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload

from app import disclosure, ethnicities, sql
from app.extensions import db
from app.forms import SEX_LABELS
from app.models import Agency, Unit, UnitLevel
from dialogues.models import Commitment, CommitmentStatus, Dialogue, DialogueQuestion, QuestionCategory
from dialogues.queries import COUNTED_STATUSES

BREAKDOWNS = ("category", "sex", "ethnicity")


@dataclass
class Cell:
    key: object          # category id, Sex value, ethnicity name (None: not recorded)
    label: str
    count: int
    masked: str | None = None  # disclosure.PRIMARY (under MIN_CELL) or SECONDARY

    @property
    def shown(self) -> str | int:
        """The cell as every output shows it: "<5" for a small cell, "x" for one masked so that a
        small cell cannot be worked out (as the dashboard's ``app.indicators.exports``)."""
        if self.masked == disclosure.PRIMARY:
            return f"<{disclosure.MIN_CELL}"
        return "x" if self.masked else self.count


@dataclass
class Analysis:
    total: int
    breakdowns: dict[str, list[Cell]]
    petitions: list[Commitment]


def _counted(unit: Unit, date_from: date, date_to: date):
    organiser = aliased(Unit, name="organiser")
    stmt = (sa.select(DialogueQuestion.id, DialogueQuestion.category_id, DialogueQuestion.raiser_sex,
                      DialogueQuestion.raiser_ethnicity_system, DialogueQuestion.raiser_ethnicity_code)
            .join(DialogueQuestion.dialogue).join(organiser, organiser.id == Dialogue.unit_id)
            .where(sql.in_subtree(unit, organiser.path), sql.in_period(Dialogue.held_on, date_from, date_to),
                   Dialogue.status.in_(COUNTED_STATUSES), DialogueQuestion.is_raised))
    return db.session.execute(stmt).all()


def petition_analysis(unit: Unit, date_from: date, date_to: date) -> Analysis:
    rows = _counted(unit, date_from, date_to)
    names = dict(db.session.execute(sa.select(QuestionCategory.id, QuestionCategory.name)).all())
    members: dict[str, dict] = {b: {} for b in BREAKDOWNS}
    labels: dict[tuple, str] = {}
    for qid, category_id, sex, system, code in rows:
        ethnicity = ethnicities.name_of(code, system or ethnicities.DEFAULT_SYSTEM) if code else None
        keys = {"category": category_id, "sex": sex.value if sex else None, "ethnicity": ethnicity or None}
        for b, key in keys.items():
            members[b].setdefault(key, set()).add(qid)
        labels[("category", category_id)] = names.get(category_id) or _("Chưa phân loại")
        labels[("sex", keys["sex"])] = str(SEX_LABELS[sex]) if sex else _("Không ghi")
        labels[("ethnicity", keys["ethnicity"])] = ethnicity or _("Không ghi")
    sizes = {b: {k: len(v) for k, v in cells.items()} for b, cells in members.items()}
    masked = disclosure.suppress(sizes, members if rows else None, disclosure.MIN_CELL)
    breakdowns = {
        b: sorted((Cell(k, labels[(b, k)], n, masked.get((b, k))) for k, n in sizes[b].items()),
                  key=lambda c: (c.key is None, -c.count, c.label))
        for b in BREAKDOWNS}
    return Analysis(total=len(rows), breakdowns=breakdowns, petitions=province_petitions(unit, date_from, date_to))


def province_petitions(unit: Unit, date_from: date, date_to: date) -> list[Commitment]:
    """Petitions forwarded in writing from the counted dialogues of the subtree and period, where
    they now are (a petition forwarded again: its last copy, as ``petitions_followed``), at an
    agency of province level; overdue first, then by deadline."""
    organiser = aliased(Unit, name="organiser")
    agency_unit = aliased(Unit, name="agency_unit")
    stmt = (sa.select(Commitment).join(Commitment.question).join(DialogueQuestion.dialogue)
            .join(organiser, organiser.id == Dialogue.unit_id)
            .join(Agency, Agency.id == Commitment.agency_id).join(agency_unit, agency_unit.id == Agency.unit_id)
            .where(Commitment.is_petition.is_(True), Commitment.status != CommitmentStatus.forwarded,
                   agency_unit.level == UnitLevel.province,
                   sql.in_subtree(unit, organiser.path), sql.in_period(Dialogue.held_on, date_from, date_to),
                   Dialogue.status.in_(COUNTED_STATUSES))
            .options(joinedload(Commitment.agency),
                     joinedload(Commitment.question).joinedload(DialogueQuestion.dialogue).joinedload(Dialogue.unit))
            .order_by(Commitment.deadline, Commitment.id))
    return list(db.session.scalars(stmt).unique())
