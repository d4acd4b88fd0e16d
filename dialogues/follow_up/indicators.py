"""Follow-up indicators of a unit over a period, computed in SQL (three statements).

The statements count per organising unit; the counts add up, so the indicators of the whole
subtree and those of any group of its units (the indicators dashboard shows each unit one level
below) come from the same counts through ``indicators_from_counts``.

Scope: dialogues organised by the unit or any unit below it, held (or approved) between
``date_from`` and ``date_to`` inclusive. Definitions:

- questions_raised: questions actually put to the leaders (collected ones never raised are out);
  answered_on_spot / forwarded_at_dialogue: those answered there, or forwarded in writing there;
  questions_repeated: those marked as raising again an earlier question of the unit ("nhắc lại").
- committed: commitments written in the minutes. A commitment forwarded during follow-up closes
  as ``forwarded`` and its linked copy at the receiving agency counts by its own status, so the
  status counts (open ... forwarded) add up to committed + forwarded copies.
- petitions (answer outcome "forwarded", followed at the receiving agency like commitments, but
  not among them): petitions_forwarded at the meeting; petitions_followed, where they now are
  (a petition forwarded again counts once, at its last agency); petitions_resolved, petitions_overdue.
- overdue: still open or in progress, past the *current* deadline on ``today`` (a lawful
  extension moves the deadline, so an extended commitment is not overdue).
- median_days_to_resolve: over resolved commitments, days from the dialogue to the day the
  resolving event was recorded (``closed_on``).
- resolved_on_time: resolved on or before the current deadline, i.e. the extended one when it
  was extended; consistent with "overdue" above. ``resolved_by_original_deadline`` counts
  those resolved within the deadline promised at the meeting, for those who want the strict view.
- shares: answered_on_spot / questions_raised; resolved / outcomes_due (every commitment that is
  not a forwarded hand-over); resolved_on_time / resolved, and resolved_by_original_deadline /
  resolved (on time against the promise, however often it was extended). None when the
  denominator is 0.
"""
from __future__ import annotations

import statistics
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app import sql
from app.models import Unit
from app import clock
from dialogues.models import (AnswerOutcome, Commitment, CommitmentStatus, Dialogue, DialogueAnswer, DialogueQuestion,
                              DialogueStatus)

from dialogues.queries import COUNTED_STATUSES as COUNTED_DIALOGUES  # noqa: E402 (the lists filter the same)


