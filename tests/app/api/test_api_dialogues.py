"""Dialogues over the API: one body with questions, answers and commitments (all or nothing),
replay, scope (commune, province, authority), minutes."""
from __future__ import annotations

from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app.models import AuditLog, ExportLog
from dialogues.models import Commitment, Dialogue


@pytest.fixture
def body(units, dialogue_agencies, categories):
    """body(**overrides) -> a valid dialogue body for Xã Chợ Đồn with two questions."""
    def make(**overrides) -> dict:
        ubnd = dialogue_agencies["02020"]
        held = (clock.today() - timedelta(days=3)).isoformat()
        data = {
            "title": "Đối thoại với hội viên, phụ nữ xã Chợ Đồn", "level": "commune", "unit_id": units["02020"].id,
            "held_on": held, "status": "held", "start_time": "08:00", "end_time": "11:00",
            "chair_name": "Hoàng Văn Thắng", "secretary_name": "Triệu Thị Mai",
            "attendance_total": 40, "attendance_women": 35, "attendance_minority": 30,
            "leaders": [{"name": "Hoàng Văn Thắng", "title": "Chủ tịch UBND xã", "agency_id": ubnd}],
            "questions": [
                {"content": "Đề nghị hỗ trợ vốn vay", "raiser_name": "Triệu Thị Lan", "raiser_sex": "F",
                 "category": "credit", "agency_id": ubnd,
                 "answer": {"outcome": "accepted", "answerer_name": "Hoàng Văn Thắng", "content": "Tiếp thu"},
                 "commitments": [{"agency_id": ubnd, "description": "Làm việc với ngân hàng",
                                  "deadline": (clock.today() + timedelta(days=60)).isoformat()}]},
                {"content": "Đường vào bản hay sạt lở", "raiser_kind": "anonymous",
                 "answer": {"outcome": "answered", "content": "Xã đã có kế hoạch sửa"}}]}
        data.update(overrides)
        return data
    return make


def test_create_stores_everything_through_the_services(db, api, body):
    client = api("commune", "02020")
    response = client.post("/dialogues", json=body(client_token="dialogue-token-000001"))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "held" and created["counts"] == {"questions": 2, "on_spot": 1, "commitments": 1}
    assert [q["number"] for q in created["questions"]] == [1, 2]
    assert created["questions"][0]["commitments"][0]["status"] == "open"
    assert created["questions"][1]["raiser_name"] == ""
    sources = set(db.session.scalars(sa.select(AuditLog.source).where(AuditLog.object_type == "Dialogue")))
    assert sources == {"api"}


def test_one_bad_part_stores_nothing_and_names_the_field(db, api, body):
    data = body()
    data["questions"][0]["commitments"][0]["deadline"] = "2000-01-01"
    data["questions"][1]["answer"] = {"outcome": "answered"}
    response = api("commune", "02020").post("/dialogues", json=data)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == ["questions.0.commitments.0.deadline"]
    assert db.session.scalar(sa.select(sa.func.count(Dialogue.id))) == 0


def test_answer_errors_point_into_the_answer_object(db, api, body):
    data = body()
    data["questions"][1]["answer"] = {"outcome": "answered"}
    response = api("commune", "02020").post("/dialogues", json=data)
    assert set(response.get_json()["error"]["fields"]) == {"questions.1.answer.content"}


def test_unknown_category_and_agency_are_field_errors(db, api, body, dialogue_agencies):
    data = body()
    data["questions"][0]["category"] = "no-such"
    response = api("commune", "02020").post("/dialogues", json=data)
    assert set(response.get_json()["error"]["fields"]) == {"questions.0.category"}
    data = body()
    data["questions"][0]["agency_id"] = dialogue_agencies["02086"]  # another commune's office
    response = api("commune", "02020").post("/dialogues", json=data)
    assert set(response.get_json()["error"]["fields"]) == {"questions.0.agency_id"}


def test_text_the_pdf_font_cannot_draw_is_a_422_on_each_field(db, api, body):
    """Issue #14: the same rule as the web forms; every such field named by its JSON path."""
    data = body(secretary_name="Triệu Thị Mai 🌸")
    data["questions"][0]["commitments"][0]["description"] = "Làm việc với ngân hàng 🏦"
    data["questions"][1]["answer"]["content"] = "Xã đã có kế hoạch sửa 👍"
    response = api("commune", "02020").post("/dialogues", json=data)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"secretary_name", "questions.0.commitments.0.description", "questions.1.answer.content"}
    assert "không in được ký tự “🏦”" in fields["questions.0.commitments.0.description"]
    assert db.session.scalar(sa.select(sa.func.count(Dialogue.id))) == 0


