"""Indicator screens: the dashboard of a unit and period with its XLSX and PDF exports, the
indicator definitions (administrators) and the yearly targets (province officers, administrators).

Who sees what: commune and province officers (and administrators) see the dashboard of their
unit and of any unit below it; another unit answers 404. Trainers and authority users get 403:
the dashboard spans dialogues, which trainers do not see, and an authority user follows its
own agency's commitments in the follow-up workspace instead of the union's aggregates.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import jobs
from app.auth import roles_required, unit_in_scope_or_404
from app.extensions import db
from app.official import send_document
from app.indicators import exports
from app.indicators.access import DASHBOARD_ROLES, TARGET_ROLES
from app.indicators.charts import dashboard_charts
from app.indicators.dashboard import SELF
from app.indicators.figures import FIGURES, format_value, full_label, short_label
from app.indicators.forms import IndicatorForm, TargetsForm, parse_targets
from app.indicators.models import Indicator, IndicatorTarget
from app.indicators.periods import MAX_YEAR, MIN_YEAR, Period, period_from_args
from app.indicators.providers import providers, section_templates
from app.indicators.services import save_indicator, save_targets
from app.indicators.targets import active_indicators, load_dashboard
from app.models import Role, Unit, UnitLevel
from app.services import log_export, service_call
from app import clock

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


def _unit_from_args() -> Unit:
    """The unit asked for by code (default: the user's own), or 404 when unknown or out of scope."""
    return unit_in_scope_or_404(request.args.get("unit"))


def report_stamp(unit: Unit) -> list:
    """What the dashboard's documents of ``unit`` read (their job key, app.jobs.document_key): the
    records of its subtree (every audited change there: the trainings, responses, dialogues,
    commitments, community records and targets the counters come from, the units' names), the
    names of the units above and the indicators' definitions; not a login, not another province's record."""
    return [jobs.subtree_changes(unit), jobs.names_above(unit.id),
            jobs.object_changes("Indicator", sa.select(Indicator.id))]


def _selection() -> tuple[Unit, Period]:
    unit = _unit_from_args()
    period, problems = period_from_args(request.args, clock.today())
    for problem in problems:
        flash(problem, "error")
    return unit, period


def unit_choices(unit: Unit) -> list[tuple[str, str]]:
    """The picker: the user's unit, the chain down to the unit shown, and the units below it
    (villages excepted). Bounded by the tree's depth and one unit's children, whatever the scope."""
    root = current_user.unit
    chain = [u for u in [*unit.ancestors, unit] if root.contains(u)]
    below = db.session.execute(sa.select(Unit.code, Unit.name).where(
        Unit.parent_id == unit.id, Unit.level != UnitLevel.village).order_by(Unit.name)).all()
    choices = [(u.code, ("· " * i) + u.name) for i, u in enumerate(chain)]
    choices += [(code, ("· " * len(chain)) + name) for code, name in below]
    return choices


class RecordLinks:
    """Links to the records behind a figure: each provider's lists filtered by unit and period.
    Each list's address is built once; a unit only adds its id (hundreds of cells)."""

    def __init__(self, dashboard):
        self.bases = {}
        for provider in providers():
            self.bases.update(provider.links(dashboard.period, dashboard.today))

    def __call__(self, unit_id: int, kind: str) -> str | None:
        base = self.bases.get(kind)
        return f"{base}&unit_id={unit_id}" if base else None


@bp.route("/")
@roles_required(*DASHBOARD_ROLES)
def show_dashboard():
    unit, period = _selection()
    # ``?mode=raw``: the same page computed from the raw rows, to compare with the rollups.
    mode = "raw" if request.args.get("mode") == "raw" else "rollups"
    dashboard = exports.published(load_dashboard(unit, period, clock.today(), mode))
    args = {"unit": unit.code, **period.query_args()}
    # A province has about a hundred communes: by default list those with records.
    show_all = request.args.get("all") == "1"
    rows = dashboard.rows if show_all else [r for r in dashboard.rows if r.has_records]
    return render_template(
        "indicators/show_dashboard.html", dashboard=dashboard, unit=unit, period=period, args=args, rows=rows,
        hidden_rows=len(dashboard.rows) - len(rows), show_all=show_all, short_label=short_label,
        charts=dashboard_charts(dashboard), unit_choices=unit_choices(unit), figures_meta=FIGURES,
        fmt=format_value, full_label=full_label, SELF=SELF,
        link=RecordLinks(dashboard), section_templates=section_templates("screen"),
        can_edit_targets=current_user.has_role(*TARGET_ROLES))


@bp.route("/export.xlsx")
@roles_required(*DASHBOARD_ROLES)
@jobs.in_worker(stamp=lambda: report_stamp(_unit_from_args()))
def export_xlsx():
    unit, period = _selection()
    dashboard = load_dashboard(unit, period, clock.today())
    log_export(current_user, "indicators_xlsx", "Unit", unit.id, has_names=False, rows=len(dashboard.rows))
    return send_document(exports.dashboard_workbook(dashboard), exports.file_name(dashboard, "xlsx"),
                         exports.XLSX_MIMETYPE)


@bp.route("/report.pdf")
@roles_required(*DASHBOARD_ROLES)
@jobs.in_worker(stamp=lambda: report_stamp(_unit_from_args()))
def report_pdf():
    unit, period = _selection()
    today = clock.today()
    dashboard = load_dashboard(unit, period, today)
    log_export(current_user, "indicators_pdf", "Unit", unit.id, has_names=False, rows=len(dashboard.rows))
    return send_document(exports.report_pdf(dashboard, unit, today), exports.file_name(dashboard, "pdf"),
                         "application/pdf")


# --- definitions -------------------------------------------------------------------------

@bp.route("/definitions/")
@roles_required(*DASHBOARD_ROLES)
def list_indicators():
    indicators = db.session.scalars(sa.select(Indicator).order_by(Indicator.is_active.desc(), Indicator.position,
                                                                  Indicator.code)).all()
    return render_template("indicators/list_indicators.html", indicators=indicators, figures=FIGURES,
                           full_label=full_label, can_edit=current_user.is_admin,
                           can_edit_targets=current_user.has_role(*TARGET_ROLES))


def _edit_indicator(indicator: Indicator | None):
    form = IndicatorForm(obj=indicator) if indicator else IndicatorForm()
    if form.validate_on_submit():
        with service_call(form, "code") as call:
            saved = save_indicator(indicator, code=form.code.data, name=form.name.data,
                                   unit_of_measure=form.unit_of_measure.data, figure=form.figure.data,
                                   position=form.position.data or 0, is_active=form.is_active.data)
        if call.ok:
            flash(_("Đã lưu chỉ số %(code)s.", code=saved.code), "success")
            return redirect(url_for("indicators.list_indicators"))
    return render_template("indicators/edit_indicator.html", form=form, indicator=indicator)


@bp.route("/definitions/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def create_indicator():
    return _edit_indicator(None)


@bp.route("/definitions/<int:indicator_id>/edit", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit_indicator(indicator_id: int):
    return _edit_indicator(db.get_or_404(Indicator, indicator_id))


# --- targets -----------------------------------------------------------------------------

@bp.route("/targets", methods=["GET", "POST"])
@roles_required(*TARGET_ROLES)
def edit_targets():
    unit = _unit_from_args()
    year = request.args.get("year", type=int) or clock.today().year
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    indicators = active_indicators()
    current = {t.indicator_id: t.target for t in db.session.scalars(
        sa.select(IndicatorTarget).where(IndicatorTarget.unit_id == unit.id, IndicatorTarget.year == year))}
    form, errors, typed = TargetsForm(), {}, {}
    if form.validate_on_submit():
        values, errors = parse_targets(request.form, [i.id for i in indicators])
        typed = {i.id: request.form.get(f"target_{i.id}", "")[:40] for i in indicators}
        if not errors:
            with service_call(show=False) as call:  # the errors show beside each target, not on a form field
                changed = save_targets(unit, year, values, current_user)
            if call.error:
                exc = call.error
                errors = {int(exc.field.split("_")[1]) if (exc.field or "").startswith("target_") else 0: exc.message}
            else:
                flash(_("Đã lưu chỉ tiêu năm %(y)d của %(unit)s (%(n)d thay đổi).", y=year, unit=unit.name, n=changed),
                      "success")
                return redirect(url_for("indicators.edit_targets", unit=unit.code, year=year))
    elif request.method == "POST":
        abort(400)
    return render_template("indicators/edit_targets.html", form=form, unit=unit, year=year, indicators=indicators,
                           current=current, errors=errors, typed=typed, unit_choices=unit_choices(unit),
                           full_label=full_label, figure_keys=FIGURES, fmt_target=_target_text), 422 if errors else 200


def _target_text(value: float) -> str:
    """A stored target as typed back into its box: "120", "85,5"."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")
