"""Small helpers the survey screens share."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash
from flask_login import current_user

from app.auth import scoped_units
from app.extensions import db
from app.models import Unit, UnitLevel
from surveys.models import Topic


def topic_choices(include_id: int | None = None) -> list[tuple[int, str]]:
    topics = db.session.scalars(sa.select(Topic).where(sa.or_(Topic.is_active, Topic.id == include_id))
                                .order_by(Topic.name)).all()
    return [(t.id, t.name) for t in topics]


def training_unit_choices() -> list[tuple[int, str]]:
    """Communes and villages in the user's scope: where a training can take place."""
    units = db.session.scalars(scoped_units(current_user).where(
        Unit.level.in_([UnitLevel.commune, UnitLevel.village]), Unit.is_active).order_by(Unit.path)).all()
    return [(u.id, ("— " if u.level is UnitLevel.village else "") + u.name) for u in units]


def flash_form_errors(form) -> None:
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else ""
        for error in errors:
            flash(f"{label}: {error}" if label else error, "error")
