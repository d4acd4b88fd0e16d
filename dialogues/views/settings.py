"""Settings of the dialogues feature: the editable list of question categories."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import roles_required
from app.extensions import db
from app.services import service_call
from dialogues import services
from dialogues.access import CATEGORY_EDIT_ROLES, VIEW_ROLES, visible_questions
from dialogues.forms import CategoryForm
from dialogues.models import DialogueQuestion, QuestionCategory
from dialogues.blueprint import bp


@bp.route("/categories/", methods=["GET", "POST"])
@roles_required(*VIEW_ROLES)
def list_categories():
    can_edit = current_user.has_role(*CATEGORY_EDIT_ROLES)
    form = CategoryForm()
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            with service_call(form) as call:
                category = services.save_category(None, name=form.name.data, is_active=True)
            if call.ok:
                flash(_("Đã thêm lĩnh vực “%(name)s”.", name=category.name), "success")
                return redirect(url_for("dialogues.list_categories"))
    usage = dict(db.session.execute(sa.select(DialogueQuestion.category_id, sa.func.count(DialogueQuestion.id))
                                    .where(visible_questions(current_user))
                                    .group_by(DialogueQuestion.category_id)).all())
    categories = db.session.scalars(sa.select(QuestionCategory)
                                    .order_by(QuestionCategory.position, QuestionCategory.name)).all()
    return render_template("dialogues/list_categories.html", form=form, categories=categories, usage=usage,
                           can_edit=can_edit)


@bp.route("/categories/<int:category_id>", methods=["POST"])
@roles_required(*CATEGORY_EDIT_ROLES)
def edit_category(category_id: int):
    category = db.session.get(QuestionCategory, category_id)
    if category is None:
        abort(404)
    form = CategoryForm()
    if form.validate_on_submit():
        with service_call() as call:
            services.save_category(category, name=form.name.data, is_active=form.is_active.data)
        if call.ok:
            flash(_("Đã lưu."), "success")
    else:
        flash(_("Vui lòng nhập tên lĩnh vực."), "error")
    return redirect(url_for("dialogues.list_categories"))
