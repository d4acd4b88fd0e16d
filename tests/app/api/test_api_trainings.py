"""Trainings over the API: scope, the roster export log, and answers through the one scored save
path with client-token replay."""
from __future__ import annotations

import sqlalchemy as sa

from app.models import ExportLog
from surveys.models import Response, ResponseSource


def test_list_is_scoped_to_the_users_unit(app, api, create_training):
    mine, other = create_training("02020"), create_training("02086")
    body = api("commune", "02020").get("/trainings").get_json()
    assert [t["id"] for t in body["items"]] == [mine.id]
    province = api("province", "19").get("/trainings").get_json()
    assert {t["id"] for t in province["items"]} == {mine.id, other.id}


def test_list_filters_by_unit_and_paginates(api, create_training):
    a, b, c = create_training("02020"), create_training("02020"), create_training("02086")
    client = api("province", "19")
    assert {t["id"] for t in client.get(f"/trainings?unit={a.unit_id}").get_json()["items"]} == {a.id, b.id}
    page = client.get("/trainings?per_page=2&page=2").get_json()
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (3, 2, 2, 1)
    assert client.get("/trainings?per_page=101").status_code == 422


def test_a_unit_filter_outside_the_scope_is_refused(api, units, create_training):
    create_training("02086")
    response = api("commune", "02020").get(f"/trainings?unit={units['02086'].id}")
    assert response.status_code == 422 and "unit" in response.get_json()["error"]["fields"]


def test_detail_gives_items_without_the_key_and_logs_the_roster_export(db, app, api, create_training):
    training = create_training(people=2)
    client = api("trainer")
    body = client.get(f"/trainings/{training.id}").get_json()
    assert [i["key"] for i in body["items"]] == ["1", "2", "3", "4"]
    assert body["items"][1]["options"] == ["113", "111", "115"] and body["items"][1]["dont_know"] == 4
    assert "correct" not in str(body["items"])
    assert len(body["participants"]) == 2
    log = db.session.scalar(sa.select(ExportLog))
    assert (log.user_id, log.object_id, log.has_names, log.rows) == (client.user.id, training.id, True, 2)


def test_out_of_scope_training_is_404_for_read_and_write(api, create_training, answers_body):
    other = create_training("02086")
    client = api("commune", "02020")
    assert client.get(f"/trainings/{other.id}").status_code == 404
    assert client.post(f"/trainings/{other.id}/responses", json=answers_body(other)).status_code == 404


def test_create_scores_like_the_web_and_records_the_source(db, api, create_training, answers_body):
    training = create_training()
    response = api("trainer").post(f"/trainings/{training.id}/responses", json=answers_body(training))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["score"], body["max_score"], body["source"]) == (4, 4, "api")
    assert body["answers"] == {"1": [2], "2": [2], "3": [1, 2], "4": "Luật"}
    assert db.session.scalar(sa.select(Response.source)) is ResponseSource.api


def test_replay_returns_the_same_response_and_stores_nothing_new(db, api, create_training, answers_body):
    training = create_training()
    client = api("trainer")
    body = answers_body(training)
    first = client.post(f"/trainings/{training.id}/responses", json=body)
    changed = {**body, "answers": {"1": [1]}}  # a replay is answered with what was stored, whatever it says
    again = client.post(f"/trainings/{training.id}/responses", json=changed)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_a_second_response_under_another_token_is_409(db, api, create_training, answers_body):
    training = create_training()
    client = api("trainer")
    code = training.participants[0].person.code
    assert client.post(f"/trainings/{training.id}/responses", json=answers_body(training, code)).status_code == 201
    response = client.post(f"/trainings/{training.id}/responses", json=answers_body(training, code))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    post = client.post(f"/trainings/{training.id}/responses", json=answers_body(training, code, phase="post"))
    assert post.status_code == 201


