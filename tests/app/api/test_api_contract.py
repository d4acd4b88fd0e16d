"""Contract: the OpenAPI document is valid, lists every API route, and every endpoint answers as it
documents (status codes, bodies checked against the schemas with jsonschema)."""
from __future__ import annotations

from datetime import date, timedelta
from app import clock

import pytest
from openapi_spec_validator import validate

from app.api import openapi
from app.api.routes import OPERATIONS


def test_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_is_in_the_document(app):
    document = openapi.document()
    documented = {(method.upper(), "/api/v1" + path) for path, ops in document["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == documented


def test_document_is_public_and_the_rest_is_not(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    document = openapi.document()
    public = [(p, m) for p, ops in document["paths"].items() for m, op in ops.items() if op.get("security") == []]
    assert public == [("/openapi.json", "get")]


# --- every endpoint, with its documented answers ---------------------------------------------

def _units(conforms, api, world):
    client = world["commune"]
    conforms(client.get("/units"), 200)
    conforms(client.get(f"/units?parent={world['units']['02020'].id}"), 200)
    conforms(client.get(f"/units?parent={world['units']['02086'].id}"), 422)
    conforms(client.get("/units?page=0"), 422)
    conforms(api(None).get("/units"), 401)


def _agencies(conforms, api, world):
    conforms(world["commune"].get("/agencies"), 200)
    conforms(world["commune"].get(f"/agencies?unit={world['units']['02020'].id}"), 200)
    addressable = conforms(world["commune"].get(f"/agencies?addressable_from={world['units']['02020'].id}"), 200)
    assert {a["code"] for a in addressable["items"]} >= {"UBND-02020", "SYT-19"}
    conforms(world["commune"].get(f"/agencies?addressable_from={world['units']['19'].id}"), 422)
    conforms(world["trainer"].get("/agencies"), 403)
    conforms(api(None).get("/agencies"), 401)


def _trainings(conforms, api, world):
    body = conforms(world["commune"].get("/trainings"), 200)
    assert body["total"] == 1
    conforms(world["commune"].get("/trainings?from=2025-13-01"), 422)
    conforms(world["authority"].get("/trainings"), 403)
    conforms(api(None).get("/trainings"), 401)


def _training(conforms, api, world):
    training = world["training"]
    conforms(world["trainer"].get(f"/trainings/{training.id}"), 200)
    conforms(world["commune"].get(f"/trainings/{world['far_training'].id}"), 404)
    conforms(world["authority"].get(f"/trainings/{training.id}"), 403)


def _results(conforms, api, world):
    training, client = world["training"], world["trainer"]
    for code in [p.person.code for p in training.participants]:
        for phase in ("pre", "post"):
            client.post(f"/trainings/{training.id}/responses", json=world["answers_body"](training, code, phase))
    body = conforms(client.get(f"/trainings/{training.id}/results"), 200)
    assert body["n_matched"] == 3 and len(body["participants"]) == 3
    conforms(world["commune"].get(f"/trainings/{world['far_training'].id}/results"), 404)
    conforms(world["authority"].get(f"/trainings/{training.id}/results"), 403)


def _responses(conforms, api, world):
    training, client = world["training"], world["trainer"]
    body = world["answers_body"](training)
    conforms(client.post(f"/trainings/{training.id}/responses", json=body), 201)
    conforms(client.post(f"/trainings/{training.id}/responses", json=body), 200)
    conforms(client.post(f"/trainings/{training.id}/responses", json=world["answers_body"](training)), 409)
    conforms(client.post(f"/trainings/{training.id}/responses", json={"phase": "x"}), 422)
    conforms(client.post(f"/trainings/{training.id}/responses", data="{", content_type="application/json"), 400)
    conforms(client.post(f"/trainings/{training.id}/responses", data="x", content_type="text/plain"), 415)
    conforms(world["commune"].post(f"/trainings/{world['far_training'].id}/responses", json=body), 404)


def _dialogue_body(world, **overrides) -> dict:
    ubnd = world["agencies"]["02020"]
    return {"title": "Đối thoại", "unit_id": world["units"]["02020"].id,
            "held_on": (clock.today() - timedelta(days=2)).isoformat(), "status": "held",
            "questions": [{"content": "Kiến nghị", "raiser_name": "Người nêu", "agency_id": ubnd, "category": "credit",
                           "answer": {"outcome": "accepted", "content": "Tiếp thu"},
                           "commitments": [{"agency_id": ubnd, "description": "Cam kết",
                                            "deadline": (clock.today() + timedelta(days=9)).isoformat()}]}],
            **overrides}


def _create_dialogue(conforms, api, world):
    client = world["commune"]
    body = _dialogue_body(world, client_token="contract-dialogue-01")
    created = conforms(client.post("/dialogues", json=body), 201)
    assert created["questions"][0]["commitments"][0]["status"] == "open"
    conforms(client.post("/dialogues", json=body), 200)
    conforms(client.post("/dialogues", json=_dialogue_body(world, held_on="2000-13-01")), 422)
    conforms(client.post("/dialogues", json=_dialogue_body(world, unit_id=world["units"]["02086"].id)), 422)
    conforms(world["authority"].post("/dialogues", json=body), 403)
    conforms(client.post("/dialogues", data="[", content_type="application/json"), 400)


def _list_dialogues(conforms, api, world):
    world["make_dialogue"]("02020")
    body = conforms(world["commune"].get("/dialogues?status=held"), 200)
    assert body["total"] == 1
    conforms(world["commune"].get("/dialogues?status=lost"), 422)
    conforms(world["trainer"].get("/dialogues"), 403)


def _get_dialogue(conforms, api, world):
    mine, other = world["make_dialogue"]("02020"), world["make_dialogue"]("02086")
    conforms(world["commune"].get(f"/dialogues/{mine.id}"), 200)
    conforms(world["province"].get(f"/dialogues/{other.id}"), 200)
    conforms(world["commune"].get(f"/dialogues/{other.id}"), 404)


def _get_minutes(conforms, api, world):
    dialogue = world["make_dialogue"]("02020")
    conforms(world["commune"].get(f"/dialogues/{dialogue.id}/minutes.pdf"), 200)
    conforms(world["authority"].get(f"/dialogues/{dialogue.id}/minutes.pdf"), 404)  # no draft for agencies
    conforms(world["trainer"].get(f"/dialogues/{dialogue.id}/minutes.pdf"), 403)


def _list_commitments(conforms, api, world):
    world["approved_commitment"]("02020")
    body = conforms(world["commune"].get("/commitments?status=open&overdue=false"), 200)
    assert body["total"] >= 1 and conforms(world["commune"].get("/commitments?status=resolved"), 200)["total"] == 0
    conforms(world["commune"].get("/commitments?overdue=maybe"), 422)
    conforms(world["trainer"].get("/commitments"), 403)


def _get_commitment(conforms, api, world):
    mine, other = world["approved_commitment"]("02020"), world["approved_commitment"]("02086")
    conforms(world["commune"].get(f"/commitments/{mine}"), 200)
    conforms(world["commune"].get(f"/commitments/{other}"), 404)


def _change_commitment(conforms, api, world):
    cid = world["approved_commitment"]("02020")
    client = world["commune"]
    body = conforms(client.patch(f"/commitments/{cid}", json={"status": "in_progress", "note": "Bắt đầu"}), 200)
    assert body["history"][0]["status_to"] == "in_progress"
    conforms(client.patch(f"/commitments/{cid}", json={"status": "in_progress"}), 422)
    conforms(client.patch(f"/commitments/{cid}", json={"status": "maybe"}), 422)
    conforms(client.patch(f"/commitments/{cid}", data="x", content_type="text/plain"), 415)
    conforms(world["trainer"].patch(f"/commitments/{cid}", json={"note": "x"}), 403)


def _indicators(conforms, api, world):
    world["make_dialogue"]("02020")
    body = conforms(world["province"].get(f"/indicators?unit={world['units']['19'].id}"), 200)
    assert body["total"]["dialogues_held"] == 1
    conforms(world["commune"].get("/indicators?from=2025-02-30"), 422)
    conforms(world["authority"].get("/indicators"), 403)


def _community_activity(world):
    from datetime import date

    from app.extensions import db
    from community import services as cs
    from community.models import ActivityForm, ActivityTopic

    cs.seed_topics()
    team = cs.save_team(None, unit=world["units"]["ban_ca"], name="Tổ truyền thông", founded_on=date(2024, 1, 1))
    cs.save_activity(None, cs.ActivityData(held_on=date(2025, 9, 1), form=ActivityForm.meeting, team=team,
                                           topic_id=db.session.scalar(db.select(db.func.min(ActivityTopic.id))),
                                           participants_total=25, participants_women=20))
    db.session.commit()


def _community_indicators(conforms, api, world):
    _community_activity(world)
    body = conforms(world["province"].get(f"/community/indicators?unit={world['units']['19'].id}"
                                          "&from=2025-01-01&to=2025-12-31"), 200)
    assert body["total"]["activity_participants"] == 25 and body["total"]["teams_active"] == 1
    conforms(world["commune"].get(f"/community/indicators?unit={world['units']['02086'].id}"), 422)
    conforms(world["commune"].get("/community/indicators?from=2025-12-01&to=2025-01-01"), 422)
    conforms(world["trainer"].get("/community/indicators"), 403)


def _community_activities(conforms, api, world):
    _community_activity(world)
    body = conforms(world["commune"].get("/community/activities?from=2025-09-01"), 200)
    assert [a["participants_total"] for a in body["items"]] == [25]
    assert conforms(api("commune", "02086").get("/community/activities"), 200)["items"] == []
    conforms(world["authority"].get("/community/activities"), 403)


def _document(conforms, api, world):
    conforms(api(None).get("/openapi.json"), 200)


SCENARIOS = {
    "api.list_units": _units,
    "api.list_agencies": _agencies,
    "api.list_trainings": _trainings,
    "api.get_training": _training,
    "api.create_response": _responses,
    "api.get_training_results": _results,
    "api.openapi_document": _document,
    "api.create_dialogue": _create_dialogue,
    "api.list_dialogues": _list_dialogues,
    "api.get_dialogue": _get_dialogue,
    "api.get_minutes": _get_minutes,
    "api.list_commitments": _list_commitments,
    "api.get_commitment": _get_commitment,
    "api.change_commitment": _change_commitment,
    "api.get_indicators": _indicators,
    "api.community_indicators": _community_indicators,
    "api.list_community_activities": _community_activities,
}


def test_every_endpoint_has_a_contract_scenario():
    assert set(SCENARIOS) == {op.endpoint for op in OPERATIONS}


@pytest.fixture
def world(units, api, create_training, answers_body, dialogue_agencies, make_dialogue, approved_commitment):
    return {"units": units, "agencies": dialogue_agencies, "make_dialogue": make_dialogue,
            "approved_commitment": approved_commitment, "training": create_training("02020"), "far_training": create_training("02086"),
            "commune": api("commune", "02020"), "trainer": api("trainer", "02020"),
            "authority": api("authority", "02020"), "province": api("province", "19"),
            "answers_body": answers_body}


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_contract(endpoint, conforms, api, world):
    SCENARIOS[endpoint](conforms, api, world)
