"""Follow-up screens: the commitments workspace (an authority's own items, or a union's),
a commitment's page with its timeline and evidence, the updates, the "previous results" PDF,
the indicators page and the reminder outbox."""
from __future__ import annotations


import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app import jobs
from app.auth import roles_required
from app.extensions import db
from app.official import send_document
from app.models import Agency
from app.services import service_call
from app import clock
from dialogues.access import (MANAGE_ROLES, VIEW_ROLES, can_manage, get_commitment_or_404, get_dialogue_or_404,
                              is_agency_reader, visible_commitments, visible_dialogues, visible_outbox)
from dialogues.follow_up import queries
from dialogues.follow_up.forms import (CommitmentFilterForm, ExtendForm, ForwardForm, IndicatorsForm, LetterForm,
                                       ReopenForm, UpdateForm, WithdrawForm)
from dialogues.follow_up.indicators import followup_indicators
from dialogues.follow_up.labels import EVENT_LABELS, INDICATOR_LABELS, SHARE_LABELS
from dialogues.follow_up.report import render_previous_results
from dialogues.models import Commitment, CommitmentAttachment, CommitmentStatus, Dialogue, OutboxMessage
from dialogues.services import follow_up as services
from dialogues.blueprint import bp
from dialogues.stamps import dialogue_stamp
from dialogues.views._helpers import agency_choices, category_choices, organising_unit_choices, read_unit_period


def _render(template: str, **context):
    return render_template(template, event_labels=EVENT_LABELS, CommitmentStatus=CommitmentStatus, **context)


# --- workspace ---------------------------------------------------------------------------

