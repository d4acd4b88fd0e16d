"""The record follows the meeting (issue 14): a past-dated dialogue starts held; marking a planned
one held confirms which questions were raised; a question with an answer, outcome or commitment is
never "not raised"; approval shows what the minutes will say and is refused while the record
contradicts itself; a refused note or addendum comes back with its text; a CSRF-refused submit
shows its form again."""
import re
import time as clock_time
from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app.models import Role
from app.services import ServiceError
from dialogues import services
from dialogues.follow_up.indicators import followup_indicators
from dialogues.minutes import minutes_pdf
from dialogues.models import (AnswerOutcome, Dialogue, DialogueAnswer, DialogueQuestion, DialogueStatus,
                              DialogueStatusChange, QuestionOrigin)
from dialogues.models.lock import NotRaisedError
from dialogues.services import CommitmentRow, QuestionRow


def entry_row(i: int, **fields) -> dict:
    return {f"questions-{i}-{k}": v for k, v in fields.items()}


def page_fields(page: str, i: int) -> dict:
    """The origin and raised box the entry screen offers on its blank row, sent as row ``i`` (what a
    person submits; "Thêm dòng" gives the same blank row again)."""
    origin = re.search(r'name="questions-0-origin">(.*?)</select>', page, re.S)[1]
    raised = re.search(r'<input[^>]*name="questions-0-is_raised"[^>]*>', page)[0]
    return {f"questions-{i}-origin": re.search(r'<option selected value="(\w+)"', origin)[1],
            **({f"questions-{i}-is_raised": "y"} if "checked" in raised else {})}


def two_answered(page: str, ubnd_id: int) -> dict:
    data = {}
    for i, (content, answer) in enumerate([("Đề nghị sửa đường vào bản Nà Ngược", "Xã sẽ sửa trong quý IV"),
                                           ("Đề nghị mở lớp dạy nghề may", "Đã có lớp vào tháng sau")]):
        data.update(page_fields(page, i))
        data.update(entry_row(i, number=str(i + 1), raiser_kind="person", raiser_name=f"Bà {i + 1}",
                              content=content, answerer_name="Hoàng Văn Thắng", answer=answer,
                              outcome="answered", agency_id=str(ubnd_id)))
    return data


def minutes_and_figures(dialogue, pdf_text, officer):
    data, _name = minutes_pdf(dialogue, officer)
    figures = followup_indicators(dialogue.unit, dialogue.held_on, dialogue.held_on)
    return pdf_text(data), figures


# --- the bug of the issue, through the screens --------------------------------------------

def test_after_the_fact_journey_gives_minutes_with_both_questions(client, login_as, db, dialogue_form, agencies,
                                                                  pdf_text):
    """Past meeting -> two questions answered on the spot -> approve: the minutes list both with
    their answers and the indicators count them (they said "không có ý kiến" and 0 before)."""
    officer = login_as(Role.commune, "02020")
    response = client.post("/dialogues/new", data=dialogue_form(held_on=(clock.today() - timedelta(days=5)).isoformat()))
    assert response.status_code == 302
    dialogue = db.session.scalar(sa.select(Dialogue))
    assert dialogue.status is DialogueStatus.held  # the meeting has taken place
    page = client.get(f"/dialogues/{dialogue.id}/questions").get_data(as_text=True)
    ubnd = agencies["UBND-02020"].id
    response = client.post(f"/dialogues/{dialogue.id}/questions",
                           data={"revision": dialogue.revision, **two_answered(page, ubnd)})
    assert response.status_code == 302
    response = client.post(f"/dialogues/{dialogue.id}/approve", data={"note": ""})
    assert response.status_code == 302
    db.session.expire_all()
    dialogue = db.session.get(Dialogue, dialogue.id)
    assert dialogue.status is DialogueStatus.approved
    text, figures = minutes_and_figures(dialogue, pdf_text, officer)
    assert "không có ý kiến, kiến nghị nào" not in text
    for phrase in ("Đề nghị sửa đường vào bản Nà Ngược", "Xã sẽ sửa trong quý IV", "Đề nghị mở lớp dạy nghề may",
                   "Đã có lớp vào tháng sau"):
        assert phrase in text
    assert (figures["questions_raised"], figures["answered_on_spot"]) == (2, 2)


