"""The state machine (planned -> held -> approved) and the lock on approved minutes: edits are
refused by form, CLI, direct service call and direct ORM change; follow-up may still move a
commitment's status and deadline."""
from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app.models import Role
from dialogues import services
from dialogues.models import (Addendum, Commitment, CommitmentStatus, Dialogue, DialogueStatus, DialogueStatusChange,
                              InvalidTransition, LockedError, DialogueQuestion)
from dialogues.services import QuestionRow


def test_transitions_leave_history_rows_with_who_when_and_note(create_dialogue, create_user, db):
    officer = create_user(Role.commune, "02020")
    dialogue = create_dialogue(actor=officer, questions=1)
    services.mark_held(dialogue, officer, "Đủ thành phần")
    services.approve_minutes(dialogue, officer, "Thông qua tại hội nghị")
    db.session.commit()
    history = db.session.scalars(sa.select(DialogueStatusChange).where(DialogueStatusChange.dialogue_id == dialogue.id)
                                 .order_by(DialogueStatusChange.id)).all()
    assert [h.status for h in history] == [DialogueStatus.planned, DialogueStatus.held, DialogueStatus.approved]
    assert all(h.user_id == officer.id and h.created_dt is not None for h in history)
    assert [h.note for h in history[1:]] == ["Đủ thành phần", "Thông qua tại hội nghị"]
    assert dialogue.approved_by_id == officer.id and dialogue.is_locked


@pytest.mark.parametrize("status, action", [
    ("planned", "approve"),   # must be held first
    ("held", "held"),         # already held
    ("approved", "held"),     # no way back
    ("approved", "approve"),  # approved once
])
def test_invalid_transitions_are_refused(create_dialogue, db, status, action):
    dialogue = create_dialogue(status=status, questions=1)
    before = db.session.scalar(sa.select(sa.func.count(DialogueStatusChange.id)))
    with pytest.raises(InvalidTransition):
        if action == "held":
            services.mark_held(dialogue, None)
        else:
            services.approve_minutes(dialogue, None)
    db.session.rollback()
    assert db.session.get(Dialogue, dialogue.id).status.value == status
    assert db.session.scalar(sa.select(sa.func.count(DialogueStatusChange.id))) == before


def test_a_future_dialogue_cannot_be_marked_held(create_dialogue):
    dialogue = create_dialogue(held_on=clock.today() + timedelta(days=3))
    with pytest.raises(InvalidTransition, match="Chưa đến ngày đối thoại"):
        services.mark_held(dialogue, None)


def test_approval_lists_what_is_missing(create_dialogue, db):
    dialogue = create_dialogue(status="held", secretary_name="", end_time=None)
    services.save_question_rows(dialogue, [QuestionRow(content="Chưa trả lời", raiser_name="Bà A")], None)
    with pytest.raises(services.minutes.ServiceError) as error:
        services.approve_minutes(dialogue, None)
    message = error.value.message
    assert "giờ kết thúc" in message and "thư ký" in message and "ý kiến số 1 chưa có kết quả" in message
    db.session.rollback()
    assert db.session.get(Dialogue, dialogue.id).status is DialogueStatus.held


# --- the lock ----------------------------------------------------------------------------------

def test_direct_service_calls_on_a_locked_dialogue_are_refused(create_dialogue, units, db, create_person):
    dialogue = create_dialogue(status="approved", questions=2, commitments=1)
    question = dialogue.questions[0]
    attempts = [
        lambda: services.update_dialogue(dialogue, services.DialogueData(
            title="Tiêu đề mới", level=dialogue.level, unit_id=dialogue.unit_id, held_on=dialogue.held_on), None),
        lambda: services.add_question(dialogue, QuestionRow(content="Ý kiến thêm", raiser_name="Bà B"), None),
        lambda: services.save_question_rows(dialogue, [QuestionRow(id=question.id, number=question.number,
                                                                   content="Sửa nội dung", raiser_name="Bà A")], None),
        lambda: services.save_question_rows(dialogue, [QuestionRow(id=question.id, delete=True, content="x")], None),
        lambda: services.add_attendees(dialogue, [create_person().id]),
        lambda: services.remove_attendee(dialogue, 1),
    ]
    for attempt in attempts:
        with pytest.raises(LockedError):
            attempt()
        db.session.rollback()
    fresh = db.session.get(Dialogue, dialogue.id)
    assert fresh.title != "Tiêu đề mới" and len(fresh.questions) == 2
    assert fresh.questions[0].content == "Nội dung ý kiến thử số 1"


