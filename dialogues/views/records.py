"""Dialogue records: the list with counts, create and edit, the dialogue page, the roster,
and the question search."""
from __future__ import annotations


import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.auth import roles_required
from app.extensions import db
from app.models import Person, Unit
from app.services import service_call
from dialogues import queries, services
from dialogues.access import (MANAGE_ROLES, TOTALS_BY_UNIT_ROLES, VIEW_ROLES, can_manage, concerns_agency,
                              get_dialogue_or_404, is_agency_reader, visible_dialogues, visible_questions)
from dialogues.forms import (AddendumForm, DialogueFilterForm, DialogueForm, NoteForm, QuestionFilterForm,
                             RosterForm, new_token)
from dialogues.labels import (COMMITMENT_STATUS_LABELS, LEVEL_LABELS, ORIGIN_LABELS, OUTCOME_LABELS, RAISER_LABELS,
                              STATUS_LABELS, commitment_status, forward_label)
from dialogues.models import DialogueStatus
from app.official import union_display_name
from dialogues.blueprint import bp
from dialogues.views._helpers import (agency_choices, category_choices, expected_revision,
                                      handle_save_error, organising_unit_choices, refuse_if_locked, village_choices)

LABELS = dict(level_labels=LEVEL_LABELS, status_labels=STATUS_LABELS, origin_labels=ORIGIN_LABELS,
              raiser_labels=RAISER_LABELS, outcome_labels=OUTCOME_LABELS, Status=DialogueStatus,
              commitment_labels=COMMITMENT_STATUS_LABELS, commitment_status=commitment_status,
              forward_label=forward_label)


@bp.context_processor
def dialogue_labels():
    return LABELS


