"""Correcting collected data from the training page and the grid: void, restore and move a
response; delete or archive a training; adopt a corrected answer key and re-score. POST only,
each answering with a flash and a redirect (no JavaScript needed)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.services import service_call
from surveys import services
from surveys.access import get_training_or_404, surveys_required
from surveys.blueprint import bp
from app.models import Person
from surveys.models import Response
from surveys.queries import roster_stmt


def _response_or_404(training, response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if response is None or response.training_id != training.id:
        abort(404)
    return response


def _back(training, response=None):
    if request.form.get("back") == "grid" and response is not None:
        return redirect(url_for("surveys.enter_grid", training_id=training.id, phase=response.phase.value,
                                person=response.person_id))
    return redirect(url_for("surveys.show_training", training_id=training.id, _anchor="corrections"))


@bp.route("/trainings/<int:training_id>/responses/<int:response_id>/void", methods=["POST"])
@surveys_required
def void_response(training_id: int, response_id: int):
    training = get_training_or_404(training_id)
    response = _response_or_404(training, response_id)
    with service_call() as call:
        services.void_response(response, request.form.get("reason", "")[:1000], current_user)
    if call.ok:
        flash(_("Đã hủy câu trả lời của %(name)s: không còn được tính trong kết quả (có thể khôi phục).",
                name=response.person.full_name), "success")
    return _back(training, response)


@bp.route("/trainings/<int:training_id>/responses/<int:response_id>/restore", methods=["POST"])
@surveys_required
def restore_response(training_id: int, response_id: int):
    training = get_training_or_404(training_id)
    response = _response_or_404(training, response_id)
    with service_call() as call:
        services.restore_response(response)
    if call.ok:
        flash(_("Đã khôi phục câu trả lời của %(name)s.", name=response.person.full_name), "success")
    return _back(training, response)


@bp.route("/trainings/<int:training_id>/responses/<int:response_id>/move", methods=["POST"])
@surveys_required
def move_response(training_id: int, response_id: int):
    training = get_training_or_404(training_id)
    response = _response_or_404(training, response_id)
    person = db.session.scalar(roster_stmt(training.id).where(Person.id == request.form.get("person_id", type=int)))
    if person is None:
        flash(_("Vui lòng chọn một người trong danh sách lớp."), "error")
        return _back(training, response)
    old_name = response.person.full_name
    with service_call() as call:
        services.move_response(response, person, current_user)
    if call.ok:
        flash(_("Đã chuyển câu trả lời của %(old)s sang %(name)s.", old=old_name, name=person.full_name), "success")
    return _back(training, response)


@bp.route("/trainings/<int:training_id>/delete", methods=["POST"])
@surveys_required
def delete_training(training_id: int):
    training = get_training_or_404(training_id)
    title = training.title
    with service_call() as call:
        services.delete_training(training)
    if call.ok:
        flash(_("Đã xóa lớp “%(title)s”.", title=title), "success")
        return redirect(url_for("surveys.index"))
    return redirect(url_for("surveys.show_training", training_id=training.id))


@bp.route("/trainings/<int:training_id>/<any(archive, unarchive):action>", methods=["POST"])
@surveys_required
def archive_training(training_id: int, action: str):
    training = get_training_or_404(training_id)
    services.set_archived(training, action == "archive")
    flash(_("Đã lưu trữ lớp: lớp không còn trong danh sách, kết quả vẫn được giữ và tính.")
          if action == "archive" else _("Đã đưa lớp ra khỏi lưu trữ."), "success")
    return redirect(url_for("surveys.show_training", training_id=training.id))


@bp.route("/trainings/<int:training_id>/rescore", methods=["POST"])
@surveys_required
def rescore_training(training_id: int):
    training = get_training_or_404(training_id)
    version = training.version.instrument.current_version
    with service_call() as call:
        n = services.rescore_training(training, version, current_user)
    if call.ok:
        flash(_("Đã dùng phiên bản %(v)d của bài kiểm tra và chấm lại %(n)d câu trả lời.", v=version.number, n=n),
              "success")
    return redirect(url_for("surveys.show_training", training_id=training.id, _anchor="corrections"))


def rescore_history(training) -> list:
    from surveys.models import Rescore

    return db.session.execute(
        sa.select(Rescore, Person).join(Response, Response.id == Rescore.response_id)
        .join(Person, Person.id == Response.person_id).where(Rescore.training_id == training.id)
        .order_by(Rescore.rescored_dt.desc(), Person.name_key, Person.code)).all()
