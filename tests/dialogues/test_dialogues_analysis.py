"""The province officer's analysis of petitions (GET /dialogues/analysis): questions raised,
counted as the dashboard counts them, by category, the raiser's sex and ethnicity, with cells
under 5 masked and the cells that would give them away masked too; the petitions forwarded to
province agencies with their status, deadline and letter number; out of scope answers 404."""
import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from app import clock
from app.models import Role, Sex
from dialogues.analysis import petition_analysis
from dialogues.follow_up.indicators import followup_indicators
from dialogues.models import AnswerOutcome, DialogueLevel, QuestionOrigin
from dialogues.services import QuestionRow


def _row(category, sex, ethnicity, **kw):
    return QuestionRow(content="Đề nghị hỗ trợ vốn vay cho hộ nghèo", raiser_name="Bà Lan", category_id=category,
                       raiser_sex=sex, ethnicity_code=ethnicity, **kw)


def _cells(analysis, breakdown):
    return {c.label: c.shown for c in analysis.breakdowns[breakdown]}


def _setup(create_dialogue, categories, agencies):
    tay, kinh, dao = "02", "01", "09"  # TCTK-1979 codes: Tày, Kinh, Dao
    rows = ([_row(categories["credit"], Sex.female, tay) for _ in range(7)]
            + [_row(categories["health"], Sex.female, kinh) for _ in range(6)]
            + [_row(categories["land"], Sex.male, dao) for _ in range(2)]
            # collected and never raised: not counted, as on the dashboard
            + [_row(categories["land"], Sex.male, dao, is_raised=False, origin=QuestionOrigin.collected)])
    held = create_dialogue(status="held", rows=lambda d: rows + [
        _row(categories["health"], Sex.female, kinh, answerer_name="Ông Thắng", answer="Vượt thẩm quyền",
             outcome=AnswerOutcome.forwarded, forwarded_agency_id=agencies["SYT-19"].id,
             forward_letter_number="45/UBND-VP", forward_letter_date=d.held_on + timedelta(days=1),
             forward_deadline=d.held_on + timedelta(days=20)),
        _row(categories["credit"], Sex.female, tay, answerer_name="Ông Thắng", answer="Chuyển phòng",
             outcome=AnswerOutcome.forwarded, forwarded_agency_id=agencies["VHXH-02020"].id)])
    # a planned dialogue's questions and another province's are not counted
    create_dialogue(status="planned", held_on=clock.today() + timedelta(days=5),
                    rows=[_row(categories["credit"], Sex.female, tay)])
    create_dialogue(unit="08", status="held", level=DialogueLevel.province,
                    rows=[_row(categories["credit"], Sex.female, tay)])
    return held


def test_counts_match_the_dashboard_and_small_cells_are_masked(db, units, create_dialogue, categories, agencies):
    held = _setup(create_dialogue, categories, agencies)
    start, end = held.held_on - timedelta(days=30), held.held_on
    analysis = petition_analysis(units["19"], start, end)
    assert analysis.total == followup_indicators(units["19"], start, end)["questions_raised"] == 17
    # land (2) is under 5; the smallest other cell (health, 7) is masked too so 17 - 8 - 7 gives nothing
    assert _cells(analysis, "category") == {"Vốn vay, tín dụng": 8, "Y tế, chăm sóc sức khỏe": "x",
                                            "Đất đai": "<5"}
    assert _cells(analysis, "sex") == {"Nữ": "x", "Nam": "<5"}
    assert _cells(analysis, "ethnicity") == {"Tày": 8, "Kinh": "x", "Dao": "<5"}
    # the exact counts stay behind the mask (never shown)
    assert {c.label: c.count for c in analysis.breakdowns["sex"]} == {"Nữ": 15, "Nam": 2}
    # only the petition now at a province agency, with its letter and deadline
    [petition] = analysis.petitions
    assert petition.agency.code == "SYT-19" and petition.letter_number == "45/UBND-VP"
    assert petition.deadline == held.held_on + timedelta(days=20)
    # a commune's subtree and a period without dialogues
    assert petition_analysis(units["02086"], start, end).total == 0
    assert petition_analysis(units["19"], end + timedelta(days=1), end + timedelta(days=9)).petitions == []


def test_province_officer_sees_the_screen_and_each_count_opens_its_list(client, login_as, units, create_dialogue,
                                                                       categories, agencies):
    held = _setup(create_dialogue, categories, agencies)
    login_as(Role.province, "19")
    dates = f"date_from={(held.held_on - timedelta(days=30)):%d/%m/%Y}&date_to={held.held_on:%d/%m/%Y}"
    response = client.get(f"/dialogues/analysis?unit_id={units['19'].id}&{dates}")
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "17 ý kiến, kiến nghị được nêu" in page and "&lt;5" in response.get_data(as_text=True)
    assert "45/UBND-VP" in page and "Sở Y tế tỉnh Thái Nguyên" in page
    assert "Phòng Văn hóa - Xã hội xã Chợ Đồn" not in page  # a commune agency's petition is not listed
    # the shown category count opens the question list filtered the same way, with as many rows
    link = re.search(r'href="([^"]*category_id=%d[^"]*)">8<' % categories["credit"], page).group(1)
    listed = unescape(client.get(link).get_data(as_text=True))
    assert "8 ý kiến" in listed
    total = re.search(r'href="([^"]*list_questions[^"]*|/dialogues/questions/\?[^"]*)">Xem danh sách', page)
    assert "17 ý kiến" in unescape(client.get(total.group(1)).get_data(as_text=True))
    # a masked count is not a link
    assert not re.search(r'category_id=%d[^"]*">' % categories["land"], page)


