"""Exports built from the one computed results object: the JSON of ``flask surveys results``, the
training report PDF and the XLSX workbook; small groups masked wherever the figures go upward."""
import io
import json
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.models import ExportLog, Role
from results_datasets import DATASETS
from surveys.analytics import stats
from surveys.analytics.results import load_training_results
from surveys.services.workbook import read_workbook

ITEM_KEYS = {"no", "key", "max_points", "answered_pre", "answered_post", "pct_pre", "pct_post", "wrong_to_right",
             "right_to_wrong", "mcnemar_p", "mcnemar_p_holm", "difficulty_pre", "difficulty_post",
             "discrimination_pre", "discrimination_post", "dont_know_pre", "dont_know_post", "flags",
             "change_ci_low", "change_ci_high", "chance"}


@pytest.fixture
def training_a(fill_training):
    return fill_training(DATASETS["A"]["people"])


# ---------------------------------------------------------------- JSON
def test_cli_prints_the_json_contract(runner, db, training_a):
    training, persons = training_a
    result = runner.invoke(args=["surveys", "results", str(training.id)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"training_id", "max_score", "n_pre", "n_post", "n_matched", "summary", "items",
                         "reliability", "participants", "breakdowns"}
    assert (data["training_id"], data["max_score"], data["n_pre"], data["n_post"], data["n_matched"]) == (
        training.id, 5.0, 8, 7, 7)
    assert set(data["summary"]) == set(stats.SUMMARY_KEYS)
    assert data["summary"]["mean_gain"] == pytest.approx(10 / 7, abs=1e-4)
    assert data["summary"]["wilcoxon_p"] == pytest.approx(0.0625)
    assert [it["no"] for it in data["items"]] == [1, 2, 3, 4] and all(set(it) == ITEM_KEYS for it in data["items"])
    # Câu 3: 3 of 7 right after on a choose-the-set question of 3 options (guessing 1/7),
    # P(X <= 3 | 7, 4/7) = 0.35, and its negative item-rest r rests on 7 people: no evidence for
    # either warning (the old rule raised both).
    assert data["items"][2]["flags"] == [] and data["items"][2]["pct_post"] == pytest.approx(300 / 7, abs=1e-3)
    assert data["items"][2]["chance"] == pytest.approx(1 / 7, abs=1e-4)
    assert set(data["reliability"]) == {"kr20_pre", "kr20_post"}
    assert set(data["breakdowns"]) == {"sex", "ethnicity", "age_band", "village"}


def test_cli_json_is_the_results_object(runner, db, training_a):
    training, _ = training_a
    data = json.loads(runner.invoke(args=["surveys", "results", str(training.id)]).output)
    assert data == json.loads(json.dumps(load_training_results(training).to_json()))


def test_cli_participants_are_pseudonymous(runner, db, training_a):
    training, persons = training_a
    output = runner.invoke(args=["surveys", "results", str(training.id)]).output
    participants = json.loads(output)["participants"]
    assert all(set(p) == {"code", "pre", "post", "gain", "g"} for p in participants)
    by_code = {p["code"]: p for p in participants}
    assert by_code[persons["P1"].code] == {"code": persons["P1"].code, "pre": 1.0, "post": 4.0, "gain": 3.0, "g": 0.75}
    assert by_code[persons["P8"].code] == {"code": persons["P8"].code, "pre": 5.0, "post": None, "gain": None,
                                          "g": None}
    assert "Học viên" not in output


def test_cli_unknown_training_fails_with_one_line(runner, db):
    result = runner.invoke(args=["surveys", "results", "424242"])
    assert result.exit_code != 0 and "Không có lớp tập huấn số 424242." in result.output


# ---------------------------------------------------------------- masking
def test_json_masks_groups_under_five(runner, db, training_a):
    training, _ = training_a
    breakdowns = json.loads(runner.invoke(args=["surveys", "results", str(training.id)]).output)["breakdowns"]
    women, men = breakdowns["sex"]["F"], breakdowns["sex"]["M"]
    # 7 = 6 women + 1 man: the class total minus the women would give the man's scores, so the
    # women are masked too (secondary suppression), their count still shown.
    assert women["n"] == 6 and women["masked"] and women["pct_pre"] is None
    assert men == {**{k: None for k in men if k not in ("n", "n_pre", "n_post", "masked")},
                   "n": 1, "n_pre": 1, "n_post": 1, "masked": True}


def test_xlsx_breakdowns_mask_groups_under_five(client, login_as, training_a):
    training, _ = training_a
    login_as(Role.trainer, "02086")
    book = load_workbook(io.BytesIO(client.get(f"/surveys/trainings/{training.id}/results.xlsx").data))
    rows = list(book["Theo nhóm"].iter_rows(values_only=True))
    header, body = rows[0], {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]}
    assert header[:7] == ("Phân theo", "Nhóm", "Số người làm cả hai bài", "Số người làm bài trước",
                          "Số người làm bài sau", "Ẩn", "Lý do ẩn")
    women, men = body[("Giới tính", "Nữ")], body[("Giới tính", "Nam")]
    assert women["Ẩn"] == "có" and women["Tỷ lệ đúng sau (%)"] is None  # total - M
    assert women["Lý do ẩn"] == "Ẩn để không suy ra được nhóm nhỏ"
    assert men["Ẩn"] == "có" and men["Số người làm cả hai bài"] == 1 and men["Lý do ẩn"] == "Ẩn: nhóm dưới 5 người"
    assert all(men[k] is None for k in header[7:])


