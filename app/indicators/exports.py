"""Exports of a dashboard for upward reporting: an XLSX with every table (unit codes included)
and a PDF report in the official layout (Decree 30, ``templates/pdf/_official.html``).

Both carry aggregates only, never a name. Every output of a dashboard (the screen, its XLSX and
PDF, ``GET /api/v1/indicators``, ``flask indicators``, the community period report) shows
``published(dashboard)``, masked in one place: a count of people from 1 to 4 shows as "<5", a
knowledge statistic computed on fewer than 5 pre/post pairs as "n<5", and a cell that would give
a masked one away by subtraction shows as "x" (secondary suppression, ``app.indicators.masking``
with ``app.disclosure.suppress_cells``): across every table of one population of people (units,
topics, ethnic groups, attendance groups) and beside each sub-count ("trong đó nữ") whose
complement (the men) would be 1 to 4 people; the units of a target's progress (over the year so
far) are masked as the unit rows of the year-so-far dashboard.
"""
from __future__ import annotations

import dataclasses
import io
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from app import official
from app.indicators.charts import dashboard_charts
from app.indicators.dashboard import SELF, Dashboard
from app import disclosure
from app.indicators import masking
from app.indicators.figures import FIGURES, MIN_CELL, format_value, full_label, mask_cell
from app.indicators.providers import providers, section_templates
from app.models import Unit
from app.pdf import render_pdf
from app.xlsx import append_row

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MASKED = f"<{MIN_CELL}"
HIDDEN = "x"  # masked so that a small cell cannot be derived from the total and the other cells


def sample_statistics(sample_key: str) -> list[str]:
    """The statistics computed on the sample that ``sample_key`` counts: masked together with it."""
    return [k for k, f in FIGURES.items() if f.sample == sample_key]


def masked_rows(rows: list[dict]) -> list[dict]:
    """Rows that add up to a shown total, as an upward report shows them: ``masked`` per row,
    then in each people column the further cells ``app.disclosure`` masks so that no masked count
    follows by subtraction; a hidden pairs count hides its row's knowledge statistics too."""
    out = [masked(r) for r in rows]
    people = [k for k in (rows[0] if rows else {}) if k in FIGURES and FIGURES[k].is_people_count]
    for key in people:
        for i in disclosure.masked_share({i: r.get(key) or 0 for i, r in enumerate(rows)}, MIN_CELL):
            hidden = [key] + sample_statistics(key)
            out[i].update({k: HIDDEN for k in hidden if not isinstance(out[i].get(k), str)})
    return out


def published(dashboard: Dashboard) -> Dashboard:
    """The dashboard as every output shows it: each people count masked with the cells that would
    give it away, across all its tables (``app.indicators.masking``; see the module docstring).
    The raw figures stay in ``load_dashboard``'s result (``flask indicators`` on the server,
    targets' progress computed before masking)."""
    if dashboard.published:
        return dashboard
    total, rows, topics, sections = masked_tables(dashboard)
    # The progress is over the year so far: its units' actuals are the rows of that dashboard,
    # masked as that dashboard would be (the same one when the period is the year so far).
    so_far = dashboard.year_so_far
    if so_far is None or so_far is dashboard:
        so_far_total, so_far_rows, so_far = total, rows, dashboard
    else:
        so_far_total, so_far_rows, _topics, _sections = masked_tables(so_far)
    shown = dataclasses.replace(
        dashboard, total=total, topics=topics,
        progress=masked_progress(dashboard.progress, so_far, so_far_total, so_far_rows),
        rows=[dataclasses.replace(r, figures=f) for r, f in zip(dashboard.rows, rows)], published=True,
        year_so_far=None)
    shown.sections = {**dashboard.sections, **sections}
    for provider in providers():
        shown.sections.update(provider.masked_sections(dashboard))
    return shown


