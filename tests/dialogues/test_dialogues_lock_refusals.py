"""A write the lock triggers (migration 0015) refuse reaches the user as a clear Vietnamese
message, not an untranslated IntegrityError and a 500: on a form (the typed text kept, nothing
saved), as a 409 page, and as one line from a CLI command, on SQLite and PostgreSQL alike.

The ORM's own checks refuse edits of approved minutes first; the triggers answer when those
checks passed, e.g. the minutes were approved by another request between this one's read and its
write. That race is reproduced by approving with plain SQL and letting the ORM's checks see the
dialogue as it was before (monkeypatched)."""
import pytest
import sqlalchemy as sa

from app.models import Role
from dialogues.models import Dialogue, DialogueQuestion

MESSAGE = "Biên bản đã duyệt và khóa"


@pytest.fixture
def approved_meanwhile(db, create_dialogue, monkeypatch):
    dialogue = create_dialogue(status="held", questions=1)
    dialogue_id, question_id = dialogue.id, dialogue.questions[0].id
    db.session.execute(sa.update(Dialogue.__table__).where(Dialogue.__table__.c.id == dialogue_id)
                       .values(status="approved"))
    db.session.commit()
    monkeypatch.setattr(Dialogue, "is_locked", property(lambda self: False))
    monkeypatch.setattr("dialogues.models.lock._was_locked", lambda dialogue: False)
    return dialogue_id, question_id


def _stored_content(db, question_id):
    db.session.rollback()
    return db.session.scalar(sa.select(DialogueQuestion.content).where(DialogueQuestion.id == question_id))


def test_a_save_the_triggers_refuse_comes_back_with_the_message_and_the_typed_text(client, db, login_as,
                                                                                   approved_meanwhile):
    dialogue_id, question_id = approved_meanwhile
    login_as(Role.commune, "02020")
    revision = db.session.scalar(sa.select(Dialogue.entry_revision).where(Dialogue.id == dialogue_id))
    response = client.post(f"/dialogues/{dialogue_id}/questions", data={
        "revision": revision, "questions-0-id": question_id, "questions-0-number": "1",
        "questions-0-origin": "on_day", "questions-0-raiser_kind": "person", "questions-0-is_raised": "y",
        "questions-0-raiser_name": "Bà Lan", "questions-0-content": "Nội dung sửa sau khi duyệt"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and MESSAGE in page
    assert "Nội dung sửa sau khi duyệt" in page  # nothing typed is lost
    assert "IntegrityError" not in page and "dialogue locked" not in page
    assert _stored_content(db, question_id) == "Nội dung ý kiến thử số 1"


def test_a_bulk_write_outside_a_service_answers_409_in_vietnamese(app, db, approved_meanwhile):
    _dialogue_id, question_id = approved_meanwhile
    with app.test_request_context("/dialogues/", headers={"Accept": "text/html"}):
        with pytest.raises(sa.exc.IntegrityError) as refused:
            db.session.execute(sa.update(DialogueQuestion.__table__)
                               .where(DialogueQuestion.__table__.c.id == question_id).values(content="Sửa lén"))
        response = app.make_response(app.handle_user_exception(refused.value))
        page = response.get_data(as_text=True)
    assert response.status_code == 409 and MESSAGE in page and "phụ lục đính chính" in page
    assert _stored_content(db, question_id) == "Nội dung ý kiến thử số 1"


def test_a_cli_command_the_triggers_refuse_prints_one_clear_line(runner, db, approved_meanwhile):
    dialogue_id, _question_id = approved_meanwhile
    result = runner.invoke(args=["dialogues", "add-question", str(dialogue_id), "--content", "Đề nghị sửa bể nước",
                                 "--anonymous"])
    assert result.exit_code == 1, result.output
    assert MESSAGE in result.output and "Traceback" not in result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DialogueQuestion)
                             .where(DialogueQuestion.dialogue_id == dialogue_id)) == 1
