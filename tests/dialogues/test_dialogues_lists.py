"""The dialogue list (by unit and period, with counts computed in SQL), the dialogue page and
the question search; pages keep a fixed number of queries whatever the number of rows."""
from contextlib import contextmanager
from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app.models import Role
from dialogues import queries, services
from dialogues.access import visible_dialogues
from dialogues.services import QuestionRow


@contextmanager
def counted_queries(engine):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_counts_per_dialogue_and_totals(create_dialogue, create_user, db):
    a = create_dialogue(status="approved", questions=4, commitments=2)  # 2 accepted, 2 answered on the spot
    b = create_dialogue(unit="02086", status="held", questions=1, attendance_total=30, attendance_women=20,
                        attendance_minority=25)
    counts = queries.counts_for([a.id, b.id])
    assert (counts[a.id].questions, counts[a.id].on_spot, counts[a.id].commitments) == (4, 2, 2)
    assert (counts[b.id].questions, counts[b.id].on_spot, counts[b.id].commitments) == (1, 1, 0)
    province = create_user(Role.province, "19")
    totals = queries.dialogue_totals(queries.DialogueFilter(), visible_dialogues(province))
    assert totals == {"dialogues": 2, "held": 2, "attendance": 80, "women": 62, "minority": 70, "questions": 5,
                      "on_spot": 3, "commitments": 2}
    by_unit = {r.name: (r.dialogues, r.attendance, r.questions)
               for r in queries.totals_by_unit(queries.DialogueFilter(), visible_dialogues(province))}
    assert by_unit == {"Xã Chợ Đồn": (1, 50, 4), "Xã Chợ Mới": (1, 30, 1)}


def test_collected_questions_not_raised_are_not_counted_as_raised(create_dialogue, db):
    dialogue = create_dialogue(questions=1)
    from dialogues.models import QuestionOrigin

    services.save_question_rows(dialogue, [QuestionRow(origin=QuestionOrigin.collected, is_raised=False,
                                                       content="Chưa nêu", raiser_name="A")], None)
    db.session.commit()
    assert queries.counts_for([dialogue.id])[dialogue.id].questions == 1


