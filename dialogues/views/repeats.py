"""Repeat petitions: earlier questions of the unit like the one being typed (``dialogues.similar``).

``GET /dialogues/<id>/similar?q=...`` answers a small HTML fragment for the entry screen's
script (``fragment=1``) and, without JavaScript, the same list as a page of its own, reached
from the "Ý kiến tương tự" link of a saved question (``question_id=``) or its search box.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request

from app.auth import roles_required
from app.extensions import db
from dialogues.access import MANAGE_ROLES, get_dialogue_or_404
from dialogues.blueprint import bp
from dialogues.models import DialogueQuestion
from dialogues.similar import similar_questions


@bp.route("/<int:dialogue_id>/similar")
@roles_required(*MANAGE_ROLES)
def similar(dialogue_id: int):
    dialogue = get_dialogue_or_404(dialogue_id, "manage")
    text = request.args.get("q", "")[:2000]
    question = None
    if (question_id := request.args.get("question_id", type=int)) is not None:
        question = db.session.scalar(sa.select(DialogueQuestion).where(
            DialogueQuestion.id == question_id, DialogueQuestion.dialogue_id == dialogue.id))
        if question is None:
            abort(404)
        text = question.content
    suggestions = similar_questions(dialogue, text)
    template = "dialogues/_similar.html" if request.args.get("fragment") == "1" else "dialogues/similar.html"
    return render_template(template, dialogue=dialogue, q=text, question=question, suggestions=suggestions,
                           row=request.args.get("row", ""))
