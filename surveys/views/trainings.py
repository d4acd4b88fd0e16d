"""Training screens: the list (the surveys landing page), the training page with its roster,
scores and phone links, and the forms that create and change them."""
from __future__ import annotations


import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock, services as core
from app.auth import unit_in_scope_or_404, unit_scope
from app.collation import sorted_vi
from app.extensions import db
from app.official import send_document
from app.clock import parse_date
from app.filters import namesakes
from app.models import Person, Sex
from app.forms import show_service_error
from app.services import ServiceError, person_by_code, service_call
from surveys import qr, services
from surveys.access import get_instrument_or_404, get_training_or_404, phase_or_404, surveys_required, \
    visible_instruments
from surveys.blueprint import bp
from surveys.forms import ImportTrainingForm, ParticipantForm, TrainingForm, UploadForm
from surveys.models import Instrument, Participant, Phase, PhaseState, Topic, Training, TrainingPhase
from surveys.results import score_table, training_counts
from surveys.services.trainings import home_commune
from surveys.views.corrections import rescore_history
from surveys.views.common import flash_form_errors, take_stashed_upload, topic_choices, training_unit_choices
from surveys.services.workbook import WorkbookError

STATUSES = ("upcoming", "held", "open")


@bp.route("/")
@surveys_required
def index():
    """Trainings in the user's scope, newest first, with roster and response counts."""
    q = request.args.get("q", "").strip()[:100]
    topic_id = request.args.get("topic", type=int)
    status = request.args.get("status", "")
    stmt = sa.select(Training).where(unit_scope(current_user, Training.unit_id))
    # Drill-down from the indicators dashboard: one unit's subtree, start dates in a period.
    unit_id = request.args.get("unit_id", type=int)
    filter_unit = unit_in_scope_or_404(unit_id) if unit_id else None
    date_from, date_to = parse_date(request.args.get("date_from")), parse_date(request.args.get("date_to"))
    if filter_unit is not None:
        stmt = stmt.where(filter_unit.subtree_filter(Training.unit_id))
    if date_from:
        stmt = stmt.where(Training.start_date >= date_from)
    if date_to:
        stmt = stmt.where(Training.start_date <= date_to)
    if q:
        stmt = stmt.where(Training.title.ilike(f"%{q}%"))
    if topic_id:
        stmt = stmt.where(Training.topic_id == topic_id)
    # Archived trainings are kept (their results count) but listed only when asked for.
    stmt = stmt.where(Training.archived_dt.is_not(None) if status == "archived" else Training.archived_dt.is_(None))
    if status == "upcoming":
        stmt = stmt.where(Training.start_date > clock.today())
    elif status == "held":
        stmt = stmt.where(Training.start_date <= clock.today())
    elif status == "open":
        stmt = stmt.where(Training.id.in_(sa.select(TrainingPhase.training_id)
                                          .where(TrainingPhase.state == PhaseState.open)))
    stmt = stmt.options(sa.orm.joinedload(Training.unit), sa.orm.joinedload(Training.topic),
                        sa.orm.selectinload(Training.phases)).order_by(Training.start_date.desc(), Training.id.desc())
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("surveys/index.html", page=page, q=q, topic_id=topic_id, status=status,
                           filter_unit=filter_unit,
                           date_from=date_from, date_to=date_to,
                           topics=topic_choices(), counts=training_counts([t.id for t in page.items]))


def _training_form(training: Training | None) -> TrainingForm:
    if training is None:
        form = TrainingForm()
    else:
        form = TrainingForm(data={
            "title": training.title, "topic_id": training.topic_id, "unit_id": training.unit_id,
            "instrument_id": training.version.instrument_id, "start_date": training.start_date,
            "end_date": training.end_date, "venue": training.venue, "trainers": training.trainers,
            "one_question_per_screen": training.one_question_per_screen,
            "show_results_after_post": training.show_results_after_post})
    form.topic_id.choices = topic_choices(training.topic_id if training else None)
    form.unit_id.choices = training_unit_choices()
    instruments = sorted_vi(db.session.scalars(visible_instruments(current_user).where(
        sa.or_(Instrument.is_active, Instrument.id == (training.version.instrument_id if training else None)))
        .order_by(Instrument.id)).all(), key=lambda i: i.title)
    # Tests of the same name are told apart by their unit and number.
    titles = [i.title for i in instruments]
    form.instrument_id.choices = [(i.id, f"{i.title} ({i.unit.name}, #{i.id})" if titles.count(i.title) > 1
                                   else i.title) for i in instruments]
    return form


