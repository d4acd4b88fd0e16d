"""What the results screens and documents show, built from one computed results object:
the page's charts and sentences, the training report PDF (Decree 30 layout) and the XLSX export
(the interchange workbook of raw answers plus summary sheets).

Documents meant for upward reporting (PDF, XLSX summary sheets) carry aggregates only, with groups
under 5 people masked; the XLSX also carries the raw answers with names, so its download is logged
as a personal-data export.
"""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

from flask_babel import force_locale

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
def results_workbook(training: Training, results: TrainingResults, user: User | None) -> bytes:
    """The interchange workbook of the training (questions, participants, raw pre/post answers,
    written by ``surveys.services.workbook``) with sheets added: summary, items, likert, breakdowns
    (masked) and scores. The import ignores the added sheets, so the file still imports.
    ``export_workbook`` records the download in the export access log (it carries names)."""
    from openpyxl import load_workbook  # on first use, not with the app (memory per worker)
    from openpyxl.styles import Font

    book = load_workbook(io.BytesIO(export_workbook(training, user=user)))
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list]):
        ws = book.create_sheet(title)
        append_row(ws, header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            append_row(ws, [_cell(v) for v in row])
        ws.freeze_panes = "A2"
        return ws

    summary = results.summary
    sheet("summary", ["key", "value"], [
        ["training_id", results.training_id], ["title", results.title], ["max_score", results.max_score],
        ["n_pre", results.n_pre], ["n_post", results.n_post], ["n_matched", results.n_matched],
        *[[k, summary[k]] for k in stats.SUMMARY_KEYS if k != "ci95_gain"],
        ["ci95_gain_low", (summary["ci95_gain"] or [None, None])[0]],
        ["ci95_gain_high", (summary["ci95_gain"] or [None, None])[1]],
    ])
    sheet("items", [*ITEM_KEYS, "flags", "text"],
          [[*(item[k] for k in ITEM_KEYS), ", ".join(reading.flag_labels(item["flags"])), item["text"]]
           for item in results.items])
    sheet("likert", ["no", "text", "value", "label", "count_pre", "count_post", "mean_pre", "mean_post",
                     "mean_shift"],
          [[q["no"], q["text"], value, label, q["counts_pre"][value - 1], q["counts_post"][value - 1],
            q["mean_pre"], q["mean_post"], q["mean_shift"]]
           for q in results.likert for value, label in enumerate(q["options"], start=1)])
    sheet("breakdowns", ["dimension", "group", "n", "n_pre", "n_post", "masked", *BREAKDOWN_KEYS],
          [[dim, label, fig["n"], fig["n_pre"], fig["n_post"], fig["masked"], *(fig[k] for k in BREAKDOWN_KEYS)]
           for dim, groups in results.masked_breakdowns(MIN_GROUP).items() for label, fig in groups.items()])
    sheet("scores", ["code", "pre", "post", "gain", "g"],
          [[p["code"], p["pre"], p["post"], p["gain"], p["g"]] for p in results.participants])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    """Booleans as yes/no like the interchange sheets; None stays an empty cell."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