@pytest.mark.parametrize("args, expected", [
    ({}, {"Tháng trước", "Năm ngoái", "Chợ Mới"}),
    ({"unit_id": "CHO_DON"}, {"Tháng trước", "Năm ngoái"}),
    ({"date_from": "FROM"}, {"Tháng trước", "Chợ Mới"}),
    ({"date_from": "FROM", "date_to": "TO"}, {"Tháng trước"}),
    ({"status": "approved"}, {"Năm ngoái"}),
    ({"q": "sạt lở"}, {"Tháng trước"}),
    ({"q": "năm ngoái"}, {"Năm ngoái"}),
    ({"category_id": "HEALTH"}, {"Chợ Mới"}),
    ({"date_from": "không phải ngày"}, {"Tháng trước", "Năm ngoái", "Chợ Mới"}),
    ({"unit_id": "abc", "status": "bogus"}, {"Tháng trước", "Năm ngoái", "Chợ Mới"}),
])
def test_list_filters(client, login_as, create_dialogue, categories, units, db, args, expected):
    today = clock.today()
    last_month = create_dialogue(title="Đối thoại Tháng trước", held_on=today - timedelta(days=30))
    services.save_question_rows(last_month, [QuestionRow(content="Đường bị sạt lở", raiser_name="A")], None)
    create_dialogue(title="Đối thoại Năm ngoái", held_on=today - timedelta(days=400), status="approved", questions=1)
    cho_moi = create_dialogue(unit="02086", title="Đối thoại Chợ Mới", held_on=today - timedelta(days=3))
    services.save_question_rows(cho_moi, [QuestionRow(content="Khám thai", raiser_name="B",
                                                      category_id=categories["health"])], None)
    db.session.commit()
    replace = {"CHO_DON": units["02020"].id, "FROM": (today - timedelta(days=60)).isoformat(),
               "TO": (today - timedelta(days=10)).isoformat(), "HEALTH": categories["health"]}
    login_as(Role.province, "19")
    response = client.get("/dialogues/", query_string={k: replace.get(v, v) for k, v in args.items()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = {name for name in ("Tháng trước", "Năm ngoái", "Chợ Mới") if f"Đối thoại {name}" in page}
    assert shown == expected


def test_list_page_query_count_does_not_grow_with_rows(client, login_as, create_dialogue, db):
    login_as(Role.province, "19")
    for _ in range(2):
        create_dialogue(questions=2, commitments=1)
    with counted_queries(db.engine) as few:
        assert client.get("/dialogues/").status_code == 200
    for _ in range(6):
        create_dialogue(unit="02086", questions=3, commitments=2)
    with counted_queries(db.engine) as many:
        assert client.get("/dialogues/").status_code == 200
    assert len(many) == len(few)


def test_dialogue_page_query_count_does_not_grow_with_questions(client, login_as, create_dialogue, db):
    login_as(Role.commune, "02020")
    small = create_dialogue(status="held", questions=2, commitments=1)
    large = create_dialogue(status="held", questions=15, commitments=8)
    with counted_queries(db.engine) as few:
        assert client.get(f"/dialogues/{small.id}").status_code == 200
    with counted_queries(db.engine) as many:
        page = client.get(f"/dialogues/{large.id}")
    assert page.status_code == 200 and "Nội dung ý kiến thử số 15" in page.get_data(as_text=True)
    assert len(many) == len(few)


def test_dialogue_page_shows_questions_answers_and_commitments(client, login_as, create_dialogue):
    dialogue = create_dialogue(status="held", questions=3, commitments=2)
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    for text in ("Nội dung ý kiến thử số 1", "Nội dung trả lời số 3", "Cam kết thử số 2", "Tiếp thu, có cam kết",
                 "Trả lời tại chỗ", "Ủy ban nhân dân xã Chợ Đồn", "Duyệt và khóa biên bản"):
        assert text in page, text


def test_question_search_by_text_and_category(client, login_as, create_dialogue, categories, agencies, db):
    dialogue = create_dialogue(status="held")
    services.save_question_rows(dialogue, [
        QuestionRow(content="Đề nghị vay vốn chăn nuôi lợn đen", raiser_name="A", category_id=categories["credit"]),
        QuestionRow(content="Tảo hôn vẫn còn ở bản", raiser_name="B", category_id=categories["child_marriage"],
                    agency_id=agencies["VHXH-02020"].id),
        QuestionRow(content="Đường sạt lở", raiser_name="C", category_id=categories["infrastructure"],
                    answer="Xã sẽ kiểm tra lợn đen", outcome=services.questions.AnswerOutcome.answered)], None)
    other = create_dialogue(unit="02086", status="held")
    services.save_question_rows(other, [QuestionRow(content="Vay vốn ở Chợ Mới", raiser_name="D",
                                                    category_id=categories["credit"])], None)
    db.session.commit()
    login_as(Role.commune, "02020")

    def found(**args):
        page = client.get("/dialogues/questions/", query_string=args).get_data(as_text=True)
        shown = {"lợn đen": "Đề nghị vay vốn chăn nuôi lợn đen", "Tảo hôn": "Tảo hôn vẫn còn ở bản",
                 "Đường sạt lở": "Đường sạt lở", "Chợ Mới": "Vay vốn ở Chợ Mới"}
        return {key for key, text in shown.items() if f'<p class="content">{text}</p>' in page}

    assert found(q="lợn đen") == {"lợn đen", "Đường sạt lở"}  # in the question or in its answer
    assert found(category_id=categories["credit"]) == {"lợn đen"}  # Chợ Mới is out of scope
    assert found(category_id=categories["child_marriage"], q="bản") == {"Tảo hôn"}
    assert found(outcome="answered") == {"Đường sạt lở"}
    login_as(Role.authority, "02020", agency=agencies["VHXH-02020"])
    assert found() == {"Tảo hôn"}