def masked_tables(dashboard: Dashboard) -> tuple[dict, list[dict], list[dict], dict[str, list[dict]]]:
    """The total, rows, topics and sections with people counts of ``dashboard`` as published."""
    total = masked(dashboard.total)
    rows = [masked(r.figures) for r in dashboard.rows]
    topics = [masked(t) for t in dashboard.topics]
    columns = masking.section_columns(dashboard)
    sections = {name: [dict(g) for g in dashboard.sections[name]] for name in columns}
    for name, by_key in columns.items():
        for group in sections[name]:
            group.update({column: masked_people(group[column]) for column in by_key.values()})
    for (scope, key), kind in masking.dashboard_masks(dashboard).items():
        if scope == masking.TOTAL:
            target, column = total, key
        elif scope[0] in ("row", "topic"):
            target, column = (rows if scope[0] == "row" else topics)[scope[1]], key
        else:
            target, column = sections[scope[0]][scope[1]], columns[scope[0]][key]
        marker = MASKED if kind == disclosure.PRIMARY else HIDDEN
        hidden = [column] + (sample_statistics(key) if column == key else [])
        target.update({k: (marker if k == column else HIDDEN) for k in hidden
                       if k in target and not isinstance(target[k], str)})
    return total, rows, topics, sections


def masked(figures: dict) -> dict:
    """A row of figures as an upward report shows it."""
    def sample(key: str):
        figure = FIGURES.get(key)
        return figures.get(figure.sample) if figure is not None and figure.sample else None

    return {key: mask_cell(key, value, sample(key)) for key, value in figures.items()}


def masked_people(value):
    return MASKED if value is not None and 0 < value < MIN_CELL else value


def row_name(row) -> str:
    return _("Trực tiếp tại %(name)s", name=row.name) if row.kind == SELF else row.name


def file_name(dashboard: Dashboard, extension: str) -> str:
    return f"chi-so-{dashboard.unit_code}-{dashboard.period.slug()}.{extension}"


