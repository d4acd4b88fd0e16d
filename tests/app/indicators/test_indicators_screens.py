"""Dashboard screens and exports: who may see which unit, drill-down links that list the records
behind a figure, bad query arguments, the XLSX (unit codes, masked small cells), the PDF report
(its text, masked, no names), and ``flask indicators``."""
import io
import json
import re
import subprocess
import unicodedata
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.indicators.dashboard import compute_dashboard
from app.indicators.exports import published
from app.indicators.periods import Period
from app.models import ExportLog, Person, Role, Sex
from dialogues.models import AnswerOutcome, CommitmentStatus

from indicators_reference import TODAY

F, M = Sex.female, Sex.male
A, S = AnswerOutcome, CommitmentStatus
YEAR = "period=year&year=2025"


@pytest.fixture
def data(db, units, make_training, make_dialogue):
    """Chợ Đồn: a training of 6 (5 women) and a dialogue; Chợ Mới: a training of 3 (small cells)."""
    make_training("ban_ca", date(2025, 3, 10), [(F, "09", 1, 3), (F, "02", 2, 4), (M, "02", 2, 2), (F, "01", 3, 4),
                                                (F, "08", 0, 2), (F, "09", 1, 3)])
    make_training("02086", date(2025, 4, 5), [(F, "02", 3, 4), (F, "07", 1, 4), (M, "07", 2, 3)],
                  topic="Phòng chống bạo lực gia đình")
    make_dialogue("02020", date(2025, 3, 3), [A.answered, (A.accepted, [(30, [(5, S.in_progress), (20, S.resolved)])])],
                  attendance=(40, 30, 3))
    return units


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", out))


ROUTES = ["/indicators/?unit={code}&" + YEAR, "/indicators/export.xlsx?unit={code}&" + YEAR,
          "/indicators/report.pdf?unit={code}&" + YEAR]


@pytest.mark.parametrize("route", ROUTES)
def test_commune_officer_sees_her_commune_and_not_the_next(client, login_as, data, route):
    login_as(Role.commune, "02020")
    assert client.get(route.format(code="02020")).status_code == 200
    assert client.get(route.format(code="02086")).status_code == 404
    assert client.get(route.format(code="19")).status_code == 404
    assert client.get(route.format(code="NOPE")).status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_province_officer_sees_the_province_and_both_communes(client, login_as, data, route):
    login_as(Role.province, "19")
    for code in ("19", "02020", "02086", "ban_ca_code"):
        code = data["ban_ca"].code if code == "ban_ca_code" else code
        assert client.get(route.format(code=code)).status_code == 200, code
    assert client.get(route.format(code="08")).status_code == 404


@pytest.mark.parametrize("role", [Role.authority, Role.trainer])
@pytest.mark.parametrize("route", ROUTES + ["/indicators/definitions/", "/indicators/targets?unit={code}"])
def test_authority_users_and_trainers_have_no_dashboard(client, login_as, data, role, route):
    login_as(role, "02020")
    assert client.get(route.format(code="02020")).status_code == 403


def test_the_default_unit_is_the_users_own(client, login_as, data):
    login_as(Role.commune, "02086")
    page = client.get("/indicators/?" + YEAR).get_data(as_text=True)
    assert "Xã Chợ Mới" in page and "Bản Ca" not in page


def test_the_page_shows_the_figures_and_each_child(client, login_as, data):
    login_as(Role.province, "19")
    page = client.get("/indicators/?unit=19&" + YEAR).get_data(as_text=True)
    dashboard = compute_dashboard(data["19"], Period.year(2025), TODAY)
    assert dashboard.total["trainings_held"] == 2 and dashboard.total["training_participants"] == 9
    for name in ("Xã Chợ Đồn", "Xã Chợ Mới"):
        assert name in page
    assert "Lượt người tham gia tập huấn" in page and "<svg" in page and "<script" not in page


def test_drill_down_links_list_the_records_behind_the_figure(client, login_as, data, make_training):
    make_training("02020", date(2024, 6, 1), [(F, "09", 1, 2)])  # another year: not behind the figure
    login_as(Role.province, "19")
    page = client.get("/indicators/?unit=19&" + YEAR).get_data(as_text=True)
    cho_don = data["02020"].id
    link = re.search(r'href="(/surveys/\?[^"]*unit_id=%d)"' % cho_don, page).group(1).replace("&amp;", "&")
    listed = client.get(link).get_data(as_text=True)
    # The 2025 training of Bản Ca, not Chợ Đồn's 2024 one nor Chợ Mới's.
    assert len(re.findall(r'href="/surveys/trainings/\d+"', listed)) == 1
    dialogues_link = re.search(r'href="(/dialogues/\?[^"]*unit_id=%d)"' % cho_don, page).group(1).replace("&amp;", "&")
    assert client.get(dialogues_link).status_code == 200
    questions_link = re.search(r'href="(/dialogues/questions/\?[^"]*unit_id=%d)"' % cho_don, page)
    assert questions_link and client.get(questions_link.group(1).replace("&amp;", "&")).status_code == 200


