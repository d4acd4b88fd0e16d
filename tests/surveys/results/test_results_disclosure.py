"""The attacker on every output of one training's results: the results page, ``flask surveys
results`` (JSON), ``GET /api/v1/trainings/<id>/results``, the report PDF, the results workbook and
the aggregates-only workbook sent upward.
For random classes with small groups (sex, age band, ethnicity, village), the attacker knows every
published figure and the cross-classification of the groups, and solves the published sums for a
masked group (tests/app/test_disclosure.py's ``attack``): nothing is recovered, and every output
masks the same groups, so what holds for the JSON holds for all (SQLite and PostgreSQL)."""
from __future__ import annotations

import io
import json
import random
import re
import subprocess

import pytest
from openpyxl import load_workbook

from app import services as core
from app.api import tokens
from app.models import Role
from surveys.analytics import reading, report
from surveys.analytics.results import load_training_results
from tests.app.test_disclosure import attack

VILLAGES = ("Nà Nguộc", "Bản Nhùng", "Khuổi Hát")


def workbook_groups(book, shown) -> dict:
    """The "Theo nhóm" sheet read back as dimension -> group -> figures (machine keys), its rows
    found by the labels the page shows ("Giới tính", "Nữ")."""
    rows = list(book["Theo nhóm"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:7] == ("Phân theo", "Nhóm", "Số người làm cả hai bài", "Số người làm bài trước",
                          "Số người làm bài sau", "Ẩn", "Lý do ẩn")
    keys = ("dimension", "group", "n", "n_pre", "n_post", "masked", "masked_why", *report.GROUP_FIGURES)
    assert len(header) == len(keys)
    by_label = {(str(reading.DIMENSION_LABELS[dim]), reading.group_label(dim, label)): (dim, label)
                for dim, groups in shown.items() for label in groups}
    out: dict = {}
    for r in rows[1:]:
        dim, label = by_label[(r[0], r[1])]
        fig = dict(zip(keys, r))
        assert fig["masked"] in ("có", "không")
        fig["masked"] = fig["masked"] == "có"
        out.setdefault(dim, {})[label] = fig
    assert sum(len(g) for g in out.values()) == sum(len(g) for g in shown.values())
    return out


def random_people(rng: random.Random, n: int) -> list[dict]:
    def answers(p_right):
        return {q: ("2" if rng.random() < p_right else "1") for q in ("Q1", "Q2", "Q4")}

    people = []
    for i in range(n):
        people.append(dict(
            label=f"H{i}", sex=rng.choices(["F", "M", None], [0.85, 0.12, 0.03])[0],
            birth_year=rng.choices([2010, 1998, 1985, 1970, 1958], [0.05, 0.3, 0.4, 0.2, 0.05])[0],
            ethnicity=rng.choices(["01", "02", "09", None], [0.55, 0.3, 0.1, 0.05])[0],
            village=rng.choices(VILLAGES, [0.5, 0.45, 0.05])[0],
            pre=answers(0.45), post=answers(0.75) if rng.random() < 0.92 else None))
    return people


@pytest.mark.parametrize("seed", range(2))
def test_no_masked_group_is_recovered_from_any_results_output(client, db, login_as, runner, fill_training, seed,
                                                              tmp_path):
    rng = random.Random(seed)
    training, persons = fill_training(random_people(rng, rng.randint(14, 40)))
    results = load_training_results(training)

    data = json.loads(runner.invoke(args=["surveys", "results", str(training.id)]).output)
    user = login_as(Role.commune, "02086")
    _token, secret = tokens.create_token(user, "attacker")
    db.session.commit()
    api = client.get(f"/api/v1/trainings/{training.id}/results", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and api.get_json() == data

    # The attack on the figures the JSON publishes, knowing which groups overlap.
    matched = set().union(*(m for groups in results.members.values() for m in groups.values()))
    shown = data["breakdowns"]
    assert attack(shown, results.members, matched, data["summary"]) == []
    hidden = [(dim, label) for dim, groups in shown.items() for label, g in groups.items() if g["masked"] and g["n"]]
    assert hidden, "the draw has no small group"
    # The participant list: no code that names a village beside the scores.
    assert all(core.is_opaque_code(p["code"]) or p["code"].startswith("R-") for p in data["participants"])
    assert not any(p.unit.code in p_json["code"] for p in persons.values() for p_json in data["participants"])

    # Both workbooks' group sheets mask the same groups, with the same figures elsewhere; from the
    # aggregates-only workbook alone (its class means and group means) nothing masked is recovered.
    for url in (f"/surveys/trainings/{training.id}/results.xlsx",
                f"/surveys/trainings/{training.id}/results-summary.xlsx"):
        book = load_workbook(io.BytesIO(client.get(url).data))
        from_book = workbook_groups(book, shown)
        for dim, groups in shown.items():
            for label, g in groups.items():
                row = from_book[dim][label]
                assert row["masked"] == g["masked"] and row["n"] == g["n"], (url, dim, label)
                for key in ("mean_pre", "mean_post", *report.BREAKDOWN_KEYS):
                    assert (row[key] is None) == (g[key] is None), (url, dim, label, key)
                    if g[key] is not None:
                        assert row[key] == pytest.approx(g[key]), (url, dim, label, key)
        summary = {str(k): v for k, v in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
        class_means = {"mean_pre": summary["Điểm trung bình trước"], "mean_post": summary["Điểm trung bình sau"]}
        assert class_means == pytest.approx({k: data["summary"][k] for k in class_means})
        assert attack(from_book, results.members, matched, class_means) == []

    # The page and the PDF: as many masked rows of each kind, and the figures shown only for the others.
    small = sum(1 for dim, label in hidden if shown[dim][label]["n"] < 5)
    derived = len(hidden) - small
    page = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    assert page.count("Ẩn: nhóm dưới 5 người") == small
    assert page.count("Ẩn để không suy ra được nhóm nhỏ") == derived
    masked_rows = re.findall(r'<td class="num">(\d+)</td>\s*<td colspan="4" class="masked">', page)
    assert sorted(map(int, masked_rows)) == sorted(shown[d][lab]["n"] for d, lab in hidden)
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(client.get(f"/surveys/trainings/{training.id}/results.pdf").data)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    text = " ".join(text.split())
    assert text.count("Ẩn: nhóm dưới 5 người") == small
    assert text.count("Ẩn để không suy ra được nhóm nhỏ") == derived


def test_aggregates_workbook_holds_no_name_code_or_answer(client, db, login_as, fill_training):
    """The workbook sent upward: every cell read, none is a participant's name, code or any part of
    either, no sheet of answers or per-person scores; and its download is logged as an export
    without names."""
    import sqlalchemy as sa

    from app.models import ExportLog

    rng = random.Random(7)
    training, persons = fill_training(random_people(rng, 24))
    results = load_training_results(training)
    login_as(Role.trainer, "02086")
    response = client.get(f"/surveys/trainings/{training.id}/results-summary.xlsx")
    assert response.status_code == 200 and response.mimetype == report.XLSX_MIMETYPE
    assert "tong-hop-" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tổng hợp", "Theo câu hỏi", "Câu hỏi thái độ", "Theo nhóm"]
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    text = "\n".join(cells)
    secrets = {p.full_name for p in persons.values()} | {p.code for p in persons.values()}
    assert secrets and not any(s in text for s in secrets)
    assert not any(name_part in cells for p in persons.values() for name_part in p.full_name.split()[-1:])
    # No row per person: the summary has one row per indicator, the group sheet one per group.
    assert book["Tổng hợp"].max_row - 1 == len(report.SUMMARY_LABELS)
    assert book["Theo nhóm"].max_row - 1 == sum(len(g) for g in results.breakdowns.values())
    assert book["Theo câu hỏi"].max_row - 1 == len(results.items)
    # No raw answer: the question sheet carries shares and counts, never the options chosen.
    header = [c.value for c in book["Theo câu hỏi"][1]]
    assert header == ["Câu", "Điểm tối đa", "Số người trả lời trước", "Số người trả lời sau", "Tỷ lệ đúng trước (%)",
                      "Tỷ lệ đúng sau (%)", "Thay đổi tỷ lệ đúng (điểm %)", "Nhận xét", "Nội dung câu hỏi"]
    summary = {k: v for k, v in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert (summary["Số người làm bài trước"], summary["Số người làm cả hai bài"]) == (results.n_pre,
                                                                                       results.n_matched)
    db.session.commit()
    entry = db.session.scalars(sa.select(ExportLog).where(ExportLog.kind == "training_results_summary_xlsx")).one()
    assert (entry.object_id, entry.has_names) == (training.id, False)
    # The results page offers it beside the full workbook.
    page = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    assert "Bảng tổng hợp gửi cấp trên (không có tên)" in page and "results-summary.xlsx" in page


def test_workbooks_follow_an_english_reader(client, db, login_as, fill_training):
    """Vietnamese by default (above); English sheet, column and group names through the catalogue
    when the reader's language is English."""
    training, _persons = fill_training(random_people(random.Random(3), 16))
    user = login_as(Role.trainer, "02086")
    user.locale = "en"
    db.session.commit()
    for url, sheets in ((f"/surveys/trainings/{training.id}/results-summary.xlsx",
                         ["Summary", "By question", "Attitude questions", "By group"]),
                        (f"/surveys/trainings/{training.id}/results.xlsx",
                         ["training", "questions", "participants", "pre", "post", "huong_dan", "Summary",
                          "By question", "Attitude questions", "By group", "Scores"])):
        book = load_workbook(io.BytesIO(client.get(url).data))
        assert book.sheetnames == sheets, url
        groups = list(book["By group"].iter_rows(values_only=True))
        assert groups[0][:7] == ("Breakdown", "Group", "People who took both tests", "People who took the pre-test",
                                 "People who took the post-test", "Masked", "Why masked")
        assert ("Sex", "Women") in {r[:2] for r in groups[1:]}
        assert {r[5] for r in groups[1:]} <= {"yes", "no"}
