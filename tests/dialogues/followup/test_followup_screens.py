"""The follow-up screens: scope on every route, the authority workspace (overdue first, then by
deadline, only its agency), the union's filters, bad input on every form, resubmits."""
import re
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import Role
from dialogues.models import Commitment, CommitmentEvent, CommitmentStatus
from dialogues.services import follow_up

S = CommitmentStatus
COMMITMENT_ROUTES = [
    ("GET", "/dialogues/commitments/{id}"),
    ("POST", "/dialogues/commitments/{id}/update"),
    ("POST", "/dialogues/commitments/{id}/forward"),
    ("POST", "/dialogues/commitments/{id}/extend"),
    ("POST", "/dialogues/commitments/{id}/reopen"),
]


@pytest.fixture
def two_communes(make_dialogue, commitments_of):
    """One commitment in Chợ Đồn (UBND-02020) and one in Chợ Mới (UBND-02086)."""
    return {"02020": commitments_of(make_dialogue("02020", items=[("UBND-02020", 30)]))[0],
            "02086": commitments_of(make_dialogue("02086", items=[("UBND-02086", 30)]))[0]}


def call(client, method, route, commitment):
    url = route.format(id=commitment.id)
    return client.post(url, data={}) if method == "POST" else client.get(url)


@pytest.mark.parametrize("method, route", COMMITMENT_ROUTES)
def test_commune_officer_gets_404_on_the_other_commune(client, login_as, two_communes, method, route):
    login_as(Role.commune, "02020")
    assert call(client, method, route, two_communes["02020"]).status_code == 200  # forms re-rendered on empty input
    assert call(client, method, route, two_communes["02086"]).status_code == 404


@pytest.mark.parametrize("method, route", COMMITMENT_ROUTES)
def test_province_officer_sees_both_communes(client, login_as, two_communes, method, route):
    login_as(Role.province, "19")
    for commitment in two_communes.values():
        assert call(client, method, route, commitment).status_code == 200


@pytest.mark.parametrize("method, route", COMMITMENT_ROUTES)
def test_other_province_sees_neither(client, login_as, two_communes, method, route):
    login_as(Role.province, "08")
    for commitment in two_communes.values():
        assert call(client, method, route, commitment).status_code == 404


@pytest.mark.parametrize("method, route", COMMITMENT_ROUTES)
def test_authority_user_reaches_only_its_agency(client, login_as, agencies, make_dialogue, commitments_of,
                                               two_communes, method, route):
    other_office = commitments_of(make_dialogue("02020", items=[("VHXH-02020", 30)]))[0]  # same commune
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert call(client, method, route, two_communes["02020"]).status_code == 200
    assert call(client, method, route, two_communes["02086"]).status_code == 404
    assert call(client, method, route, other_office).status_code == 404


@pytest.mark.parametrize("method, route", COMMITMENT_ROUTES + [("GET", "/dialogues/commitments/")])
def test_trainers_have_no_access(client, login_as, two_communes, method, route):
    login_as(Role.trainer, "02020")
    assert call(client, method, route, two_communes["02020"]).status_code == 403


@pytest.mark.parametrize("url", ["/dialogues/indicators", "/dialogues/outbox/"])
def test_authority_users_do_not_see_union_pages(client, login_as, agencies, url):
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert client.get(url).status_code == 403


def test_previous_results_pdf_follows_dialogue_scope(client, login_as, make_dialogue, agencies):
    mine, other = make_dialogue("02020"), make_dialogue("02086", items=[("UBND-02086", 30)])
    login_as(Role.commune, "02020")
    assert client.get(f"/dialogues/{mine.id}/previous-results.pdf").status_code == 200
    assert client.get(f"/dialogues/{other.id}/previous-results.pdf").status_code == 404
    login_as(Role.province, "19")
    assert client.get(f"/dialogues/{other.id}/previous-results.pdf").status_code == 200
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert client.get(f"/dialogues/{mine.id}/previous-results.pdf").status_code == 403


# --- workspaces ----------------------------------------------------------------------------

def listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/dialogues/commitments/(\d+)"', page)]


