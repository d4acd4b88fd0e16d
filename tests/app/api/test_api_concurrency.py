"""Concurrent API calls: replays of one client token racing each other store one response, and the
write limit holds when the calls of one token arrive together (both databases)."""
from __future__ import annotations

import json

import sqlalchemy as sa

from concurrency import fire, statuses
from surveys.models import Response


def test_simultaneous_replays_store_one_response(app, db, api, create_training, answers_body):
    training = create_training()
    client = api("trainer")
    body = answers_body(training, token="racing-token-000000001")
    headers = {"Authorization": f"Bearer {client.secret}"}
    results = fire(app, 12, lambda c, i: c.post(f"/api/v1/trainings/{training.id}/responses", json=body,
                                                 headers=headers))
    assert statuses(results) == {201: 1, 200: 11}
    assert len({json.loads(r.body)["id"] for r in results}) == 1
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_the_write_limit_holds_under_simultaneous_calls(app, db, write_limit, api, create_training, answers_body):
    write_limit(5)
    training = create_training()
    client = api("trainer")
    body = answers_body(training, token="racing-token-000000002")
    headers = {"Authorization": f"Bearer {client.secret}"}
    results = fire(app, 12, lambda c, i: c.post(f"/api/v1/trainings/{training.id}/responses", json=body,
                                                 headers=headers))
    counted = statuses(results)
    assert counted[429] >= 7 and counted[201] + counted[200] <= 5
