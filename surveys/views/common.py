"""Small helpers the survey screens share."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash
from flask_login import current_user

from app.auth import scoped_units, shared_list_filter
from app.extensions import db
from app.models import Unit, UnitLevel
from surveys.models import Topic


def topic_choices(include_id: int | None = None) -> list[tuple[int, str]]:
    topics = db.session.scalars(sa.select(Topic).where(sa.or_(Topic.is_active, Topic.id == include_id),
                                                       shared_list_filter(current_user, Topic.unit_id))
                                .order_by(Topic.name)).all()
    return [(t.id, t.name) for t in topics]


def training_unit_choices() -> list[tuple[int, str]]:
    """The province (a training of trainers), communes and villages in the user's scope: where a
    training can take place."""
    units = db.session.scalars(scoped_units(current_user).where(
        Unit.level.in_([UnitLevel.province, UnitLevel.commune, UnitLevel.village]), Unit.is_active)
        .order_by(Unit.path)).all()
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
