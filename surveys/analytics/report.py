"""What the results screens and documents show, built from one computed results object:
the page's charts and sentences, the training report PDF (Decree 30 layout) and the XLSX export
(the interchange workbook of raw answers plus summary sheets).

Documents meant for upward reporting (the PDF, the aggregates-only workbook) carry aggregates only,
with groups under 5 people, and those that would give one away, masked; the full XLSX also carries
the raw answers with names, so its download is logged as a personal-data export.
"""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

from flask_babel import force_locale, gettext as _, lazy_gettext as _l

from app import clock, official
from app.models import User
from app.pdf import render_pdf
from app.xlsx import append_row
from surveys.analytics import charts, reading, stats
from surveys.analytics.pooled import PooledResults
from surveys.analytics.results import TrainingResults
from surveys.models import Training
from surveys.services.interchange import export_workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_GROUP = 5  # groups below this many matched pairs are masked in upward reports
# Columns of the breakdown tables and sheets, after the group's counts.
BREAKDOWN_KEYS = ("pct_pre", "pct_post", "mean_gain", "hake_g", "paired_t_p", "wilcoxon_p", "cohen_dz")
ITEM_KEYS = ("no", "key", "max_points", "answered_pre", "answered_post", "pct_pre", "pct_post", "wrong_to_right",
             "right_to_wrong", "mcnemar_p", "mcnemar_p_holm", "difficulty_pre", "difficulty_post",
             "discrimination_pre", "discrimination_post", "dont_know_pre", "dont_know_post", "change_ci_low",
             "change_ci_high", "chance")


# ---------------------------------------------------------------- page
def presentation(results: TrainingResults) -> dict:
    """Template context shared by the page and the PDF: sentences, charts, ordered questions."""
    return {
        "reading_lines": reading.summary_reading(results.n_pre, results.n_post, results.n_matched, results.summary),
        "item_lines": reading.items_reading(results.items),
        "distribution": charts.distribution_chart(results.participants, results.max_score),
        "items_chart": charts.items_chart(results.items) if results.items else None,
        "reteach": results.items_to_reteach(),
        "breakdowns": results.masked_breakdowns(MIN_GROUP),
        "fmt": reading,
        "min_group": MIN_GROUP,
    }


def pooled_presentation(results: PooledResults) -> dict:
    breakdowns, trainings = results.masked(MIN_GROUP)
    return {
        "reading_lines": reading.summary_reading(results.n_pre, results.n_post, results.n_matched, results.summary),
        "breakdowns": breakdowns,
        "trainings": trainings,
        "fmt": reading,
        "min_group": MIN_GROUP,
    }


# ---------------------------------------------------------------- PDF
def report_pdf(training: Training, results: TrainingResults, today: date | None = None) -> bytes:
    """The training report: aggregates only (no names, masked small groups), in Vietnamese as an
    official document is, whatever the reader's interface language."""
    parent = official.issuing_unit(training.unit).parent
    with force_locale("vi"):
        context = presentation(results)
        return render_pdf(
            "surveys/training_report_pdf.html", training=training, results=results,
            **official.frame(training.unit, doc_type="Báo cáo", code=official.REPORT_CODE,
                             subject=f"Kết quả khảo sát trước và sau tập huấn “{training.title}”",
                             doc_date=today or clock.today(), signers=[("Người lập báo cáo", "")],
                             recipients=[official.union_display_name(parent) if parent else "Cấp trên", "Lưu: VT"]),
            **context)


def file_name(training: Training, extension: str) -> str:
    """ASCII file name: "ket-qua-12-phong-chong-bao-luc-gia-dinh.pdf"."""
    ascii_title = unicodedata.normalize("NFKD", training.title.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.encode("ascii", "ignore").decode().lower())[:60].strip("-")
    return f"ket-qua-{training.id}-{slug or 'tap-huan'}.{extension}"


