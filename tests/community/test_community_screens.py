"""Community screens: the monthly grid and its workbook (all or nothing, every row error shown),
scope, the trusted address's contact, the figures and the period report (both databases)."""
from __future__ import annotations

import io
import subprocess
import unicodedata
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import ExportLog, Role
from community import workbook
from community.models import Activity

MONTH = "09/2025"


@pytest.fixture
def setup(db, units, create_team, topics, freeze_today):
    freeze_today(date(2025, 10, 15))
    teams = [create_team("ban_ca", members=7, name=f"Tổ thôn {i}") for i in (1, 2, 3)]
    return teams, topics


def grid_row(i, team, topic, day="5", total="20", women="12", minority="10", children="1", form="meeting"):
    return {f"r{i}-team": str(team.id), f"r{i}-day": day, f"r{i}-topic": str(topic.id), f"r{i}-form": form,
            f"r{i}-total": total, f"r{i}-women": women, f"r{i}-minority": minority, f"r{i}-children": children}


def test_grid_saves_all_rows_or_none(client, db, login_as, setup):
    (t1, t2, t3), topics = setup
    login_as(Role.commune, "02020")
    url = f"/community/grid?unit=02020&month={MONTH}"
    page = client.get(url)
    assert page.status_code == 200 and "Tổ thôn 3" in page.get_data(as_text=True)
    bad = {"rows": "3", **grid_row(0, t1, topics[0]), **grid_row(1, t2, topics[1], women="30"),
           **grid_row(2, t3, topics[2], day="31")}
    refused = client.post(url, data=bad)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Dòng 2" in text and "Dòng 3" in text
    assert 'value="30"' in text  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0
    good = {"rows": "4", **grid_row(0, t1, topics[0]), **grid_row(1, t2, topics[1], day="12", total="30"),
            **grid_row(2, t3, topics[2], day="30", total="25"), "r3-team": str(t1.id)}
    assert client.post(url, data=good).status_code == 302
    saved = db.session.execute(sa.select(Activity.team_id, Activity.held_on, Activity.participants_total)
                               .order_by(Activity.held_on)).all()
    assert saved == [(t1.id, date(2025, 9, 5), 20), (t2.id, date(2025, 9, 12), 30), (t3.id, date(2025, 9, 30), 25)]


def test_grid_is_scoped(client, login_as, setup):
    login_as(Role.commune, "02086")
    assert client.get("/community/grid?unit=02020").status_code == 404
    login_as(Role.trainer, "02020")
    assert client.get("/community/grid?unit=02020").status_code == 403