@bp.route("/commitments/")
@roles_required(*VIEW_ROLES)
def list_commitments():
    reader = is_agency_reader(current_user)
    form = CommitmentFilterForm(request.args)
    form.agency_id.choices = [("", _("Tất cả"))] + ([] if reader else _visible_agency_choices())
    form.category_id.choices = [("", _("Tất cả"))] + category_choices(include_inactive=True)
    form.unit_id.choices = [("", _("Tất cả"))] + ([] if reader else organising_unit_choices(current_user))
    form.word_statuses_for_kind()
    form.validate()
    filters = queries.CommitmentFilter(
        status=None if form.status.errors else form.status.data,
        agency_id=None if reader or form.agency_id.errors else form.agency_id.data,
        category_id=None if form.category_id.errors else form.category_id.data,
        unit_id=None if reader or form.unit_id.errors else form.unit_id.data,
        overdue=bool(form.overdue.data), counted=bool(form.counted.data), minutes_only=bool(form.minutes_only.data),
        kind=None if form.kind.errors else (form.kind.data or None), followed=bool(form.followed.data),
        q=(form.q.data or "").strip()[:100],
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data)
    today = clock.today()
    visible = visible_commitments(current_user)
    page = db.paginate(queries.commitment_list(filters, visible, today), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return _render("dialogues/list_commitments.html", form=form, page=page, today=today, reader=reader,
                   counts=queries.status_counts(filters, visible, today))


def _visible_agency_choices() -> list[tuple[int, str]]:
    """Agencies owning at least one commitment the user can see (one query)."""
    rows = db.session.execute(sa.select(Agency.id, Agency.name).where(
        Agency.id.in_(sa.select(Commitment.agency_id).where(visible_commitments(current_user))))
        .order_by(Agency.name)).all()
    return [(r.id, r.name) for r in rows]


# --- one commitment ----------------------------------------------------------------------

def _show(commitment, **forms):
    """The commitment page; ``forms`` replaces a fresh form by the one that failed validation."""
    update = forms.get("update") or UpdateForm.fresh()
    update.set_choices(commitment)
    forward = forms.get("forward") or ForwardForm.fresh()
    unit = commitment.question.dialogue.unit
    forward.agency_id.choices = [("", "—")] + [(i, n) for i, n in agency_choices(unit) if i != commitment.agency_id]
    linked = [c.id for c in [commitment.forwarded_from, *commitment.forwards] if c is not None]
    return _render(
        "dialogues/show_commitment.html", commitment=commitment, today=clock.today(),
        events=queries.timeline(commitment),
        dialogue_visible=db.session.scalar(sa.select(sa.func.count(Dialogue.id)).where(
            Dialogue.id == commitment.question.dialogue_id, visible_dialogues(current_user))) > 0,
        linked_visible=set(db.session.scalars(sa.select(Commitment.id).where(
            Commitment.id.in_(linked), visible_commitments(current_user)))) if linked else set(),
        update_form=update, forward_form=forward, extend_form=forms.get("extend") or ExtendForm.fresh(),
        reopen_form=forms.get("reopen") or ReopenForm.fresh(),
        letter_form=(forms.get("letter") or LetterForm.of(commitment))
        if commitment.is_petition and can_manage(current_user, commitment.question.dialogue) else None,
        withdraw_form=forms.get("withdraw") or WithdrawForm.fresh())


@bp.route("/commitments/<int:commitment_id>")
@roles_required(*VIEW_ROLES)
def show_commitment(commitment_id: int):
    return _show(get_commitment_or_404(commitment_id))


def _evidence(upload) -> services.Evidence | None:
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    # Read one byte past the limit: enough to refuse an oversized file without holding all of it.
    return services.Evidence(upload.filename, upload.stream.read(current_app.config["EVIDENCE_MAX_BYTES"] + 1))


def _submit(commitment_id: int, form_name: str, form_class, write, success):
    """The shape of every follow-up POST: load in scope, validate, one service call, then
    redirect with ``success(commitment, result)``, or show the page with the form's errors."""
    commitment = get_commitment_or_404(commitment_id)
    form = form_class()
    if form.validate_on_submit():
        with service_call(form) as call:
            result = write(commitment, form)
        if call.ok:
            flash(success(commitment, result), "success")
            return redirect(url_for("dialogues.show_commitment", commitment_id=commitment_id))
    return _show(commitment, **{form_name: form})


@bp.route("/commitments/<int:commitment_id>/update", methods=["POST"])
@roles_required(*VIEW_ROLES)
def update_commitment(commitment_id: int):
    return _submit(commitment_id, "update", UpdateForm, lambda c, f: services.update_commitment(
        c, current_user, status=f.status.data, note=f.note.data, evidence=_evidence(f.file.data), token=f.token.data),
        lambda c, _event: _("Đã cập nhật cam kết."))


@bp.route("/commitments/<int:commitment_id>/forward", methods=["POST"])
@roles_required(*VIEW_ROLES)
def forward_commitment(commitment_id: int):
    return _submit(commitment_id, "forward", ForwardForm, lambda c, f: services.forward_commitment(
        c, current_user, f.agency_id.data, f.note.data, f.deadline.data, token=f.token.data),
        lambda c, copy: _("Đã chuyển cam kết cho %(a)s.", a=copy.agency.name))


@bp.route("/commitments/<int:commitment_id>/extend", methods=["POST"])
@roles_required(*VIEW_ROLES)
def extend_commitment(commitment_id: int):
    return _submit(commitment_id, "extend", ExtendForm, lambda c, f: services.extend_deadline(
        c, current_user, f.deadline.data, f.reason.data, token=f.token.data),
        lambda c, _event: _("Đã gia hạn cam kết đến %(d)s.", d=c.deadline.strftime("%d/%m/%Y")))


@bp.route("/commitments/<int:commitment_id>/letter", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def record_letter(commitment_id: int):
    """A petition's forwarding letter, entered after approval by the union that forwarded it."""
    return _submit(commitment_id, "letter", LetterForm, lambda c, f: services.record_letter(
        c, current_user, f.letter_number.data, f.letter_date.data, f.deadline.data, f.note.data, token=f.token.data),
        lambda c, _event: _("Đã cập nhật văn bản chuyển."))


@bp.route("/commitments/<int:commitment_id>/reopen", methods=["POST"])
@roles_required(*VIEW_ROLES)
def reopen_commitment(commitment_id: int):
    return _submit(commitment_id, "reopen", ReopenForm, lambda c, f: services.reopen_commitment(
        c, current_user, f.reason.data, token=f.token.data), lambda c, _event: _("Đã mở lại cam kết."))


@bp.route("/commitments/<int:commitment_id>/files/<int:attachment_id>/withdraw", methods=["POST"])
@roles_required(*VIEW_ROLES)
def withdraw_evidence(commitment_id: int, attachment_id: int):
    """Withdraw evidence attached by mistake (kept in the history as withdrawn, never deleted)."""
    commitment = get_commitment_or_404(commitment_id)
    attachment = next((a for a in commitment.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return _submit(commitment_id, "withdraw", WithdrawForm, lambda c, f: services.withdraw_evidence(
        c, attachment, current_user, f.reason.data, token=f.token.data),
        lambda c, _event: _("Đã rút tệp minh chứng “%(name)s”; tệp vẫn còn trong lịch sử.", name=attachment.filename))


@bp.route("/commitments/<int:commitment_id>/files/<int:attachment_id>")
@roles_required(*VIEW_ROLES)
def download_evidence(commitment_id: int, attachment_id: int):
    commitment = get_commitment_or_404(commitment_id)
    attachment = db.session.scalar(sa.select(CommitmentAttachment).where(
        CommitmentAttachment.id == attachment_id, CommitmentAttachment.commitment_id == commitment.id))
    if attachment is None:
        abort(404)
    response = send_document(services.read_evidence(attachment), attachment.filename, attachment.content_type)
    # Always a download, never rendered in our origin, whatever the file holds.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- documents, indicators, outbox ---------------------------------------------------------

@bp.route("/<int:dialogue_id>/previous-results.pdf")
@roles_required(*MANAGE_ROLES)
@jobs.in_worker(stamp=dialogue_stamp)
def download_previous_results(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    pdf = render_previous_results(dialogue, current_user)
    return send_document(pdf, f"ket-qua-giai-quyet-ky-truoc-{dialogue.id}.pdf", "application/pdf", inline=True)


@bp.route("/indicators")
@roles_required(*MANAGE_ROLES)
def show_indicators():
    form = IndicatorsForm(request.args)
    unit, date_from, date_to = read_unit_period(form, current_user)
    if unit is None and not form.unit_id.errors:
        form.unit_id.errors = [_("Hãy chọn một đơn vị trong phạm vi của bạn.")]
    today = clock.today()
    figures = None
    if not any(f.errors for f in form):
        figures = followup_indicators(unit, date_from, date_to, today=today)
    return _render("dialogues/show_indicators.html", form=form, figures=figures, unit=unit, date_from=date_from,
                   date_to=date_to, today=today, indicator_labels=INDICATOR_LABELS, share_labels=SHARE_LABELS)


@bp.route("/outbox/")
@roles_required(*MANAGE_ROLES)
def list_outbox():
    stmt = (sa.select(OutboxMessage).where(visible_outbox(current_user))
            .options(sa.orm.joinedload(OutboxMessage.agency))
            .order_by(OutboxMessage.day.desc(), OutboxMessage.id.desc()))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return _render("dialogues/list_outbox.html", page=page)
