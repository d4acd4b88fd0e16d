"""Who sees which dialogue, route by route: commune officers their commune, province officers
the province, authority users what concerns their agency (read-only), trainers nothing."""
import pytest
import sqlalchemy as sa

from app.models import Role
from dialogues import services
from dialogues.services import QuestionRow

READ_ROUTES = [
    ("GET", "/dialogues/{id}"),
    ("GET", "/dialogues/{id}/minutes.pdf"),
    ("GET", "/dialogues/{id}/minutes/v1.pdf"),
]
MANAGE_ROUTES = [
    ("GET", "/dialogues/{id}/edit"),
    ("GET", "/dialogues/{id}/questions"),
    ("GET", "/dialogues/{id}/roster"),
    ("POST", "/dialogues/{id}/roster"),
    ("POST", "/dialogues/{id}/roster/1/remove"),
    ("POST", "/dialogues/{id}/held"),
    ("POST", "/dialogues/{id}/approve"),
    ("POST", "/dialogues/{id}/addenda"),
]
ROUTES = READ_ROUTES + MANAGE_ROUTES


# Access rules do not depend on the PDF's content: skip the real rendering (the page and the API both use it).
pytestmark = pytest.mark.usefixtures("quick_pdf")


@pytest.fixture
def approved(create_dialogue):
    """An approved dialogue in each commune; Chợ Đồn's questions go to UBND-02020."""
    return {unit: create_dialogue(unit=unit, status="approved", questions=2, commitments=1)
            for unit in ("02020", "02086")}


def in_scope(response) -> bool:
    """Answered for the dialogue: a page, a redirect, or the form shown again with its error (422)."""
    return response.status_code < 400 or response.status_code == 422


def call(client, method, route, dialogue):
    url = route.format(id=dialogue.id)
    return client.post(url) if method == "POST" else client.get(url)


@pytest.mark.parametrize("method, route", ROUTES)
def test_commune_officer_sees_own_commune_only(client, login_as, approved, method, route):
    login_as(Role.commune, "02020")
    assert in_scope(call(client, method, route, approved["02020"]))
    assert call(client, method, route, approved["02086"]).status_code == 404


@pytest.mark.parametrize("method, route", ROUTES)
def test_province_officer_sees_both_communes(client, login_as, approved, method, route):
    login_as(Role.province, "19")
    assert in_scope(call(client, method, route, approved["02020"]))
    assert in_scope(call(client, method, route, approved["02086"]))


@pytest.mark.parametrize("method, route", ROUTES)
def test_other_province_sees_neither(client, login_as, approved, method, route):
    login_as(Role.province, "08")
    for dialogue in approved.values():
        assert call(client, method, route, dialogue).status_code == 404


@pytest.mark.parametrize("method, route", READ_ROUTES)
def test_authority_user_reads_only_what_concerns_its_agency(client, login_as, approved, agencies, method, route):
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert call(client, method, route, approved["02020"]).status_code == 200
    assert call(client, method, route, approved["02086"]).status_code == 404


@pytest.mark.parametrize("method, route", READ_ROUTES)
def test_authority_user_of_another_agency_sees_nothing(client, login_as, approved, agencies, method, route):
    login_as(Role.authority, "02020", agency=agencies["VHXH-02020"])
    for dialogue in approved.values():
        assert call(client, method, route, dialogue).status_code == 404


@pytest.mark.parametrize("method, route", MANAGE_ROUTES)
def test_authority_user_cannot_manage(client, login_as, approved, agencies, method, route):
    login_as(Role.authority, "02020", agency=agencies["UBND-02020"])
    assert call(client, method, route, approved["02020"]).status_code == 403


@pytest.mark.parametrize("method, route", ROUTES + [("GET", "/dialogues/"), ("GET", "/dialogues/questions/")])
def test_trainers_have_no_access(client, login_as, approved, method, route):
    login_as(Role.trainer, "02020")
    assert call(client, method, route, approved["02020"]).status_code == 403


def test_authority_user_sees_only_its_questions_on_the_page(client, login_as, create_dialogue, agencies, db):
    dialogue = create_dialogue(status="held")
    services.save_question_rows(dialogue, [
        QuestionRow(content="Gửi Ủy ban", raiser_name="A", agency_id=agencies["UBND-02020"].id),
        QuestionRow(content="Gửi Văn hóa", raiser_name="B", agency_id=agencies["VHXH-02020"].id)], None)
    db.session.commit()
    login_as(Role.authority, "02020", agency=agencies["VHXH-02020"])
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "Gửi Văn hóa" in page and "Gửi Ủy ban" not in page
    assert "Lịch sử trạng thái" not in page and "Nhập ý kiến và trả lời" not in page
    # drafts are for the union; the agency reads the minutes once approved
    assert client.get(f"/dialogues/{dialogue.id}/minutes.pdf").status_code == 404


