"""Drill-downs reproduce the dashboard: for every provider, every figure with a link (its
``Figure.link`` and the provider's ``links``), the total and every unit row one level below,
the list the link opens holds exactly as many records as the figure says (people figures: the
records' people add up to it), on the demo data plus the cases that used to differ (a planned
dialogue's collected questions, a question never raised, a commitment forwarded in follow-up).

Generated from the providers, so a figure given a link later is checked without a new test.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app import clock
from app.indicators.periods import Period
from app.indicators.providers import providers
from app.indicators.targets import load_dashboard
from app.models import Unit

RECORD = re.compile(r"<(?:tr|article)\b[^>]*\bdata-record\b[^>]*>")
PEOPLE = re.compile(r'data-people="(\d+)"')


def _list_figure(html: str, kind: str) -> int:
    """What the list shows: its records, or (people figures) the people of its records."""
    records = RECORD.findall(html)
    if kind == "people":
        return sum(int(m) for tag in records for m in PEOPLE.findall(tag))
    return len(records)


def _figures_with_links():
    for provider in providers():
        for figure in provider.figures:
            if figure.link:
                yield provider, figure


def test_every_provider_link_kind_exists(app):
    with app.test_request_context():
        today = clock.today()
        period = Period.year(today.year)
        for provider, figure in _figures_with_links():
            assert figure.link in provider.links(period, today), (provider.name, figure.key)


@pytest.fixture
def demo(app, db, runner, client, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 10_000)  # every record on one page
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    _add_cases_that_used_to_differ(db)
    response = client.post("/login", data={"username": "tinh", "password": "demo1234"})
    assert response.status_code == 302
    return client


def _add_cases_that_used_to_differ(db):
    """A planned dialogue with a collected question, a held one with a question never raised
    beside a raised one that repeats an earlier question of the commune, on this year's dates:
    the lists used to show the unraised ones, the figures not."""
    from dialogues.models import Dialogue, DialogueLevel, DialogueQuestion, DialogueStatus, QuestionOrigin

    commune = db.session.scalar(sa.select(Unit).where(Unit.code == "02020"))
    today = clock.today()
    day = max(date(today.year, 1, 2), today - timedelta(days=3))
    earlier = db.session.scalar(sa.select(DialogueQuestion.id).join(DialogueQuestion.dialogue)
                                .where(Dialogue.unit_id == commune.id, Dialogue.held_on <= day).limit(1))
    assert earlier is not None
    for status in (DialogueStatus.planned, DialogueStatus.held):
        dialogue = Dialogue(title=f"Thử {status.value}", level=DialogueLevel.commune, unit_id=commune.id,
                            held_on=day, status=status)
        db.session.add(dialogue)
        db.session.flush()
        db.session.add(DialogueQuestion(dialogue_id=dialogue.id, number=1, origin=QuestionOrigin.collected,
                                        is_raised=False, content="Ý kiến chưa nêu tại hội nghị"))
        db.session.add(DialogueQuestion(dialogue_id=dialogue.id, number=2, repeat_of_id=earlier,
                                        content="Nhắc lại ý kiến cuộc trước"))
    db.session.commit()


def test_every_linked_figure_opens_a_list_of_that_many_records(app, demo):
    client = demo
    checked = 0
    with app.test_request_context():
        today = clock.today()
        province = app.extensions["sqlalchemy"].session.scalar(sa.select(Unit).where(Unit.code == "19"))
        for unit in (province, *[u for u in province.children if u.code in ("02020", "02086")]):
            for period in (Period.year(today.year), Period.year(today.year - 1)):
                dashboard = load_dashboard(unit, period, today)
                links = {k: v for p in providers() for k, v in p.links(period, today).items()}
                places = [(dashboard.unit_id, dashboard.total, unit.code)]
                # The rows below with records (a province has a hundred communes, mostly empty).
                places += [(r.unit_id, r.figures, r.code) for r in dashboard.rows
                           if r.kind != "self" and r.has_records]
                for unit_id, figures, code in places:
                    for provider, figure in _figures_with_links():
                        value = figures[figure.key]
                        url = f"{links[figure.link]}&unit_id={unit_id}"
                        response = client.get(url)
                        assert response.status_code == 200, url
                        shown = _list_figure(response.get_data(as_text=True), figure.kind)
                        assert shown == value, (figure.key, code, period.label, url, shown, value)
                        checked += value > 0
    assert checked > 10  # the demo has figures to check, not only zeros


def test_dashboard_page_links_are_those_checked(app, demo):
    """Each link the dashboard page draws on a figure cell is one of the providers' links with
    a unit added, and what it opens matches the number drawn (records, or for the people
    figures their people)."""
    client = demo
    html = client.get("/indicators/?unit=19").get_data(as_text=True)
    cells = re.findall(r'<td class="num"><a href="([^"]+)">([\d.]+)</a></td>', html)
    assert cells
    for href, shown in cells:
        href = href.replace("&amp;", "&")
        listed = client.get(href).get_data(as_text=True)
        count = len(RECORD.findall(listed))
        people = sum(int(m) for tag in RECORD.findall(listed) for m in PEOPLE.findall(tag))
        assert int(shown.replace(".", "")) in (count, people), (href, shown, count, people)
