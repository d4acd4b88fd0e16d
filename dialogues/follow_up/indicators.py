"""Follow-up indicators of a unit over a period, computed in SQL (three statements).

Scope: dialogues organised by the unit or any unit below it, held (or approved) between
``date_from`` and ``date_to`` inclusive. Definitions:

- questions_raised: questions actually put to the leaders (collected ones never raised are out);
  answered_on_spot / forwarded_at_dialogue: those answered there, or forwarded in writing there.
- committed: commitments written in the minutes. A commitment forwarded during follow-up closes
  as ``forwarded`` and its linked copy at the receiving agency counts by its own status, so the
  status counts (open ... forwarded) add up to committed + forwarded copies.
- overdue: still open or in progress, past the *current* deadline on ``today`` (a lawful
  extension moves the deadline, so an extended commitment is not overdue).
- median_days_to_resolve: over resolved commitments, days from the dialogue to the day the
  resolving event was recorded (``closed_on``).
- resolved_on_time: resolved on or before the current deadline, i.e. the extended one when it
  was extended; consistent with "overdue" above. ``resolved_by_original_deadline`` counts
  those resolved within the deadline promised at the meeting, for those who want the strict view.
- shares: answered_on_spot / questions_raised; resolved / outcomes_due (every commitment that is
  not a forwarded hand-over); resolved_on_time / resolved. None when the denominator is 0.
"""
from __future__ import annotations

import statistics
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Unit
from dialogues import clock
from dialogues.models import (AnswerOutcome, Commitment, CommitmentStatus, Dialogue, DialogueAnswer, DialogueQuestion,
                              DialogueStatus)

COUNTED_DIALOGUES = (DialogueStatus.held, DialogueStatus.approved)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def followup_indicators(unit: Unit, date_from: date, date_to: date, *, today: date | None = None) -> dict:
    today = today or clock.today()
    in_period = sa.and_(unit.subtree_filter(Dialogue.unit_id), Dialogue.held_on.between(date_from, date_to),
                        Dialogue.status.in_(COUNTED_DIALOGUES))

    answers = sa.func.count(DialogueAnswer.id)
    questions = db.session.execute(
        sa.select(sa.func.count(DialogueQuestion.id).label("questions_raised"),
                  answers.filter(DialogueAnswer.outcome == AnswerOutcome.answered).label("answered_on_spot"),
                  answers.filter(DialogueAnswer.outcome == AnswerOutcome.forwarded).label("forwarded_at_dialogue"))
        .join(DialogueQuestion.dialogue).outerjoin(DialogueQuestion.answer)
        .where(in_period, DialogueQuestion.is_raised)).one()

    resolved = Commitment.status == CommitmentStatus.resolved
    by_status = [sa.func.count(Commitment.id).filter(Commitment.status == s).label(s.value) for s in CommitmentStatus]
    commitments = db.session.execute(
        sa.select(sa.func.count(Commitment.id).filter(Commitment.forwarded_from_id.is_(None)).label("committed"),
                  sa.func.count(Commitment.id).filter(Commitment.forwarded_from_id.is_not(None))
                  .label("forwarded_copies"),
                  *by_status,
                  sa.func.count(Commitment.id).filter(Commitment.overdue_on(today)).label("overdue"),
                  sa.func.count(Commitment.id).filter(resolved, Commitment.closed_on <= Commitment.deadline)
                  .label("resolved_on_time"),
                  sa.func.count(Commitment.id).filter(resolved, Commitment.closed_on <= Commitment.original_deadline)
                  .label("resolved_by_original_deadline"))
        .join(Commitment.question).join(DialogueQuestion.dialogue).where(in_period)).one()

    # Portable across SQLite and PostgreSQL: the pairs come back in one query, the median in Python.
    pairs = db.session.execute(sa.select(Commitment.closed_on, Dialogue.held_on)
                               .join(Commitment.question).join(DialogueQuestion.dialogue)
                               .where(in_period, resolved)).all()
    days = [(closed - held).days for closed, held in pairs]

    result = {**questions._asdict(), **commitments._asdict()}
    outcomes_due = result["committed"] + result["forwarded_copies"] - result["forwarded"]
    result.update(
        median_days_to_resolve=statistics.median(days) if days else None,
        share_answered_on_spot=_share(result["answered_on_spot"], result["questions_raised"]),
        share_resolved=_share(result["resolved"], outcomes_due),
        share_resolved_on_time=_share(result["resolved_on_time"], result["resolved"]),
    )
    return result
