"""Read queries shared by the survey screens, the exports and the API.

``roster_stmt`` is the one training roster query: every list of a training's people (the
training page, the paper grid, the phone form, the workbook, the API) is built on it, so an
erased person (see ``app.services.erase_person``) never appears in any of them. Statistics do not
use it: they read responses, and keep counting an erased person's anonymised answers.

``counted`` is the one rule every statistic applies to responses (results, pooled results,
indicators, counts, exports, the API): a voided response is kept, shown in the history and
restorable, but left out of every figure as if it never existed.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.models import Person
from surveys.models import Participant, Response


def counted(response=Response):
    """The WHERE (or JOIN) condition of the responses that count: not voided. ``response`` may be
    an alias of Response."""
    return response.voided_dt.is_(None)


def roster_stmt(training_id, *columns):
    """SELECT the people on a training's roster (``Person``, or the ``columns`` given, which may add
    joined ones), erased people left out, unordered. ``training_id`` may be a bind parameter."""
    return (sa.select(*(columns or (Person,))).select_from(Person)
            .join(Participant, Participant.person_id == Person.id)
            .where(Participant.training_id == training_id, Person.erased_dt.is_(None)))