def test_a_token_used_in_another_training_is_refused(api, create_training, answers_body):
    first, second = create_training(), create_training()
    client = api("trainer")
    body = answers_body(first, token="shared-token-0123456789")
    assert client.post(f"/trainings/{first.id}/responses", json=body).status_code == 201
    reused = client.post(f"/trainings/{second.id}/responses", json=answers_body(second, token=body["client_token"]))
    assert reused.status_code == 422 and "client_token" in reused.get_json()["error"]["fields"]


def test_bad_answers_get_field_errors_and_nothing_is_stored(db, api, create_training, answers_body):
    training = create_training()
    body = answers_body(training)
    body["answers"] = {"1": [7], "2": [1, 2], "9": [1], "3": [1, 2]}
    response = api("trainer").post(f"/trainings/{training.id}/responses", json=body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"answers.1", "answers.2", "answers.9"}
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


def test_unknown_participant_is_a_field_error(api, create_training, answers_body):
    training = create_training()
    response = api("trainer").post(f"/trainings/{training.id}/responses", json=answers_body(training, "NOBODY"))
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"participant_code"}


def test_missing_consent_is_refused_until_given(db, api, create_training, answers_body):
    training = create_training(consent=False)
    client = api("trainer")
    refused = client.post(f"/trainings/{training.id}/responses", json=answers_body(training))
    assert refused.status_code == 422 and "consent" in refused.get_json()["error"]["fields"]
    given = client.post(f"/trainings/{training.id}/responses", json=answers_body(training, consent=True))
    assert given.status_code == 201


def test_schema_errors_name_each_field(api, create_training):
    training = create_training()
    response = api("trainer").post(f"/trainings/{training.id}/responses", json={
        "participant_code": 12, "phase": "during", "answers": {"x": [1]}, "client_token": "short", "extra": 1})
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422
    assert set(fields) >= {"participant_code", "phase", "answers", "client_token", "extra"}


def test_results_are_the_cli_object_and_the_read_is_logged(db, api, runner, create_training, answers_body):
    import json

    training = create_training(people=3)
    client = api("trainer")
    for i, participant in enumerate(training.participants):
        client.post(f"/trainings/{training.id}/responses", json={**answers_body(training, participant.person.code),
                                                                 "answers": {"1": [1 + i % 2]}})
        client.post(f"/trainings/{training.id}/responses", json=answers_body(training, participant.person.code, "post"))
    body = client.get(f"/trainings/{training.id}/results").get_json()
    printed = runner.invoke(args=["surveys", "results", str(training.id)])
    assert body == json.loads(printed.stdout)
    assert body["summary"]["mean_gain"] is not None and body["n_matched"] == 3
    kinds = db.session.scalars(sa.select(ExportLog.kind).where(ExportLog.user_id == client.user.id)).all()
    assert kinds == ["training_results_json"]


def test_a_voided_response_says_so_and_frees_the_place_for_a_new_one(db, api, create_training, answers_body):
    from surveys import services

    training = create_training()
    client = api("trainer")
    code = training.participants[0].person.code
    body = answers_body(training, code)
    first = client.post(f"/trainings/{training.id}/responses", json=body).get_json()
    assert (first["voided"], first["voided_dt"], first["void_reason"]) == (False, None, None)
    services.void_response(db.session.get(Response, first["id"]), "Nhập nhầm người", None)
    db.session.commit()
    replay = client.post(f"/trainings/{training.id}/responses", json=body)
    assert replay.status_code == 200
    assert (replay.get_json()["voided"], replay.get_json()["void_reason"]) == (True, "Nhập nhầm người")
    assert replay.get_json()["voided_dt"]
    again = client.post(f"/trainings/{training.id}/responses", json=answers_body(training, code))
    assert again.status_code == 201 and again.get_json()["voided"] is False
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 2
    # and the place is held again by the new one
    assert client.post(f"/trainings/{training.id}/responses", json=answers_body(training, code)).status_code == 409
