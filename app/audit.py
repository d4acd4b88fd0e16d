"""Automatic audit trail.

Every flush that creates, changes or deletes a model marked ``__auditable__ = True`` writes one
``audit_logs`` row per object with the actor and the before/after values of the changed columns.
Writing it in the flush means no code path (view, CLI, service called from a test) can skip it.
"""
from __future__ import annotations

import contextvars
import enum
from datetime import date, datetime, time
from decimal import Decimal

from flask import has_request_context
from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from app.models.audit import AuditLog
from app.models.types import utcnow

_cli_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("audit_actor", default=None)


def set_cli_actor(user_id: int | None) -> None:
    """Attribute the changes of a CLI command to a user (None = the system)."""
    _cli_actor.set(user_id)


def _actor() -> tuple[int | None, str]:
    if has_request_context():
        from flask import g
        from flask_login import current_user

        user_id = current_user.id if current_user and current_user.is_authenticated else None
        return user_id, ("api" if g.get("api_token") else "web")
    return _cli_actor.get(), "cli"


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    return value


def _columns(obj):
    excluded = getattr(obj, "__audit_exclude__", set())
    return [c for c in inspect(obj).mapper.column_attrs if c.key not in excluded]


def _row(obj, action: str, before: dict | None, after: dict | None, actor) -> dict:
    user_id, source = actor
    return {
        "created_dt": utcnow(),
        "user_id": user_id,
        "source": source,
        "action": action,
        "object_type": type(obj).__name__,
        "object_id": getattr(obj, "id", None),
        "before": before,
        "after": after,
    }


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, flush_context) -> None:
    rows = []
    actor = None
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not getattr(obj, "__auditable__", False):
            continue
        actor = actor or _actor()
        state = inspect(obj)
        if obj in session.new:
            after = {c.key: _plain(getattr(obj, c.key)) for c in _columns(obj)}
            rows.append(_row(obj, "create", None, after, actor))
        elif obj in session.deleted:
            before = {c.key: _plain(state.attrs[c.key].loaded_value) for c in _columns(obj)}
            rows.append(_row(obj, "delete", before, None, actor))
        else:
            before, after = {}, {}
            for c in _columns(obj):
                hist = state.attrs[c.key].history
                if hist.has_changes():
                    before[c.key] = _plain(hist.deleted[0]) if hist.deleted else None
                    after[c.key] = _plain(hist.added[0]) if hist.added else None
            if after:
                rows.append(_row(obj, "update", before, after, actor))
    if rows:
        # Through the connection, not the ORM: adding objects inside a flush would re-enter it.
        session.connection().execute(insert(AuditLog), rows)
