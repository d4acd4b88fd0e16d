"""Status changes, approval and addenda, the minutes PDF (draft or issued versions), the
"verify a copy" page and the header settings of each union."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import jobs
from app.auth import roles_required, unit_in_scope_or_404
from app import official, throttle
from app.extensions import db
from app.models import UnitLevel
from app.services import service_call
from dialogues import services
from dialogues.access import MANAGE_ROLES, VIEW_ROLES, get_dialogue_or_404, visible_dialogues
from dialogues.forms import AddendumForm, CheckForm, HeaderForm, NoteForm, VerifyForm
from dialogues.minutes import issued_minutes_pdf, minutes_pdf
from dialogues.blueprint import bp
from dialogues.stamps import dialogue_stamp
from dialogues.views.records import dialogue_page


def _back(dialogue_id: int):
    return redirect(url_for("dialogues.show_dialogue", dialogue_id=dialogue_id))


def _change_status(dialogue_id: int, change, success, issue: bool = False, **extra):
    """Mark held or approve: one service call; on success its message and back to the dialogue
    (after an approval, to the minutes being made), on refusal the page again with the typed note
    and the reason beside it."""
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    form = NoteForm()
    if form.validate_on_submit():
        with service_call(form, "note") as call:
            change(dialogue, current_user, form.note.data, **extra)
        if call.ok:
            flash(success(dialogue), "success")
            return _issued(dialogue) if issue else _back(dialogue_id)
    return dialogue_page(dialogue, note_form=form, raised_ids=extra.get("raised_ids"))


@bp.route("/<int:dialogue_id>/held", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def mark_held(dialogue_id: int):
    # The ticks of the collected questions that were raised (those answered are raised anyway).
    raised = {int(v) for v in request.form.getlist("raised") if v.isdigit() and len(v) < 12}
    return _change_status(dialogue_id, services.mark_held, lambda d: _(
        "Đã ghi nhận cuộc đối thoại đã tổ chức. Hoàn thiện biên bản rồi duyệt."), raised_ids=raised)


@bp.route("/<int:dialogue_id>/approve", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def approve_minutes(dialogue_id: int):
    # The approval (number, lock) commits at once; the PDF is rendered by the job worker.
    return _change_status(dialogue_id, lambda *args: services.approve_minutes(*args, in_worker=True), lambda d: _(
        "Đã duyệt biên bản số %(number)s. Hồ sơ đã khóa.", number=d.minutes_number_text), issue=True)


@bp.route("/<int:dialogue_id>/addenda", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def add_addendum(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    form = AddendumForm()
    if form.validate_on_submit():
        with service_call(form, "text") as call:
            services.add_addendum(dialogue, form.text.data, current_user, token=form.token.data,
                                  written_on=form.written_on.data, in_worker=True)
        if call.ok:
            flash(_("Đã thêm phụ lục đính chính; biên bản được phát hành lại (lần %(n)d).",
                    n=services.minutes.wanted_version(dialogue)), "success")
            return _issued(dialogue)
    return dialogue_page(dialogue, addendum_form=form)


def _issued(dialogue):
    """After an approval or an addendum: its version is rendered by the worker once committed (at once
    with JOBS_IMMEDIATE). Made: back to the dialogue, whose download is the new version; else the
    job's page, which shows the progress and then the file."""
    db.session.commit()  # the short transaction ends here; the job is queued after it
    job = services.minutes.issue_job(dialogue, services.minutes.wanted_version(dialogue))
    if job is None or job.state == jobs.DONE or job.user_id != current_user.id:
        return _back(dialogue.id)
    return redirect(url_for("jobs.show_job", job_id=job.id), 303)


def _pdf_response(data: bytes, filename: str):
    return official.send_document(data, filename, "application/pdf", inline=True)


@bp.route("/<int:dialogue_id>/minutes.pdf")
@roles_required(*VIEW_ROLES)
@jobs.in_worker(stamp=dialogue_stamp)
def download_minutes(dialogue_id: int):
    """The latest issued version; before approval, a numberless draft (for managers only)."""
    found = minutes_pdf(get_dialogue_or_404(dialogue_id), current_user)
    if found is None:
        abort(404)
    return _pdf_response(*found)


@bp.route("/<int:dialogue_id>/minutes/v<int:version>.pdf")
@roles_required(*VIEW_ROLES)
def download_issue(dialogue_id: int, version: int):
    found = issued_minutes_pdf(get_dialogue_or_404(dialogue_id), version, current_user)
    if found is None:
        abort(404)
    return _pdf_response(*found)


@bp.route("/verify", methods=["GET", "POST"])
@roles_required(*VIEW_ROLES)
def verify_minutes():
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        typed = services.minutes.normalise_hash(form.sha256.data)
        visible = visible_dialogues(current_user)
        if upload:
            result = services.verify_copy(upload.read(), visible)
        elif re.fullmatch(r"[0-9a-f]{64}", typed):
            result = services.verification_by_hash(typed, visible)
        else:
            form.file.errors = [_("Hãy chọn tệp PDF, hoặc dán mã SHA-256 gồm 64 ký tự 0-9, a-f.")]
    return render_template("dialogues/verify_minutes.html", form=form, result=result)


def _checks_limited() -> str:
    return _("Địa chỉ mạng của bạn đã tra cứu biên bản quá nhiều lần trong một phút. Vui lòng đợi một phút "
             "rồi thử lại.")


@bp.route("/check", methods=["GET", "POST"])
@bp.route("/check/<code>")
@throttle.limit_rate("check", None, "DIALOGUE_CHECKS_PER_MINUTE_ADDRESS", _checks_limited)
def check_document(code: str | None = None):
    """Public (no login): does a code or a file match an issued version? Answers the number, date,
    issuer, version and whether it is current or superseded; never the content."""
    import hashlib

    form = CheckForm(formdata=None, data={"code": code or request.args.get("code", "")}) \
        if request.method == "GET" else CheckForm()
    result, asked = None, False
    if request.method == "GET" and form.code.data:
        asked, result = True, services.minutes.public_check(code=form.code.data)
    elif request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            asked = True
            result = services.minutes.public_check(digest=hashlib.sha256(upload.read()).hexdigest())
        elif form.code.data:
            asked, result = True, services.minutes.public_check(code=form.code.data)
        else:
            form.code.errors = [_("Hãy nhập mã xác thực, hoặc chọn tệp PDF.")]
    return render_template("dialogues/check_document.html", form=form, result=result, asked=asked)


@bp.route("/header/<int:unit_id>", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit_header(unit_id: int):
    unit = unit_in_scope_or_404(unit_id)
    if unit.level not in (UnitLevel.commune, UnitLevel.province):
        abort(404)
    current = official.header_lines(unit)
    form = HeaderForm() if request.method == "POST" else HeaderForm(formdata=None, data=current)
    if form.validate_on_submit():
        with service_call(form) as call:
            services.save_header(unit, parent_body=form.parent_body.data or "", issuing_body=form.issuing_body.data,
                                 number_suffix=form.number_suffix.data, place_name=form.place_name.data)
        if call.ok:
            flash(_("Đã lưu tiêu đề biên bản của %(unit)s.", unit=unit.name), "success")
            return redirect(url_for("dialogues.edit_header", unit_id=unit.id))
    return render_template("dialogues/edit_header.html", form=form, unit=unit,
                           default=official.default_header(unit))
