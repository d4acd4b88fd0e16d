"""Survey screens."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.auth import unit_scope
from app.extensions import db
from app.models import Person, Unit, UnitLevel

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.route("/")
@login_required
def index():
    """Communes in the user's scope with how many registered participants each has."""
    village = sa.orm.aliased(Unit)
    commune = sa.orm.aliased(Unit)
    people = (sa.select(commune.id, sa.func.count(Person.id).label("n"))
              .join(village, Person.unit_id == village.id)
              .join(commune, village.path.startswith(commune.path))
              .where(commune.level == UnitLevel.commune, unit_scope(current_user, Person.unit_id),
                     Person.erased_dt.is_(None))
              .group_by(commune.id).subquery())
    rows = db.session.execute(
        sa.select(Unit, people.c.n).join(people, people.c.id == Unit.id).order_by(Unit.name)).all()
    return render_template("surveys/index.html", rows=rows)