# ---------------------------------------------------------------- XLSX
# Column and row labels of the workbooks' result sheets, in the reader's language (Vietnamese
# msgids, English through the catalogue). The machine keys stay in the code, never in the file.
SUMMARY_LABELS = {
    "training_id": _l("Số hiệu lớp"), "title": _l("Tên lớp tập huấn"), "unit": _l("Đơn vị tổ chức"),
    "topic": _l("Chủ đề"), "start_date": _l("Ngày bắt đầu"), "end_date": _l("Ngày kết thúc"),
    "max_score": _l("Điểm tối đa"), "n_pre": _l("Số người làm bài trước"), "n_post": _l("Số người làm bài sau"),
    "n_matched": _l("Số người làm cả hai bài"),
    "mean_pre": _l("Điểm trung bình trước"), "mean_post": _l("Điểm trung bình sau"),
    "mean_gain": _l("Mức tăng điểm trung bình"), "sd_gain": _l("Độ lệch chuẩn của mức tăng"),
    "ci95_gain_low": _l("Mức tăng: cận dưới khoảng tin cậy 95%"),
    "ci95_gain_high": _l("Mức tăng: cận trên khoảng tin cậy 95%"),
    "pct_pre": _l("Tỷ lệ điểm trước (%)"), "pct_post": _l("Tỷ lệ điểm sau (%)"),
    "hake_g": _l("Mức tăng chuẩn hóa (Hake g)"), "mean_individual_g": _l("Trung bình g từng người"),
    "paired_t": _l("Kiểm định t cặp đôi: t"), "paired_t_df": _l("Kiểm định t cặp đôi: bậc tự do"),
    "paired_t_p": _l("Kiểm định t cặp đôi: p"), "wilcoxon_W": _l("Kiểm định Wilcoxon: W"),
    "wilcoxon_p": _l("Kiểm định Wilcoxon: p"), "cohen_dz": _l("Cỡ hiệu ứng (Cohen dz)"),
    "kr20_pre": _l("Độ tin cậy KR-20 trước"), "kr20_post": _l("Độ tin cậy KR-20 sau"),
    "reliability_method": _l("Cách tính độ tin cậy"),
    "hake_g_ci_low": _l("Hake g: cận dưới khoảng tin cậy 95%"),
    "hake_g_ci_high": _l("Hake g: cận trên khoảng tin cậy 95%"),
    "cohen_dz_ci_low": _l("Cohen dz: cận dưới khoảng tin cậy 95%"),
    "cohen_dz_ci_high": _l("Cohen dz: cận trên khoảng tin cậy 95%"),
    "kr20_pre_ci_low": _l("KR-20 trước: cận dưới khoảng tin cậy 95%"),
    "kr20_pre_ci_high": _l("KR-20 trước: cận trên khoảng tin cậy 95%"),
    "kr20_post_ci_low": _l("KR-20 sau: cận dưới khoảng tin cậy 95%"),
    "kr20_post_ci_high": _l("KR-20 sau: cận trên khoảng tin cậy 95%"),
    "wilcoxon_method": _l("Kiểm định Wilcoxon: cách tính"),
    "hodges_lehmann": _l("Ước lượng Hodges–Lehmann của mức tăng"),
    "hodges_lehmann_ci_low": _l("Hodges–Lehmann: cận dưới khoảng tin cậy 95%"),
    "hodges_lehmann_ci_high": _l("Hodges–Lehmann: cận trên khoảng tin cậy 95%"),
    "normalized_change": _l("Thay đổi chuẩn hóa"),
    "normalized_change_left_out": _l("Thay đổi chuẩn hóa: số người không tính"),
    "mean_individual_g_left_out": _l("g từng người: số người không tính"),
    "detectable_gain": _l("Mức tăng nhỏ nhất phát hiện được"),
    "share_one_test": _l("Tỷ lệ người chỉ làm một bài"),
    "mean_pre_pre_only": _l("Điểm trước trung bình của người chỉ làm bài trước"),
    "mean_pre_completers": _l("Điểm trước trung bình của người làm cả hai bài"),
    "attrition_p": _l("Khác biệt giữa hai nhóm đó: p"),
}
# A column holding a figure the summary sheet also lists has the summary's label: one msgid each.
_SAME_AS_SUMMARY = {"max_points": "max_score", "n": "n_matched", "n_pre": "n_pre", "n_post": "n_post",
                    **{k: k for k in ("mean_gain", "hake_g", "paired_t_p", "wilcoxon_p", "cohen_dz")}}