def test_out_of_scope_unit_is_404_and_bad_dates_say_so(client, login_as, units, create_dialogue, categories,
                                                        agencies):
    _setup(create_dialogue, categories, agencies)
    login_as(Role.province, "08")
    assert client.get(f"/dialogues/analysis?unit_id={units['19'].id}").status_code == 404
    assert client.get(f"/dialogues/analysis?unit_id={units['02020'].id}").status_code == 404
    assert client.get("/dialogues/analysis?unit_id=abc").status_code == 404
    page = client.get("/dialogues/analysis").get_data(as_text=True)
    assert "1 ý kiến, kiến nghị được nêu" in page  # her own province by default
    page = client.get("/dialogues/analysis?date_from=10/05/2026&date_to=01/05/2026").get_data(as_text=True)
    assert "phải sau" in page and "ý kiến, kiến nghị được nêu" not in page
    assert 'name="date_from" type="date" value="2026-05-10"' in page  # what a date input can show
    page = client.get("/dialogues/analysis?date_from=31/02/2026").get_data(as_text=True)
    assert 'value="31/02/2026"' in page and "ý kiến, kiến nghị được nêu" not in page  # kept as typed, with its error
    login_as(Role.commune, "02020")
    assert client.get("/dialogues/analysis").status_code == 403


def test_dashboard_links_the_analysis_for_the_province_officer(client, login_as, units, create_dialogue, categories,
                                                                agencies):
    _setup(create_dialogue, categories, agencies)
    login_as(Role.province, "19")
    page = client.get("/indicators/?unit=19").get_data(as_text=True)
    assert "/dialogues/analysis?" in page
    login_as(Role.commune, "02020")
    page = client.get("/indicators/?unit=02020").get_data(as_text=True)
    assert "/dialogues/analysis" not in page


# --- attendance groups from a fixed list ----------------------------------------------------

def test_labels_map_to_kinds_by_keyword_as_the_migration_maps_them():
    import importlib.util
    from pathlib import Path

    from dialogues.models.dialogues import group_kind_of

    spec = importlib.util.spec_from_file_location(
        "m0022", Path(__file__).parents[2] / "migrations/versions/0022_attendance_groups.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    expected = {"Hội viên, phụ nữ các bản": "member", "Hội viên phụ nữ các chi hội": "member",
                "HỘI VIÊN PHỤ NỮ": "member", "Người có uy tín, trưởng bản": "prestige", "Già làng": "prestige",
                "Thành viên Tổ truyền thông cộng đồng": "team", "Cán bộ, công chức xã": "cadre",
                "Đại diện Mặt trận, các đoàn thể": "mass_org", "Học sinh": "other", "": "other"}
    assert {label: group_kind_of(label) for label in expected} == expected
    assert {label: migration.kind_of(label) for label in expected} == expected


def test_groups_of_one_kind_count_together_on_the_dashboard_and_in_the_minutes(db, units, create_dialogue, pdf_text):
    from types import SimpleNamespace

    from dialogues.indicators import _DialogueQueries
    from dialogues.minutes import render_minutes
    from dialogues.services import GroupData

    first = create_dialogue(status="held", groups=[GroupData("Hội viên, phụ nữ các bản", 30),
                                                  GroupData("Người có uy tín, trưởng bản", 6)])
    create_dialogue(status="held", groups=[GroupData("Hội viên phụ nữ các chi hội", 28),
                                           GroupData("", 4, "prestige"), GroupData("Học sinh", 2)])
    period = SimpleNamespace(date_from=first.held_on - timedelta(days=1), date_to=first.held_on)
    groups, _cells = _DialogueQueries(units["19"], period).attendance_groups()
    assert groups == [{"label": "Hội viên, phụ nữ", "count": 58}, {"label": "Người có uy tín", "count": 10},
                      {"label": "Khác", "count": 2}]
    both = create_dialogue(status="held", groups=[GroupData("Hội viên, phụ nữ các bản", 30),
                                                 GroupData("Hội viên phụ nữ các chi hội", 12),
                                                 GroupData("Người có uy tín, trưởng bản", 6)])
    text = pdf_text(render_minutes(both))
    assert ("Theo thành phần: Hội viên, phụ nữ 42 người (Hội viên, phụ nữ các bản: 30; Hội viên phụ nữ các "
            "chi hội: 12); Người có uy tín 6 người (Người có uy tín, trưởng bản).") in text


def test_the_form_offers_the_list_with_free_text_detail(client, login_as, db, count, dialogue_form):
    from dialogues.models import AttendanceGroup

    login_as(Role.commune, "02020")
    page = client.get("/dialogues/new").get_data(as_text=True)
    assert 'name="groups-0-kind"' in page and "Người có uy tín" in page
    # "Khác" needs its detail; an unknown kind is refused; nothing saved, the typed text kept
    for fields, message in (({"groups-0-kind": "other", "groups-0-count": "3"}, "Vui lòng nhập chi tiết thành phần"),
                            ({"groups-0-kind": "bogus", "groups-0-label": "Nhóm A", "groups-0-count": "3"},
                             "Thành phần không hợp lệ")):
        response = client.post("/dialogues/new", data=dialogue_form(**fields))
        assert response.status_code == 200 and message in response.get_data(as_text=True)
        assert count(AttendanceGroup) == 0
    assert 'value="Nhóm A"' in response.get_data(as_text=True)
    response = client.post("/dialogues/new", data=dialogue_form(**{
        "groups-0-kind": "prestige", "groups-0-count": "6",
        "groups-1-label": "Cán bộ các ngành của xã", "groups-1-count": "5"}))
    assert response.status_code == 302
    rows = db.session.scalars(sa.select(AttendanceGroup).order_by(AttendanceGroup.position)).all()
    assert [(g.kind, g.label, g.count) for g in rows] == [("prestige", "", 6), ("cadre", "Cán bộ các ngành của xã", 5)]
