"""Tokens and authentication: bearer only, 401 vs 403, revocation, expiry, no session cookie,
the token page and the CLI, rate limit, body size, language of messages."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.api.models import ApiToken, ApiWrite
from app.models import AuditLog, utcnow


def test_only_the_hash_is_stored(db, api):
    client = api("commune")
    row = db.session.scalar(sa.select(ApiToken))
    assert client.secret.startswith(f"cn_{row.prefix}_")
    assert row.token_hash == hashlib.sha256(client.secret.encode()).hexdigest()
    assert client.secret not in str([getattr(row, c.key) for c in ApiToken.__table__.columns])


def test_token_lets_the_user_in_and_records_last_use(db, api):
    client = api("commune")
    assert client.get("/units").status_code == 200
    assert db.session.scalar(sa.select(ApiToken.last_used_dt)) is not None


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz",
                                    "Bearer cn_00000000_" + "a" * 43])
def test_missing_or_unknown_token_is_401_with_a_challenge(api, header):
    client = api("commune")
    response = client.client.get("/api/v1/units", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_wrong_secret_with_a_real_prefix_is_401(api):
    client = api("commune")
    forged = client.secret[:12] + ("A" if client.secret[12] != "A" else "B") + client.secret[13:]
    assert client.client.get("/api/v1/units", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_role_not_served_is_403_not_401(api):
    response = api("authority").get("/trainings")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_revoked_token_is_401_at_once(db, api):
    client = api("commune")
    assert client.get("/units").status_code == 200
    db.session.scalar(sa.select(ApiToken)).revoked_dt = utcnow()
    db.session.commit()
    assert client.get("/units").status_code == 401


def test_expired_token_is_401(db, api):
    client = api("commune")
    db.session.scalar(sa.select(ApiToken)).expires_dt = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/units").status_code == 401


def test_locked_account_token_is_401(db, api):
    client = api("commune")
    client.user.is_active_account = False
    db.session.commit()
    assert client.get("/units").status_code == 401


def test_browser_session_is_not_honoured_and_no_cookie_is_sent(client, login_as):
    login_as("commune")
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_api_answers_never_set_a_cookie(api):
    client = api("commune")
    for response in (client.get("/units"), client.get("/nothing-here"), client.post("/trainings/1/responses", json={})):
        assert "Set-Cookie" not in response.headers


def test_writes_need_no_csrf_token(app, api, create_training, answers_body):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        training = create_training()
        assert api("trainer").post(f"/trainings/{training.id}/responses", json=answers_body(training)).status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_api_writes_are_audited_as_api_with_the_user(db, api, create_training, answers_body):
    training = create_training()
    client = api("trainer")
    client.post(f"/trainings/{training.id}/responses", json=answers_body(training))
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Response"))
    assert (row.source, row.user_id) == ("api", client.user.id)


# --- rate limit and size -------------------------------------------------------------------

def test_writes_beyond_the_limit_get_429_with_retry_after(write_limit, api, create_training, answers_body):
    write_limit(3)
    training = create_training()
    client = api("trainer")
    body = answers_body(training)
    statuses = [client.post(f"/trainings/{training.id}/responses", json=body).status_code for _ in range(3)]
    refused = client.post(f"/trainings/{training.id}/responses", json=body)
    assert statuses == [201, 200, 200]
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/trainings").status_code == 200  # reads are not limited
    assert api("trainer").post(f"/trainings/{training.id}/responses", json=body).status_code == 200  # per token


def test_the_limit_window_slides(write_limit, db, api, create_training, answers_body):
    write_limit(2)
    training = create_training()
    client = api("trainer")
    body = answers_body(training)
    for _ in range(2):
        client.post(f"/trainings/{training.id}/responses", json=body)
    assert client.post(f"/trainings/{training.id}/responses", json=body).status_code == 429
    db.session.execute(sa.update(ApiWrite).values(created_dt=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    assert client.post(f"/trainings/{training.id}/responses", json=body).status_code == 200


def test_failed_writes_count_too(write_limit, api, create_training):
    write_limit(2)
    training = create_training()
    client = api("trainer")
    for _ in range(2):
        assert client.post(f"/trainings/{training.id}/responses", json={}).status_code == 422
    assert client.post(f"/trainings/{training.id}/responses", json={}).status_code == 429


def test_body_over_the_limit_is_413_json(app, api, create_training):
    training = create_training()
    client = api("trainer")
    big = {"participant_code": "x" * (app.config["API_MAX_BODY_BYTES"] + 10)}
    response = client.post(f"/trainings/{training.id}/responses", json=big)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_malformed_json_is_400_and_other_types_415(api, create_training):
    training = create_training()
    client = api("trainer")
    broken = client.post(f"/trainings/{training.id}/responses", data="{not json",
                         headers={"Content-Type": "application/json"})
    form = client.post(f"/trainings/{training.id}/responses", data={"phase": "pre"})
    assert (broken.status_code, form.status_code) == (400, 415)


# --- language ------------------------------------------------------------------------------

def test_messages_are_vietnamese_by_default_and_english_on_request(api):
    client = api("authority")
    vi = client.get("/trainings").get_json()["error"]["message"]
    en = client.get("/trainings", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_json()["error"]["message"]
    assert "quyền" in vi
    assert "account" in en.lower()


def test_field_messages_follow_the_language(api, create_training):
    training = create_training()
    response = api("trainer").post(f"/trainings/{training.id}/responses", json={"phase": "later"},
                                   headers={"Accept-Language": "en"})
    fields = response.get_json()["error"]["fields"]
    assert set(fields) >= {"participant_code", "answers", "client_token", "phase"}
    assert "required" in fields["participant_code"].lower()