COLUMN_LABELS = {
    **{column: SUMMARY_LABELS[key] for column, key in _SAME_AS_SUMMARY.items()},
    "indicator": _l("Chỉ số"), "value": _l("Giá trị"), "no": _l("Câu"), "key": _l("Mã câu"),
    "answered_pre": _l("Số người trả lời trước"), "answered_post": _l("Số người trả lời sau"),
    "pct_pre": _l("Tỷ lệ đúng trước (%)"), "pct_post": _l("Tỷ lệ đúng sau (%)"),
    "pct_change": _l("Thay đổi tỷ lệ đúng (điểm %)"),
    "wrong_to_right": _l("Số người từ sai thành đúng"), "right_to_wrong": _l("Số người từ đúng thành sai"),
    "mcnemar_p": _l("Kiểm định McNemar: p"), "mcnemar_p_holm": _l("Kiểm định McNemar: p hiệu chỉnh Holm"),
    "difficulty_pre": _l("Độ khó trước"), "difficulty_post": _l("Độ khó sau"),
    "discrimination_pre": _l("Độ phân biệt trước"), "discrimination_post": _l("Độ phân biệt sau"),
    "dont_know_pre": _l("“Không biết” trước"), "dont_know_post": _l("“Không biết” sau"),
    "change_ci_low": _l("Thay đổi: cận dưới khoảng tin cậy 95%"),
    "change_ci_high": _l("Thay đổi: cận trên khoảng tin cậy 95%"),
    "chance": _l("Tỷ lệ đúng do đoán"), "flags": _l("Nhận xét"), "text": _l("Nội dung câu hỏi"),
    "value_point": _l("Mức"), "label": _l("Nhãn mức"), "count_pre": _l("Số người chọn trước"),
    "count_post": _l("Số người chọn sau"), "mean_pre": _l("Trung bình trước"), "mean_post": _l("Trung bình sau"),
    "mean_shift": _l("Thay đổi trung bình"),
    "dimension": _l("Phân theo"), "group": _l("Nhóm"), "masked": _l("Ẩn"), "masked_why": _l("Lý do ẩn"),
    "code": _l("Mã người học"), "pre": _l("Điểm trước"), "post": _l("Điểm sau"), "gain": _l("Mức tăng"),
    "g": _l("g từng người"),
}
SHEET_LABELS = {
    "summary": _l("Tổng hợp"), "items": _l("Theo câu hỏi"), "likert": _l("Câu hỏi thái độ"),
    "breakdowns": _l("Theo nhóm"), "scores": _l("Điểm từng người"),
}
# The breakdown sheets' figures after the counts and the masking columns (means for the sums
# every published figure is built from, then what the page shows).
GROUP_FIGURES = ("mean_pre", "mean_post", *BREAKDOWN_KEYS)
AGGREGATE_ITEM_KEYS = ("no", "max_points", "answered_pre", "answered_post", "pct_pre", "pct_post", "pct_change")


