""""Kết quả giải quyết kiến nghị kỳ trước": the follow-up report a union reads out at the next
dialogue, as an official PDF in the minutes' layout (``templates/pdf/previous_results.html``).

For an upcoming dialogue, the items are the commitments from the approved dialogues of the
same organising unit held before it that are (a) from the latest such session, (b) still open
(carried over from older sessions), or (c) closed since the latest session. Always Vietnamese:
it is an official document.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app import official
from app.extensions import db
from app.models import User
from app import clock
from dialogues.labels import commitment_status
from dialogues.minutes import lines
from dialogues.models import (Commitment, CommitmentEvent, CommitmentEventKind, CommitmentStatus, Dialogue,
                              DialogueQuestion, DialogueStatus)

OPEN = (CommitmentStatus.open, CommitmentStatus.in_progress)


@dataclass
class ResultRow:
    commitment: Commitment
    outcome_note: str  # what the agency (or the union) last wrote about the status
    days_overdue: int


def previous_session_date(dialogue: Dialogue) -> date | None:
    return db.session.scalar(sa.select(sa.func.max(Dialogue.held_on)).where(
        Dialogue.unit_id == dialogue.unit_id, Dialogue.status == DialogueStatus.approved,
        Dialogue.held_on < dialogue.held_on))


def previous_results(dialogue: Dialogue, today: date) -> tuple[date | None, list[ResultRow]]:
    last = previous_session_date(dialogue)
    if last is None:
        return None, []
    commitments = db.session.scalars(
        sa.select(Commitment).join(Commitment.question).join(DialogueQuestion.dialogue)
        .where(Dialogue.unit_id == dialogue.unit_id, Dialogue.status == DialogueStatus.approved,
               Dialogue.held_on < dialogue.held_on,
               sa.or_(Dialogue.held_on >= last, Commitment.status.in_(OPEN), Commitment.closed_on >= last))
        .options(joinedload(Commitment.agency), joinedload(Commitment.forwarded_from).joinedload(Commitment.agency),
                 selectinload(Commitment.forwards).joinedload(Commitment.agency),
                 contains_eager(Commitment.question).contains_eager(DialogueQuestion.dialogue))
        .order_by(Dialogue.held_on, Dialogue.id, DialogueQuestion.number, Commitment.position, Commitment.id)).all()
    notes = _latest_status_notes([c.id for c in commitments])
    return last, [ResultRow(c, notes.get(c.id, ""), (today - c.deadline).days if c.overdue_on(today) else 0)
                  for c in commitments]


def _latest_status_notes(ids: list[int]) -> dict[int, str]:
    """The note of each commitment's latest status-changing event (one query)."""
    if not ids:
        return {}
    status_kinds = (CommitmentEventKind.status, CommitmentEventKind.forward, CommitmentEventKind.reopen)
    latest = (sa.select(sa.func.max(CommitmentEvent.id))
              .where(CommitmentEvent.commitment_id.in_(ids), CommitmentEvent.kind.in_(status_kinds))
              .group_by(CommitmentEvent.commitment_id))
    return dict(db.session.execute(sa.select(CommitmentEvent.commitment_id, CommitmentEvent.note)
                                   .where(CommitmentEvent.id.in_(latest))).all())


def report_context(dialogue: Dialogue, author: User | None, today: date) -> dict:
    last, rows = previous_results(dialogue, today)
    counts = Counter(r.commitment.status for r in rows)
    return {
        **official.frame(
            dialogue.unit, doc_type="Báo cáo", code=official.REPORT_CODE, doc_date=today,
            subject="Kết quả giải quyết ý kiến, kiến nghị tại hội nghị đối thoại kỳ trước",
            signers=[("Người lập", author.full_name if author else ""), ("TM. Ban Thường vụ", "")],
            recipients=[f"Thường trực Đảng ủy, UBND {_lower_first(dialogue.unit.name)} (để báo cáo)",
                        "Các cơ quan có cam kết", "Lưu: VT"]),
        # body
        "dialogue": dialogue,
        "union": official.union_display_name(dialogue.unit),
        "last": last,
        "rows": rows,
        "counts": counts,
        "Status": CommitmentStatus,
        "overdue": sum(1 for r in rows if r.days_overdue),
        "commitment_status": commitment_status,
        "lines": lines,
    }


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def render_previous_results(dialogue: Dialogue, author: User | None, today: date | None = None) -> bytes:
    from app.pdf import render_pdf

    with force_locale("vi"):
        return render_pdf("pdf/previous_results.html", **report_context(dialogue, author, today or clock.today()))
