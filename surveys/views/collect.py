"""Collecting answers without the phone: the paper questionnaire (PDF), the fast grid where the
trainer types paper answers, and the interchange workbook (template, export, import)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import jobs, services as core
from app.extensions import db
from app.official import send_document
from app.pdf import render_pdf
from app.filters import namesakes
from app.models import Person
from app.forms import show_service_error
from app.services import service_call
from surveys import qr, services
from surveys.access import get_training_or_404, phase_or_404, respondent_key, surveys_required
from surveys.blueprint import bp
from surveys.stamps import training_stamp
from surveys.forms import UploadForm
from surveys.models import Phase, Response, ResponseSource, Training
from surveys.queries import counted, roster_stmt
from surveys.services.trainings import CONSENT_PURPOSE
from surveys.services.workbook import WorkbookError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roster(training: Training, phase: Phase) -> list[tuple[Person, int | None]]:
    """Roster in name order with the id of each person's live response in this phase (one query;
    a voided response frees her row for a new one)."""
    return db.session.execute(
        roster_stmt(training.id, Person, Response.id)
        .outerjoin(Response, sa.and_(Response.person_id == Person.id, Response.training_id == training.id,
                                     Response.phase == phase, counted()))
        .order_by(Person.name_key, Person.code)).all()


# --- grid entry of paper answers -----------------------------------------------------------

@bp.route("/trainings/<int:training_id>/<phase>/grid", methods=["GET", "POST"])
@surveys_required
def enter_grid(training_id: int, phase: str):
    """One participant at a time, one row per question; keyboard only (see static/js/grid.js).

    The grid never overwrites silently: a person who has a response opens read-only, and only an
    explicit edit mode (``edit=1``: a banner, the stored answers beside the inputs) changes it, on
    a confirmation ticked on save. A form with blanks is saved only when the trainer ticks that
    it is incomplete. "Save and next" goes to the next person without a response and, after the
    last one, back to the training page."""
    training = get_training_or_404(training_id)
    phase = phase_or_404(phase)
    roster = _roster(training, phase)
    if not roster:
        flash(_("Lớp chưa có người tham gia."), "error")
        return redirect(url_for("surveys.show_training", training_id=training.id))
    person_id = request.values.get("person", type=int)
    person = next((p for p, _r in roster if p.id == person_id), None)
    if person is None:
        if person_id is not None:
            abort(404)
        person = next((p for p, r in roster if r is None), None)
        if person is None:
            flash(_("Cả lớp đã có câu trả lời cho đợt này. Bấm vào điểm của một người để xem hoặc sửa."), "info")
            return redirect(url_for("surveys.show_training", training_id=training.id, _anchor="roster"))
    items = training.version.items
    existing = services.find_response(training, phase, person)
    stored = {a.item.key: (a.choice or a.text or "") for a in existing.answers} if existing else {}
    editing = existing is None or request.values.get("edit") == "1"
    values = dict(stored)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {it.key: request.form.get(it.key, "")[:2000] for it in items}
        answers, errors = services.parse_answers(items, values)
        blanks = [it for it in items if not values.get(it.key, "").strip()]
        if existing is not None and not request.form.get("confirm_replace"):
            errors["confirm_replace"] = _("%(name)s đã có câu trả lời: đánh dấu ô xác nhận để thay câu trả lời cũ.",
                                          name=person.full_name)
        if blanks and not request.form.get("incomplete"):
            errors["incomplete"] = _("Còn %(n)d câu để trống (câu %(list)s). Nếu phiếu đúng là bỏ trống, đánh dấu "
                                     "“Phiếu chưa đủ” rồi lưu.", n=len(blanks),
                                     list=", ".join(str(it.position) for it in blanks))
        if not errors:
            with service_call(show=False) as call:  # the grid shows its errors beside the answers
                services.save_response(training, phase, person, answers, source=ResponseSource.grid,
                                       user=current_user, consent_given=bool(request.form.get("consent")),
                                       replace=existing is not None)
            if call.error:
                errors["consent" if call.error.field == "consent" else "_form"] = call.error.message
            else:
                flash(_("Đã sửa câu trả lời của %(name)s.", name=person.full_name) if existing else
                      _("Đã lưu câu trả lời của %(name)s.", name=person.full_name), "success")
                following = _next_without_response(roster, person)
                if following is None:
                    flash(_("Đã nhập xong: mọi người trong lớp đã có câu trả lời cho đợt này."), "success")
                    return redirect(url_for("surveys.show_training", training_id=training.id))
                return redirect(url_for("surveys.enter_grid", training_id=training.id, phase=phase.value,
                                        person=following.id))
        editing = True
        flash(_("Chưa lưu: có %(n)d lỗi, xem các dòng tô đỏ.", n=len(errors)), "error")
    movable = [p for p, r in roster if r is None and p.id != person.id] if existing else []
    # Her row is open again because her response was voided: say so (the latest voided one).
    voided_before = None if existing else db.session.scalar(
        sa.select(Response).where(Response.training_id == training.id, Response.phase == phase,
                                  Response.person_id == person.id, Response.voided_dt.is_not(None))
        .order_by(Response.voided_dt.desc()).limit(1))
    return render_template("surveys/enter_grid.html", training=training, phase=phase, roster=roster,
                           person=person, items=items, values=values, errors=errors, existing=existing,
                           stored=stored, editing=editing, movable=movable, namesakes=namesakes(p for p, _r in roster),
                           voided_before=voided_before,
                           needs_consent=not person.has_consent(CONSENT_PURPOSE))


def _next_without_response(roster, current: Person) -> Person | None:
    """The next person after ``current`` (wrapping round) who has no response yet; None when
    everyone has one. ``roster`` was read before the save: ``current`` counts as answered."""
    ids = [p.id for p, _r in roster]
    start = ids.index(current.id) + 1
    for person, response_id in roster[start:] + roster[:start]:
        if response_id is None and person.id != current.id:
            return person
    return None


# --- paper questionnaire -----------------------------------------------------------------

# Layouts of the paper questionnaire: a whole questionnaire per person (one A4 page for up to
# about 12 questions, consent and signature on it), or one shared question booklet plus a small
# answer sheet per person (her code and QR, the answers as numbers to circle, consent, signature).
PAPER_LAYOUTS = ("sheets", "answers")
PAPER_TEMPLATES = {"sheets": "surveys/paper_questionnaire.html", "answers": "surveys/paper_answer_sheets.html"}


def _paper_options(values) -> tuple[bool, str]:
    """(only those without a response, layout) from the form or the query; unknown values fall back
    to the defaults (everyone, one questionnaire per person)."""
    layout = values.get("layout", "sheets")
    return values.get("todo") in ("1", "on", "y"), layout if layout in PAPER_LAYOUTS else "sheets"


def _paper_people(training: Training, phase: Phase, todo: bool) -> tuple[list[Person | None], set[str]]:
    """The roster in name order (with ``todo``, only those without a response in this phase); one
    blank sheet (None) when nobody is left, for a newcomer on the day. With the names borne twice
    on the whole roster: their sheets print birth year and village beside the code."""
    roster = _roster(training, phase)
    people = [p for p, response_id in roster if not (todo and response_id is not None)] or [None]
    return people, namesakes(p for p, _r in roster)


def answer_sheets_per_page(items) -> int:
    """How many answer sheets go on one A4 page: the answers sit in two columns of one line per
    question, so a sheet's height grows with half the number of questions."""
    rows = (len(items) + 1) // 2
    return 3 if rows <= 6 else 2 if rows <= 12 else 1