def _save_training_from(form: TrainingForm, training: Training | None) -> Training | None:
    unit = unit_in_scope_or_404(form.unit_id.data)
    instrument = get_instrument_or_404(form.instrument_id.data)
    with service_call(form, "title") as call:
        saved = services.save_training(
            training, title=form.title.data, topic=db.get_or_404(Topic, form.topic_id.data), unit=unit,
            instrument=instrument, start_date=form.start_date.data, end_date=form.end_date.data,
            venue=form.venue.data or "", trainers=form.trainers.data or "",
            one_question_per_screen=form.one_question_per_screen.data,
            show_results_after_post=form.show_results_after_post.data, user=current_user)
    return saved if call.ok else None


@bp.route("/trainings/new", methods=["GET", "POST"])
@surveys_required
def create_training():
    form = _training_form(None)
    if request.method == "GET":
        form.trainers.data = current_user.full_name
    if form.validate_on_submit() and (training := _save_training_from(form, None)):
        flash(_("Đã tạo lớp tập huấn. Thêm người tham gia vào danh sách lớp."), "success")
        return redirect(url_for("surveys.show_training", training_id=training.id))
    return render_template("surveys/edit_training.html", form=form, training=None)


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@surveys_required
def edit_training(training_id: int):
    training = get_training_or_404(training_id)
    form = _training_form(training)
    if form.validate_on_submit() and _save_training_from(form, training):
        flash(_("Đã lưu."), "success")
        return redirect(url_for("surveys.show_training", training_id=training.id))
    return render_template("surveys/edit_training.html", form=form, training=training)


@bp.route("/trainings/<int:training_id>")
@surveys_required
def show_training(training_id: int):
    return _training_page(get_training_or_404(training_id))


def _training_page(training: Training, person_form: ParticipantForm | None = None, status: int = 200):
    """The training page; ``person_form`` is a refused "add a person" form, shown again with what
    was typed and each error beside its field (the page opens at it)."""
    rows = score_table(training)
    matched = [r for r in rows if r["gain"] is not None]
    summary = None
    if matched:
        n = len(matched)
        summary = {"n": n, "pre": sum(r["pre"].score for r in matched) / n,
                   "post": sum(r["post"].score for r in matched) / n, "gain": sum(r["gain"] for r in matched) / n}
    links = {p.phase: qr.public_url(p) for p in training.phases}
    if person_form is None:
        person_form = ParticipantForm(formdata=None)
        person_form.unit_id.choices = [(0, "—")] + training_unit_choices()
    return render_template("surveys/show_training.html", training=training, rows=rows, summary=summary,
                           links=links, qr_svgs={k: qr.qr_svg(v) for k, v in links.items()},
                           person_form=person_form, upload_form=UploadForm(), Phase=Phase,
                           max_score=training.version.max_score, offline=services.offline_counts(training),
                           reasons=services.offline.REASONS, voided=services.voided_responses(training),
                           rescores=rescore_history(training), namesakes=namesakes([r["person"] for r in rows]),
                           can_rescore=services.corrections.can_rescore(
                               training, training.version.instrument.current_version)), status


@bp.route("/trainings/<int:training_id>/<phase>/links")
@surveys_required
def personal_links(training_id: int, phase: str):
    """Each participant's own link and QR for this phase, to print and hand out (the shared
    link lists nobody); those who answered already are left out with ?todo=1."""
    training = get_training_or_404(training_id)
    state = training.phase(phase_or_404(phase))
    todo = request.args.get("todo") == "1"
    rows = [r for r in score_table(training) if not (todo and r[state.phase.value])]
    links = [(r["person"], qr.public_url(state, r["person"].id)) for r in rows]
    core.log_export(current_user, "training_personal_links", "Training", training.id, has_names=True,
                    rows=len(links))
    return render_template("surveys/personal_links.html", training=training, phase=state, todo=todo,
                           links=[(person, url, qr.qr_svg(url, scale=2)) for person, url in links])


@bp.route("/trainings/<int:training_id>/<phase>/qr.png")
@surveys_required
def phase_qr(training_id: int, phase: str):
    training = get_training_or_404(training_id)
    png = qr.qr_png(qr.public_url(training.phase(phase_or_404(phase))))
    return send_document(png, f"qr-{training.id}-{phase}.png", "image/png", personal=False, inline=True)