def test_authority_workspace_overdue_first_then_by_deadline_closed_last(db, client, login_as, agencies,
                                                                        make_dialogue, commitments_of, ubnd_user):
    # today is 2 June 2025; the dialogue was on 2 May: deadlines 12 May, 22 May, 27 May, 7 June, 1 July, 16 May
    rows = commitments_of(make_dialogue(items=[("UBND-02020", d) for d in (10, 20, 25, 36, 60, 14)]
                                        + [("VHXH-02020", 5)]))
    late_12, late_22, extended, soon, later, resolved, other_agency = rows
    extended.extend_deadline(date(2025, 6, 20), ubnd_user, "Gia hạn hợp lệ")  # 27 May -> 20 June: not overdue
    resolved.move_to(S.in_progress, ubnd_user)
    resolved.move_to(S.resolved, ubnd_user, "Xong")
    db.session.commit()
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    page = client.get("/dialogues/commitments/").get_data(as_text=True)
    assert listed_ids(page) == [late_12.id, late_22.id, soon.id, extended.id, later.id, resolved.id]
    assert other_agency.id not in listed_ids(page) and "Cam kết 7 của VHXH-02020" not in page
    assert "Quá hạn 21 ngày" in page and "Quá hạn 11 ngày" in page


def test_workspace_lists_only_approved_minutes(client, login_as, make_dialogue, commitments_of):
    approved = commitments_of(make_dialogue(items=[("UBND-02020", 30)]))[0]
    draft = commitments_of(make_dialogue(items=[("UBND-02020", 30)], approve=False))[0]
    login_as(Role.commune, "02020")
    ids = listed_ids(client.get("/dialogues/commitments/").get_data(as_text=True))
    assert approved.id in ids and draft.id not in ids


@pytest.fixture
def union_items(db, make_dialogue, commitments_of, ubnd_user):
    rows = commitments_of(make_dialogue(items=[("UBND-02020", 10, "credit"), ("VHXH-02020", 60, "health"),
                                               ("UBND-02020", 60, "land")]))
    rows[2].move_to(S.in_progress, ubnd_user)
    far = commitments_of(make_dialogue("02086", items=[("UBND-02086", 10, "credit")]))[0]
    db.session.commit()
    return {"overdue_credit": rows[0], "vhxh_health": rows[1], "land_in_progress": rows[2], "cho_moi": far}


@pytest.mark.parametrize("query, expected", [
    ("", {"overdue_credit", "vhxh_health", "land_in_progress"}),
    ("status=in_progress", {"land_in_progress"}),
    ("agency_id=VHXH", {"vhxh_health"}),
    ("category_id=credit", {"overdue_credit"}),
    ("overdue=y", {"overdue_credit"}),
    ("q=Cam+k%E1%BA%BFt+2", {"vhxh_health"}),
    ("status=bogus", {"overdue_credit", "vhxh_health", "land_in_progress"}),  # a bad filter is ignored, not a 500
])
def test_union_workspace_filters(client, login_as, agencies, categories, union_items, query, expected):
    query = query.replace("VHXH", str(agencies["VHXH-02020"].id)).replace(
        "category_id=credit", f"category_id={categories['credit']}")
    login_as(Role.commune, "02020")
    response = client.get(f"/dialogues/commitments/?{query}")
    assert response.status_code == 200
    assert set(listed_ids(response.get_data(as_text=True))) == {union_items[k].id for k in expected}


def test_province_workspace_covers_the_province(client, login_as, union_items):
    login_as(Role.province, "19")
    ids = set(listed_ids(client.get("/dialogues/commitments/").get_data(as_text=True)))
    assert ids == {c.id for c in union_items.values()}


@contextmanager
def counting_queries(db):
    statements = []

    def count(*_args):
        statements.append(1)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_workspace_query_count_does_not_grow_with_rows(db, client, login_as, make_dialogue):
    login_as(Role.commune, "02020")
    make_dialogue(items=[("UBND-02020", 10)] * 2)
    with counting_queries(db) as few:
        client.get("/dialogues/commitments/")
    make_dialogue(items=[("UBND-02020", 10), ("VHXH-02020", 40)] * 6)
    with counting_queries(db) as many:
        client.get("/dialogues/commitments/")
    assert len(many) == len(few)


