"""Read queries of follow-up: the workspace list (overdue first, then by deadline), its
counts, and a commitment's timeline. Each is a fixed number of SQL statements."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.extensions import db
from dialogues.models import Commitment, CommitmentEvent, CommitmentStatus, Dialogue, DialogueQuestion, DialogueStatus
from dialogues.queries import COUNTED_STATUSES, in_unit_and_period


@dataclass
class CommitmentFilter:
    status: CommitmentStatus | None = None
    agency_id: int | None = None
    category_id: int | None = None
    overdue: bool = False
    unit_id: int | None = None
    q: str = ""
    date_from: date | None = None  # of the dialogue
    date_to: date | None = None
    # The indicators' scope: commitments of held dialogues too (not yet tracked), as they count them.
    counted: bool = False
    minutes_only: bool = False  # those written in the minutes, not the copies forwarded in follow-up
    kind: str | None = None  # "commitment" (promised at the meeting) or "petition" (forwarded in writing)
    followed: bool = False   # where each is followed now: not those handed on to another agency

    def apply(self, stmt, visible, today: date):
        """Limit ``stmt`` (which joins Commitment, DialogueQuestion and Dialogue) to tracked (or,
        with ``counted``, counted), visible, matching rows."""
        stmt = stmt.where(visible, Dialogue.status.in_(COUNTED_STATUSES) if self.counted
                          else Dialogue.status == DialogueStatus.approved)
        if self.minutes_only:
            stmt = stmt.where(Commitment.forwarded_from_id.is_(None))
        if self.kind in ("commitment", "petition"):
            stmt = stmt.where(Commitment.is_petition.is_(self.kind == "petition"))
        if self.followed:
            stmt = stmt.where(Commitment.status != CommitmentStatus.forwarded)
        if self.status is not None:
            stmt = stmt.where(Commitment.status == self.status)
        if self.agency_id is not None:
            stmt = stmt.where(Commitment.agency_id == self.agency_id)
        if self.category_id is not None:
            stmt = stmt.where(DialogueQuestion.category_id == self.category_id)
        if self.overdue:
            stmt = stmt.where(Commitment.overdue_on(today))
        stmt = in_unit_and_period(stmt, self.unit_id, self.date_from, self.date_to)
        if self.q:
            like = f"%{self.q}%"
            stmt = stmt.where(sa.or_(Commitment.description.ilike(like), DialogueQuestion.content.ilike(like)))
        return stmt


def _joined(stmt):
    return stmt.join(Commitment.question).join(DialogueQuestion.dialogue)


def commitment_list(filters: CommitmentFilter, visible, today: date):
    """Statement of the workspace: overdue first, then open ones by deadline, closed ones last."""
    stmt = (_joined(sa.select(Commitment))
            .options(joinedload(Commitment.agency),
                     contains_eager(Commitment.question).options(
                         joinedload(DialogueQuestion.category),
                         contains_eager(DialogueQuestion.dialogue).joinedload(Dialogue.unit)))
            .order_by(sa.case((Commitment.overdue_on(today), 0), else_=1), Commitment.is_closed,
                      Commitment.deadline, Commitment.id))
    return filters.apply(stmt, visible, today)


def status_counts(filters: CommitmentFilter, visible, today: date) -> dict:
    """Commitments matching the filters (whatever their status), by status, plus overdue."""
    unfiltered = CommitmentFilter(**{**filters.__dict__, "status": None, "overdue": False})
    columns = [sa.func.count(Commitment.id).filter(Commitment.status == s).label(s.value) for s in CommitmentStatus]
    row = db.session.execute(unfiltered.apply(_joined(sa.select(
        sa.func.count(Commitment.id).label("total"),
        sa.func.count(Commitment.id).filter(Commitment.overdue_on(today)).label("overdue"), *columns)),
        visible, today)).one()
    return row._asdict()


def timeline(commitment: Commitment) -> list[CommitmentEvent]:
    return list(db.session.scalars(
        sa.select(CommitmentEvent).where(CommitmentEvent.commitment_id == commitment.id)
        .options(joinedload(CommitmentEvent.user), joinedload(CommitmentEvent.actor_agency),
                 joinedload(CommitmentEvent.agency_to), joinedload(CommitmentEvent.agency_from),
                 joinedload(CommitmentEvent.attachment), selectinload(CommitmentEvent.linked_commitment))
        .order_by(CommitmentEvent.created_dt.desc(), CommitmentEvent.id.desc())))