def test_replay_returns_the_stored_dialogue_once(db, api, body):
    client = api("commune", "02020")
    first = client.post("/dialogues", json=body(client_token="dialogue-token-000002"))
    again = client.post("/dialogues", json=body(client_token="dialogue-token-000002", title="Khác"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["title"] == first.get_json()["title"]
    assert db.session.scalar(sa.select(sa.func.count(Dialogue.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id))) == 1


def test_a_token_of_a_dialogue_out_of_scope_is_refused(db, api, body, units):
    first = api("commune", "02086").post("/dialogues", json=body(unit_id=units["02086"].id, questions=[], leaders=[],
                                                                 client_token="dialogue-token-000003"))
    assert first.status_code == 201
    response = api("commune", "02020").post("/dialogues", json=body(client_token="dialogue-token-000003"))
    assert response.status_code == 422 and "client_token" in response.get_json()["error"]["fields"]


def test_a_commune_cannot_write_for_another_commune(db, api, body, units):
    response = api("commune", "02020").post("/dialogues", json=body(unit_id=units["02086"].id, questions=[],
                                                                    leaders=[]))
    assert response.status_code == 422 and "unit_id" in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Dialogue.id))) == 0


def test_held_in_the_future_is_refused(api, body):
    future = (clock.today() + timedelta(days=5)).isoformat()
    response = api("commune", "02020").post("/dialogues", json=body(held_on=future, questions=[]))
    assert response.status_code == 422


def test_planned_dialogue_in_the_future_is_fine(api, body):
    future = (clock.today() + timedelta(days=5)).isoformat()
    response = api("commune", "02020").post("/dialogues", json=body(held_on=future, status="planned", questions=[]))
    assert response.status_code == 201 and response.get_json()["status"] == "planned"


def test_reading_is_scoped_and_logged(db, api, body, units):
    mine = api("commune", "02020").post("/dialogues", json=body()).get_json()["id"]
    other = api("commune", "02086").post("/dialogues", json=body(unit_id=units["02086"].id, questions=[],
                                                                 leaders=[])).get_json()["id"]
    client = api("commune", "02020")
    assert [d["id"] for d in client.get("/dialogues").get_json()["items"]] == [mine]
    assert client.get(f"/dialogues/{other}").status_code == 404
    assert client.get(f"/dialogues/{mine}").status_code == 200
    assert db.session.scalar(sa.select(ExportLog.kind).where(ExportLog.user_id == client.user.id)) == "api_dialogue"
    province = api("province", "19")
    assert {d["id"] for d in province.get("/dialogues").get_json()["items"]} == {mine, other}


def test_authority_sees_only_what_concerns_its_agency(db, api, body, dialogue_agencies, create_user):
    api("commune", "02020").post("/dialogues", json=body())
    from app.models import Agency

    ubnd = db.session.get(Agency, dialogue_agencies["02020"])
    reader = api("authority", "02020", agency=ubnd)
    items = reader.get("/dialogues").get_json()["items"]
    assert len(items) == 1
    detail = reader.get(f"/dialogues/{items[0]['id']}").get_json()
    assert [q["content"] for q in detail["questions"]] == ["Đề nghị hỗ trợ vốn vay"]
    assert reader.post("/dialogues", json=body()).status_code == 403
    stranger = api("authority", "02020")  # another office of the same commune
    assert stranger.get("/dialogues").get_json()["total"] == 0


def test_trainers_have_no_dialogues(api):
    assert api("trainer", "02020").get("/dialogues").status_code == 403


def test_minutes_draft_for_officers_not_for_agencies(db, api, body, dialogue_agencies):
    created = api("commune", "02020").post("/dialogues", json=body()).get_json()
    from app.models import Agency

    pdf = api("commune", "02020").get(f"/dialogues/{created['id']}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    reader = api("authority", "02020", agency=db.session.get(Agency, dialogue_agencies["02020"]))
    assert reader.get(f"/dialogues/{created['id']}/minutes.pdf").status_code == 404


def test_authority_users_never_receive_a_petitioners_ethnicity(db, api, body, dialogue_agencies):
    """The API serialises petitioners as the web page does: officers get ethnicity, agencies do not."""
    from app.models import Agency

    data = body()
    data["questions"][0]["ethnicity_code"] = "09"  # Dao
    created = api("commune", "02020").post("/dialogues", json=data).get_json()
    officer = api("province", "19").get(f"/dialogues/{created['id']}").get_json()
    assert [q["ethnicity_code"] for q in officer["questions"]] == ["09", None]
    reader = api("authority", "02020", agency=db.session.get(Agency, dialogue_agencies["02020"]))
    seen = reader.get(f"/dialogues/{created['id']}").get_json()
    assert [(q["raiser_name"], q["ethnicity_code"]) for q in seen["questions"]] == [("Triệu Thị Lan", None)]


@pytest.mark.parametrize("nesting", [5_000, 33])
def test_deeply_nested_json_is_a_400(db, api, nesting):
    deep = b"[" * nesting + b"]" * nesting
    response = api("commune", "02020").post("/dialogues", data=b'{"title": ' + deep + b"}",
                                            headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert db.session.scalar(sa.select(sa.func.count(Dialogue.id))) == 0
