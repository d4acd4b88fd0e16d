"""The lock on approved minutes, enforced in every flush.

Services refuse edits first with a clear message (``Dialogue.ensure_editable``); this guard
catches whatever path forgets to ask, so no view, CLI command or script can change a locked
record. Objects take part by exposing ``locking_dialogue``; commitments may still change
their follow-up columns (``__tracking_columns__``).
"""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from dialogues.models.dialogues import Dialogue, DialogueStatus


def _was_locked(dialogue: Dialogue) -> bool:
    """Approved before this flush (approving itself changes the status and is allowed)."""
    history = inspect(dialogue).attrs.status.history
    if history.has_changes():
        return bool(history.deleted) and history.deleted[0] is DialogueStatus.approved
    return dialogue.status is DialogueStatus.approved


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@event.listens_for(Session, "before_flush")
def refuse_edits_of_locked_dialogues(session: Session, flush_context, instances) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Dialogue):
            if obj in session.dirty and _was_locked(obj) and _changed_columns(obj) - {"revision"}:
                obj.ensure_editable()
            continue
        if obj in session.new and getattr(obj, "is_follow_up_record", False):
            continue  # made by follow-up (a commitment forwarded to another agency), not an edit of the minutes
        dialogue = getattr(obj, "locking_dialogue", None)
        if dialogue is None or not _was_locked(dialogue):
            continue
        if obj in session.dirty and obj not in session.deleted:
            changed = _changed_columns(obj)
            if not changed or changed <= getattr(obj, "__tracking_columns__", frozenset()):
                continue
        dialogue.ensure_editable()
