"""The period report "Báo cáo kết quả thực hiện Dự án 8" of a unit: trainings (with knowledge
gain), dialogues and petitions, communication teams, Leaders of Change clubs, trusted addresses
and communication activities, each line with its yearly target where one is set; as a PDF in
the official layout (Decree 30/2020/ND-CP, ``templates/pdf/_official.html``) and as an XLSX.

Training and dialogue figures come from ``app.indicators.targets.load_dashboard`` (the
dashboard's one computation, with its progress against targets); the community figures from
``community.indicators.compute``; targets of community figures from the indicator definitions
whose ``figure`` is a community key. Aggregates only, masked as the dashboard
(``app.indicators.exports.published``).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.indicators.exports import published
from app.indicators.figures import FIGURES as CORE_FIGURES, format_value
from app.indicators.models import Indicator, IndicatorTarget
from app.indicators.targets import load_dashboard, percent_of
from app.models import Unit
from community import indicators

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The report's lines: (section, figure key). Training and dialogue keys are the dashboard's.
SECTIONS = [
    ("I. Tập huấn, nâng cao năng lực", ["trainings_held", "training_participants", "training_women",
                                        "training_minority", "knowledge_pairs", "pct_pre", "pct_post", "mean_gain"]),
    ("II. Đối thoại chính sách, kiến nghị", ["dialogues_held", "dialogue_participants", "dialogue_women",
                                             "questions_raised", "answered_on_spot", "committed", "resolved"]),
    ("III. Tổ truyền thông cộng đồng", ["teams_active", "team_members", "team_members_women"]),
    ("IV. Câu lạc bộ Thủ lĩnh của sự thay đổi", ["clubs_active", "club_members", "club_members_girls"]),
    ("V. Địa chỉ tin cậy", ["addresses_active", "support_given"]),
    ("VI. Hoạt động truyền thông", ["activities_held", "activity_participants", "activity_women",
                                    "activity_minority", "activity_children"]),
]
COMMUNITY_UNITS = {"count": "", "people": "lượt người"}


@dataclass
class Line:
    key: str
    label: str
    value: object          # masked for people counts under 5
    shown: str
    target: float | None
    percent: float | None


@dataclass
class PeriodReport:
    unit: Unit
    period: object
    today: date
    sections: list[tuple[str, list[Line]]]
    by_unit: list[dict]     # community figures per child unit (masked)
    total: dict


def _community_targets(unit: Unit, year: int) -> dict[str, float]:
    rows = db.session.execute(sa.select(Indicator.figure, IndicatorTarget.target).join(
        IndicatorTarget, IndicatorTarget.indicator_id == Indicator.id).where(
        Indicator.is_active, Indicator.figure.in_(indicators.KEYS), IndicatorTarget.unit_id == unit.id,
        IndicatorTarget.year == year)).all()
    return dict(rows)


def build(unit: Unit, period, today: date) -> PeriodReport:
    dashboard = load_dashboard(unit, period, today)
    # Masked as the dashboard masks them (app.indicators.exports.published): the same cells hidden
    # in both reports, community figures included (their sub-counts' complements too).
    shown = published(dashboard)
    core = shown.total
    shown_rows = {r.code: r.figures for r in shown.rows}
    core_progress = {p["figure"]: p for p in dashboard.progress}
    community = indicators.compute(unit, period)
    # Targets are yearly: progress is the year so far, as on the dashboard.
    so_far = community if period.is_year_to_date else indicators.compute(unit, period.year_to_date)
    targets = _community_targets(unit, period.date_to.year)
    sections = []
    for title, keys in SECTIONS:
        lines = []
        for key in keys:
            if key in indicators.FIGURES:
                value = core[key] if key in core else indicators.mask(key, community.total[key])
                shown = value if isinstance(value, str) else format_value("teams_active", value)
                target = targets.get(key)
                percent = None if isinstance(value, str) else percent_of(so_far.total[key], target)
                label = str(indicators.FIGURES[key].label)
            else:
                value = core.get(key)
                shown = format_value(key, value)
                progress = core_progress.get(key, {})
                target = progress.get("target")
                percent = progress.get("percent") if not isinstance(value, str) else None
                label = str(CORE_FIGURES[key].label)
            lines.append(Line(key, label, value, shown, target, percent))
        sections.append((title, lines))
    def cell(row, key, value):
        figures = shown_rows.get(row.code, {})
        return figures[key] if key in figures else indicators.mask(key, value)
    by_unit = [{"code": r.code, "name": r.name, "directly": r.directly,
                **{k: cell(r, k, v) for k, v in r.figures.items()}} for r in community.rows]
    return PeriodReport(unit, period, today, sections, by_unit,
                        {k: core[k] if k in core else indicators.mask(k, v) for k, v in community.total.items()})


def report_pdf(unit: Unit, period, today: date) -> bytes:
    """In Vietnamese whatever the reader's language: it is filed upward."""
    from app.pdf import render_pdf
    from app.official import header_lines, union_display_name

    with force_locale("vi"):
        report = build(unit, period, today)
        header = header_lines(unit)
        return render_pdf(
            "community/report_pdf.html", report=report, union=union_display_name(unit),
            parent_body=header["parent_body"], issuing_body=header["issuing_body"],
            number="\u00a0" * 8 + "/BC-HLHPN", place=header["place_name"], doc_date=report.today,
            doc_type="Báo cáo", subject=f"Kết quả thực hiện Dự án 8: {report.period.label.lower()}",
            community_keys=indicators.KEYS,
            signers=[("Người lập báo cáo", ""), ("T/M Ban Thường vụ", "")],
            recipients=[union_display_name(unit.parent) if unit.parent else "Cấp trên", "Lưu: VT"])


def report_xlsx(unit: Unit, period, today: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from community.workbook import safe_cell

    def append(ws, values, bold=False):
        row = ws.max_row + 1 if ws.cell(1, 1).value is not None else 1
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            safe_cell(cell, value)
            if bold:
                cell.font = Font(bold=True)

    with force_locale("vi"):
        report = build(unit, period, today)
        wb = Workbook()
        ws = wb.active
        ws.title = "bao_cao"
        append(ws, [f"Báo cáo kết quả thực hiện Dự án 8: {report.unit.name} ({report.unit.code})"], bold=True)
        append(ws, [f"Từ {report.period.date_from:%d/%m/%Y} đến {report.period.date_to:%d/%m/%Y}"])
        append(ws, ["Chỉ tiêu", "Kết quả", "Kế hoạch năm", "% kế hoạch (lũy kế năm)"], bold=True)
        for title, lines in report.sections:
            append(ws, [title], bold=True)
            for line in lines:
                append(ws, [line.label, line.value, line.target, line.percent])
        ws.column_dimensions["A"].width = 48
        for letter in "BCD":
            ws.column_dimensions[letter].width = 16
        units = wb.create_sheet("theo_don_vi")
        append(units, ["Mã", "Đơn vị", *[str(indicators.FIGURES[k].label) for k in indicators.KEYS]], bold=True)
        for row in report.by_unit:
            append(units, [row["code"], row["name"], *[row[k] for k in indicators.KEYS]])
        append(units, [report.unit.code, "Tổng cộng", *[report.total[k] for k in indicators.KEYS]], bold=True)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
