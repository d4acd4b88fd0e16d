"""Automatic audit trail.

Every flush that creates, changes or deletes a model marked ``__auditable__ = True`` writes one
``audit_logs`` row per object with the actor and the before/after values of the changed columns,
and the unit the record belongs to (its own ``unit_id``, else the unit of the record it hangs from:
a dialogue's organising unit, a training's unit; else the actor's unit), so that an administrator
reads only the changes of the units in her scope.
Writing it in the flush means no code path (view, CLI, service called from a test) can skip it.
"""
from __future__ import annotations

import contextvars
import enum
from datetime import date, datetime, time
from decimal import Decimal

from flask import has_request_context
import sqlalchemy as sa
from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from app.models.audit import AuditLog
from app.models.types import utcnow

_cli_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("audit_actor", default=None)


def set_cli_actor(user_id: int | None) -> None:
    """Attribute the changes of a CLI command to a user (None = the system)."""
    _cli_actor.set(user_id)


def _actor() -> tuple[int | None, str, int | None]:
    """(user id, source, the user's unit id)."""
    if has_request_context():
        from flask import g
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, ("api" if g.get("api_token") else "web"), current_user.unit_id
        return None, ("api" if g.get("api_token") else "web"), None
    return _cli_actor.get(), "cli", None


# Records that stand for a unit or for a whole account are placed by their own unit; the others by
# the record they hang from. Agencies and users are never followed: an authority's agency, or the
# officer who approved a dialogue, says nothing about whose record it is.
_NOT_FOLLOWED = {"User", "Agency", "Unit"}


def _record_unit(obj, depth: int = 0) -> int | None:
    """The unit of a record: its ``unit_id``, else that of the parent it belongs to (a few levels up)."""
    mapper = inspect(obj).mapper
    if type(obj).__name__ == "Unit":
        return obj.id
    if "unit_id" in mapper.columns:
        return getattr(obj, "unit_id", None)
    if depth >= 4:
        return None
    # A person's record (consent) belongs to her unit, but a participant or an attendee belongs to
    # the training or the dialogue: the person is followed last.
    rels = sorted(mapper.relationships, key=lambda rel: rel.mapper.class_.__name__ == "Person")
    for rel in rels:
        if rel.direction.name != "MANYTOONE" or rel.mapper.class_.__name__ in _NOT_FOLLOWED:
            continue
        if rel.remote_side and any(c.table is mapper.local_table for c in rel.remote_side):
            continue  # self-reference (a forwarded commitment): its parent is found the same way
        parent = getattr(obj, rel.key, None)
        if parent is not None:
            unit_id = _record_unit(parent, depth + 1)
            if unit_id is not None:
                return unit_id
    return None


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
    user_id, source, actor_unit_id = actor
    unit_id = _record_unit(obj)
    return {
        "unit_id": unit_id if unit_id is not None else actor_unit_id,
        "created_dt": utcnow(),
        "user_id": user_id,
        "source": source,
        "action": action,
        "object_type": type(obj).__name__,
        "object_id": getattr(obj, "id", None),
        "before": before,
        "after": after,
    }


def _resolved_actor(session: Session):
    """The actor, with the unit of a CLI actor read once per flush."""
    user_id, source, unit_id = _actor()
    if unit_id is None and user_id is not None:
        from app.models.users import User

        unit_id = session.connection().scalar(sa.select(User.unit_id).where(User.id == user_id))
    return user_id, source, unit_id


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, flush_context) -> None:
    rows = []
    actor = None
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not getattr(obj, "__auditable__", False):
            continue
        actor = actor or _resolved_actor(session)
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


# --- bulk writes -------------------------------------------------------------------------
# ``session.execute(update(...))`` / ``delete(...)`` skip the flush, so the flush hook above never
# sees them: the rows they touch are read before (and, for an update, after) and logged the same way.

def _auditable_mapper(state):
    mapper = state.bind_mapper
    if mapper is None:  # a Core statement on the table
        from app.extensions import db

        name = getattr(getattr(state.statement, "table", None), "name", None)
        mapper = next((m for m in db.Model.registry.mappers if m.local_table.name == name), None)
    if mapper is None or not getattr(mapper.class_, "__auditable__", False):
        return None
    return mapper


def _row_values(mapper, row, excluded) -> dict:
    return {attr.key: _plain(row._mapping[attr.columns[0]]) for attr in mapper.column_attrs
            if attr.key not in excluded and attr.columns[0].table is mapper.local_table}


@event.listens_for(Session, "do_orm_execute")
def _audit_bulk_writes(state):
    if not (state.is_update or state.is_delete):
        return None
    mapper = _auditable_mapper(state)
    if mapper is None:
        return None
    session, table = state.session, mapper.local_table
    excluded = getattr(mapper.class_, "__audit_exclude__", set())
    pk = table.primary_key.columns.values()
    select, params = sa.select(table), state.parameters
    if isinstance(params, (list, tuple)):  # ORM bulk UPDATE by primary key: one dict per row
        keys = {mapper.get_property_by_column(c).key for c in pk}
        if len(pk) != 1 or not all(isinstance(p, dict) and keys <= p.keys() for p in params):
            raise RuntimeError("bulk writes of audited records need their primary key")
        select, params = select.where(pk[0].in_([p[next(iter(keys))] for p in params])), {}
    if state.statement.whereclause is not None:
        select = select.where(state.statement.whereclause)
    conn = session.connection()
    before = {tuple(row._mapping[c] for c in pk): row for row in conn.execute(select, params or {})}
    if not before:
        return None
    units = {}
    for key, row in before.items():  # the record's unit, read while the row is still there
        obj = session.get(mapper.class_, key if len(key) > 1 else key[0])
        units[key] = _record_unit(obj) if obj is not None else None
    result = state.invoke_statement()
    actor = _resolved_actor(session)
    after = {}
    if state.is_update:
        keyed = sa.tuple_(*pk).in_(list(before)) if len(pk) > 1 else pk[0].in_([k[0] for k in before])
        after = {tuple(row._mapping[c] for c in pk): row for row in conn.execute(sa.select(table).where(keyed))}
    rows = []
    for key, row in before.items():
        old = _row_values(mapper, row, excluded)
        entry = {"unit_id": units[key] if units[key] is not None else actor[2], "created_dt": utcnow(),
                 "user_id": actor[0], "source": actor[1], "object_type": mapper.class_.__name__,
                 "object_id": key[0] if len(key) == 1 else None}
        if state.is_delete:
            rows.append({**entry, "action": "delete", "before": old, "after": None})
            continue
        new = _row_values(mapper, after[key], excluded) if key in after else {}
        changed = [k for k in new if new[k] != old.get(k)]
        if changed:
            rows.append({**entry, "action": "update", "before": {k: old.get(k) for k in changed},
                         "after": {k: new[k] for k in changed}})
    if rows:
        conn.execute(insert(AuditLog), rows)
    return result
