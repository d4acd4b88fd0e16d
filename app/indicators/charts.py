"""Dashboard charts as plain geometry (``app.charts``), drawn as inline SVG by
``templates/_macros/charts.html`` (no JavaScript, the same markup on the page and in the PDF):
the bar and progress charts the providers and the targets use.

Horizontal bars with the label on its own line above each bar, so unit names fit a 390 px
phone; every bar carries its number, and every chart has a text description.
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.charts import BLUE, WIDTH, Chart
from app.indicators.providers import providers

BAR_COLOUR, TARGET_COLOUR = BLUE, "#555555"
LABEL_H, BAR_H, GAP = 17, 15, 8
MAX_BARS = 40  # beyond this a chart stops being readable: the table below it carries everything


def number_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def cut_label(text: str, limit: int = 46) -> str:
    """SVG text does not wrap: long names are cut (the table below the chart has them whole)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, float | None]], suffix: str = "") -> Chart:
    """One bar per (label, value), longest = full width."""
    bars = bars[:MAX_BARS]
    top = max((v or 0 for _label, v in bars), default=0) or 1
    step = LABEL_H + BAR_H + GAP
    desc = "; ".join(f"{label}: {number_text(value)}{suffix}" for label, value in bars)
    chart = Chart(chart_id, title, desc, height=max(step * len(bars) + 4, 24))
    usable = WIDTH - 56
    for i, (label, value) in enumerate(bars):
        y = i * step
        chart.text(0, y + 12, cut_label(label), size=13)
        width = usable * (value or 0) / top
        chart.rect(0, y + LABEL_H, width, BAR_H, BAR_COLOUR)
        chart.text(width + 4, y + LABEL_H + BAR_H - 2, f"{number_text(value)}{suffix}", size=13)
    return chart


def progress_chart(chart_id: str, title: str, rows: list[tuple[str, float | None]]) -> Chart:
    """Per (label, percent of target): a bar up to 100 %, a mark at the target, the number at the end."""
    rows = rows[:MAX_BARS]
    step = LABEL_H + BAR_H + GAP
    desc = "; ".join(f"{label}: {number_text(p)}%" if p is not None else f"{label}: —" for label, p in rows)
    chart = Chart(chart_id, title, desc, height=max(step * len(rows) + 4, 24))
    usable = WIDTH - 64
    for i, (label, percent) in enumerate(rows):
        y = i * step
        chart.text(0, y + 12, cut_label(label), size=13)
        chart.rect(0, y + LABEL_H, usable, BAR_H, "#EEEEEE")
        chart.rect(0, y + LABEL_H, usable * min(percent or 0, 100) / 100, BAR_H, BAR_COLOUR)
        chart.line(usable, y + LABEL_H - 2, usable, y + LABEL_H + BAR_H + 2)
        chart.text(usable + 4, y + LABEL_H + BAR_H - 2, "—" if percent is None else f"{number_text(percent)}%", size=13)
    return chart


def dashboard_charts(dashboard) -> dict[str, Chart]:
    """The charts of one dashboard (only those with something to show): each provider's, then
    the progress against targets."""
    charts = {}
    for provider in providers():
        charts.update(provider.charts(dashboard))
    progress = [(f"{p['code']} {p['name']}", p["percent"]) for p in dashboard.progress
                if p["target"] and not p.get("is_rate")]  # a rate's progress is a gap in points, not a bar to 100 %
    if progress:
        charts["progress"] = progress_chart("ind-progress", _("Tiến độ so với chỉ tiêu năm %(y)d",
                                                              y=dashboard.progress[0]["year"]), progress)
    return charts
