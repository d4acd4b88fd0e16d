"""The province officer's analysis of petitions (``dialogues.analysis``): questions raised by
category, sex and ethnicity of the raiser (small cells masked) and the petitions forwarded to
province agencies. Linked from the dialogues section of the indicators dashboard."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from app import clock
from app.auth import roles_required
from app.models import Role
from dialogues.analysis import petition_analysis
from dialogues.blueprint import bp
from dialogues.follow_up.forms import IndicatorsForm
from dialogues.views._helpers import read_unit_period

ANALYSIS_ROLES = (Role.province,)


@bp.route("/analysis")
@roles_required(*ANALYSIS_ROLES)
def show_analysis():
    form = IndicatorsForm(request.args)
    unit, date_from, date_to = read_unit_period(form, current_user)
    if unit is None:
        abort(404)  # unknown or out of scope: the same answer
    today = clock.today()
    analysis = None if any(f.errors for f in form) else petition_analysis(unit, date_from, date_to)
    filters = {"counted": "y", "unit_id": unit.id, "date_from": date_from.isoformat(),
               "date_to": date_to.isoformat()}
    return render_template("dialogues/show_analysis.html", form=form, unit=unit, date_from=date_from,
                           date_to=date_to, analysis=analysis, filters=filters, today=today)
