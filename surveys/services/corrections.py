"""Correcting collected data: void and restore a response, move it to the right person, delete
or archive a training, and re-score a training's responses when its test's answer key or points
were fixed. Every change lands in the audit log (the models are auditable); re-scoring also keeps
each response's score before and after (``Rescore``).

A voided response is kept: it is listed on the training page with its reason and it can be
restored; every statistic leaves it out through ``surveys.queries.counted``. It no longer holds
the person's slot for the phase: a new response (grid, phone, workbook, API) may take its place
(one LIVE response per person and phase, a partial unique index), and restoring the voided one is
then refused.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.filters import dmy
from app.models import Person, User, utcnow
from app.services import ServiceError
from surveys.models import Answer, InstrumentVersion, OfflineRefusal, Rescore, Response, Training
from surveys.services.responses import find_response, score
from surveys.services.trainings import CONSENT_PURPOSE, has_responses, is_on_roster

MAX_REASON = 300


def void_response(response: Response, reason: str, user: User | None) -> Response:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("Vui lòng ghi lý do hủy câu trả lời."), "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(_("Không được dài quá %(max)d ký tự.", max=MAX_REASON), "reason")
    if response.voided_dt is not None:
        raise ServiceError(_("Câu trả lời này đã bị hủy từ trước."), "reason")
    response.voided_dt, response.void_reason = utcnow(), reason
    response.voided_by_id = user.id if user else None
    db.session.flush()
    return response


def restore_response(response: Response) -> Response:
    if response.voided_dt is None:
        raise ServiceError(_("Câu trả lời này chưa bị hủy."), "response")
    live = find_response(response.training, response.phase, response.person)
    if live is not None:
        raise ServiceError(_("Không khôi phục được: %(name)s đã có câu trả lời mới cho đợt này (nhập ngày %(date)s). "
                             "Hủy câu trả lời mới trước nếu muốn dùng lại câu trả lời cũ.",
                             name=response.person.full_name, date=dmy(live.submitted_dt)),
                           "response")
    response.voided_dt = response.void_reason = response.voided_by_id = None
    db.session.flush()
    return response


def move_response(response: Response, person: Person, user: User | None) -> Response:
    """Give a response typed under the wrong name (a namesake) to the person who answered."""
    if person.id == response.person_id:
        raise ServiceError(_("Câu trả lời này đã là của %(name)s.", name=person.full_name), "person")
    training = response.training
    if person.erased_dt is not None or not is_on_roster(training, person):
        raise ServiceError(_("%(name)s không có trong danh sách lớp.", name=person.full_name), "person")
    if user is not None and not user.can_see_unit(person.unit):
        raise ServiceError(_("Người này nằm ngoài phạm vi của bạn."), "person")
    if find_response(training, response.phase, person) is not None:
        raise ServiceError(_("%(name)s đã có câu trả lời cho đợt này: hủy câu trả lời đó trước nếu nó sai.",
                             name=person.full_name), "person")
    if not person.has_consent(CONSENT_PURPOSE):
        raise ServiceError(_("%(name)s chưa đồng ý cho lưu thông tin nên câu trả lời không được lưu.",
                             name=person.full_name), "person")
    response.person_id = person.id
    response.updated_dt = utcnow()
    db.session.flush()
    db.session.expire(response, ["person"])
    return response


def delete_training(training: Training) -> None:
    """Only a training without any response (voided ones included) is deleted; archive the others."""
    if has_responses(training):
        raise ServiceError(_("Lớp đã có câu trả lời nên không xóa được; hãy lưu trữ lớp."), "training")
    db.session.execute(sa.delete(OfflineRefusal).where(OfflineRefusal.training_id == training.id))
    db.session.delete(training)
    db.session.flush()


def set_archived(training: Training, archived: bool) -> Training:
    training.archived_dt = utcnow() if archived else None
    db.session.flush()
    return training


def _question_shape(version: InstrumentVersion) -> list[tuple]:
    """What a respondent saw: the questions and options, without the answer key and points."""
    return [(it.position, it.text, it.kind, list(it.options), it.has_dont_know) for it in version.items]


def can_rescore(training: Training, version: InstrumentVersion) -> bool:
    return (version.id != training.version_id and version.instrument_id == training.version.instrument_id
            and _question_shape(version) == _question_shape(training.version))


def rescore_training(training: Training, version: InstrumentVersion, user: User | None) -> int:
    """Adopt ``version`` (the same questions and options, another answer key or points) and
    re-score every response of the training (voided ones too, so a restore shows the right score),
    keeping each score before and after. Returns how many responses were re-scored."""
    if not can_rescore(training, version):
        raise ServiceError(_("Phiên bản mới của bài kiểm tra đổi câu hỏi hoặc lựa chọn nên không chấm lại được."),
                           "version")
    old = training.version
    new_items = {it.position: it for it in version.items}
    old_position = {it.id: it.position for it in old.items}
    responses = db.session.scalars(sa.select(Response).where(Response.training_id == training.id)
                                   .order_by(Response.id)).all()
    now = utcnow()
    for response in responses:
        before, max_before = response.score, response.max_score
        total = 0
        for answer in db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id)):
            item = new_items[old_position.get(answer.item_id) or answer.item.position]
            if answer.choice is not None:
                answer.points, answer.is_dont_know = score(item, answer.positions)
            total += answer.points or 0
            answer.item_id = item.id
        response.score, response.max_score, response.version_id = total, version.max_score, version.id
        db.session.add(Rescore(training_id=training.id, response_id=response.id, from_version_id=old.id,
                               to_version_id=version.id, score_before=before, max_before=max_before,
                               score_after=total, max_after=version.max_score, rescored_dt=now,
                               rescored_by_id=user.id if user else None))
    training.version_id = version.id
    training.rescored_dt = now
    db.session.flush()
    db.session.expire(training, ["version"])
    return len(responses)


def voided_responses(training: Training) -> list[Response]:
    return db.session.scalars(sa.select(Response).where(Response.training_id == training.id,
                                                        Response.voided_dt.is_not(None))
                              .order_by(Response.voided_dt)).all()