def results_workbook(training: Training, results: TrainingResults, user: User | None) -> bytes:
    """The interchange workbook of the training (questions, participants, raw pre/post answers,
    written by ``surveys.services.workbook``, sheet names kept for the import) with result sheets
    added in the reader's language: summary, per question, attitude questions, groups (masked) and
    each person's scores. The import ignores the added sheets, so the file still imports.
    ``export_workbook`` records the download in the export access log (it carries names)."""
    from openpyxl import load_workbook  # on first use, not with the app (memory per worker)

    book = load_workbook(io.BytesIO(export_workbook(training, user=user)))
    _result_sheets(book, training, results, aggregates_only=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def aggregates_workbook(training: Training, results: TrainingResults) -> bytes:
    """The workbook for sending upward: aggregates only, as the results page shows them (class
    counts and means, per question % right and its change, attitude means, groups with small ones
    and those that would give them away masked by ``app.disclosure``). No name, no code, no answer
    of anyone, no per-person score; question texts and group labels only."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _result_sheets(book, training, results, aggregates_only=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _result_sheets(book, training: Training, results: TrainingResults, aggregates_only: bool) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)

    def sheet(name: str, columns: list[str], rows: list[list]):
        ws = book.create_sheet(str(SHEET_LABELS[name]))
        append_row(ws, [str(COLUMN_LABELS[c]) for c in columns])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            append_row(ws, [_cell(v) for v in row])
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJ", (34, 18) if name == "summary" else (14, 22)):
            ws.column_dimensions[letter].width = width
        return ws

    summary = results.summary
    values = {
        "training_id": results.training_id, "title": results.title, "unit": results.unit_name,
        "topic": results.topic, "start_date": _date(results.start_date), "end_date": _date(results.end_date),
        "max_score": results.max_score, "n_pre": results.n_pre, "n_post": results.n_post,
        "n_matched": results.n_matched,
        **{k: summary[k] for k in stats.SUMMARY_KEYS if k != "ci95_gain"},
        "ci95_gain_low": (summary["ci95_gain"] or [None, None])[0],
        "ci95_gain_high": (summary["ci95_gain"] or [None, None])[1],
    }
    if values.get("wilcoxon_method") in reading.WILCOXON_METHODS:
        values["wilcoxon_method"] = str(reading.WILCOXON_METHODS[values["wilcoxon_method"]])
    sheet("summary", ["indicator", "value"], [[str(SUMMARY_LABELS[k]), values[k]] for k in SUMMARY_LABELS])

    item_keys = AGGREGATE_ITEM_KEYS if aggregates_only else ITEM_KEYS
    sheet("items", [*item_keys, "flags", "text"],
          [[*(_item_figure(item, k) for k in item_keys), ", ".join(reading.flag_labels(item["flags"])), item["text"]]
           for item in results.items])
    if aggregates_only:
        sheet("likert", ["no", "text", "mean_pre", "mean_post", "mean_shift"],
              [[q["no"], q["text"], q["mean_pre"], q["mean_post"], q["mean_shift"]] for q in results.likert])
    else:
        sheet("likert", ["no", "text", "value_point", "label", "count_pre", "count_post", "mean_pre", "mean_post",
                         "mean_shift"],
              [[q["no"], q["text"], value, label, q["counts_pre"][value - 1], q["counts_post"][value - 1],
                q["mean_pre"], q["mean_post"], q["mean_shift"]]
               for q in results.likert for value, label in enumerate(q["options"], start=1)])
    sheet("breakdowns", ["dimension", "group", "n", "n_pre", "n_post", "masked", "masked_why", *GROUP_FIGURES],
          [[str(reading.DIMENSION_LABELS[dim]), reading.group_label(dim, label), fig["n"], fig["n_pre"],
            fig["n_post"], fig["masked"], _masked_why(fig), *(fig[k] for k in GROUP_FIGURES)]
           for dim, groups in results.masked_breakdowns(MIN_GROUP).items() for label, fig in groups.items()])
    if not aggregates_only:
        sheet("scores", ["code", "pre", "post", "gain", "g"],
              [[p["code"], p["pre"], p["post"], p["gain"], p["g"]] for p in results.participants])


def _masked_why(fig: dict) -> str | None:
    """The page's words for a masked group (templates/surveys/_results_tables.html)."""
    if not fig["masked"]:
        return None
    if fig["n"] < MIN_GROUP:
        return _("Ẩn: nhóm dưới %(n)d người", n=MIN_GROUP)
    return _("Ẩn để không suy ra được nhóm nhỏ")


def _item_figure(item: dict, key: str):
    """A per-question figure of the items sheet: the results' own, or the change in % right."""
    if key != "pct_change":
        return item[key]
    pre, post = item["pct_pre"], item["pct_post"]
    return None if pre is None or post is None else round(post - pre, 4)


def _date(value: date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


def _cell(value):
    """Booleans as "có"/"không" in the reader's language; None stays an empty cell."""
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return value
