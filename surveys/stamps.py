"""What a training's documents read, for their job keys (``app.jobs.document_key``): the results
PDF and workbooks, the interchange workbook and the paper questionnaire of one training change
with its own records only, not with a login or another commune's write."""
from __future__ import annotations

import sqlalchemy as sa

from app import jobs
from app.models import Person
from surveys.models import Answer, Item, OfflineRefusal, Participant, Rescore, Response, Training


def training_stamp(training_id: int, **_view_args) -> list:
    """One training's records: every audited change in its unit and in the units of its people
    (the training, its phases, roster and responses, the people's names: app.audit places them
    there), the names of the units above (the header), its topic, and the rows the audit log does not follow (answers, re-scorings, offline
    refusals) and the items of its version as they read."""
    training = sa.select(Training.unit_id, Training.topic_id, Training.version_id).where(
        Training.id == training_id).subquery()
    units = sa.union(sa.select(training.c.unit_id),
                     sa.select(Person.unit_id).join(Participant, Participant.person_id == Person.id)
                     .where(Participant.training_id == training_id))
    responses = sa.select(Response.id).where(Response.training_id == training_id)
    return [jobs.unit_changes(units), jobs.names_above(sa.select(training.c.unit_id).scalar_subquery()),
            jobs.object_changes("Topic", sa.select(training.c.topic_id)),
            jobs.row_changes(Answer, Answer.response_id.in_(responses)),
            jobs.row_changes(Rescore, Rescore.training_id == training_id),
            jobs.row_changes(OfflineRefusal, OfflineRefusal.training_id == training_id),
            _items(sa.select(training.c.version_id).scalar_subquery())]


def _items(version_id) -> sa.ScalarSelect:
    """The items of the training's version, as they read: a version no response points at yet is
    edited in place (its items deleted and written again, whose ids SQLite may give out again)."""
    text = sa.String
    line = (sa.cast(Item.id, text) + "|" + sa.cast(Item.position, text) + "|" + Item.text + "|"
            + sa.cast(Item.options, text) + "|" + sa.cast(Item.correct, text) + "|" + sa.cast(Item.points, text)
            + "|" + sa.cast(Item.has_dont_know, text) + "|" + sa.cast(Item.required, text) + "|"
            + sa.cast(Item.kind, text)).label("line")
    rows = sa.select(line).where(Item.version_id == version_id).order_by(Item.position).subquery()
    return sa.select(sa.func.aggregate_strings(rows.c.line, "\n")).scalar_subquery()
