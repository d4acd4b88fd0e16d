"""Dialogue screens."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.auth import unit_scope
from app.extensions import db
from app.models import Agency, Role

bp = Blueprint("dialogues", __name__, url_prefix="/dialogues")


@bp.route("/")
@login_required
def index():
    """Agencies whose commitments the user may follow (an authority user: its own agency)."""
    stmt = sa.select(Agency).options(sa.orm.joinedload(Agency.unit)).order_by(Agency.name)
    if current_user.role is Role.authority:
        stmt = stmt.where(Agency.id == current_user.agency_id)
    else:
        stmt = stmt.where(unit_scope(current_user, Agency.unit_id))
    return render_template("dialogues/index.html", agencies=db.session.scalars(stmt).all())