def test_planned_dialogue_marked_held_raises_its_answered_questions(client, login_as, db, create_dialogue, agencies,
                                                                    pdf_text):
    """Rows typed while planned are collected, not raised (the screen unticks the box); answered,
    they are raised, and marking held keeps them so."""
    officer = login_as(Role.commune, "02020")
    dialogue = create_dialogue()  # planned before its day, which has now come
    assert dialogue.status is DialogueStatus.planned
    page = client.get(f"/dialogues/{dialogue.id}/questions").get_data(as_text=True)
    data = two_answered(page, agencies["UBND-02020"].id)
    assert data["questions-0-origin"] == "collected" and "questions-0-is_raised" not in data
    assert client.post(f"/dialogues/{dialogue.id}/questions",
                       data={"revision": dialogue.revision, **data}).status_code == 302
    assert client.post(f"/dialogues/{dialogue.id}/held", data={"note": ""}).status_code == 302
    assert client.post(f"/dialogues/{dialogue.id}/approve", data={"note": ""}).status_code == 302
    db.session.expire_all()
    dialogue = db.session.get(Dialogue, dialogue.id)
    assert all(q.is_raised for q in dialogue.questions) and dialogue.is_locked
    text, figures = minutes_and_figures(dialogue, pdf_text, officer)
    assert "Đề nghị mở lớp dạy nghề may" in text and "Đã có lớp vào tháng sau" in text
    assert "không có ý kiến, kiến nghị nào" not in text
    assert (figures["questions_raised"], figures["answered_on_spot"]) == (2, 2)


# --- rules in the services ------------------------------------------------------------------

def test_a_dialogue_created_today_or_ahead_is_planned(db, units):
    from factories import dialogue_data

    for days, status in ((-1, DialogueStatus.held), (0, DialogueStatus.planned), (3, DialogueStatus.planned)):
        dialogue = services.create_dialogue(dialogue_data(units["02020"], held_on=clock.today() + timedelta(days=days)),
                                            None)
        assert dialogue.status is status
        assert [h.status for h in dialogue.history] == [status]


def collected(content, **kw):
    return QuestionRow(origin=QuestionOrigin.collected, is_raised=False, content=content, raiser_name="Chi hội",
                       **kw)


def test_marking_held_confirms_which_collected_questions_were_raised(db, create_dialogue, agencies):
    dialogue = create_dialogue()
    ubnd = agencies["UBND-02020"].id
    services.save_question_rows(dialogue, [
        collected("Có trả lời", answer="Đã trả lời", outcome=AnswerOutcome.answered),
        collected("Có cam kết", outcome=AnswerOutcome.accepted,
                  commitments=[CommitmentRow(agency_id=ubnd, description="Làm", deadline=clock.today() + timedelta(30))]),
        collected("Được nêu, chưa ghi trả lời"), collected("Không nêu")], None)
    by_content = {q.content: q for q in dialogue.questions}
    assert by_content["Có trả lời"].is_raised and by_content["Có cam kết"].is_raised  # answered: raised
    services.mark_held(dialogue, None, raised_ids=[by_content["Được nêu, chưa ghi trả lời"].id,
                                                   by_content["Có trả lời"].id * 1000])  # an id of nothing is ignored
    db.session.commit()
    assert {q.content: q.is_raised for q in dialogue.questions} == {
        "Có trả lời": True, "Có cam kết": True, "Được nêu, chưa ghi trả lời": True, "Không nêu": False}