def test_units_without_records_are_folded_away_until_asked(client, login_as, data, commune):
    commune("02099", "Xã Trống")
    login_as(Role.province, "19")
    row = '">Xã Trống</a></th>'
    assert row not in client.get("/indicators/?unit=19&" + YEAR).get_data(as_text=True)
    assert row in client.get("/indicators/?unit=19&all=1&" + YEAR).get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("period=week", "Kỳ báo cáo không hợp lệ"),
    ("period=year&year=abc", "Năm không hợp lệ"),
    ("period=year&year=99999999999999999999", "Năm không hợp lệ"),
    ("period=quarter&year=2025&quarter=5", "Quý phải từ 1 đến 4"),
    ("period=month&year=2025&month=13", "Tháng phải từ 1 đến 12"),
    ("period=custom&from=31/02/2025&to=01/03/2025", "ngày/tháng/năm"),
    ("period=custom&from=01/03/2025&to=01/02/2025", "Ngày bắt đầu phải trước ngày kết thúc"),
    ("period=custom&from=" + "9" * 5000, "ngày/tháng/năm"),
])
def test_bad_period_arguments_fall_back_to_a_year_and_say_why(client, login_as, data, query, message):
    login_as(Role.commune, "02020")
    response = client.get("/indicators/?" + query)
    assert response.status_code == 200 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("query, label", [
    ("period=quarter&year=2025&quarter=1", "Quý 1/2025"),
    ("period=month&year=2025&month=3", "Tháng 03/2025"),
    ("period=custom&from=2025-03-01&to=10/03/2025", "Từ 01/03/2025 đến 10/03/2025"),
])
def test_periods(client, login_as, data, query, label):
    login_as(Role.commune, "02020")
    assert label in client.get("/indicators/?" + query).get_data(as_text=True)


def test_xlsx_has_every_table_with_unit_codes_and_masks_small_cells(client, login_as, db, data):
    login_as(Role.province, "19")
    response = client.get("/indicators/export.xlsx?unit=19&" + YEAR)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="chi-so-19-2025.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo chủ đề", "Theo dân tộc", "Thành phần dự đối thoại",
                               "Chỉ tiêu"]
    by_unit = {row[0]: row for row in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in book["Theo đơn vị"][1]]
    assert set(by_unit) == {"19", "02020", "02086"}
    participants = header.index("Lượt người tham gia tập huấn")
    minority = header.index("Người dự đối thoại là dân tộc thiểu số")
    gain = header.index("Mức tăng kiến thức trung bình (điểm %)")
    # 6 + (1 to 4) = the province's total, shown: the 6 is masked ("x") or the small one follows by subtraction.
    assert by_unit["02020"][participants] == "x" and by_unit["02086"][participants] == "<5"
    assert isinstance(by_unit["19"][participants], int)
    assert by_unit["02020"][minority] == "<5"  # 3 ethnic-minority attendees
    assert by_unit["02086"][gain] == "n<5" and by_unit["02020"][gain] == "x"  # the same subtraction, on pairs
    assert isinstance(by_unit["19"][gain], float)
    cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    names = db.session.scalars(sa.select(Person.full_name)).all()
    assert names and not any(name in cells for name in names)
    assert db.session.scalar(sa.select(sa.func.count(ExportLog.id)).where(ExportLog.kind == "indicators_xlsx")) == 1


def test_pdf_report_in_the_official_layout_masks_small_cells(client, login_as, db, data):
    login_as(Role.province, "19")
    response = client.get("/indicators/report.pdf?unit=19&" + YEAR)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "HỘI LHPN TỈNH THÁI NGUYÊN",
                     "BÁO CÁO", "Kết quả thực hiện Dự án 8: năm 2025", "02020 Xã Chợ Đồn", "<5", "n<5", "Nơi nhận:"):
        assert expected in text, expected
    names = db.session.scalars(sa.select(Person.full_name)).all()
    assert not any(name in text for name in names)


def test_cli_prints_the_dashboard_as_json(runner, db, data):
    result = runner.invoke(args=["indicators", "--unit", "19", "--from", "2025-01-01", "--to", "2025-12-31"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    dashboard = compute_dashboard(data["19"], Period("custom", date(2025, 1, 1), date(2025, 12, 31)), TODAY)
    assert printed["total"] == published(dashboard).total  # masked like every output
    assert printed["total"]["training_participants"] == dashboard.total["training_participants"] == 9
    assert {row["code"]: row["trainings_held"] for row in printed["by_unit"]} == {"02020": 1, "02086": 1}
    assert printed["unit"] == {"code": "19", "name": "Thái Nguyên"}


@pytest.mark.parametrize("args, message", [
    (["--unit", "99999", "--from", "2025-01-01", "--to", "2025-12-31"], "Không có đơn vị mã"),
    (["--unit", "19", "--from", "2025-12-31", "--to", "2025-01-01"], "phải trước"),
    (["--unit", "19", "--from", "01/01/2025", "--to", "2025-12-31"], "Invalid value"),
    (["--unit", "19", "--to", "2025-12-31"], "Missing option"),
])
def test_cli_refuses_bad_arguments(runner, units, args, message):
    result = runner.invoke(args=["indicators", *args])
    assert result.exit_code != 0 and message in result.output


def test_the_page_issues_the_same_queries_whatever_the_data(client, login_as, db, data, make_training, make_dialogue,
                                                            commune, statements):
    login_as(Role.province, "19")

    def count() -> int:
        responses = []
        sent = statements(lambda: responses.append(client.get("/indicators/?unit=19&" + YEAR)))
        assert responses[0].status_code == 200
        return len(sent)
    before = count()
    for i in range(3):
        extra = commune(f"0310{i}", f"Xã Mới {i}")
        make_training(extra, date(2025, 5, 1 + i), [(F, "09", 1, 3), (M, "02", 2, 4)], topic=f"Chủ đề {i}")
        make_dialogue(extra, date(2025, 5, 2 + i), [A.answered, (A.accepted, [(20, [])])])
    assert count() == before


def test_dashboard_shows_on_time_against_the_current_and_the_original_deadline(client, login_as, data):
    login_as(Role.commune, "02020")
    page = client.get("/indicators/?unit=02020&" + YEAR).get_data(as_text=True)
    card = re.search(r"Số ngày giải quyết[^<]*</span>", page).group(0)
    assert "100,0% đúng hạn, 100,0% trong thời hạn ban đầu" in card
