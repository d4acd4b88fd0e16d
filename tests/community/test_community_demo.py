"""The demo reproduces the seed article's figures for Thái Nguyên (19)."""
from __future__ import annotations

import json

from app import clock


def test_demo_prints_the_article_figures(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    result = runner.invoke(args=["community", "indicators", "--unit", "19", "--year", str(clock.today().year)])
    assert result.exit_code == 0, result.output
    total = json.loads(result.output)["total"]
    assert (total["teams_active"], total["team_members"], total["clubs_active"], total["club_members"]) == \
        (72, 720, 25, 350)
    assert total["activity_participants"] > 2000
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # idempotent
    again = json.loads(runner.invoke(args=["community", "indicators", "--unit", "19"]).output)["total"]
    assert again["teams_active"] == 72 and again["club_members"] == 350
