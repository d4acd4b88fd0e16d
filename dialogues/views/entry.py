"""The entry screen: questions, answers and commitments typed in meeting order.

Saved questions are listed compactly (one "Sửa" link each opens that row for editing); only new
rows and the row being edited are form rows, so a 12-question dialogue is a light page. "Thêm dòng"
and "Thêm cam kết" are submit buttons: the form comes back with one more blank row and every value
typed so far; ``app/static/js/entry.js`` does the same without a round trip, removes unsaved rows,
fills the answerer from the leader picked, and makes Enter move to the next field (it never
submits from a text box, with or without the script: the form's default button is disabled).

The screen has its own revision number (``Dialogue.entry_revision``): saving the record form does
not make it stale, and a refused save (another editor saved first) shows the stored questions with
the typed rows kept below them, unsaved.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import roles_required
from app.forms import show_service_error
from app.services import service_call
from dialogues import services
from dialogues.access import MANAGE_ROLES, get_dialogue_or_404
from dialogues.forms import EntryForm
from dialogues.models import DialogueStatus, QuestionOrigin
from dialogues.queries import questions_for
from dialogues.blueprint import bp
from dialogues.views._helpers import agency_choices, category_choices, refuse_if_locked, village_choices


def blank_row(dialogue, number: int) -> dict:
    """A new row: before the meeting questions are being collected; on the day they are raised."""
    before = dialogue.status is DialogueStatus.planned
    return {"number": number, "origin": QuestionOrigin.collected if before else QuestionOrigin.on_day,
            "is_raised": not before}


def _next_number(form: EntryForm, stored) -> int:
    typed = [row.form.number.data or 0 for row in form.questions if not row.form.number.errors]
    # rows typed without a number are numbered in order at save: count them too
    new_rows = sum(1 for row in form.questions if not str(row.form.id.data or "").isdigit())
    return max(typed + [q.number for q in stored] + [len(stored) + new_rows]) + 1


def _revision(form: EntryForm) -> int:
    value = form.revision.data or ""
    return int(value) if value.isdigit() else -1


def _keep_typed_rows(form: EntryForm, dialogue, stored) -> None:
    """After another editor saved first: the typed rows stay on the page, unsaved, below the stored
    questions. New rows lose their number (the next free ones are given at save), rows whose question
    was deleted meanwhile become new rows, and the form now carries the current revision."""
    ids = {q.id for q in stored}
    for entry in form.questions:
        f = entry.form
        if not str(f.id.data or "").isdigit() or int(f.id.data) not in ids:
            f.id.data = ""
            f.number.data = None
    form.revision.data = str(dialogue.entry_revision)


@bp.route("/<int:dialogue_id>/questions", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def enter_questions(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    if locked := refuse_if_locked(dialogue):
        return locked
    stored = questions_for(dialogue)
    editing = request.args.get("edit", type=int)
    if request.method == "POST":
        form = EntryForm()
    else:
        rows = [EntryForm.row_of(q) for q in stored if q.id == editing]
        next_number = max([q.number for q in stored] + [0]) + 1
        form = EntryForm(formdata=None, data={"revision": dialogue.entry_revision,
                                              "questions": rows or [blank_row(dialogue, next_number)]})
    form.set_choices(villages=village_choices(dialogue.unit), categories=category_choices(),
                     agencies=agency_choices(dialogue.unit),
                     higher_agencies=agency_choices(dialogue.unit, same_or_higher=True), leaders=dialogue.leaders)
    focus, kept = None, False
    if "add_row" in request.form:
        if form.add_question(blank_row(dialogue, _next_number(form, stored))):
            focus = form.questions.entries[-1].form.number.id
        else:
            flash(_("Đã đủ số dòng tối đa; hãy lưu trước khi thêm."), "error")
    elif "add_commitment" in request.form:
        index = request.form.get("add_commitment", "")
        if index.isdigit() and form.add_commitment(int(index)):
            focus = form.questions[int(index)].form.commitments.entries[-1].form.agency_id.id
    elif form.validate_on_submit():
        form.fill_answerers()
        with service_call(form, show=False) as call:
            saved = services.save_question_rows(dialogue, form.to_rows(), current_user,
                                                expected_revision=_revision(form))
        if call.error is None:
            flash(_("Đã lưu %(n)d ý kiến.", n=len(saved)), "success")
            if request.form.get("then") == "show":
                return redirect(url_for("dialogues.show_dialogue", dialogue_id=dialogue.id))
            return redirect(url_for("dialogues.enter_questions", dialogue_id=dialogue.id, _anchor="end"))
        if call.error.field == "revision":
            stored, kept = questions_for(dialogue), True
            _keep_typed_rows(form, dialogue, stored)
            flash(call.error.message, "error")
        else:
            for error in getattr(call.error, "errors", [call.error]):
                show_service_error(form, error)
    errors = form.error_list() if request.method == "POST" else []
    if errors:
        focus = errors[0][0]
    elif request.method == "POST" and not kept and focus is None:
        flash(_("Có ô nhập chưa đúng; xem các dòng báo đỏ bên dưới."), "error")
    if focus is None and request.method == "GET":
        focus = form.questions.entries[-1].form.raiser_name.id if not editing else None
    edited_ids = {int(e.form.id.data) for e in form.questions if str(e.form.id.data or "").isdigit()}
    return render_template("dialogues/enter_questions.html", dialogue=dialogue, form=form, focus=focus,
                           errors=errors, stored=[q for q in stored if q.id not in edited_ids], kept=kept,
                           template_form=_template_form(form),
                           leaders={leader.id: {"name": leader.name, "title": leader.title, "agency": leader.agency_id}
                                    for leader in dialogue.leaders})


def _template_form(form: EntryForm) -> dict:
    """The blank row and the blank commitment the script clones (``questions-0-`` renamed)."""
    forms = {}
    for name, data in (("question", {}), ("commitment", {"commitments": [{}]})):
        blank = EntryForm(formdata=None, data={"questions": [data]})
        blank.set_choices(**form._choices)
        forms[name] = blank.questions[0]
    return forms