def _paper_parts(layout: str, people: list, url_of, items) -> list[dict]:
    """What the template renders, one item per printed unit that starts a new page (so the PDF can
    be made in parts): a sheet per person, or the booklet then pages of answer sheets."""
    sheets = [{"person": p, "qr": qr.qr_data_uri(url_of(p.id if p else None))} for p in people]
    if layout == "sheets":
        return sheets
    per_page = answer_sheets_per_page(items)
    return [{"booklet": True}] + [{"slips": sheets[i:i + per_page], "per_page": per_page}
                                  for i in range(0, len(sheets), per_page)]


@bp.route("/trainings/<int:training_id>/<phase>/paper.pdf")
@surveys_required
@jobs.in_worker(stamp=training_stamp)
def paper_pdf(training_id: int, phase: str):
    """One questionnaire per participant (name and code printed, QR to her own phone form), or
    the booklet and answer sheets (``layout=answers``); ``todo=1``: only those without a response.
    A blank one when nobody is on the list."""
    training = get_training_or_404(training_id)
    state = training.phase(phase_or_404(phase))
    todo, layout = _paper_options(request.args)
    people, twice = _paper_people(training, state.phase, todo)
    items = training.version.items
    parts = _paper_parts(layout, people, lambda person_id: qr.public_url(state, person_id), items)
    core.log_export(current_user, "training_paper_pdf", "Training", training.id, has_names=people != [None],
                    rows=len(people))
    pdf = render_pdf(PAPER_TEMPLATES[layout], training=training, phase=state.phase, sheets=parts, items=items,
                     namesakes=twice)
    return send_document(pdf, f"phieu-{training.id}-{state.phase.value}.pdf", "application/pdf", inline=True)


