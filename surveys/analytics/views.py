"""Results screens: one training's results page, its PDF report and XLSX export, and the results
across trainings of a unit. Scoped like the training page (trainers, commune and province
officers of the training's unit or above); out of scope answers 404."""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import jobs
from app.auth import unit_in_scope_or_404
from app.collation import sorted_vi
from app.filters import namesakes
from app.extensions import db
from app.official import send_document
from app.services import log_export
from app.models import Unit, UnitLevel
from surveys.access import get_training_or_404, surveys_required
from surveys.analytics import report
from surveys.analytics.forms import ALL, PooledFilterForm
from surveys.analytics.pooled import Selection, load_pooled_results
from surveys.analytics.results import load_training_results
from surveys.blueprint import bp
from surveys.stamps import training_stamp
from surveys.models import Topic

@bp.route("/trainings/<int:training_id>/results")
@surveys_required
def show_training_results(training_id: int):
    training = get_training_or_404(training_id)
    results = load_training_results(training)
    # Before the post-test, the pre-test alone already tells what to stress in the training.
    diagnosis = pre_test_diagnosis(training) if not results.n_matched else None
    return render_template("surveys/show_training_results.html", training=training, results=results,
                           diagnosis=diagnosis, namesakes=namesakes(results.participants),
                           **report.presentation(results))


def pre_test_diagnosis(training) -> list[dict]:
    """Per scored question of the pre-test: answered, % fully right, % "Không biết", worst first.
    Every pre-test response counts (no post-test to match yet); erased people's answers too, as
    in every statistic."""
    import sqlalchemy as sa

    from app.extensions import db
    from surveys.models import Answer, Item, Phase, Response

    full = sa.case((Answer.points == Item.points, 1), else_=0)
    rows = db.session.execute(
        sa.select(Item, sa.func.count(Answer.id), sa.func.sum(full),
                  sa.func.sum(sa.case((Answer.is_dont_know, 1), else_=0)))
        .join(Answer, Answer.item_id == Item.id).join(Response, Response.id == Answer.response_id)
        .where(Response.training_id == training.id, Response.phase == Phase.pre,
               Response.version_id == training.version_id)
        .group_by(Item.id).order_by(Item.position)).all()
    out = [{"no": item.position, "text": item.text, "answered": n, "pct_right": 100 * (right or 0) / n,
            "pct_dont_know": 100 * (dont or 0) / n} for item, n, right, dont in rows if item.is_scored and n]
    return sorted(out, key=lambda d: (d["pct_right"], d["no"]))


@bp.route("/trainings/<int:training_id>/results.pdf")
@surveys_required
@jobs.in_worker(stamp=training_stamp)
def download_results_pdf(training_id: int):
    training = get_training_or_404(training_id)
    results = load_training_results(training)
    return send_document(report.report_pdf(training, results), report.file_name(training, "pdf"), "application/pdf")


@bp.route("/trainings/<int:training_id>/results.xlsx")
@surveys_required
@jobs.in_worker(stamp=training_stamp)
def download_results_xlsx(training_id: int):
    training = get_training_or_404(training_id)
    results = load_training_results(training)
    data = report.results_workbook(training, results, current_user)
    return send_document(data, report.file_name(training, "xlsx"), report.XLSX_MIMETYPE)


@bp.route("/trainings/<int:training_id>/results-summary.xlsx")
@surveys_required
@jobs.in_worker(stamp=training_stamp)
def download_results_summary_xlsx(training_id: int):
    """The aggregates-only workbook for sending upward: no names, codes or answers, groups masked
    as on the page. Logged as an export without names."""
    training = get_training_or_404(training_id)
    results = load_training_results(training)
    data = report.aggregates_workbook(training, results)
    log_export(current_user, "training_results_summary_xlsx", "Training", training.id, has_names=False,
               rows=results.n_pre + results.n_post)
    return send_document(data, report.file_name(training, "xlsx").replace("ket-qua-", "tong-hop-", 1),
                         report.XLSX_MIMETYPE)


@bp.route("/results")
@surveys_required
def show_pooled_results():
    """Results of every training of a unit in scope, filtered by topic and period."""
    form = PooledFilterForm(request.args)
    unit = unit_in_scope_or_404(request.args.get("unit", type=int))
    form.unit.choices = [(u.id, u.name) for u in _unit_choices(unit)]
    form.unit.data = unit.id
    topics = sorted_vi(db.session.execute(sa.select(Topic.id, Topic.name)).all(), key=lambda t: t.name)
    form.topic.choices = [(ALL, _("Tất cả chủ đề")), *((t.id, t.name) for t in topics)]
    results = None
    if form.validate():
        topic = db.session.get(Topic, form.topic.data) if form.topic.data else None
        results = load_pooled_results(Selection(unit=unit, topic=topic, date_from=form.date_from.data,
                                                date_to=form.date_to.data))
    return render_template("surveys/show_pooled_results.html", form=form, unit=unit, results=results,
                           **(report.pooled_presentation(results) if results else {}))


def _unit_choices(selected: Unit) -> list[Unit]:
    """The user's unit, the selected one and the units just below it (not villages): enough to
    move from a province to one of its communes without a list of 3,321 communes."""
    children = sorted_vi(db.session.scalars(sa.select(Unit).where(Unit.parent_id == selected.id,
                                                                  Unit.level != UnitLevel.village)),
                         key=lambda u: u.name)
    chain = [u for u in (current_user.unit, selected) if u is not None]
    return list(dict.fromkeys([*chain, *children]))


