"""Community figures: definitions, child-unit breakdown, fixed statement count, and every
drill-down equal to its figure (both databases)."""
from __future__ import annotations

from datetime import date

import pytest

from app.indicators.periods import Period
from community import indicators, services
from community.models import GroupStatus, SupportKind

YEAR = Period.year(2025)


@pytest.fixture
def records(db, units, create_team, create_club, create_address, activity, freeze_today):
    freeze_today(date(2025, 12, 31))
    cd, cm = units["02020"], units["02086"]
    t1 = create_team(cd, members=8, women=6)
    t2 = create_team(units["ban_ca"], members=3, women=3)
    t3 = create_team(cm, members=10, women=9)
    gone = create_team(cm, members=7)
    services.close_group(gone, GroupStatus.dissolved, date(2025, 7, 15))
    services.end_membership(t1.members[0], date(2025, 3, 1))       # left: 7 members remain
    club = create_club(cd, children=16, girls=9)
    services.withdraw_child_consent(club.members[0], date(2025, 4, 1))  # a girl leaves
    create_club(cm, children=3, girls=1)
    address = create_address("ban_ca")
    services.record_support(address, date(2025, 2, 1), SupportKind.shelter, 2)
    services.record_support(address, date(2025, 7, 1), SupportKind.counselling, 4)
    services.record_support(address, date(2024, 12, 1), SupportKind.counselling, 9)   # outside the year
    activity(t1, held_on=date(2025, 3, 5), total=30, women=20, minority=25, children=4)
    activity(t2, held_on=date(2025, 8, 5), total=12, women=12, minority=10, children=0)
    activity(t3, held_on=date(2025, 9, 9), total=40, women=30, minority=35, children=10)
    activity(t3, held_on=date(2024, 9, 9), total=99, women=1, minority=1, children=1)  # outside the year
    db.session.commit()
    return {"t1": t1, "t2": t2, "t3": t3}


def test_figures_of_the_province_and_its_communes(db, units, records):
    figures = indicators.compute(units["19"], YEAR)
    assert figures.total == {
        "teams_active": 3, "team_members": 20, "team_members_women": 17, "clubs_active": 2, "club_members": 18,
        "club_members_girls": 9, "addresses_active": 1, "support_given": 6, "activities_held": 3,
        "activity_participants": 82, "activity_women": 62, "activity_minority": 70, "activity_children": 14}
    rows = {r.code: r.figures for r in figures.rows}
    assert rows["02020"]["teams_active"] == 2 and rows["02020"]["team_members"] == 10
    assert rows["02086"]["teams_active"] == 1 and rows["02086"]["activity_participants"] == 40
    # The first half-year (Circular 01/2022 preset): the team dissolved on 15/7 still existed on 30/6.
    half = indicators.compute(units["19"], indicators.preset_period("h1", 2025))
    assert half.total["teams_active"] == 4 and half.total["activity_participants"] == 30


@pytest.mark.parametrize("unit_code", ["19", "02020", "ban_ca"])
def test_every_drilldown_equals_its_figure(db, units, records, unit_code):
    unit = units[unit_code]
    for period in (YEAR, indicators.preset_period("h1", 2025), indicators.preset_period("q3", 2025)):
        figures = indicators.compute(unit, period)
        for key in indicators.KEYS:
            assert indicators.drilldown(unit, period, key).value == figures.total[key], (unit_code, period, key)
    assert any(figures.total.values())


def test_statement_count_does_not_grow_with_records(db, units, records, statements, create_team, activity):
    province = units["19"]
    assert province.path  # loaded before counting: only the figures' statements are counted
    few = len(statements(lambda: indicators.compute(province, YEAR)))
    few_raw = len(statements(lambda: indicators.compute(province, YEAR, "raw")))
    for _ in range(3):
        activity(create_team("02086", members=2), held_on=date(2025, 5, 5))
    assert province.path
    # Units and the rollups (app.indicators.rollups); raw: units and one statement per family.
    assert len(statements(lambda: indicators.compute(province, YEAR))) == few == 2
    assert len(statements(lambda: indicators.compute(province, YEAR, "raw"))) == few_raw == 8


def test_people_counts_under_five_are_masked():
    assert indicators.mask("team_members", 3) == "<5"
    assert indicators.mask("team_members", 0) == 0
    assert indicators.mask("teams_active", 3) == 3
    assert indicators.mask("activity_participants", 5) == 5


def test_presets_follow_the_reporting_calendar():
    assert indicators.preset_period("q3", 2025) == Period.quarter(2025, 3)
    h1 = indicators.preset_period("h1", 2025)
    assert (h1.date_from, h1.date_to) == (date(2025, 1, 1), date(2025, 6, 30))
    assert indicators.preset_period("year", 2025) == Period.year(2025)
