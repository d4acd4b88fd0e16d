"""Settings of the dialogues feature: the editable list of question categories."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import can_edit_shared, roles_required, shared_list_filter
from app.extensions import db
from app.models import Role
from app.services import ServiceError
from dialogues import services
from dialogues.access import VIEW_ROLES, visible_questions
from dialogues.forms import CategoryForm
from dialogues.models import DialogueQuestion, QuestionCategory
from dialogues.views import bp
from dialogues.views._helpers import attach_error

# One national list keeps statistics comparable, so only administrators change it;
# province officers add and edit their province's own entries (app.auth.can_edit_shared).
EDIT_ROLES = (Role.province,)


@bp.route("/categories/", methods=["GET", "POST"])
@roles_required(*VIEW_ROLES)
def list_categories():
    can_edit = current_user.has_role(*EDIT_ROLES)
    form = CategoryForm()
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            try:
                category = services.save_category(None, name=form.name.data, is_active=True,
                                                  unit=None if current_user.is_admin else current_user.unit)
            except ServiceError as exc:
                attach_error(form, exc)
            else:
                flash(_("Đã thêm lĩnh vực “%(name)s”.", name=category.name), "success")
                return redirect(url_for("dialogues.list_categories"))
    usage = dict(db.session.execute(sa.select(DialogueQuestion.category_id, sa.func.count(DialogueQuestion.id))
                                    .where(visible_questions(current_user))
                                    .group_by(DialogueQuestion.category_id)).all())
    categories = db.session.scalars(sa.select(QuestionCategory)
                                    .where(shared_list_filter(current_user, QuestionCategory.unit_id))
                                    .order_by(QuestionCategory.position, QuestionCategory.name)).all()
    return render_template("dialogues/list_categories.html", form=form, categories=categories, usage=usage,
                           can_edit=can_edit, can_edit_entry=lambda c: can_edit and can_edit_shared(current_user, c.unit))


@bp.route("/categories/<int:category_id>", methods=["POST"])
@roles_required(*EDIT_ROLES)
def edit_category(category_id: int):
    category = db.session.scalar(sa.select(QuestionCategory).where(
        QuestionCategory.id == category_id, shared_list_filter(current_user, QuestionCategory.unit_id)))
    if category is None:
        abort(404)
    if not can_edit_shared(current_user, category.unit):
        abort(403)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            services.save_category(category, name=form.name.data, is_active=form.is_active.data)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(_("Đã lưu."), "success")
    else:
        flash(_("Vui lòng nhập tên lĩnh vực."), "error")
    return redirect(url_for("dialogues.list_categories"))
