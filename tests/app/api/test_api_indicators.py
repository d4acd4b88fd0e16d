"""Indicators over the API: the same figures as `flask indicators`, for a unit in scope only."""
from __future__ import annotations

import json
from datetime import date
from app import clock


def test_figures_are_those_of_the_cli(api, runner, units, make_dialogue, dialogue_agencies, quick_pdf):
    make_dialogue("02020", approved=True)
    today = clock.today()
    client = api("province", "19")
    body = client.get(f"/indicators?unit={units['19'].id}&from={today.year}-01-01&to={today.isoformat()}").get_json()
    printed = runner.invoke(args=["indicators", "--unit", "19", "--from", f"{today.year}-01-01",
                                  "--to", today.isoformat()])
    assert body == json.loads(printed.stdout)
    assert body["total"]["dialogues_held"] == 1


def test_defaults_to_the_users_unit_this_year(api):
    body = api("commune", "02020").get("/indicators").get_json()
    assert body["unit"]["code"] == "02020"
    assert body["period"]["from"] == f"{clock.today().year}-01-01"


def test_another_commune_and_bad_periods_are_refused(api, units):
    client = api("commune", "02020")
    assert client.get(f"/indicators?unit={units['02086'].id}").status_code == 422
    assert client.get("/indicators?from=2025-06-01&to=2025-01-01").status_code == 422
    assert api("trainer", "02020").get("/indicators").status_code == 403
    assert api("authority", "02020").get("/indicators").status_code == 403
