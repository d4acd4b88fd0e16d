"""Date inputs show their date: an ``<input type="date">`` only displays an ISO value (a
dd/mm/yyyy value shows as empty), so every date field renders ISO whatever was typed (dd/mm/yyyy
in a URL or a no-JS form is still accepted), and the dashboard's drill-down links carry ISO dates."""
import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from app.forms import DateField, PlainForm
from app.models import Role

DATE_INPUT = re.compile(r"<input\b[^>]*\btype=\"date\"[^>]*>")
VALUE = re.compile(r'\bvalue="([^"]*)"')
NAME = re.compile(r'\bname="([^"]*)"')
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_inputs(html: str) -> dict[str, str]:
    """name -> value of every date input of a page."""
    found = {}
    for tag in DATE_INPUT.findall(html):
        value = VALUE.search(tag)
        found[NAME.search(tag).group(1)] = value.group(1) if value else ""
    return found


class _Form(PlainForm):
    day = DateField("Ngày")


@pytest.mark.parametrize("typed, shown, data", [
    ("01/12/2026", "2026-12-01", date(2026, 12, 1)),
    ("2026-12-01", "2026-12-01", date(2026, 12, 1)),
    ("31/02/2026", "31/02/2026", None),  # not a date: given back as typed, with its error
])
def test_a_date_field_renders_iso_whatever_was_typed(app, typed, shown, data):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = _Form(MultiDict({"day": typed}))
        assert form.validate() is (data is not None)
        assert form.day.data == data
        assert date_inputs(form.day()) == {"day": shown}
        assert date_inputs(_Form(data={"day": date(2025, 3, 9)}).day()) == {"day": "2025-03-09"}


PAGES = ["/dialogues/indicators?unit_id={unit}&date_from=01/02/2025&date_to=30/11/2025",
         "/dialogues/analysis?unit_id={unit}&date_from=01/02/2025&date_to=30/11/2025",
         "/dialogues/?date_from=01/02/2025&date_to=30/11/2025",
         "/dialogues/questions/?date_from=01/02/2025&date_to=30/11/2025",
         "/dialogues/commitments/?date_from=01/02/2025&date_to=30/11/2025",
         "/surveys/results?date_from=01/02/2025&date_to=30/11/2025"]


@pytest.mark.parametrize("page", PAGES)
def test_dates_typed_dd_mm_yyyy_in_the_url_fill_the_date_inputs_as_iso(client, login_as, units, page):
    login_as(Role.province, "19")
    response = client.get(page.format(unit=units["19"].id))
    assert response.status_code == 200
    inputs = date_inputs(response.get_data(as_text=True))
    assert inputs["date_from"] == "2025-02-01" and inputs["date_to"] == "2025-11-30"


@pytest.mark.parametrize("page", ["/dialogues/indicators", "/dialogues/analysis"])
def test_the_figures_pages_show_the_period_they_count(client, login_as, units, page):
    """With no dates given, both figures pages count 1 January to today and say so in their inputs;
    "to" before "from" is refused beside "to", the typed dates kept."""
    from app import clock

    login_as(Role.province, "19")
    today = clock.today()
    inputs = date_inputs(client.get(page).get_data(as_text=True))
    assert inputs == {"date_from": f"{today.year}-01-01", "date_to": today.isoformat()}
    body = client.get(f"{page}?unit_id={units['19'].id}&date_from=2025-06-01&date_to=2025-01-01").get_data(as_text=True)
    assert "“Đến ngày” phải sau “Từ ngày”." in body
    assert date_inputs(body) == {"date_from": "2025-06-01", "date_to": "2025-01-01"}


def test_every_date_input_of_the_dialogue_screens_is_iso_or_empty(db, client, login_as, units, create_dialogue):
    from dialogues.models import Commitment

    held = create_dialogue(status="held", questions=2, commitments=1)
    commitment = db.session.scalar(sa.select(Commitment.id))
    login_as(Role.commune, "02020")
    pages = [f"/dialogues/{held.id}", f"/dialogues/{held.id}/edit", f"/dialogues/{held.id}/questions",
             "/dialogues/new", f"/dialogues/commitments/{commitment}"]
    seen = 0
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for name, value in date_inputs(response.get_data(as_text=True)).items():
            assert value == "" or ISO.fullmatch(value), (page, name, value)
            seen += bool(value)
    assert seen  # the meeting day and the commitment's deadline are shown


def test_dashboard_drill_down_links_carry_iso_dates(client, login_as, units, create_dialogue):
    create_dialogue(status="held", questions=2, commitments=1)
    login_as(Role.province, "19")
    page = client.get("/indicators/?unit=19&period=custom&from=01/01/2025&to=31/12/2030").get_data(as_text=True)
    links = [unescape(h) for h in re.findall(r'href="(/dialogues/[^"]*date_from=[^"]*)"', page)]
    assert links
    for link in links:
        assert "date_from=2025-01-01" in link and "date_to=2030-12-31" in link, link
        assert "%2F" not in link
    # the list a figure opens shows the period in its date inputs
    listed = client.get(links[0]).get_data(as_text=True)
    assert date_inputs(listed) == {"date_from": "2025-01-01", "date_to": "2030-12-31"}
