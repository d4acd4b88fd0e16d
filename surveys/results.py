"""Scores of a training as the training page shows them, and roster and response counts per
training. Each runs a fixed number of queries, whatever the class size. (The statistics load their
own inputs: ``surveys.analytics.results.load_training_results``.)
"""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Person
from surveys.models import Participant, Phase, Response, Training
from surveys.queries import counted, roster_stmt


def score_table(training: Training) -> list[dict]:
    """One row per roster member (erased people left out): person, pre and post score (None = no
    response), gain, sources."""
    pre = sa.orm.aliased(Response)
    post = sa.orm.aliased(Response)
    rows = db.session.execute(
        roster_stmt(training.id, Person, pre, post)
        .outerjoin(pre, sa.and_(pre.training_id == training.id, pre.person_id == Person.id, pre.phase == Phase.pre,
                                counted(pre)))
        .outerjoin(post, sa.and_(post.training_id == training.id, post.person_id == Person.id,
                                 post.phase == Phase.post, counted(post)))
        .order_by(Person.name_key, Person.code)
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
            sa.select(Response.training_id, Response.phase, sa.func.count()).where(Response.training_id.in_(ids),
                                                                                    counted())
            .group_by(Response.training_id, Response.phase)):
        counts[training_id][phase.value] = n
    return counts
