"""Repeat petitions: similar earlier questions of the same unit are suggested (accent-insensitive),
a question can be linked as raised again ("nhắc lại") to an earlier one of the unit, and the
dashboard counts those."""
from datetime import timedelta

import pytest

from app import clock
from app.models import Role
from dialogues.follow_up.indicators import followup_indicators
from dialogues.models import AnswerOutcome, DialogueQuestion
from dialogues.services import QuestionRow
from dialogues.similar import fold, similar_questions, similarity

ROAD = "Đề nghị xã sớm làm đường bê tông vào bản Khuổi Tát, mùa mưa đi lại rất khó khăn"


def test_fold_and_similarity_ignore_accents_and_case():
    assert fold("Đường BÊ TÔNG vào Bản") == "duong be tong vao ban"
    assert similarity(ROAD, "de nghi xa som lam duong be tong vao ban khuoi tat") > 0.6
    assert similarity(ROAD, "Hỗ trợ vay vốn chăn nuôi lợn cho hộ nghèo") < 0.15
    assert similarity("", ROAD) == 0.0


@pytest.fixture
def earlier(create_dialogue):
    """An approved dialogue of Chợ Đồn a year ago with the road petition and an unrelated one."""
    return create_dialogue(status="approved", held_on=clock.today() - timedelta(days=365), rows=[
        QuestionRow(content=ROAD, raiser_name="Bà Lan", answerer_name="Ông Thắng", answer="Xã sẽ xem xét",
                    outcome=AnswerOutcome.noted),
        QuestionRow(content="Hỗ trợ vay vốn chăn nuôi lợn cho hộ nghèo", raiser_name="Bà Nga",
                    answerer_name="Ông Thắng", answer="Đã giải đáp", outcome=AnswerOutcome.answered)])


def test_similar_questions_are_those_of_the_same_unit_only(db, create_dialogue, earlier):
    other_unit = create_dialogue(unit="02086", status="held", held_on=clock.today() - timedelta(days=300),
                                 rows=[QuestionRow(content=ROAD, raiser_name="Bà Mai")])
    now = create_dialogue(status="held")
    found = similar_questions(now, "de nghi lam duong be tong vao ban Khuoi Tat")
    assert [s.question.content for s in found] == [ROAD]
    assert found[0].question.dialogue_id == earlier.id  # not the other commune's identical text
    assert other_unit.id not in {s.question.dialogue_id for s in found}
    assert similar_questions(now, "ngắn") == []  # too short to suggest anything


def test_similar_fragment_and_page_without_js(client, login_as, create_dialogue, earlier):
    login_as(Role.commune, "02020")
    now = create_dialogue(status="held", rows=[QuestionRow(content="Làm đường bê tông vào bản Khuổi Tát",
                                                           raiser_name="Bà Hoa")])
    fragment = client.get(f"/dialogues/{now.id}/similar?fragment=1&row=questions-0-repeat_of_id"
                          "&q=lam duong be tong vao ban khuoi tat").get_data(as_text=True)
    assert "<html" not in fragment and "Khuổi Tát" in fragment
    first = earlier.questions[0]
    assert f'data-repeat-of="{first.id}"' in fragment and 'data-row="questions-0-repeat_of_id"' in fragment
    saved = now.questions[0]
    page = client.get(f"/dialogues/{now.id}/similar?question_id={saved.id}").get_data(as_text=True)
    assert "<html" in page and f"mã {first.id}" in page and "Hỗ trợ vay vốn" not in page
    # the entry screen links every saved row to that page
    entry = client.get(f"/dialogues/{now.id}/questions").get_data(as_text=True)
    assert f"/dialogues/{now.id}/similar?question_id={saved.id}" in entry
    # a question of another dialogue is not looked up through this one
    assert client.get(f"/dialogues/{now.id}/similar?question_id={first.id}").status_code == 404


def _row(i, **fields):
    base = {"origin": "on_day", "raiser_kind": "person", "is_raised": "y"}
    return {f"questions-{i}-{k}": v for k, v in {**base, **fields}.items() if v is not None}