# ---------------------------------------------------------------- XLSX
def test_xlsx_holds_the_raw_answers_and_the_summary_sheets(client, login_as, training_a):
    training, persons = training_a
    login_as(Role.trainer, "02086")
    response = client.get(f"/surveys/trainings/{training.id}/results.xlsx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Lớp tập huấn", "Câu hỏi", "Người tham gia", "Trước tập huấn", "Sau tập huấn",
                               "Hướng dẫn", "Tổng hợp",
                               "Theo câu hỏi", "Câu hỏi thái độ", "Theo nhóm", "Điểm từng người"]
    summary = dict(book["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    assert (summary["Số người làm bài trước"], summary["Số người làm bài sau"],
            summary["Số người làm cả hai bài"]) == (8, 7, 7)
    assert summary["Mức tăng điểm trung bình"] == pytest.approx(10 / 7, abs=1e-4)
    pre = {r[0]: r[1:] for r in book["Trước tập huấn"].iter_rows(min_row=2, values_only=True)}
    assert pre[persons["P1"].code][:4] == (2, 1, 1, 3)  # as typed from the paper form
    items = list(book["Theo câu hỏi"].iter_rows(values_only=True))
    assert items[3][items[0].index("Nhận xét")] is None  # no warning on 7 people (see the JSON test)
    assert items[3][items[0].index("Tỷ lệ đúng do đoán")] == pytest.approx(1 / 7, abs=1e-4)
    scores = list(book["Điểm từng người"].iter_rows(values_only=True))
    assert scores[0] == ("Mã người học", "Điểm trước", "Điểm sau", "Mức tăng", "g từng người")
    # The added sheets do not stop the workbook from being read back by the import.
    assert len(read_workbook(response.data).answers) == 2


# ---------------------------------------------------------------- PDF
def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_report_has_diacritics_charts_and_no_names(client, login_as, training_a, tmp_path):
    training, persons = training_a
    login_as(Role.trainer, "02086")
    response = client.get(f"/surveys/trainings/{training.id}/results.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = " ".join(pdf_text(response.data, tmp_path).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "HỘI LHPN XÃ CHỢ MỚI" in text
    assert "Kết quả khảo sát trước và sau tập huấn" in text
    assert "Điểm trung bình tăng từ 34% lên 63%; mức tăng có ý nghĩa thống kê (p = 0,025)." in text
    assert "vẫn chưa hiểu sau tập huấn" in text
    # The charts' own text (legend, axis, bar labels) is in the PDF: they were drawn.
    assert "Trước tập huấn" in text and "Sau tập huấn" in text and "Điểm (tối đa 5)" in text
    assert "Câu 3" in text and "100%" in text
    assert "Ẩn: nhóm dưới 5 người" in text  # men (1) are masked
    assert "Học viên" not in text and persons["P1"].code not in text


def test_pdf_is_vietnamese_whatever_the_interface_language(client, login_as, training_a, tmp_path):
    training, _ = training_a
    login_as(Role.trainer, "02086")
    client.set_cookie("lang", "en")
    text = pdf_text(client.get(f"/surveys/trainings/{training.id}/results.pdf").data, tmp_path)
    assert "Điểm trung bình tăng" in " ".join(text.split())


# ---------------------------------------------------------------- access log
def test_xlsx_download_is_logged_as_a_named_export(client, login_as, db, training_a):
    training, _ = training_a
    user = login_as(Role.trainer, "02086")
    assert client.get(f"/surveys/trainings/{training.id}/results.xlsx").status_code == 200
    entry = db.session.scalars(sa.select(ExportLog)).one()
    assert (entry.user_id, entry.kind, entry.object_type, entry.object_id, entry.has_names, entry.rows) == (
        user.id, "training_xlsx", "Training", training.id, True, 8)


def test_pdf_report_is_not_a_personal_data_export(client, login_as, db, training_a):
    training, _ = training_a
    login_as(Role.trainer, "02086")
    assert client.get(f"/surveys/trainings/{training.id}/results.pdf").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(ExportLog.id))) == 0


def test_cli_json_export_is_logged_without_names(runner, db, training_a):
    training, _ = training_a
    assert runner.invoke(args=["surveys", "results", str(training.id)]).exit_code == 0
    entry = db.session.scalars(sa.select(ExportLog)).one()
    assert (entry.kind, entry.object_id, entry.has_names, entry.rows) == ("training_results_json", training.id, False, 8)


def test_pseudonymous_outputs_never_show_a_code_that_names_a_village(runner, db, training_a):
    """New people get opaque codes ("P-NNNN-NNNN"); an older code "P<village>-NNNN" (or one typed
    in) gives the village away beside the scores, so the JSON lists it under a keyed pseudonym,
    the same on every call and for no other training."""
    from app import services

    training, persons = training_a
    assert all(services.is_opaque_code(p.code) for p in persons.values())
    legacy = persons["P1"]
    legacy.code = f"P{legacy.unit.code}-0001"
    db.session.commit()
    output = runner.invoke(args=["surveys", "results", str(training.id)]).output
    codes = [p["code"] for p in json.loads(output)["participants"]]
    assert legacy.code not in output and legacy.unit.code not in "".join(codes)
    pseudonym = next(c for c in codes if c.startswith("R-"))
    assert len(pseudonym) == 12 and sorted(codes) == sorted(
        [pseudonym, *(p.code for p in persons.values() if p is not legacy and p.code in codes)])
    again = json.loads(runner.invoke(args=["surveys", "results", str(training.id)]).output)["participants"]
    assert pseudonym in [p["code"] for p in again]
