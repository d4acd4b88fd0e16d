"""Scores of a training, read back in the shapes the screens and the statistics need.

``results_input`` feeds ``surveys.analytics.stats.training_results``; ``score_table`` feeds the
training page. Both run a fixed number of queries, whatever the class size.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Person, Unit
from surveys.analytics.stats import Item as StatsItem
from surveys.models import Answer, Item, Participant, Phase, Response, Training


def results_input(training: Training):
    """``(items, pre, post, dont_know_pre, dont_know_post, people)`` for ``training_results``.

    * items: the scored items of the training's test, keyed "Q1".."Qn" (workbook column names).
    * pre/post: participant code -> {item key -> points earned}; an item left blank is absent
      (unanswered). Everyone with a response appears, even with no answer at all.
    * dont_know_pre/post: participant code -> keys of items answered "Không biết".
    * people: participant code -> {"full_name", "sex" (F/M/O/None), "birth_year",
      "ethnicity_code", "ethnicity_system", "is_minority", "unit_id", "unit_name"} for everyone on
      the roster (breakdowns by sex, ethnicity, age, village).
    """
    items = [StatsItem(it.key, float(it.max_points)) for it in training.version.scored_items]
    scored_keys = {it.key for it in items}
    rows = db.session.execute(
        sa.select(Response.phase, Person.code, Item.position, Answer.points, Answer.is_dont_know)
        .join(Person, Person.id == Response.person_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .outerjoin(Item, Item.id == Answer.item_id)
        .where(Response.training_id == training.id)
    ).all()
    answers = {Phase.pre: {}, Phase.post: {}}
    dont_know = {Phase.pre: {}, Phase.post: {}}
    for phase, code, position, points, is_dont_know in rows:
        person_answers = answers[phase].setdefault(code, {})
        key = f"Q{position}" if position is not None else None
        if key not in scored_keys:
            continue
        person_answers[key] = float(points) if points is not None else None
        if is_dont_know:
            dont_know[phase].setdefault(code, set()).add(key)
    return (items, answers[Phase.pre], answers[Phase.post], dont_know[Phase.pre], dont_know[Phase.post],
            roster_facts(training))


def roster_facts(training: Training) -> dict[str, dict]:
    rows = db.session.execute(
        sa.select(Person, Unit.name).join(Participant, Participant.person_id == Person.id)
        .join(Unit, Unit.id == Person.unit_id).where(Participant.training_id == training.id)
        .order_by(Person.full_name, Person.code)
    ).all()
    return {p.code: {"full_name": p.full_name, "sex": p.sex.value if p.sex else None, "birth_year": p.birth_year,
                     "ethnicity_code": p.ethnicity_code, "ethnicity_system": p.ethnicity_system,
                     "is_minority": p.is_minority if p.ethnicity_code else None,
                     "unit_id": p.unit_id, "unit_name": unit_name}
            for p, unit_name in rows}


def score_table(training: Training) -> list[dict]:
    """One row per roster member: person, pre and post score (None = no response), gain, sources."""
    pre = sa.orm.aliased(Response)
    post = sa.orm.aliased(Response)
    rows = db.session.execute(
        sa.select(Person, pre, post)
        .join(Participant, Participant.person_id == Person.id)
        .outerjoin(pre, sa.and_(pre.training_id == training.id, pre.person_id == Person.id, pre.phase == Phase.pre))
        .outerjoin(post, sa.and_(post.training_id == training.id, post.person_id == Person.id,
                                 post.phase == Phase.post))
        .where(Participant.training_id == training.id)
        .order_by(Person.full_name, Person.code)
    ).all()
    table = []
    for person, r_pre, r_post in rows:
        gain = r_post.score - r_pre.score if r_pre and r_post else None
        table.append({"person": person, "pre": r_pre, "post": r_post, "gain": gain})
    return table


def training_counts(ids: list[int]) -> dict[int, dict[str, int]]:
    """Participants ("people") and pre/post responses per training: two grouped queries for a
    whole list (the trainings page and the API)."""
    counts = {i: {"people": 0, "pre": 0, "post": 0} for i in ids}
    if not ids:
        return counts
    for training_id, n in db.session.execute(
            sa.select(Participant.training_id, sa.func.count()).where(Participant.training_id.in_(ids))
            .group_by(Participant.training_id)):
        counts[training_id]["people"] = n
    for training_id, phase, n in db.session.execute(
            sa.select(Response.training_id, Response.phase, sa.func.count()).where(Response.training_id.in_(ids))
            .group_by(Response.training_id, Response.phase)):
        counts[training_id][phase.value] = n
    return counts
