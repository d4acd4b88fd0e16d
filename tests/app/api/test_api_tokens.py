"""Creating and revoking tokens: the account page (shown once, reload-safe, own tokens only) and the CLI."""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.api.models import ApiToken
from app.models import AuditLog


def _secret(html: str) -> str | None:
    match = re.search(r'<code class="secret">(cn_[^<]+)</code>', html)
    return match.group(1) if match else None


def test_page_creates_a_token_shown_once_that_works(db, client, login_as):
    user = login_as("commune")
    assert client.get("/account/api-tokens/").status_code == 200
    created = client.post("/account/api-tokens/", data={"name": "Báo cáo tỉnh", "days": "90", "token": "form-token-1"})
    secret = _secret(created.get_data(as_text=True))
    assert created.status_code == 201 and secret
    assert created.headers["Cache-Control"] == "no-store"
    assert secret not in client.get("/account/api-tokens/").get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken))
    assert (token.user_id, token.name, token.expires_dt is not None) == (user.id, "Báo cáo tỉnh", True)
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_reloading_the_created_page_makes_no_second_token(db, client, login_as):
    login_as("commune")
    data = {"name": "App", "days": "0", "token": "form-token-2"}
    first = client.post("/account/api-tokens/", data=data)
    again = client.post("/account/api-tokens/", data=data)
    assert first.status_code == 201 and again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 1
    assert db.session.scalar(sa.select(ApiToken.expires_dt)) is None


def test_bad_input_is_shown_on_the_form(db, client, login_as):
    login_as("commune")
    response = client.post("/account/api-tokens/", data={"name": "x" * 101, "days": "7", "token": "t"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_revoke_from_the_page_stops_the_token_and_is_audited(db, client, login_as, token_for):
    user = login_as("commune")
    secret = token_for(user)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "ApiToken", AuditLog.action == "update"))
    assert audit.user_id == user.id and "revoked_dt" in audit.after
    assert "token_hash" not in str(audit.after) and "token_hash" not in str(
        db.session.scalar(sa.select(AuditLog.after).where(AuditLog.action == "create", AuditLog.object_type == "ApiToken")))


def test_someone_elses_token_cannot_be_revoked(db, client, login_as, create_user, token_for):
    other = create_user("commune")
    token_for(other)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    login_as("admin", "VN")
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    assert db.session.scalar(sa.select(ApiToken.revoked_dt)) is None


def test_cli_creates_prints_once_lists_and_revokes(db, runner, create_user):
    user = create_user("trainer", username="tapHuan1".lower())
    created = runner.invoke(args=["api-token", "create", user.username, "--name", "Ứng dụng", "--days", "30"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"cn_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret)
    listed = runner.invoke(args=["api-token", "list"])
    assert "taphuan1" in listed.output and secret not in listed.output and "active" in listed.output
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert runner.invoke(args=["api-token", "revoke", str(token_id)]).exit_code == 0
    assert "revoked" in runner.invoke(args=["api-token", "list", user.username]).output


def test_cli_refuses_unknown_user_or_token_in_one_line(runner, units):
    unknown = runner.invoke(args=["api-token", "create", "nobody"])
    assert unknown.exit_code != 0 and "nobody" in unknown.output
    assert runner.invoke(args=["api-token", "revoke", "999"]).exit_code != 0
    assert runner.invoke(args=["api-token", "create", "nobody", "--days", "0"]).exit_code != 0