class days_between(FunctionElement):
    """Whole days from the second date to the first, as an integer (dates are exact days)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def followup_indicators(unit: Unit, date_from: date, date_to: date, *, today: date | None = None) -> dict:
    return indicators_from_counts(combine_counts(followup_counts_by_unit(unit, date_from, date_to, today=today)
                                                 .values()))


def followup_counts_by_unit(unit: Unit, date_from: date, date_to: date, *,
                            today: date | None = None) -> dict[int, dict]:
    """Organising unit id -> additive counts (``COUNT_KEYS``) and ``days``, the days to resolve of
    each resolved commitment, for the dialogues of ``unit``'s subtree in the period. Units without
    a question or a commitment are absent."""
    today = today or clock.today()
    organiser = sa.orm.aliased(Unit, name="organiser")
    # Unit path and dates written into the SQL: see app.sql.plan_constant.
    in_period = sa.and_(sql.in_subtree(unit, organiser.path), sql.in_period(Dialogue.held_on, date_from, date_to))
    counts = followup_counts(in_period, (Dialogue.unit_id,), today,
                             join=lambda stmt: stmt.join(organiser, organiser.id == Dialogue.unit_id))
    return {unit_id: values for (unit_id,), values in counts.items()}


def followup_counts(where, group: tuple, today: date | None, join=lambda stmt: stmt) -> dict[tuple, dict]:
    """The counts of ``followup_counts_by_unit`` per ``group`` (columns of ``Dialogue``) for the
    counted dialogues ``where`` selects; ``overdue`` only when ``today`` is given (the rollups keep
    open commitments by deadline instead: ``open_by_deadline``)."""
    def per_group(stmt):
        return join(stmt).where(where, Dialogue.status.in_(COUNTED_DIALOGUES)).group_by(*group)

    answers = sa.func.count(DialogueAnswer.id)
    questions = db.session.execute(per_group(
        sa.select(*group, sa.func.count(DialogueQuestion.id).label("questions_raised"),
                  answers.filter(DialogueAnswer.outcome == AnswerOutcome.answered).label("answered_on_spot"),
                  answers.filter(DialogueAnswer.outcome == AnswerOutcome.forwarded).label("forwarded_at_dialogue"),
                  sa.func.count(DialogueQuestion.id).filter(DialogueQuestion.repeat_of_id.is_not(None))
                  .label("questions_repeated"))
        .select_from(DialogueQuestion).join(DialogueQuestion.dialogue).outerjoin(DialogueQuestion.answer)
        .where(DialogueQuestion.is_raised))).all()

    resolved = Commitment.status == CommitmentStatus.resolved
    promise = Commitment.is_petition.is_(False)
    petition = Commitment.is_petition.is_(True)

    def count(*where):
        return sa.func.count(Commitment.id).filter(*where)
    by_status = [count(promise, Commitment.status == s).label(s.value) for s in CommitmentStatus]
    overdue = [] if today is None else [count(promise, Commitment.overdue_on(today)).label("overdue"),
                                        count(petition, Commitment.overdue_on(today)).label("petitions_overdue")]
    commitments = db.session.execute(per_group(
        sa.select(*group,
                  count(promise, Commitment.forwarded_from_id.is_(None)).label("committed"),
                  count(promise, Commitment.forwarded_from_id.is_not(None)).label("forwarded_copies"),
                  *by_status, *overdue,
                  count(promise, resolved, Commitment.closed_on <= Commitment.deadline).label("resolved_on_time"),
                  count(promise, resolved, Commitment.closed_on <= Commitment.original_deadline)
                  .label("resolved_by_original_deadline"),
                  # Petitions forwarded in writing, followed at the receiving agency (a petition
                  # forwarded again counts once, by where it now is).
                  count(petition, Commitment.forwarded_from_id.is_(None)).label("petitions_forwarded"),
                  count(petition, Commitment.status != CommitmentStatus.forwarded).label("petitions_followed"),
                  count(petition, resolved).label("petitions_resolved"))
        .select_from(Commitment).join(Commitment.question).join(DialogueQuestion.dialogue))).all()

    # How many commitments took how many days, per group: the database counts, Python takes the
    # median (portable across SQLite and PostgreSQL).
    days = days_between(Commitment.closed_on, Dialogue.held_on)
    durations = db.session.execute(
        join(sa.select(*group, days, sa.func.count()).join(Commitment.question).join(DialogueQuestion.dialogue))
        .where(where, Dialogue.status.in_(COUNTED_DIALOGUES), resolved, Commitment.is_petition.is_(False))
        .group_by(*group, days)).all()

    width = len(group)
    counts: dict[tuple, dict] = {}
    for row in (*questions, *commitments):
        values = counts.setdefault(tuple(row[:width]), {**dict.fromkeys(COUNT_KEYS, 0), "days": []})
        values.update(zip(row._fields[width:], row[width:]))
    for row in durations:
        day_count, n = row[width:]
        counts[tuple(row[:width])]["days"].extend([int(day_count)] * n)
    return counts


COUNT_KEYS = ("questions_raised", "answered_on_spot", "forwarded_at_dialogue", "questions_repeated", "committed", "forwarded_copies",
              *(s.value for s in CommitmentStatus), "overdue", "resolved_on_time", "resolved_by_original_deadline",
              "petitions_forwarded", "petitions_followed", "petitions_resolved", "petitions_overdue")


def combine_counts(groups) -> dict:
    """The counts of several units together."""
    total = {**dict.fromkeys(COUNT_KEYS, 0), "days": []}
    for group in groups:
        for key in COUNT_KEYS:
            total[key] += group[key]
        total["days"].extend(group["days"])
    return total


def indicators_from_counts(counts: dict) -> dict:
    """The indicators: the counts, the median days to resolve and the shares (see above)."""
    result = {key: counts[key] for key in COUNT_KEYS}
    days = counts["days"]
    outcomes_due = result["committed"] + result["forwarded_copies"] - result["forwarded"]
    result.update(
        median_days_to_resolve=statistics.median(days) if days else None,
        share_answered_on_spot=_share(result["answered_on_spot"], result["questions_raised"]),
        share_resolved=_share(result["resolved"], outcomes_due),
        share_resolved_on_time=_share(result["resolved_on_time"], result["resolved"]),
        share_resolved_by_original_deadline=_share(result["resolved_by_original_deadline"], result["resolved"]),
    )
    return result
