"""The province officer's analysis of petitions (``dialogues.analysis``): questions raised by
category, sex and ethnicity of the raiser (small cells masked) and the petitions forwarded to
province agencies. Linked from the dialogues section of the indicators dashboard."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.auth import roles_required, unit_in_scope
from app.models import Role
from dialogues.analysis import petition_analysis
from dialogues.blueprint import bp
from dialogues.follow_up.forms import IndicatorsForm
from dialogues.views._helpers import organising_unit_choices

ANALYSIS_ROLES = (Role.province,)


@bp.route("/analysis")
@roles_required(*ANALYSIS_ROLES)
def show_analysis():
    form = IndicatorsForm(request.args)
    own = current_user.unit
    choices = organising_unit_choices(current_user)
    form.unit_id.choices = ([] if own.id in {i for i, _n in choices} else [(own.id, own.name)]) + choices
    form.validate()
    if form.unit_id.errors:
        abort(404)
    unit = unit_in_scope(form.unit_id.data)
    if unit is None:
        abort(404)  # unknown or out of scope: the same answer
    today = clock.today()
    date_from = (None if form.date_from.errors else form.date_from.data) or date(today.year, 1, 1)
    date_to = (None if form.date_to.errors else form.date_to.data) or today
    # what a date input shows (ISO), whether the dates came typed, from a link or by default
    # (a date that could not be read stays as typed, beside its error)
    for field, value in ((form.date_from, date_from), (form.date_to, date_to)):
        if not field.errors:
            field.raw_data = [value.isoformat()]
    if date_from > date_to:
        form.date_to.errors = [_("“Đến ngày” phải sau “Từ ngày”.")]
    analysis = None if any(f.errors for f in form) else petition_analysis(unit, date_from, date_to)
    filters = {"counted": "y", "unit_id": unit.id, "date_from": date_from.isoformat(),
               "date_to": date_to.isoformat()}
    return render_template("dialogues/show_analysis.html", form=form, unit=unit, date_from=date_from,
                           date_to=date_to, analysis=analysis, filters=filters, today=today)
