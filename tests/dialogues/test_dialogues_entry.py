"""The entry screen: questions, answers and commitments in meeting order, rows added without
losing what was typed, everything validated before anything is stored."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import ethnicities
from app.models import Role, Sex
from dialogues import services
from dialogues.models import DialogueAnswer, AnswerOutcome, Commitment, Dialogue, DialogueQuestion, QuestionOrigin
from dialogues.services import QuestionRow


def row(i: int, **fields) -> dict:
    """POST fields of entry row ``i``."""
    base = {"origin": "on_day", "raiser_kind": "person", "is_raised": "y"}
    return {f"questions-{i}-{k}": v for k, v in {**base, **fields}.items() if v is not None}


def post(client, dialogue, *rows, revision=None, **extra):
    data = {"revision": dialogue.entry_revision if revision is None else revision, **extra}
    for r in rows:
        data.update(r)
    return client.post(f"/dialogues/{dialogue.id}/questions", data=data)


@pytest.fixture
def officer(login_as):
    return login_as(Role.commune, "02020")


def test_entry_page_lists_questions_and_a_blank_row(client, officer, create_dialogue):
    """Saved questions are listed compactly (each with a "Sửa" link); the form holds one blank row."""
    dialogue = create_dialogue(questions=2)
    page = client.get(f"/dialogues/{dialogue.id}/questions").get_data(as_text=True)
    form = page.split('id="entry"')[1].split("</form>")[0]
    assert "Nội dung ý kiến thử số 2" in page.split('id="entry"')[0]
    assert 'name="questions-0-content"' in form and 'name="questions-1-content"' not in form
    assert 'value="3"' in form  # the blank row proposes the next number
    edit = re.findall(r'href="([^"]*edit=\d+[^"]*)"', page)
    assert len(edit) == 2
    one = client.get(edit[1].replace("&amp;", "&")).get_data(as_text=True).split('id="entry"')[1]
    assert "Nội dung ý kiến thử số 2" in one and 'name="questions-0-id"' in one
    # before the meeting, a new row is a collected question, not yet raised
    origin = re.search(r'name="questions-0-origin">(.*?)</select>', form, re.S)[1]
    assert '<option selected value="collected">' in origin


def test_add_row_keeps_typed_values_and_stores_nothing(client, officer, create_dialogue, count):
    dialogue = create_dialogue(status="held")
    page = post(client, dialogue, row(0, number="1", content="Đề nghị sửa đường vào bản", raiser_name="Bà Lan",
                                      answer="Xã sẽ kiểm tra"), add_row="1").get_data(as_text=True)
    assert "Đề nghị sửa đường vào bản" in page and 'value="Bà Lan"' in page and "Xã sẽ kiểm tra" in page
    # The next number is proposed (the hidden revision once made a bare 'value="2"' pass by chance).
    assert 'name="questions-1-content"' in page and re.search(r'name="questions-1-number"[^>]*value="2"', page)
    assert "autofocus" in page.split('name="questions-1-')[0][-800:] or "autofocus" in page
    assert count(DialogueQuestion) == 0


def test_add_commitment_row_under_a_question(client, officer, create_dialogue, count):
    dialogue = create_dialogue(status="held")
    page = post(client, dialogue, row(0, content="Kiến nghị", raiser_name="Bà Lan"), row(1, content="Khác",
                raiser_name="Bà Nga"), add_commitment="1").get_data(as_text=True)
    page = page.split('id="entry"')[1].split("</form>")[0]  # not the script's <template> rows
    assert 'name="questions-1-commitments-0-description"' in page
    assert 'name="questions-0-commitments-0-description"' not in page
    assert count(Commitment) == 0


def test_save_creates_questions_answers_and_commitments(client, officer, create_dialogue, agencies, categories, db):
    dialogue = create_dialogue(status="held")
    deadline = (dialogue.held_on + timedelta(days=30)).isoformat()
    response = post(client, dialogue,
                    row(0, content="Đề nghị hỗ trợ vốn vay chăn nuôi", raiser_name="Triệu Thị Lan",
                        category_id=categories["credit"], agency_id=agencies["UBND-02020"].id,
                        answerer_name="Hoàng Văn Thắng", answer="Tiếp thu", outcome="accepted",
                        **{"commitments-0-agency_id": agencies["UBND-02020"].id,
                           "commitments-0-description": "Lập danh sách hộ cần vay",
                           "commitments-0-deadline": deadline,
                           "commitments-1-agency_id": agencies["VHXH-02020"].id,
                           "commitments-1-description": "Tuyên truyền chính sách vay",
                           "commitments-1-deadline": deadline}),
                    row(1, content="", raiser_name=""),  # the spare blank row
                    row(2, content="Chị em bị lừa qua mạng", raiser_kind="anonymous", raiser_name="Tên bị bỏ",
                        raiser_sex="F", ethnicity_code=ethnicities.code_for_name("Dao"),
                        answer="Không chuyển tiền cho người lạ", outcome="answered"))
    assert response.status_code == 302
    questions = db.session.scalars(sa.select(DialogueQuestion).order_by(DialogueQuestion.number)).all()
    assert [q.number for q in questions] == [1, 2]  # the blank row is skipped, numbers follow on
    first, second = questions
    assert first.answer.outcome is AnswerOutcome.accepted
    assert [c.description for c in first.commitments] == ["Lập danh sách hộ cần vay", "Tuyên truyền chính sách vay"]
    assert all(c.deadline == c.original_deadline for c in first.commitments)
    assert second.raiser_name == "" and second.raiser_sex is Sex.female and second.raiser_ethnicity_code == "09"


def test_double_submit_creates_nothing_twice(client, officer, create_dialogue, count):
    dialogue = create_dialogue(status="held")
    revision = dialogue.entry_revision
    data = row(0, content="Một ý kiến", raiser_name="Bà A", answer="Đã trả lời", outcome="answered")
    assert post(client, dialogue, data, revision=revision).status_code == 302
    second = post(client, dialogue, data, revision=revision)
    assert second.status_code == 200  # refused, the typed row kept on the page, unsaved
    page = second.get_data(as_text=True)
    assert "vừa được lưu ở một lần gửi khác" in page and "Các dòng bạn vừa gõ (chưa lưu)" in page
    assert count(DialogueQuestion) == 1 and count(DialogueAnswer) == 1


@pytest.mark.parametrize("fields, message", [
    ({"content": "", "raiser_name": "Bà Nga"}, "Nội dung ý kiến số 2 đang để trống"),
    ({"content": "Ý kiến", "raiser_name": ""}, "nhập tên người nêu ý kiến"),
    ({"content": "Ý kiến", "raiser_kind": "group", "raiser_name": ""}, "nhập tên nhóm"),
    ({"content": "Ý kiến", "raiser_name": "A", "agency_id": "999999"}, "Không có cơ quan này"),
    ({"content": "Ý kiến", "raiser_name": "A", "agency_id": "UBND-02086"}, "Không có cơ quan này"),
    ({"content": "Ý kiến", "raiser_name": "A", "answer": "Trả lời"}, "chọn kết quả tại hội nghị"),
    ({"content": "Ý kiến", "raiser_name": "A", "outcome": "answered"}, "hãy ghi nội dung trả lời"),
    ({"content": "Ý kiến", "raiser_name": "A", "outcome": "forwarded"}, "hãy chọn cơ quan nhận"),
    # an agency of the commune itself is a transfer (allowed); another commune's is not on the branch
    ({"content": "Ý kiến", "raiser_name": "A", "outcome": "forwarded", "forwarded_agency_id": "UBND-02086"},
     "Không có cơ quan này trong danh sách"),
    ({"content": "Ý kiến", "raiser_name": "A", "outcome": "forwarded", "forwarded_agency_id": "UBND-02020",
      "forward_deadline": "BEFORE"}, "phải từ ngày đối thoại"),
    ({"content": "Ý kiến", "raiser_name": "A", "outcome": "bogus"}, "Lựa chọn không hợp lệ."),
    ({"content": "Ý kiến", "raiser_name": "A", "number": "hai"}, "Hãy nhập một số nguyên."),
    ({"content": "Ý kiến", "raiser_name": "A", "number": "1"}, "Số thứ tự 1 bị trùng"),
    ({"content": "Ý kiến", "raiser_name": "A", "person_code": "KHONG-CO"}, "Không có người tham gia mã “KHONG-CO”"),
    ({"content": "Ý kiến", "raiser_name": "A", "village_id": "NA_NGUOC"}, "không thuộc Xã Chợ Đồn"),
    ({"content": "Ý kiến", "raiser_name": "A", "ethnicity_code": "99"}, "Lựa chọn không hợp lệ."),
    ({"content": "Ý kiến", "raiser_name": "A", "category_id": "999999"}, "Lĩnh vực không có trong danh sách."),
    ({"content": "x" * 10001, "raiser_name": "A"}, "Không được dài quá 10000 ký tự."),
    ({"content": "Ý kiến", "raiser_name": "A", "commitments-0-description": "Làm gì đó"},
     "chọn cơ quan chịu trách nhiệm"),
    ({"content": "Ý kiến", "raiser_name": "A", "commitments-0-description": "Làm", "commitments-0-agency_id":
      "UBND-02020"}, "nhập thời hạn thực hiện cam kết"),
    ({"content": "Ý kiến", "raiser_name": "A", "commitments-0-description": "Làm", "commitments-0-agency_id":
      "UBND-02020", "commitments-0-deadline": "BEFORE"}, "không thể trước ngày đối thoại"),
    ({"content": "Ý kiến", "raiser_name": "A", "commitments-0-agency_id": "UBND-02020",
      "commitments-0-deadline": "AFTER"}, "ghi rõ nội dung cam kết"),
])
def test_bad_rows_store_nothing(client, officer, create_dialogue, agencies, units, count, fields, message):
    dialogue = create_dialogue(status="held")
    replace = {"UBND-02086": agencies["UBND-02086"].id, "UBND-02020": agencies["UBND-02020"].id,
               "NA_NGUOC": units["na_nguoc"].id, "BEFORE": (dialogue.held_on - timedelta(days=1)).isoformat(),
               "AFTER": (dialogue.held_on + timedelta(days=9)).isoformat()}
    fields = {k: replace.get(v, v) for k, v in fields.items()}
    good = row(0, content="Ý kiến hợp lệ", raiser_name="Bà Lan", number="1", answer="Đã trả lời", outcome="answered")
    response = post(client, dialogue, good, row(1, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert "Ý kiến hợp lệ" in response.get_data(as_text=True)  # what was typed is still there
    assert count(DialogueQuestion) == 0 and count(DialogueAnswer) == 0 and count(Commitment) == 0


def test_numbers_can_be_swapped_and_questions_deleted(client, officer, create_dialogue, db):
    dialogue = create_dialogue(status="held", questions=3)
    q1, q2, q3 = dialogue.questions
    response = post(client, dialogue,
                    row(0, id=q1.id, number="2", content=q1.content, raiser_name="A", answer="x", outcome="answered"),
                    row(1, id=q2.id, number="1", content=q2.content, raiser_name="B", answer="y", outcome="answered"),
                    row(2, id=q3.id, number="3", content=q3.content, raiser_name="C", delete="y"))
    assert response.status_code == 302
    db.session.expire_all()
    remaining = {q.id: q.number for q in db.session.scalars(sa.select(DialogueQuestion))}
    assert remaining == {q1.id: 2, q2.id: 1}


def test_a_collected_question_is_marked_raised_on_the_day(client, officer, create_dialogue, db):
    dialogue = create_dialogue()
    services.save_question_rows(dialogue, [QuestionRow(origin=QuestionOrigin.collected, is_raised=False,
                                                       content="Thu thập trước", raiser_name="Chi hội bản Bản Ca")],
                                None)
    services.mark_held(dialogue, None)
    db.session.commit()
    question = dialogue.questions[0]
    assert not question.is_raised
    response = post(client, dialogue, row(0, id=question.id, number="1", origin="collected", is_raised="y",
                                          content=question.content, raiser_name=question.raiser_name))
    assert response.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(DialogueQuestion, question.id)
    assert fresh.is_raised and fresh.origin is QuestionOrigin.collected


def test_person_code_fills_the_statistics_fields(client, officer, create_dialogue, create_person, db):
    person = create_person(full_name="Giàng Thị Mỷ", sex=Sex.female, ethnicity_code=ethnicities.code_for_name("Mông"),
                           code="CD-006")
    dialogue = create_dialogue(status="held")
    assert post(client, dialogue, row(0, content="Đề nghị tập huấn trồng quế", person_code="CD-006")).status_code == 302
    question = db.session.scalar(sa.select(DialogueQuestion))
    assert question.person_id == person.id and question.raiser_label == "Giàng Thị Mỷ"
    assert question.raiser_sex is Sex.female and question.raiser_ethnicity_code == person.ethnicity_code
    assert question.village_id == person.unit_id


def test_entry_of_another_communes_dialogue_is_not_found(client, officer, create_dialogue):
    dialogue = create_dialogue(unit="02086")
    assert client.get(f"/dialogues/{dialogue.id}/questions").status_code == 404
    assert post(client, dialogue, row(0, content="x", raiser_name="y")).status_code == 404
    assert Dialogue  # the dialogue exists; the officer simply cannot see it


def test_erasing_a_person_erases_the_name_on_their_questions(client, officer, create_dialogue, create_person, db):
    from app.services import erase_person

    person = create_person(full_name="Lục Thị Hoa", code="CD-005")
    dialogue = create_dialogue(status="held")
    assert post(client, dialogue, row(0, content="Đề nghị khám thai tại bản", person_code="CD-005")).status_code == 302
    assert "Lục Thị Hoa" in client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    erase_person(person)
    db.session.commit()
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "Lục Thị Hoa" not in page and "Đề nghị khám thai tại bản" in page


def test_adding_rows_stops_at_the_maximum(client, officer, create_dialogue, count):
    from dialogues.services.questions import MAX_QUESTIONS

    dialogue = create_dialogue(status="held")
    rows = {}
    for i in range(MAX_QUESTIONS):
        rows.update(row(i, content=""))
    response = post(client, dialogue, rows, add_row="1")
    assert response.status_code == 200 and "Đã đủ số dòng tối đa" in response.get_data(as_text=True)
    assert count(DialogueQuestion) == 0


# --- issue #14 -----------------------------------------------------------------------------

def test_record_form_and_entry_screen_do_not_refuse_each_other(client, officer, create_dialogue, dialogue_form,
                                                                count, db):
    dialogue = create_dialogue(status="held")
    entry_revision = dialogue.entry_revision
    saved = client.post(f"/dialogues/{dialogue.id}/edit", data=dialogue_form(dialogue, venue="Nhà văn hóa mới"))
    assert saved.status_code == 302
    db.session.refresh(dialogue)
    assert dialogue.venue == "Nhà văn hóa mới" and dialogue.entry_revision == entry_revision
    response = post(client, dialogue, row(0, content="Ý kiến gõ song song", raiser_name="Bà Hoa", answer="Đã trả lời",
                                          outcome="answered"), revision=entry_revision)
    assert response.status_code == 302 and count(DialogueQuestion) == 1
    db.session.refresh(dialogue)
    assert dialogue.entry_revision == entry_revision + 1
    again = client.post(f"/dialogues/{dialogue.id}/edit", data=dialogue_form(dialogue, venue="Hội trường xã"))
    assert again.status_code == 302  # the record form's revision did not move with the entry save


def test_refused_save_keeps_the_typed_rows_beside_the_stored_ones(client, officer, create_dialogue, count):
    dialogue = create_dialogue(status="held")
    stale = dialogue.entry_revision
    assert post(client, dialogue, row(0, content="Ý kiến của người thứ nhất", raiser_name="Bà A", answer="Trả lời",
                                      outcome="answered")).status_code == 302
    page = post(client, dialogue, row(0, content="Ý kiến của người thứ hai", raiser_name="Bà B", number="1"),
                revision=stale).get_data(as_text=True)
    listed, form = page.split('id="entry"')
    assert "Ý kiến của người thứ nhất" in listed  # stored
    assert "Ý kiến của người thứ hai" in form and "Các dòng bạn vừa gõ (chưa lưu)" in page
    assert 'name="questions-0-number"' in form and 'id="questions-0-number" name="questions-0-number" type="number" value="1"' not in form
    assert count(DialogueQuestion) == 1
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page)[1]
    assert post(client, dialogue, row(0, content="Ý kiến của người thứ hai", raiser_name="Bà B"),
                revision=int(revision)).status_code == 302
    assert count(DialogueQuestion) == 2


def test_a_leader_picked_as_answerer_fills_name_position_and_agency(client, officer, create_dialogue, agencies, db):
    dialogue = create_dialogue(status="held", leaders=[services.LeaderData("Hoàng Văn Thắng", "Chủ tịch UBND xã",
                                                                           agencies["UBND-02020"].id)])
    leader = dialogue.leaders[0]
    assert post(client, dialogue, row(0, content="Ý kiến", raiser_name="Bà A", answerer_pick=leader.id,
                                      answer="Trả lời", outcome="answered")).status_code == 302
    answer = db.session.scalars(sa.select(DialogueAnswer)).one()
    assert (answer.answerer_name, answer.answerer_title, answer.answerer_agency_id) == (
        "Hoàng Văn Thắng", "Chủ tịch UBND xã", agencies["UBND-02020"].id)


def test_every_wrong_row_is_reported_at_once_with_a_linked_summary(client, officer, create_dialogue):
    dialogue = create_dialogue(status="held")
    page = post(client, dialogue, row(0, content="", raiser_name="Bà A", number="1"),
                row(1, content="Ý kiến", raiser_name="", number="2"),
                row(2, content="Ý kiến", raiser_name="C", answer="x", number="3")).get_data(as_text=True)
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.count("<li>") == 3
    assert '#questions-0-content' in summary and '#questions-1-raiser_name' in summary
    assert re.search(r'id="questions-0-content"[^>]*autofocus|autofocus[^>]*id="questions-0-content"', page)