# ---------------------------------------------------------------- XLSX
def dashboard_workbook(dashboard: Dashboard) -> bytes:
    from openpyxl import Workbook  # on first use, not with the app (memory per worker)
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list, rows: list[list]):
        ws = book.create_sheet(title)
        append_row(ws, [str(h) for h in header])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            append_row(ws, row)
        ws.freeze_panes = "A2"
        return ws

    book.remove(book.active)
    dashboard = published(dashboard)
    period = dashboard.period
    total = dashboard.total
    keys = list(FIGURES)
    sheet(_("Tổng hợp"), [_("Mã chỉ tiêu"), _("Nội dung"), _("Mã đơn vị"), _("Đơn vị"), _("Từ ngày"), _("Đến ngày"),
                          _("Giá trị")],
          [[key, str(full_label(key)), dashboard.unit_code, dashboard.unit_name, period.date_from, period.date_to,
            _share(key, total[key])] for key in keys])
    sheet(_("Theo đơn vị"), [_("Mã đơn vị"), _("Đơn vị"), *[full_label(k) for k in keys]],
          [[dashboard.unit_code, _("Tổng cộng: %(name)s", name=dashboard.unit_name),
            *[_share(k, total[k]) for k in keys]]]
          + [[r.code, row_name(r), *[_share(k, v) for k, v in _ordered(figures, keys)]]
             for r, figures in ((r, r.figures) for r in dashboard.rows)])
    for provider in providers():
        for title, header, rows in provider.sheets(dashboard):
            sheet(title, header, rows)
    sheet(_("Chỉ tiêu"), [_("Mã chỉ số"), _("Chỉ số"), _("Đơn vị tính"), _("Năm"), _("Mã đơn vị"), _("Đơn vị"),
                          _("Chỉ tiêu"), _("Thực hiện từ đầu năm"), _("Tỷ lệ đạt (%)"),
                          _("Chênh lệch so với chỉ tiêu (điểm %)")],
          [row for p in dashboard.progress for row in _progress_rows(dashboard, p)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ordered(figures: dict, keys: list[str]):
    return [(k, figures.get(k)) for k in keys]


def _share(key: str, value):
    """Shares are stored as fractions; the sheet shows them as percentages like the screen."""
    if FIGURES[key].kind == "share" and isinstance(value, float):
        return round(100 * value, 1)
    return value


def masked_progress(progress: list[dict], so_far: Dashboard | None = None, total: dict | None = None,
                    rows: list[dict] | None = None) -> list[dict]:
    """Progress as an upward report shows it. Its actuals are cells of the year-so-far dashboard
    ``so_far`` (the shown one when its period is the year so far): masked as that dashboard masks
    them (``total``, ``rows``: its masked figures), with the percentage that would give them away.
    Without it, an actual count of 1-4 people is masked and the units within their table."""
    def mask(entry: dict, figure, marker=MASKED) -> dict:
        if figure.is_people_count and entry["actual"] is not None and 0 < entry["actual"] < MIN_CELL:
            return {**entry, "actual": marker, "percent": None, "points": None}
        return dict(entry)

    def hide(entry: dict, marker) -> dict:
        return {**entry, "actual": marker, "percent": None, "points": None}

    out = []
    for p in progress:
        figure = FIGURES[p["figure"]]
        units = [mask(u, figure) for u in p["by_unit"]]
        if figure.is_people_count and so_far is not None and rows is not None:
            shown = {r.code: f.get(figure.key) for r, f in zip(so_far.rows, rows)}
            units = [hide(u, shown[u["code"]]) if isinstance(shown.get(u["code"]), str) else u for u in units]
            entry = hide(p, total[figure.key]) if isinstance(total.get(figure.key), str) else mask(p, figure)
            out.append({**entry, "by_unit": units})
            continue
        if figure.is_people_count:  # the units add up to the unit's actual
            for i in disclosure.masked_share({i: u["actual"] or 0 for i, u in enumerate(p["by_unit"])}, MIN_CELL):
                if not isinstance(units[i]["actual"], str):
                    units[i] = {**units[i], "actual": HIDDEN, "percent": None, "points": None}
        out.append({**mask(p, figure), "by_unit": units})
    return out


def _progress_rows(dashboard: Dashboard, p: dict) -> list[list]:
    head = [p["code"], p["name"], p["unit_of_measure"], p["year"]]
    rows = [[*head, dashboard.unit_code, dashboard.unit_name, p["target"], p["actual"], p["percent"], p["points"]]]
    rows += [[*head, u["code"], u["name"], u["target"], u["actual"], u["percent"], u["points"]]
             for u in p["by_unit"] if not u["directly"]]
    return rows


# ---------------------------------------------------------------- PDF
def report_pdf(dashboard: Dashboard, unit: Unit, today: date) -> bytes:
    """The report as the union files it upward, in Vietnamese whatever the reader's language."""
    issuer = official.issuing_unit(unit)
    dashboard = published(dashboard)
    with force_locale("vi"):
        return render_pdf(
            "indicators/report_pdf.html", dashboard=dashboard, total=dashboard.total,
            # Units without any record in the period are summed up in one line, not listed.
            rows=[(r, r.figures) for r in dashboard.rows if r.has_records],
            units_without_records=sum(1 for r in dashboard.rows if not r.has_records),
            topics=dashboard.topics, **dashboard.sections,
            section_templates=section_templates("report"),
            progress=dashboard.progress, row_name=row_name, charts=dashboard_charts(dashboard),
            fmt=format_value, min_cell=MIN_CELL, union=official.union_display_name(issuer),
            **official.frame(unit, doc_type="Báo cáo", code=official.REPORT_CODE, doc_date=today,
                             subject=f"Kết quả thực hiện Dự án 8: {dashboard.period.label.lower()}",
                             signers=[("Người lập báo cáo", ""), ("T/M Ban Thường vụ", "")],
                             recipients=[official.union_display_name(issuer.parent) if issuer.parent else "Cấp trên",
                                         "Lưu: VT"]))
