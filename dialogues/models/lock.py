"""The lock on approved minutes, enforced in every flush (and below the ORM, by the triggers of
migration ``0015_dialogue_lock``).

Services refuse edits first with a clear message (``Dialogue.ensure_editable``); this guard
catches whatever path forgets to ask, so no view, CLI command or script can change a locked
record. Objects take part by naming their parent in ``__lock_parent__`` (relationship, foreign
key); the guard checks the parent they have and every parent they had in this flush (a row moved
to an unlocked parent), and finds the parent from the foreign key alone (a row made with
``question_id=`` only). Commitments may still change their follow-up columns
(``__tracking_columns__``), and a forwarded copy made by ``Commitment.forward`` may be added.

The same flush also holds that a question with an answer, an outcome or a commitment was raised.
"""
from __future__ import annotations

from itertools import chain

from flask_babel import gettext as _
import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.services import ServiceError
from dialogues.models.commitments import Commitment, CommitmentEvent, CommitmentEventKind, CommitmentStatus
from dialogues.models.dialogues import Dialogue, DialogueStatus, LockedError
from dialogues.models.questions import DialogueAnswer, DialogueQuestion


class NotRaisedError(ServiceError):
    """A question with an answer or a commitment marked as not raised at the meeting."""


def _was_locked(dialogue: Dialogue) -> bool:
    """Approved before this flush (approving itself changes the status and is allowed; moving an
    approved dialogue back to another status is not)."""
    state = inspect(dialogue)
    if state.pending or state.transient:
        return False
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0] is DialogueStatus.approved
    if history.added:  # set on an expired object: the stored status was never loaded
        table = Dialogue.__table__
        stored = state.session.connection().scalar(sa.select(table.c.status).where(table.c.id == dialogue.id))
        return stored in (DialogueStatus.approved, DialogueStatus.approved.value)
    return dialogue.status is DialogueStatus.approved


def _refuse() -> None:
    raise LockedError(_("Biên bản đã được duyệt nên hồ sơ đối thoại đã khóa. "
                        "Muốn sửa, hãy thêm phụ lục đính chính."))


def _changed_columns(obj) -> set[str]:
    """Columns changed, and the lock parent's relationship when it was set (its foreign key
    follows only during the flush)."""
    state = inspect(obj)
    changed = {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}
    spec = getattr(type(obj), "__lock_parent__", None)
    if spec is not None and state.attrs[spec[0]].history.has_changes():
        changed.add(spec[1])
    return changed


def _parents(session: Session, obj) -> list:
    """The parent ``obj`` hangs from now and every parent it hung from before this flush."""
    spec = getattr(type(obj), "__lock_parent__", None)
    if spec is None:
        return []
    rel, fk = spec
    state = inspect(obj)
    target = state.mapper.relationships[rel].mapper.class_
    found = []
    current = state.attrs[rel].loaded_value
    if not isinstance(current, target):  # not loaded (NO_VALUE), or never set
        current = None
    if current is None and getattr(obj, fk) is not None:
        current = session.get(target, getattr(obj, fk))  # made or moved by foreign key alone
    found.append(current)
    found += [p for p in state.attrs[rel].history.deleted if p is not None]
    # The stored foreign key: the parent before this flush, even when the relationship was set
    # without its old value loaded (the key itself follows only during the flush).
    stored = state.attrs[fk].loaded_value
    old_keys = list(state.attrs[fk].history.deleted) + ([stored] if isinstance(stored, int) else [])
    found += [session.get(target, old) for old in old_keys if old is not None]
    return [p for p in found if p is not None]


def dialogues_of(session: Session, obj, depth: int = 0) -> set[Dialogue]:
    if isinstance(obj, Dialogue):
        return {obj}
    if depth > 3:
        return set()
    out: set[Dialogue] = set()
    for parent in _parents(session, obj):
        out |= dialogues_of(session, parent, depth + 1)
    return out


def _question_of(session: Session, obj) -> DialogueQuestion | None:
    if isinstance(obj, DialogueQuestion):
        return obj
    parents = _parents(session, obj)
    return parents[0] if parents and isinstance(parents[0], DialogueQuestion) else None


def is_forwarded_copy(session: Session, obj) -> bool:
    """A commitment ``Commitment.forward`` made in this flush: its source, a commitment of the same
    question, has a new forward event pointing at it. Setting
    ``forwarded_from_id`` on a new row is not enough."""
    if not isinstance(obj, Commitment) or obj not in session.new:
        return False
    source = obj.forwarded_from
    if source is None and obj.forwarded_from_id is not None:
        source = session.get(Commitment, obj.forwarded_from_id)
    if source is None or source.question_id != obj.question_id:
        return False
    return any(isinstance(e, CommitmentEvent) and e.kind is CommitmentEventKind.forward
               and e.status_to is CommitmentStatus.forwarded and e.linked_commitment is obj and e.commitment is source
               for e in session.new)


@event.listens_for(Session, "before_flush")
def refuse_edits_of_locked_dialogues(session: Session, flush_context, instances) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Dialogue):
            if obj in session.deleted and _was_locked(obj):
                _refuse()
            if obj in session.dirty and _was_locked(obj) and _changed_columns(obj) - {"revision"}:
                _refuse()
            continue
        if getattr(type(obj), "__lock_parent__", None) is None:
            continue
        if is_forwarded_copy(session, obj):
            continue  # made by follow-up (a commitment forwarded to another agency), not an edit of the minutes
        if obj in session.dirty and obj not in session.deleted:
            changed = _changed_columns(obj)
            if not changed or changed <= getattr(obj, "__tracking_columns__", frozenset()):
                continue
        if any(_was_locked(d) for d in dialogues_of(session, obj)):
            _refuse()


@event.listens_for(Session, "before_flush")
def refuse_answered_questions_not_raised(session: Session, flush_context, instances) -> None:
    """An answer, an outcome or a commitment means the question was put to the leaders."""
    for obj in chain(session.new, session.dirty):
        if not isinstance(obj, (DialogueQuestion, DialogueAnswer, Commitment)) or is_forwarded_copy(session, obj):
            continue
        question = _question_of(session, obj)
        if question is None or question in session.deleted or question.is_raised:
            continue
        if question.has_meeting_record:
            raise NotRaisedError(_("Ý kiến số %(n)s đã có trả lời hoặc cam kết nên phải được ghi là đã nêu tại "
                                   "hội nghị.", n=question.number), "is_raised")