def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = workbook.SHEET
    ws.append(list(workbook.COLUMNS))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_workbook_import_is_all_or_nothing(client, db, login_as, setup):
    (t1, t2, t3), topics = setup
    login_as(Role.commune, "02020")
    url = f"/community/grid/import?unit=02020&month={MONTH}"
    rows = [["Tổ thôn 1", "03/09/2025", topics[0].name, "Sinh hoạt, họp", 20, 15, 12, 0, ""],
            ["Tổ không có", "04/09/2025", topics[0].name, "meeting", 10, 5, 5, 0, ""],
            ["Tổ thôn 2", "40/09/2025", "Chủ đề lạ", "meeting", "mười", 5, 5, 0, ""],
            ["Tổ thôn 3", "05/09/2025", topics[1].name, "loudspeaker", 30, 40, 5, 0, ""]]
    refused = client.post(url, data={"file": (io.BytesIO(_workbook(rows)), "thang9.xlsx")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for number in (3, 4, 5):
        assert f"Dòng {number}" in text
    assert "Dòng 2:" not in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0
    good = [rows[0], ["Tổ thôn 3", "05/09/2025", topics[1].name, "loudspeaker", 30, 20, 5, 0, "=HYPERLINK()"]]
    assert client.post(url, data={"file": (io.BytesIO(_workbook(good)), "thang9.xlsx")}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.sum(Activity.participants_total))) == 50


def test_workbook_note_the_pdf_font_cannot_draw_is_a_row_error(client, db, login_as, setup):
    (t1, _t2, _t3), topics = setup
    login_as(Role.commune, "02020")
    rows = [["Tổ thôn 1", "03/09/2025", topics[0].name, "meeting", 20, 15, 12, 0, "Vui 🎉"]]
    refused = client.post(f"/community/grid/import?unit=02020&month={MONTH}",
                          data={"file": (io.BytesIO(_workbook(rows)), "thang9.xlsx")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Dòng 2" in text and "không in được ký tự “🎉”" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


@pytest.mark.parametrize("url, data", [
    ("/community/teams/new", {"name": "Tổ 🌸 thôn Bản Cả", "unit_id": "UNIT"}),
    ("/community/clubs/new", {"name": "CLB Thủ lĩnh ⭐", "unit_id": "UNIT", "setting": "commune"}),
    ("/community/addresses/new", {"name": "Nhà bà Lan 🏠", "unit_id": "UNIT", "host_kind": "household"}),
    ("/community/topics/", {"name": "Phòng chống bạo lực 👊"}),
])
def test_names_the_pdf_font_cannot_draw_are_refused(client, db, login_as, units, url, data):
    """Issue #14: team, club, trusted-address and topic names reach the period report and other
    printed documents; an emoji is refused with the character named, nothing stored."""
    from community.models import ActivityTopic, Club, Team, TrustedAddress

    models = (Team, Club, TrustedAddress, ActivityTopic)
    before = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models]
    login_as(*((Role.province, "19") if "topics" in url else (Role.commune, "02020")))  # topics: the province's
    response = client.post(url, data={k: str(units["ban_ca"].id) if v == "UNIT" else v for k, v in data.items()})
    assert response.status_code in (200, 422)
    assert "không in được ký tự" in response.get_data(as_text=True)
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models] == before


def test_template_lists_the_teams_and_writes_formulas_as_text(client, db, login_as, setup):
    from openpyxl import load_workbook

    (t1, _t2, _t3), _topics = setup
    t1.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    login_as(Role.commune, "02020")
    response = client.get(f"/community/grid/template.xlsx?unit=02020&month={MONTH}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    names = [row[0].value for row in wb[workbook.SHEET].iter_rows(min_row=2)]
    assert sorted(names) == sorted(["=cmd|' /C calc'!A0", "Tổ thôn 2", "Tổ thôn 3"])
    cell = next(row[0] for row in wb[workbook.SHEET].iter_rows(min_row=2) if row[0].value.startswith("="))
    assert cell.data_type == "s"


def test_contact_only_for_referring_officers(client, login_as, create_address, units):
    address = create_address("ban_ca", contact_name="Hoàng Thị Hoa", contact_phone="0912000111")
    login_as(Role.commune, "02020")
    assert "0912000111" in client.get(f"/community/addresses/{address.id}").get_data(as_text=True)
    login_as(Role.admin, "VN")
    page = client.get(f"/community/addresses/{address.id}")
    assert page.status_code == 200 and "0912000111" not in page.get_data(as_text=True)
    login_as(Role.commune, "02086")
    assert client.get(f"/community/addresses/{address.id}").status_code == 404


def test_child_form_refuses_without_the_tick(client, db, login_as, create_club):
    club = create_club("02020")
    login_as(Role.commune, "02020")
    data = {"full_name": "Em Lan", "birth_year": "2013", "sex": "F", "guardian_name": "Mẹ Lan",
            "guardian_relation": "mẹ", "consent_on": "01/09/2025"}
    refused = client.post(f"/community/clubs/{club.id}/members", data=data)
    assert refused.status_code == 200 and "đã đồng ý" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert club.members == []
    assert client.post(f"/community/clubs/{club.id}/members", data={**data, "guardian_consents": "y"}).status_code == 302


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return unicodedata.normalize("NFC", out.decode())


def test_province_sees_the_month_in_figures_and_report(client, db, login_as, setup, activity):
    (t1, t2, t3), _topics = setup
    for team, total in ((t1, 20), (t2, 30), (t3, 25)):
        activity(team, held_on=date(2025, 9, 5), total=total, women=10, minority=10, children=1)
    login_as(Role.province, "19")
    page = client.get("/community/indicators?unit=19&preset=q3&year=2025").get_data(as_text=True)
    assert 'id="fig-activity_participants">75<' in page and 'id="fig-teams_active">3<' in page
    rows = client.get("/community/indicators/rows?unit=19&preset=q3&year=2025&key=team_members")
    assert rows.status_code == 200 and "21" in rows.get_data(as_text=True)
    pdf = client.get("/community/report.pdf?unit=19&preset=q3&year=2025")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    for phrase in ("BÁO CÁO", "Tổ truyền thông cộng đồng", "Lượt người tham gia truyền thông", "Địa chỉ tin cậy",
                   "Đối thoại chính sách", "Tập huấn"):
        assert phrase in text, phrase
    assert "75" in text
    xlsx = client.get("/community/report.xlsx?unit=19&preset=q3&year=2025")
    from openpyxl import load_workbook

    values = {row[0]: row[1] for row in load_workbook(io.BytesIO(xlsx.data))["bao_cao"].iter_rows(values_only=True)}
    assert values["Lượt người tham gia truyền thông"] == 75 and values["Tổ truyền thông cộng đồng"] == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportLog)) >= 1