@pytest.mark.parametrize("change", ["dialogue", "question", "answer", "commitment_text", "new_question", "delete"])
def test_direct_orm_changes_are_refused_at_flush(create_dialogue, db, change):
    dialogue = create_dialogue(status="approved", questions=1, commitments=1)
    question = dialogue.questions[0]
    if change == "dialogue":
        dialogue.attendance_total = 99
    elif change == "question":
        question.content = "Đã sửa"
    elif change == "answer":
        question.answer.content = "Đã sửa"
    elif change == "commitment_text":
        question.commitments[0].description = "Đã sửa"
    elif change == "new_question":
        db.session.add(DialogueQuestion(dialogue=dialogue, number=2, content="Thêm"))
    else:
        db.session.delete(question)
    with pytest.raises(LockedError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(DialogueQuestion, question.id).content == "Nội dung ý kiến thử số 1"


def test_follow_up_may_still_update_a_commitments_status_and_deadline(create_dialogue, db):
    dialogue = create_dialogue(status="approved", questions=1, commitments=1)
    commitment = dialogue.questions[0].commitments[0]
    promised = commitment.original_deadline
    commitment.status = CommitmentStatus.in_progress
    commitment.deadline = promised + timedelta(days=30)
    db.session.commit()
    fresh = db.session.get(Commitment, commitment.id)
    assert fresh.status is CommitmentStatus.in_progress and fresh.original_deadline == promised


def test_editing_a_locked_dialogue_by_form_is_refused(client, login_as, create_dialogue, db, dialogue_form):
    dialogue = create_dialogue(status="approved", questions=1)
    login_as(Role.commune, "02020")
    data = dialogue_form(dialogue, title="Sửa sau khi khóa")
    response = client.post(f"/dialogues/{dialogue.id}/edit", data=data, follow_redirects=True)
    assert "hồ sơ đối thoại đã khóa" in response.get_data(as_text=True)
    entry = client.post(f"/dialogues/{dialogue.id}/questions", data={
        "revision": dialogue.revision, "questions-0-content": "Ý kiến thêm", "questions-0-raiser_name": "Bà C",
        "questions-0-origin": "on_day", "questions-0-raiser_kind": "person"}, follow_redirects=True)
    assert "hồ sơ đối thoại đã khóa" in entry.get_data(as_text=True)
    db.session.expire_all()
    fresh = db.session.get(Dialogue, dialogue.id)
    assert fresh.title != "Sửa sau khi khóa" and len(fresh.questions) == 1


def test_editing_a_locked_dialogue_by_cli_is_refused(runner, create_dialogue, db):
    dialogue = create_dialogue(status="approved", questions=1)
    result = runner.invoke(args=["dialogues", "add-question", str(dialogue.id), "--content", "Ý kiến thêm",
                                 "--raised-by", "Bà D"])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "đã khóa" in lines[0]
    assert db.session.scalar(sa.select(sa.func.count(DialogueQuestion.id))) == 1


def test_addenda_only_after_approval_and_not_twice_on_resubmit(create_dialogue, db, client, login_as):
    held = create_dialogue(status="held", questions=1)
    with pytest.raises(services.minutes.ServiceError, match="chưa được duyệt"):
        services.add_addendum(held, "Đính chính", None)
    db.session.rollback()
    dialogue = create_dialogue(status="approved", questions=1)
    login_as(Role.commune, "02020")
    form = {"token": "abc123", "text": "Đính chính tên người trả lời ý kiến 1.", "written_on": clock.today().isoformat()}
    assert client.post(f"/dialogues/{dialogue.id}/addenda", data=form).status_code == 302
    assert client.post(f"/dialogues/{dialogue.id}/addenda", data=form).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Addendum.id))) == 1
    db.session.expire_all()
    assert len(db.session.get(Dialogue, dialogue.id).issues) == 2