@bp.route("/trainings/<int:training_id>/<phase>/<any(open, close):action>", methods=["POST"])
@surveys_required
def set_phase(training_id: int, phase: str, action: str):
    training = get_training_or_404(training_id)
    state = services.set_phase_open(training, phase_or_404(phase), action == "open")
    label = _("trước tập huấn") if state.phase is Phase.pre else _("sau tập huấn")
    flash(_("Đã mở khảo sát %(phase)s.", phase=label) if state.is_open else
          _("Đã đóng khảo sát %(phase)s.", phase=label), "success")
    return redirect(url_for("surveys.show_training", training_id=training.id))


# --- roster ------------------------------------------------------------------------------

@bp.route("/trainings/<int:training_id>/participants", methods=["POST"])
@surveys_required
def add_participant(training_id: int):
    training = get_training_or_404(training_id)
    form = ParticipantForm()
    form.unit_id.choices = [(0, "—")] + training_unit_choices()
    if not form.validate_on_submit():
        return _training_page(training, form)
    with service_call(show=False) as call:
        person = _person_from(form, training)
        services.add_participant(training, person, current_user)
        if form.consent.data:
            services.ensure_consent(person, True, current_user)
    if not call.ok:
        show_service_error(form, call.error, "full_name",
                           fields={"person": "full_name", "unit": "unit_id", "consent": "consent"})
        return _training_page(training, form)
    flash(_("Đã thêm %(name)s (%(code)s) vào danh sách lớp.", name=person.full_name, code=person.code), "success")
    return redirect(url_for("surveys.show_training", training_id=training.id, _anchor="roster"))


def _person_from(form: ParticipantForm, training: Training) -> Person:
    """An existing person by code, else the matching or a new person from the details typed."""
    code = (form.code.data or "").strip()
    if code and not form.full_name.data:
        return person_by_code(code, current_user)
    if not form.full_name.data:
        raise ServiceError(_("Nhập mã của người đã có, hoặc họ tên của người mới."), "full_name")
    unit = (unit_in_scope_or_404(form.unit_id.data) if form.unit_id.data
            else home_commune(training.unit))
    person, _created = services.find_or_create_person(
        user=current_user, unit=unit, full_name=form.full_name.data, code=code or None,
        sex=Sex(form.sex.data) if form.sex.data else None, birth_year=form.birth_year.data,
        ethnicity_code=form.ethnicity_code.data or None)
    return person


@bp.route("/trainings/<int:training_id>/participants/<int:person_id>/remove", methods=["POST"])
@surveys_required
def remove_participant(training_id: int, person_id: int):
    training = get_training_or_404(training_id)
    participant = db.first_or_404(sa.select(Participant).where(Participant.training_id == training.id,
                                                               Participant.person_id == person_id))
    person = participant.person
    with service_call() as call:
        services.remove_participant(training, person)
    if call.ok:
        flash(_("Đã bỏ %(name)s khỏi danh sách lớp.", name=person.full_name), "success")
    return redirect(url_for("surveys.show_training", training_id=training.id, _anchor="roster"))


@bp.route("/trainings/import", methods=["GET", "POST"])
@surveys_required
def import_training():
    """A new training from an interchange workbook."""
    form = ImportTrainingForm()
    form.unit_id.choices = training_unit_choices()
    problems = []
    if form.validate_on_submit():
        unit = unit_in_scope_or_404(form.unit_id.data)
        data = form.file.data.read() if form.file.data else b""
        stash = request.form.get("stash", "")
        if not data and stash:  # "create a new training from this file" after a refused import
            data = take_stashed_upload(stash) or b""
            if not data:
                flash(_("Tệp đã hết hạn giữ tạm, vui lòng chọn lại tệp."), "error")
        with service_call(show=False) as call:
            report: dict = {}
            training = services.import_workbook(data, user=current_user, unit=unit, report=report)
        if isinstance(call.error, WorkbookError):
            problems = call.error.problems
        elif call.error:
            show_service_error(form, call.error, "file")
        else:
            flash(_("Đã nhập lớp tập huấn từ tệp: %(people)d người, %(responses)d câu trả lời.",
                    people=report.get("people", 0), responses=report.get("responses", 0)), "success")
            return redirect(url_for("surveys.show_training", training_id=training.id))
    return render_template("surveys/import_training.html", form=form, problems=problems)