def test_an_answered_question_can_never_be_not_raised(db, create_dialogue):
    dialogue = create_dialogue(status="held")
    services.save_question_rows(dialogue, [collected("Có trả lời", answer="Trả lời", outcome=AnswerOutcome.answered)],
                                None)
    question = dialogue.questions[0]
    assert question.is_raised  # the service raised it
    db.session.commit()
    question.is_raised = False  # a script
    with pytest.raises(NotRaisedError, match="Ý kiến số 1 đã có trả lời"):
        db.session.flush()
    db.session.rollback()
    # Nor by adding an answer to a question left not raised.
    services.save_question_rows(dialogue, [collected("Không nêu")], None)
    db.session.commit()
    left = next(q for q in dialogue.questions if not q.is_raised)
    left.answer = DialogueAnswer(content="Trả lời", outcome=AnswerOutcome.noted)
    with pytest.raises(NotRaisedError):
        db.session.flush()
    db.session.rollback()


def test_the_summary_counts_what_the_minutes_will_say(db, create_dialogue, agencies):
    dialogue = create_dialogue(status="held", questions=3, commitments=1)
    services.save_question_rows(dialogue, [collected("Không nêu")], None)
    summary = services.record_summary(dialogue)
    assert (summary.typed, summary.raised, summary.answered_on_spot, summary.accepted, summary.commitments,
            summary.forwarded, summary.not_raised) == (4, 3, 2, 1, 1, 0, 1)
    assert (summary.attendance_total, summary.attendance_women, summary.attendance_minority) == (50, 42, 45)


def test_approval_is_refused_while_no_typed_question_was_raised(db, create_dialogue):
    dialogue = create_dialogue()
    services.save_question_rows(dialogue, [collected("Một"), collected("Hai")], None)
    services.mark_held(dialogue, None, raised_ids=[])
    db.session.commit()
    with pytest.raises(ServiceError, match="đã nhập 2 ý kiến nhưng không ý kiến nào được ghi là đã nêu"):
        services.approve_minutes(dialogue, None)
    db.session.rollback()
    assert db.session.get(Dialogue, dialogue.id).status is DialogueStatus.held


def test_approval_is_refused_for_an_answered_question_stored_as_not_raised(db, create_dialogue):
    """Rows stored before the rule (or written below the ORM) are caught at approval."""
    dialogue = create_dialogue(status="held", questions=2)
    first = dialogue.questions[0]
    db.session.execute(sa.update(DialogueQuestion.__table__).where(DialogueQuestion.__table__.c.id == first.id)
                       .values(is_raised=False))
    db.session.expire_all()
    dialogue = db.session.get(Dialogue, dialogue.id)
    with pytest.raises(ServiceError, match="ý kiến số 1 đã có trả lời hoặc cam kết nhưng được ghi là chưa nêu"):
        services.approve_minutes(dialogue, None)


# --- the screens ----------------------------------------------------------------------------

