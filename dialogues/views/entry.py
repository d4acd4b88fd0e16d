"""The entry screen: questions, answers and commitments typed in meeting order.

"Thêm dòng" and "Thêm cam kết" are submit buttons: the form comes back with one more blank
row and every value typed so far (a small script does the same without a round trip).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import roles_required
from app.services import service_call
from dialogues import services
from dialogues.access import MANAGE_ROLES, get_dialogue_or_404
from dialogues.forms import EntryForm
from dialogues.models import DialogueStatus, QuestionOrigin
from dialogues.queries import questions_for
from dialogues.blueprint import bp
from dialogues.views._helpers import (agency_choices, category_choices, expected_revision, handle_save_error,
                                      refuse_if_locked, village_choices)


def blank_row(dialogue, number: int) -> dict:
    """A new row: before the meeting questions are being collected; on the day they are raised."""
    before = dialogue.status is DialogueStatus.planned
    return {"number": number, "origin": QuestionOrigin.collected if before else QuestionOrigin.on_day,
            "is_raised": not before}


def _next_number(form: EntryForm) -> int:
    return max([row.form.number.data or 0 for row in form.questions if not row.form.number.errors] + [0]) + 1


@bp.route("/<int:dialogue_id>/questions", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def enter_questions(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    if locked := refuse_if_locked(dialogue):
        return locked
    if request.method == "POST":
        form = EntryForm()
    else:
        rows = [EntryForm.row_of(q) for q in questions_for(dialogue)]
        next_number = max([r["number"] for r in rows] + [0]) + 1
        form = EntryForm(formdata=None, data={"revision": dialogue.revision,
                                              "questions": rows + [blank_row(dialogue, next_number)]})
    form.set_choices(villages=village_choices(dialogue.unit), categories=category_choices(),
                     agencies=agency_choices(dialogue.unit),
                     higher_agencies=agency_choices(dialogue.unit, same_or_higher=True))
    focus = None
    if "add_row" in request.form:
        if form.add_question(blank_row(dialogue, _next_number(form))):
            focus = form.questions.entries[-1].id
        else:
            flash(_("Đã đủ số dòng tối đa; hãy lưu trước khi thêm."), "error")
    elif "add_commitment" in request.form:
        index = request.form.get("add_commitment", "")
        if index.isdigit() and form.add_commitment(int(index)):
            focus = form.questions[int(index)].form.commitments.entries[-1].id
    elif form.validate_on_submit():
        with service_call(form, show=False) as call:
            saved = services.save_question_rows(dialogue, form.to_rows(), current_user,
                                                expected_revision=expected_revision(form))
        if call.error:
            if stale := handle_save_error(form, call.error,
                                          url_for("dialogues.enter_questions", dialogue_id=dialogue.id)):
                return stale
        else:
            flash(_("Đã lưu %(n)d ý kiến.", n=len(saved)), "success")
            if request.form.get("then") == "show":
                return redirect(url_for("dialogues.show_dialogue", dialogue_id=dialogue.id))
            return redirect(url_for("dialogues.enter_questions", dialogue_id=dialogue.id, _anchor="end"))
    elif request.method == "POST":
        flash(_("Có ô nhập chưa đúng; xem các dòng báo đỏ bên dưới."), "error")
    return render_template("dialogues/enter_questions.html", dialogue=dialogue, form=form, focus=focus)
