"""Commitments over the API: the workspace list and its filters, scope (an authority token sees
only its agency's), the history, and status changes by the model's rules."""
from __future__ import annotations

import sqlalchemy as sa

from app.models import Agency, AuditLog
from dialogues.models import CommitmentEvent


def test_list_is_scoped_and_filtered(db, api, approved_commitment, dialogue_agencies):
    mine, other = approved_commitment("02020"), approved_commitment("02086")
    officer = api("commune", "02020")
    assert [c["id"] for c in officer.get("/commitments").get_json()["items"]] == [mine]
    assert {c["id"] for c in api("province", "19").get("/commitments").get_json()["items"]} == {mine, other}
    assert officer.get("/commitments?status=resolved").get_json()["total"] == 0
    assert officer.get("/commitments?overdue=true").get_json()["total"] == 0
    assert officer.get(f"/commitments?agency={dialogue_agencies['02020']}").get_json()["total"] == 1
    assert officer.get("/commitments?status=done").status_code == 422


def test_authority_token_sees_only_its_agency(db, api, approved_commitment, dialogue_agencies):
    mine, other = approved_commitment("02020"), approved_commitment("02086")
    reader = api("authority", "02020", agency=db.session.get(Agency, dialogue_agencies["02020"]))
    assert [c["id"] for c in reader.get("/commitments").get_json()["items"]] == [mine]
    assert reader.get(f"/commitments/{other}").status_code == 404
    assert reader.patch(f"/commitments/{other}", json={"status": "in_progress"}).status_code == 404
    stranger = api("authority", "02020")
    assert stranger.get(f"/commitments/{mine}").status_code == 404


def test_commune_cannot_touch_another_communes_commitment(api, approved_commitment):
    other = approved_commitment("02086")
    officer = api("commune", "02020")
    assert officer.get(f"/commitments/{other}").status_code == 404
    assert officer.patch(f"/commitments/{other}", json={"note": "x"}).status_code == 404


def test_status_change_with_note_leaves_history_and_audit(db, api, approved_commitment, dialogue_agencies):
    cid = approved_commitment("02020")
    reader = api("authority", "02020", agency=db.session.get(Agency, dialogue_agencies["02020"]))
    response = reader.patch(f"/commitments/{cid}", json={"status": "in_progress", "note": "Đang làm"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_progress"
    event = body["history"][0]
    assert (event["kind"], event["status_from"], event["status_to"], event["note"], event["user"]) == \
        ("status", "open", "in_progress", "Đang làm", reader.user.username)
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.object_type == "Commitment", AuditLog.action == "update"))
    assert (row.source, row.user_id) == ("api", reader.user.id)


def test_the_model_refuses_a_skipped_step_and_a_reasonless_refusal(api, approved_commitment):
    cid = approved_commitment("02020")
    officer = api("commune", "02020")
    skipped = officer.patch(f"/commitments/{cid}", json={"status": "resolved"})
    assert skipped.status_code == 422 and "status" in skipped.get_json()["error"]["fields"]
    no_reason = officer.patch(f"/commitments/{cid}", json={"status": "not_feasible"})
    assert no_reason.status_code == 422 and "note" in no_reason.get_json()["error"]["fields"]
    assert officer.patch(f"/commitments/{cid}", json={}).status_code == 422


def test_forwarding_makes_a_linked_commitment(db, api, approved_commitment, dialogue_agencies):
    cid = approved_commitment("02020")
    officer = api("commune", "02020")
    response = officer.patch(f"/commitments/{cid}", json={"status": "forwarded", "agency_id": dialogue_agencies["19"],
                                                          "note": "Vượt thẩm quyền xã"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "forwarded" and body["forwarded_to_id"] is not None


def test_a_replayed_change_changes_nothing(db, api, approved_commitment):
    cid = approved_commitment("02020")
    officer = api("commune", "02020")
    change = {"status": "in_progress", "note": "Đang làm", "client_token": "change-token-0000001"}
    assert officer.patch(f"/commitments/{cid}", json=change).status_code == 200
    again = officer.patch(f"/commitments/{cid}", json=change)
    assert again.status_code == 200 and again.get_json()["status"] == "in_progress"
    assert db.session.scalar(sa.select(sa.func.count(CommitmentEvent.id)).where(
        CommitmentEvent.commitment_id == cid)) == 1


def test_follow_up_waits_for_approved_minutes(api, approved_commitment):
    cid = approved_commitment("02020", approve=False)
    response = api("commune", "02020").patch(f"/commitments/{cid}", json={"status": "in_progress"})
    assert response.status_code == 422 and "status" in response.get_json()["error"]["fields"]


def test_another_users_equal_token_does_not_cancel_an_update(db, api, approved_commitment, dialogue_agencies):
    """Idempotency tokens belong to their user: an agency that happens to send the officer's token
    gets its own change applied, not a silent replay of the officer's."""
    cid = approved_commitment("02020")
    token = "shared-token-0000001"
    officer = api("commune", "02020")
    assert officer.patch(f"/commitments/{cid}", json={"note": "Xã đã họp", "client_token": token}).status_code == 200
    reader = api("authority", "02020", agency=db.session.get(Agency, dialogue_agencies["02020"]))
    changed = reader.patch(f"/commitments/{cid}", json={"status": "in_progress", "note": "Đang làm", "client_token": token})
    assert changed.status_code == 200 and changed.get_json()["status"] == "in_progress"
    notes = db.session.scalars(sa.select(CommitmentEvent.note).where(CommitmentEvent.commitment_id == cid)
                               .order_by(CommitmentEvent.id)).all()
    assert notes == ["Xã đã họp", "Đang làm"]
    # and each one's replay is still a replay
    assert reader.patch(f"/commitments/{cid}", json={"status": "in_progress", "note": "Đang làm",
                                                     "client_token": token}).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(CommitmentEvent.id)).where(
        CommitmentEvent.commitment_id == cid)) == 2


def test_a_note_the_pdf_font_cannot_draw_is_a_422_on_the_note(db, api, approved_commitment):
    """Issue #14: the note reaches the follow-up report PDF, where an emoji would vanish."""
    cid = approved_commitment("02020")
    response = api("commune", "02020").patch(f"/commitments/{cid}", json={"status": "in_progress", "note": "Xong 🎉"})
    assert response.status_code == 422
    assert "không in được ký tự “🎉”" in response.get_json()["error"]["fields"]["note"]
    assert db.session.scalar(sa.select(sa.func.count(CommitmentEvent.id))) == 0