@bp.route("/trainings/<int:training_id>/<phase>/paper", methods=["POST"])
@surveys_required
def paper_job(training_id: int, phase: str):
    """The training page's one paper form: the questionnaire made in the job worker, in parts with
    progress (a class of hundreds takes minutes); a resent form finds the same job until the
    training's records change (jobs.document_key). Same options as paper_pdf, which makes it in the
    request when documents are not made in the worker (DOCUMENTS_IN_WORKER=0)."""
    training = get_training_or_404(training_id)
    state = training.phase(phase_or_404(phase))
    todo, layout = _paper_options(request.form)
    if not current_app.config.get("DOCUMENTS_IN_WORKER", True):
        return redirect(url_for("surveys.paper_pdf", training_id=training.id, phase=state.phase.value, layout=layout,
                                **({"todo": "1"} if todo else {})), 303)
    params = {"training_id": training.id, "phase": state.phase.value, "form_url": qr.public_url(state),
              "todo": todo, "layout": layout}
    job = jobs.submit("paper_questionnaire", params, jobs.document_key(current_user, "paper_questionnaire", params,
                                                                        training_stamp(training.id)),
                      current_user)
    return redirect(url_for("jobs.show_job", job_id=job.id), 303)


def make_paper_questionnaire(job, progress):
    """Job kind "paper_questionnaire": the same PDF as paper_pdf, rendered in parts with progress."""
    from urllib.parse import urlencode

    from app.models import User
    from app.pdf import render_pdf_in_parts

    training = db.session.get(Training, job.params["training_id"])
    phase = Phase(job.params["phase"])
    todo, layout = bool(job.params.get("todo")), job.params.get("layout", "sheets")
    people, twice = _paper_people(training, phase, todo)
    form_url = job.params["form_url"]
    state = training.phase(phase)
    items = training.version.items

    def url_of(person_id):
        return f"{form_url}?{urlencode({'p': respondent_key(state, person_id)})}" if person_id else form_url

    parts = _paper_parts(layout, people, url_of, items)
    pdf = render_pdf_in_parts(PAPER_TEMPLATES[layout], "sheets", parts, progress, training=training,
                              phase=phase, items=items, namesakes=twice)
    core.log_export(db.session.get(User, job.user_id), "training_paper_pdf", "Training", training.id,
                    has_names=people != [None], rows=len(people))
    return pdf, f"phieu-{training.id}-{phase.value}.pdf", "application/pdf"


jobs.register("paper_questionnaire", make_paper_questionnaire)


# --- workbook ------------------------------------------------------------------------------