# --- the forms -----------------------------------------------------------------------------

def no_change(db, commitment, status=S.open):
    db.session.expire_all()
    fresh = db.session.get(Commitment, commitment.id)
    events = db.session.scalar(sa.select(sa.func.count(CommitmentEvent.id)))
    return fresh.status is status and fresh.deadline == date(2025, 6, 1) and events == 0 \
        and db.session.scalar(sa.select(sa.func.count(Commitment.id))) == 1


@pytest.mark.parametrize("action, data, message", [
    ("update", {}, "Hãy chọn trạng thái mới, ghi nội dung cập nhật hoặc đính kèm tệp minh chứng."),
    ("update", {"status": "bogus"}, "Lựa chọn không hợp lệ."),
    ("update", {"status": "resolved"}, "hãy chuyển sang “Đang thực hiện” trước"),
    ("update", {"status": "forwarded"}, "hãy chọn cơ quan nhận chuyển"),
    ("update", {"status": "not_feasible", "note": ""}, "Hãy ghi rõ lý do không thể thực hiện cam kết."),
    ("update", {"note": "x" * 5001}, "Không được dài quá 5000 ký tự."),
    ("forward", {"agency_id": ""}, "Hãy chọn cơ quan nhận chuyển."),
    ("forward", {"agency_id": "abc"}, "Lựa chọn không hợp lệ."),
    ("forward", {"agency_id": "999999"}, "Không có cơ quan này trong danh sách"),
    ("forward", {"agency_id": "SELF"}, "phải khác cơ quan đang chịu trách nhiệm"),
    ("forward", {"agency_id": "SYT", "deadline": "31/02/2025"}, "Ngày không hợp lệ"),
    ("forward", {"agency_id": "SYT", "deadline": "01/05/2025"}, "không thể trước hôm nay"),
    ("extend", {"deadline": "", "reason": "Lý do"}, "Hãy nhập thời hạn mới."),
    ("extend", {"deadline": "20/05/2025", "reason": "Lý do"}, "Thời hạn mới phải sau thời hạn hiện tại (01/06/2025)."),
    ("extend", {"deadline": "hôm sau", "reason": "Lý do"}, "Ngày không hợp lệ"),
    ("extend", {"deadline": "01/07/2025", "reason": ""}, "Trường này là bắt buộc."),
    ("reopen", {"reason": "Lý do"}, "Cam kết chưa kết thúc nên không cần mở lại."),
    ("reopen", {"reason": ""}, "Trường này là bắt buộc."),
    ("update", {"status": "in_progress", "note": "Đã làm xong 👍"}, "không in được ký tự “👍”"),
    ("forward", {"agency_id": "SYT", "note": "Chuyển Sở ➡️"}, "không in được ký tự “➡” U+FE0F"),
    ("extend", {"deadline": "01/07/2025", "reason": "Chờ vốn 💰"}, "không in được ký tự “💰”"),
])
def test_bad_input_on_every_form_gives_a_vietnamese_error_and_stores_nothing(db, client, login_as, agencies,
                                                                            commitment, action, data, message):
    data = {k: {"SELF": str(agencies["UBND-02020"].id), "SYT": str(agencies["SYT-19"].id)}.get(v, v)
            for k, v in data.items()}
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    response = client.post(f"/dialogues/commitments/{commitment.id}/{action}", data={"token": "t1", **data})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert no_change(db, commitment)


def test_the_update_form_records_the_change_and_a_resubmit_records_nothing_more(db, client, login_as, agencies,
                                                                                commitment):
    user = login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    form = {"token": "same-form", "status": "in_progress", "note": "Đã giao cán bộ địa chính"}
    assert client.post(f"/dialogues/commitments/{commitment.id}/update", data=form).status_code == 302
    assert client.post(f"/dialogues/commitments/{commitment.id}/update", data=form).status_code == 302
    db.session.expire_all()
    events = db.session.scalars(sa.select(CommitmentEvent)).all()
    assert len(events) == 1 and events[0].user_id == user.id and events[0].status_to is S.in_progress
    page = client.get(f"/dialogues/commitments/{commitment.id}").get_data(as_text=True)
    assert "Đã giao cán bộ địa chính" in page and "Chưa thực hiện → Đang thực hiện" in page