@bp.route("/")
@roles_required(*VIEW_ROLES)
def index():
    form = DialogueFilterForm(request.args)
    form.unit_id.choices = [("", _("Tất cả"))] + organising_unit_choices(current_user)
    form.category_id.choices = [("", _("Tất cả"))] + category_choices(include_inactive=True)
    form.validate()
    filters = queries.DialogueFilter(
        unit_id=form.unit_id.data if not form.unit_id.errors else None,
        date_from=form.date_from.data, date_to=form.date_to.data,
        status=form.status.data if not form.status.errors else None, q=(form.q.data or "").strip()[:100],
        category_id=form.category_id.data if not form.category_id.errors else None, counted=bool(form.counted.data))
    visible = visible_dialogues(current_user)
    page = db.paginate(queries.dialogue_list(filters, visible), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template(
        "dialogues/index.html", form=form, page=page, counts=queries.counts_for([d.id for d in page.items]),
        totals=queries.dialogue_totals(filters, visible),
        by_unit=queries.totals_by_unit(filters, visible) if current_user.has_role(*TOTALS_BY_UNIT_ROLES) else [],
        can_create=current_user.has_role(*MANAGE_ROLES))


def _dialogue_form_choices(form: DialogueForm, unit: Unit) -> None:
    form.set_choices(organising_unit_choices(current_user), village_choices(unit), agency_choices(unit))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def create_dialogue():
    unit = current_user.unit
    if request.method == "GET":
        form = DialogueForm(formdata=None, data={
            "token": new_token(), "unit_id": unit.id, "held_on": clock.today(),
            "organiser": union_display_name(unit) if unit.parent else ""})
    else:
        form = DialogueForm()
    _dialogue_form_choices(form, unit)
    row_list = request.form.get("add_row")
    if row_list in ("leaders", "groups"):
        if not form.add_row(row_list):
            flash(_("Đã đủ số dòng tối đa."), "error")
    elif form.validate_on_submit():
        with service_call(form) as call:
            dialogue = services.create_dialogue(form.to_data(), current_user, token=form.token.data)
        if call.ok:
            flash(_("Đã tạo cuộc đối thoại. Tiếp theo: nhập các ý kiến, kiến nghị."), "success")
            return redirect(url_for("dialogues.show_dialogue", dialogue_id=dialogue.id))
    return render_template("dialogues/edit_dialogue.html", form=form, dialogue=None)


@bp.route("/<int:dialogue_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit_dialogue(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    if locked := refuse_if_locked(dialogue):
        return locked
    form = DialogueForm() if request.method == "POST" else DialogueForm(formdata=None,
                                                                        data=DialogueForm.data_of(dialogue))
    _dialogue_form_choices(form, dialogue.unit)
    form.unit_id.render_kw = {"disabled": True}
    if request.method == "POST":
        form.unit_id.data = dialogue.unit_id  # the organising unit does not change
    row_list = request.form.get("add_row")
    if row_list in ("leaders", "groups"):
        if not form.add_row(row_list):
            flash(_("Đã đủ số dòng tối đa."), "error")
    elif form.validate_on_submit():
        with service_call(form, show=False) as call:
            services.update_dialogue(dialogue, form.to_data(), current_user, expected_revision=expected_revision(form))
        if call.error:
            if stale := handle_save_error(form, call.error,
                                          url_for("dialogues.edit_dialogue", dialogue_id=dialogue_id)):
                return stale
        else:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("dialogues.show_dialogue", dialogue_id=dialogue.id))
    return render_template("dialogues/edit_dialogue.html", form=form, dialogue=dialogue)


@bp.route("/<int:dialogue_id>")
@roles_required(*VIEW_ROLES)
def show_dialogue(dialogue_id: int):
    return dialogue_page(get_dialogue_or_404(dialogue_id))


def dialogue_page(dialogue, *, note_form=None, addendum_form=None, raised_ids=None):
    """The dialogue page; a refused held note, approval note or addendum comes back in its form
    with its text and the error, never lost in a redirect."""
    reader = is_agency_reader(current_user)
    manage = can_manage(current_user, dialogue)
    questions = queries.questions_for(dialogue, only=concerns_agency(current_user.agency_id) if reader else None)
    show_record = manage and not dialogue.is_locked
    if raised_ids is None:
        raised_ids = {q.id for q in questions if q.is_raised}
    pending = None  # (version, its job or None) while the worker makes the version the record wants
    if dialogue.is_locked:
        wanted = services.minutes.wanted_version(dialogue)
        if dialogue.current_issue is None or dialogue.current_issue.version < wanted:
            job = services.minutes.issue_job(dialogue, wanted)
            pending = (wanted, job if job is not None and job.user_id == current_user.id else None)
    return render_template(
        "dialogues/show_dialogue.html", dialogue=dialogue, manage=manage, agency_reader=reader,
        questions=questions, leaders=queries.leaders_for(dialogue),
        roster=[] if reader else queries.roster_breakdown(dialogue),
        problems=services.approval_problems(dialogue) if manage and dialogue.status is DialogueStatus.held else [],
        summary=services.record_summary(dialogue) if show_record else None,
        raised_ids=raised_ids, pending_issue=pending,
        note_form=note_form or NoteForm(formdata=None),
        addendum_form=addendum_form or AddendumForm(formdata=None, data={"token": new_token(),
                                                                         "written_on": clock.today()}))


# --- roster --------------------------------------------------------------------------------

@bp.route("/<int:dialogue_id>/roster", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit_roster(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    form = RosterForm()
    q = request.args.get("q", "").strip()[:100]
    if request.method == "POST" and form.validate_on_submit():
        if locked := refuse_if_locked(dialogue):
            return locked
        ids = [int(v) for v in request.form.getlist("person_id") if v.isdigit()]
        codes = [c.strip() for c in (form.person_codes.data or "").splitlines() if c.strip()]
        with service_call(form) as call:
            added = services.add_attendees(dialogue, ids, codes=codes, user=current_user)
        if call.ok:
            flash(_("Đã thêm %(n)d người vào danh sách điểm danh.", n=added), "success")
            return redirect(url_for("dialogues.edit_roster", dialogue_id=dialogue.id, q=q or None))
    candidates = []
    if q and not dialogue.is_locked:
        candidates = db.session.scalars(
            sa.select(Person).where(dialogue.unit.subtree_filter(Person.unit_id), Person.erased_dt.is_(None),
                                    sa.or_(Person.full_name.ilike(f"%{q}%"), Person.code.ilike(f"%{q}%")))
            .options(sa.orm.joinedload(Person.unit)).order_by(Person.name_key).limit(100)).all()
    return render_template("dialogues/edit_roster.html", dialogue=dialogue, form=form, q=q, candidates=candidates,
                           people=queries.roster_people(dialogue), roster=queries.roster_breakdown(dialogue))


@bp.route("/<int:dialogue_id>/roster/<int:person_id>/remove", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def remove_attendee(dialogue_id: int, person_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    if not NoteForm().validate_on_submit():
        abort(400)
    with service_call():
        services.remove_attendee(dialogue, person_id)
    return redirect(url_for("dialogues.edit_roster", dialogue_id=dialogue.id))


# --- question search -----------------------------------------------------------------------

@bp.route("/questions/")
@roles_required(*VIEW_ROLES)
def list_questions():
    form = QuestionFilterForm(request.args)
    form.category_id.choices = [("", _("Tất cả"))] + category_choices(include_inactive=True)
    form.unit_id.choices = [("", _("Tất cả"))] + organising_unit_choices(current_user)
    form.validate()
    stmt = queries.question_search(
        visible_questions(current_user), q=(form.q.data or "").strip()[:100],
        category_id=None if form.category_id.errors else form.category_id.data,
        outcome=None if form.outcome.errors else form.outcome.data,
        unit_id=None if form.unit_id.errors else form.unit_id.data,
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data, counted=bool(form.counted.data),
        repeated=bool(form.repeated.data))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("dialogues/list_questions.html", form=form, page=page)