def test_agency_reached_by_commitment_or_forwarding_sees_the_question(client, login_as, create_dialogue, agencies,
                                                                     db):
    from datetime import timedelta

    from dialogues.models import AnswerOutcome
    from dialogues.services import CommitmentRow

    dialogue = create_dialogue(status="held")
    services.save_question_rows(dialogue, [
        QuestionRow(content="Khám thai lưu động", raiser_name="A", agency_id=agencies["UBND-02020"].id,
                    answer="Chuyển Sở Y tế", outcome=AnswerOutcome.forwarded,
                    forwarded_agency_id=agencies["SYT-19"].id),
        QuestionRow(content="Tuyên truyền tảo hôn", raiser_name="B", agency_id=agencies["UBND-02020"].id,
                    answer="Tiếp thu", outcome=AnswerOutcome.accepted,
                    commitments=[CommitmentRow(agency_id=agencies["VHXH-02020"].id, description="Truyền thông",
                                               deadline=dialogue.held_on + timedelta(days=5))])], None)
    db.session.commit()
    login_as(Role.authority, "19", agency=agencies["SYT-19"])
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "Khám thai lưu động" in page and "Tuyên truyền tảo hôn" not in page
    login_as(Role.authority, "02020", agency=agencies["VHXH-02020"])
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "Tuyên truyền tảo hôn" in page and "Khám thai lưu động" not in page


def test_header_settings_only_for_own_units(client, login_as, units):
    login_as(Role.commune, "02020")
    assert client.get(f"/dialogues/header/{units['02020'].id}").status_code == 200
    assert client.get(f"/dialogues/header/{units['02086'].id}").status_code == 404
    assert client.get(f"/dialogues/header/{units['ban_ca'].id}").status_code == 404  # villages issue no minutes


def test_categories_are_edited_by_province_officers_only(client, login_as, categories):
    login_as(Role.commune, "02020")
    assert client.post("/dialogues/categories/", data={"name": "Nước sạch"}).status_code == 403
    assert client.post(f"/dialogues/categories/{categories['land']}", data={"name": "Đất"}).status_code == 403
    login_as(Role.province, "19")
    assert client.post("/dialogues/categories/", data={"name": "Nước sạch"}).status_code == 302
    duplicate = client.post("/dialogues/categories/", data={"name": "nước sạch"})
    assert "đã có" in duplicate.get_data(as_text=True)


def test_roster_codes_get_one_message_for_unknown_and_out_of_scope(client, login_as, create_dialogue, create_person):
    """A code of another commune answers exactly as a code that does not exist."""
    dialogue = create_dialogue(unit="02020")
    create_person(unit="na_nguoc", code="CM-0001")  # Chợ Mới, outside Chợ Đồn
    login_as(Role.commune, "02020")
    pages = {code: client.post(f"/dialogues/{dialogue.id}/roster", data={"person_codes": code}).get_data(as_text=True)
             for code in ("CM-0001", "KHONG-CO")}
    assert "Không có người tham gia mã “CM-0001” trong" in pages["CM-0001"]
    assert "Không có người tham gia mã “KHONG-CO” trong" in pages["KHONG-CO"]
    assert pages["CM-0001"].replace("CM-0001", "?") == pages["KHONG-CO"].replace("KHONG-CO", "?")
    assert dialogue.attendees == []


def test_national_categories_are_changed_only_by_administrators(client, login_as, db, categories):
    from dialogues.models import QuestionCategory

    login_as(Role.province, "19")
    assert client.post(f"/dialogues/categories/{categories['land']}", data={"name": "Đất"}).status_code == 403
    assert client.post("/dialogues/categories/", data={"name": "Nước sạch"}).status_code == 302
    local = db.session.scalar(sa.select(QuestionCategory).where(QuestionCategory.name == "Nước sạch"))
    assert local.unit.code == "19"
    assert client.post(f"/dialogues/categories/{local.id}", data={"name": "Nước sạch, vệ sinh",
                                                                 "is_active": "y"}).status_code == 302
    login_as(Role.commune, "02020")  # below the province: sees its entry, cannot change it
    assert "Nước sạch, vệ sinh" in client.get("/dialogues/categories/").get_data(as_text=True)
    login_as(Role.province, "08")  # another province sees nothing of it
    assert "Nước sạch" not in client.get("/dialogues/categories/").get_data(as_text=True)
    assert client.post(f"/dialogues/categories/{local.id}", data={"name": "X"}).status_code == 404
    login_as(Role.admin, "VN")
    assert client.post(f"/dialogues/categories/{categories['land']}", data={"name": "Đất đai, nhà ở",
                                                                           "is_active": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionCategory, categories["land"]).name == "Đất đai, nhà ở"