def test_forward_extend_reopen_through_the_forms(db, client, login_as, agencies, commitment):
    login_as(Role.commune, "02020")
    url = f"/dialogues/commitments/{commitment.id}"
    assert client.post(url + "/extend", data={"token": "e", "deadline": "2025-06-30",
                                              "reason": "Quyết định gia hạn"}).status_code == 302
    assert client.post(url + "/update", data={"token": "u", "status": "in_progress"}).status_code == 302
    assert client.post(url + "/forward", data={"token": "f", "agency_id": agencies["SYT-19"].id,
                                               "note": "Vượt thẩm quyền"}).status_code == 302
    db.session.expire_all()
    original = db.session.get(Commitment, commitment.id)
    copy = original.forwarded_to
    assert original.status is S.forwarded and copy.agency_id == agencies["SYT-19"].id
    assert copy.deadline == date(2025, 6, 30)
    # The receiving agency sees its new item, closes it as not feasible, and the union reopens the original.
    login_as(Role.authority, "19", agency=agencies["SYT-19"])
    assert copy.id in listed_ids(client.get("/dialogues/commitments/").get_data(as_text=True))
    assert client.get(url).status_code == 404  # the original belongs to UBND-02020
    assert client.post(f"/dialogues/commitments/{copy.id}/update", data={
        "token": "s", "status": "not_feasible", "note": "Không có bác sĩ sản khoa lưu động"}).status_code == 302
    login_as(Role.commune, "02020")
    assert client.post(url + "/reopen", data={"token": "r", "reason": "Sở Y tế trả lại"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).status is S.open


def test_commitment_page_links_the_dialogue_and_shows_the_question(client, login_as, commitment):
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/commitments/{commitment.id}").get_data(as_text=True)
    assert f'/dialogues/{commitment.question.dialogue_id}#q1' in page and "Kiến nghị số 1 gửi UBND-02020" in page


def test_dialogue_page_links_each_commitment_to_its_follow_up(client, login_as, commitment):
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/{commitment.question.dialogue_id}").get_data(as_text=True)
    assert f'href="/dialogues/commitments/{commitment.id}"' in page and "Chưa thực hiện" in page


def test_draft_commitment_page_has_no_update_forms(client, login_as, make_dialogue, commitments_of):
    draft = commitments_of(make_dialogue(approve=False))[0]
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/commitments/{draft.id}").get_data(as_text=True)
    assert "chưa được duyệt" in page and "/update" not in page
    response = client.post(f"/dialogues/commitments/{draft.id}/update", data={"status": "in_progress"})
    assert "chưa được duyệt" in response.get_data(as_text=True)


def test_forward_form_offers_other_agencies_only(client, login_as, agencies, commitment):
    login_as(Role.commune, "02020")
    page = client.get(f"/dialogues/commitments/{commitment.id}").get_data(as_text=True)
    forward_form = page[page.index('name="agency_id"'):]
    forward_form = forward_form[:forward_form.index("</select>")]
    assert agencies["SYT-19"].name in forward_form and agencies["UBND-02020"].name not in forward_form
    assert agencies["UBND-02086"].name not in forward_form


def test_service_used_directly_obeys_the_same_rules(db, commitment, ubnd_user):
    with pytest.raises(Exception):
        follow_up.update_commitment(commitment, ubnd_user, status=S.resolved)
    assert commitment.status is S.open


def test_forwarding_does_not_change_the_dialogue_counts(db, client, login_as, commitment, ubnd_user, agencies):
    from dialogues.queries import counts_for

    before = counts_for([commitment.question.dialogue_id])[commitment.question.dialogue_id].commitments
    commitment.forward(agencies["SYT-19"], ubnd_user)
    db.session.commit()
    assert counts_for([commitment.question.dialogue_id])[commitment.question.dialogue_id].commitments == before == 1
    login_as(Role.commune, "02020")
    page = client.get("/dialogues/").get_data(as_text=True)
    assert "<strong>1</strong><span>cam kết</span>" in page
