"""Small helpers the survey screens share. Topics, units and tests are listed in Vietnamese order
(``app.collation``: "Hà" < "Hoàng" < "Đặng" would sort wrong in plain SQL)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash
from flask_login import current_user

from app.auth import scoped_units, shared_list_filter
from app.collation import sort_key, sorted_vi
from app.extensions import db
from app.models import Unit, UnitLevel
from surveys.models import Topic


def topic_choices(include_id: int | None = None) -> list[tuple[int, str]]:
    topics = db.session.scalars(sa.select(Topic).where(sa.or_(Topic.is_active, Topic.id == include_id),
                                                       shared_list_filter(current_user, Topic.unit_id))
                                ).all()
    return [(t.id, t.name) for t in sorted_vi(topics, key=lambda t: t.name)]


def vi_order(stmt, id_column, name_column):
    """An ORDER BY expression putting the rows of ``stmt`` in Vietnamese order of ``name_column``
    (then id), for a list that SQL pages: the names are read once and ranked here."""
    rows = db.session.execute(stmt.with_only_columns(id_column, name_column).order_by(None)).all()
    ranked = sorted(rows, key=lambda r: (sort_key(r[1]), r[0]))
    if not ranked:
        return id_column
    return sa.case({r[0]: i for i, r in enumerate(ranked)}, value=id_column, else_=len(ranked))


def units_in_tree_order(units: list[Unit]) -> list[Unit]:
    """Units under their parent (as ``Unit.path`` orders them), siblings in Vietnamese order."""
    by_id = {u.id: u for u in units}

    def key(unit):
        chain = []
        while unit is not None:
            chain.append(sort_key(unit.name))
            unit = by_id.get(unit.parent_id)
        return tuple(reversed(chain))
    return sorted(units, key=key)


def training_unit_choices() -> list[tuple[int, str]]:
    """The province (a training of trainers), communes and villages in the user's scope: where a
    training can take place."""
    units = db.session.scalars(scoped_units(current_user).where(
        Unit.level.in_([UnitLevel.province, UnitLevel.commune, UnitLevel.village]), Unit.is_active)
        ).all()
    units = units_in_tree_order(units)
    indent = {UnitLevel.province: "", UnitLevel.commune: "", UnitLevel.village: "— "}
    if any(u.level is UnitLevel.province for u in units):
        indent[UnitLevel.commune], indent[UnitLevel.village] = "— ", "— — "
    return [(u.id, indent[u.level] + u.name) for u in units]


STASH_RE = r"[A-Za-z0-9_-]{22}"


def _stash_dir() -> str:
    import os

    from flask import current_app

    # In the shared storage, not the instance folder: the next request may reach another host.
    path = os.path.join(current_app.config["STORAGE_DIR"], "import-stash")
    os.makedirs(path, exist_ok=True)
    return path


def stash_upload(data: bytes) -> str:
    """Keep an uploaded file for a day under a random name bound to this user, so a refused
    import can be used for another action ("create a new training from this file") without the
    trainer choosing the file again. Returns its key."""
    import os
    import secrets
    import time

    folder = _stash_dir()
    for name in os.listdir(folder):  # the day-old ones go
        if os.path.getmtime(os.path.join(folder, name)) < time.time() - 86400:
            os.remove(os.path.join(folder, name))
    key = secrets.token_urlsafe(16)
    with open(os.path.join(folder, f"{current_user.id}-{key}.xlsx"), "wb") as f:
        f.write(data)
    return key


def take_stashed_upload(key: str) -> bytes | None:
    """The file kept by ``stash_upload`` for this user (removed once read), or None."""
    import os
    import re

    if not re.fullmatch(STASH_RE, key or ""):
        return None
    path = os.path.join(_stash_dir(), f"{current_user.id}-{key}.xlsx")
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def flash_form_errors(form) -> None:
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else ""
        for error in errors:
            flash(f"{label}: {error}" if label else error, "error")