def test_the_held_form_lists_questions_to_tick(client, login_as, db, create_dialogue):
    login_as(Role.commune, "02020")
    dialogue = create_dialogue()
    services.save_question_rows(dialogue, [collected("Đã trả lời", answer="Có", outcome=AnswerOutcome.answered),
                                           collected("Chưa rõ")], None)
    db.session.commit()
    answered, other = dialogue.questions
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert f'name="raised" value="{other.id}"' in page and f'value="{answered.id}"' not in page
    assert "đã có trả lời hoặc cam kết" in page
    assert client.post(f"/dialogues/{dialogue.id}/held", data={"raised": str(other.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(DialogueQuestion, other.id).is_raised


def test_the_approval_panel_shows_the_summary_and_the_reasons(client, login_as, db, create_dialogue):
    login_as(Role.commune, "02020")
    dialogue = create_dialogue()
    services.save_question_rows(dialogue, [collected("Một")], None)
    services.mark_held(dialogue, None, raised_ids=[])
    db.session.commit()
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "Biên bản sẽ ghi" in page and "Ý kiến được nêu tại hội nghị" in page
    assert "không ý kiến nào được ghi là đã nêu" in page


def test_a_refused_approval_note_comes_back_with_its_text(client, login_as, db, create_dialogue):
    login_as(Role.commune, "02020")
    dialogue = create_dialogue(status="held", secretary_name="")
    note = "Biên bản được thông qua lúc 11 giờ, " + "đủ thành phần " * 100
    response = client.post(f"/dialogues/{dialogue.id}/approve", data={"note": note})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and note.strip() in page and "chưa có tên thư ký" in page
    assert db.session.get(Dialogue, dialogue.id).status is DialogueStatus.held


def test_a_refused_held_note_comes_back_with_its_text_and_ticks(client, login_as, db, create_dialogue):
    login_as(Role.commune, "02020")
    dialogue = create_dialogue(held_on=clock.today() + timedelta(days=3))
    services.save_question_rows(dialogue, [collected("Một")], None)
    db.session.commit()
    question = dialogue.questions[0]
    response = client.post(f"/dialogues/{dialogue.id}/held",
                           data={"note": "Hội nghị đủ thành phần", "raised": str(question.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Hội nghị đủ thành phần" in page and "Chưa đến ngày đối thoại" in page
    assert f'value="{question.id}" checked' in page
    assert db.session.scalar(sa.select(sa.func.count(DialogueStatusChange.id))) == 1


def test_a_refused_addendum_comes_back_with_its_text(client, login_as, db, create_dialogue, quick_pdf):
    login_as(Role.commune, "02020")
    dialogue = create_dialogue(status="approved", questions=1)
    text = "Đính chính: số người tham dự là 52 người. " * 100
    response = client.post(f"/dialogues/{dialogue.id}/addenda", data={
        "text": text, "written_on": (clock.today() + timedelta(days=2)).strftime("%d/%m/%Y"), "token": "t1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and text.strip() in page
    assert "Ngày đính chính phải từ ngày đối thoại đến hôm nay." in page
    assert not db.session.get(Dialogue, dialogue.id).addenda


# --- a submit after the session's CSRF token expired ----------------------------------------

@pytest.fixture
def csrf_on(app):
    """csrf_on() turns CSRF checks on (after logging in), with tokens valid for one second."""
    yield lambda: app.config.update(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
    app.config.update(WTF_CSRF_ENABLED=False, WTF_CSRF_TIME_LIMIT=3600)


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]


def test_an_expired_csrf_token_shows_the_form_again_with_the_typed_values(client, login_as, db, dialogue_form,
                                                                          csrf_on, count):
    login_as(Role.commune, "02020")
    csrf_on()
    old = token_of(client.get("/dialogues/new").get_data(as_text=True))
    clock_time.sleep(2.1)  # older than WTF_CSRF_TIME_LIMIT (whole seconds: an age of 1 s still passes)
    data = dialogue_form(title="Đối thoại về sinh kế cho phụ nữ bản Bản Ca", conclusions="Kết luận dài đã gõ",
                         csrf_token=old)
    response = client.post("/dialogues/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count(Dialogue) == 0
    assert 'value="Đối thoại về sinh kế cho phụ nữ bản Bản Ca"' in page and "Kết luận dài đã gõ" in page
    assert "Những gì bạn đã nhập vẫn còn dưới đây" in page
    fresh = token_of(page)
    assert fresh != old
    assert client.post("/dialogues/new", data={**data, "csrf_token": fresh}).status_code == 302
    assert count(Dialogue) == 1


def test_a_missing_csrf_token_writes_nothing_on_a_form_that_shows_itself_again(client, login_as, db, create_dialogue,
                                                                               csrf_on, count):
    login_as(Role.commune, "02020")
    dialogue = create_dialogue(status="held", questions=1)
    csrf_on()
    response = client.post(f"/dialogues/{dialogue.id}/approve", data={"note": "Ghi chú đã gõ"})
    assert response.status_code == 400 and "Ghi chú đã gõ" in response.get_data(as_text=True)
    assert db.session.get(Dialogue, dialogue.id).status is DialogueStatus.held