@bp.route("/workbook-template.xlsx")
@surveys_required
def workbook_template():
    return send_document(services.blank_template(), "mau-tap-huan.xlsx", XLSX, personal=False)


@bp.route("/trainings/<int:training_id>/workbook.xlsx")
@surveys_required
@jobs.in_worker(stamp=training_stamp)
def export_workbook(training_id: int):
    """The training as the interchange workbook; ?template=1 leaves the answers empty."""
    training = get_training_or_404(training_id)
    template = request.args.get("template") == "1"
    data = services.export_workbook(training, with_answers=not template, user=current_user)
    name = f"tap-huan-{training.id}{'-mau' if template else ''}.xlsx"
    return send_document(data, name, XLSX)


@bp.route("/trainings/<int:training_id>/import", methods=["POST"])
@surveys_required
def import_answers(training_id: int):
    """Add the workbook's people and pre/post answers to this training (all or nothing), or the
    answers of a queue saved on an offline phone (a JSON file: each answer once, however often)."""
    training = get_training_or_404(training_id)

    report: dict = {}

    def do_import(data: bytes):
        if data.lstrip()[:1] == b"{":
            return services.import_queue_file(training, data, user=current_user)
        return services.import_workbook(data, user=current_user, training=training, report=report)

    def done(result) -> str:
        if isinstance(result, services.QueueImport):
            return _("Đã nhập hàng chờ từ điện thoại: %(stored)d câu trả lời mới, %(seen)d đã nhận từ trước, "
                     "%(refused)d bị từ chối (xem danh sách trên trang này).",
                     stored=result.stored, seen=result.seen, refused=result.refused)
        if not report.get("rows") and not report.get("answer_rows"):
            return _("Tệp chưa có người nào và câu trả lời nào (như tệp mẫu trống) nên chưa lưu gì.")
        message = _("Đã nhập từ tệp: %(people)d người mới vào danh sách lớp, %(responses)d câu trả lời mới "
                    "(những câu trả lời đã có và giống hệt thì bỏ qua).", people=report.get("people", 0),
                    responses=report.get("responses", 0))
        if report.get("voided"):
            message += " " + _("%(n)d câu trả lời trong tệp giống hệt câu trả lời đã hủy nên không được nhập lại.",
                               n=report["voided"])
        return message

    return _import_into(training, do_import, done)


@bp.route("/trainings/<int:training_id>/participants/import", methods=["POST"])
@surveys_required
def import_roster(training_id: int):
    """Add the people of a workbook's ``participants`` sheet to the roster (all or nothing)."""
    training = get_training_or_404(training_id)
    report: dict = {}

    def done(added: int) -> str:
        if not report.get("rows"):
            return _("Trang “Người tham gia” (“participants”) của tệp chưa có người nào (như tệp mẫu trống) nên chưa lưu gì.")
        return _("Đã thêm %(n)d người vào danh sách lớp.", n=added)

    return _import_into(training, lambda data: services.import_roster(data, training=training, user=current_user,
                                                                      report=report), done)


def _import_into(training: Training, do_import, done_message):
    """Run an import of the uploaded file; on problems show them all, on success go back."""
    form = UploadForm()
    data = form.file.data.read() if form.validate_on_submit() and form.file.data else b""
    with service_call(show=False) as call:
        result = do_import(data)
    if isinstance(call.error, WorkbookError):
        return render_template("surveys/import_problems.html", training=training, problems=call.error.problems)
    if isinstance(call.error, services.ForeignWorkbook):
        from surveys.forms import ImportTrainingForm
        from surveys.views.common import stash_upload, training_unit_choices

        new_form = ImportTrainingForm(formdata=None, unit_id=training.unit_id)
        new_form.unit_id.choices = training_unit_choices()
        return render_template("surveys/import_foreign.html", training=training, error=call.error,
                               stash=stash_upload(data), form=new_form), 409
    if call.error:
        show_service_error(None, call.error)
    else:
        flash(done_message(result), "success")
    return redirect(url_for("surveys.show_training", training_id=training.id, _anchor="roster"))