def test_raised_again_is_stored_shown_and_counted(client, login_as, create_dialogue, earlier, units):
    login_as(Role.commune, "02020")
    now = create_dialogue(status="held")
    first = earlier.questions[0]
    response = client.post(f"/dialogues/{now.id}/questions", data={
        "revision": now.entry_revision, **_row(0, content="Lại đề nghị làm đường vào bản Khuổi Tát", raiser_name="Bà Lan",
                                         repeat_of_id=str(first.id))})
    assert response.status_code == 302
    question = DialogueQuestion.query.filter_by(dialogue_id=now.id).one()
    assert question.repeat_of_id == first.id
    shown = client.get(f"/dialogues/{now.id}").get_data(as_text=True)
    assert "Nhắc lại" in shown and f"mã {first.id}" in shown
    today = clock.today()
    figures = followup_indicators(units["02020"], today - timedelta(days=30), today)
    assert figures["questions_repeated"] == 1
    # its drill-down is checked with every other linked figure in tests/app/indicators/test_indicators_drilldown.py


@pytest.mark.parametrize("target", ["same_dialogue", "other_unit", "later", "missing"])
def test_raised_again_must_be_an_earlier_question_of_the_unit(client, login_as, create_dialogue, earlier, target):
    login_as(Role.commune, "02020")
    now = create_dialogue(status="held", rows=[QuestionRow(content="Ý kiến có sẵn", raiser_name="Bà Hoa")])
    other = create_dialogue(unit="02086", status="held", held_on=clock.today() - timedelta(days=100),
                            rows=[QuestionRow(content=ROAD, raiser_name="Bà Mai")])
    later = create_dialogue(status="planned", held_on=clock.today() + timedelta(days=10),
                            rows=[QuestionRow(content=ROAD, raiser_name="Bà Mai")])
    ids = {"same_dialogue": now.questions[0].id, "other_unit": other.questions[0].id,
           "later": later.questions[0].id, "missing": 999_999}
    typed = "Đề nghị làm đường vào bản, nhắc lại lần nữa"
    page = client.post(f"/dialogues/{now.id}/questions", data={
        "revision": now.entry_revision, **_row(0, id=str(now.questions[0].id), number="1", content="Ý kiến có sẵn",
                                         raiser_name="Bà Hoa"),
        **_row(1, content=typed, raiser_name="Bà Lan", repeat_of_id=str(ids[target]))}).get_data(as_text=True)
    assert "không phải ý kiến của một cuộc đối thoại trước của đơn vị này" in page
    assert typed in page  # nothing typed is lost
    assert DialogueQuestion.query.filter_by(dialogue_id=now.id).count() == 1


def test_the_minutes_note_a_question_raised_again(create_dialogue, earlier, pdf_text, tmp_path):
    """The minutes row of a question raised again says when it was first raised; the others do not."""
    from dialogues.minutes import render_minutes

    first = earlier.questions[0]
    now = create_dialogue(status="held", rows=[
        QuestionRow(content="Lại đề nghị làm đường vào bản Khuổi Tát", raiser_name="Bà Lan", repeat_of_id=first.id,
                    answerer_name="Ông Thắng", answer="Đã đưa vào kế hoạch năm sau", outcome=AnswerOutcome.noted),
        QuestionRow(content="Đề nghị mở lớp dạy nghề may", raiser_name="Bà Nga", answerer_name="Ông Thắng",
                    answer="Đã giải đáp", outcome=AnswerOutcome.answered)])
    pdf = render_minutes(now)
    text = pdf_text(pdf)
    note = f"(Ý kiến đã nêu tại đối thoại ngày {earlier.held_on:%d/%m/%Y})"
    assert text.count(note) == 1
    one, two = text.split("Ý kiến 1", 1)[1].split("Ý kiến 2", 1)
    assert note in one and "Khuổi Tát" in one and "Ý kiến đã nêu" not in two
    (tmp_path / "minutes.pdf").write_bytes(pdf)  # kept for a look: pdftoppm -png -r 80 minutes.pdf
