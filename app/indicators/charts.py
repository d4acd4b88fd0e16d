"""Dashboard charts as plain geometry, drawn as inline SVG by ``templates/surveys/_charts.html``
(the results charts' macro: no JavaScript, the same markup on the page and in the PDF).

Horizontal bars with the label on its own line above each bar, so unit names fit a 390 px
phone; every bar carries its number, and every chart has a text description.
"""
from __future__ import annotations

from flask_babel import gettext as _

from surveys.analytics.charts import POST_COLOUR, PRE_COLOUR, WIDTH, Chart

BAR_COLOUR, TARGET_COLOUR = POST_COLOUR, "#555555"
LABEL_H, BAR_H, GAP = 17, 15, 8
MAX_BARS = 40  # beyond this a chart stops being readable: the table below it carries everything


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def _label(text: str, limit: int = 46) -> str:
    """SVG text does not wrap: long names are cut (the table below the chart has them whole)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, float | None]], suffix: str = "") -> Chart:
    """One bar per (label, value), longest = full width."""
    bars = bars[:MAX_BARS]
    top = max((v or 0 for _label, v in bars), default=0) or 1
    step = LABEL_H + BAR_H + GAP
    desc = "; ".join(f"{label}: {_fmt(value)}{suffix}" for label, value in bars)
    chart = Chart(chart_id, title, desc, height=max(step * len(bars) + 4, 24))
    usable = WIDTH - 56
    for i, (label, value) in enumerate(bars):
        y = i * step
        chart.text(0, y + 12, _label(label), size=13)
        width = usable * (value or 0) / top
        chart.rect(0, y + LABEL_H, width, BAR_H, BAR_COLOUR)
        chart.text(width + 4, y + LABEL_H + BAR_H - 2, f"{_fmt(value)}{suffix}", size=13)
    return chart


def before_after_chart(chart_id: str, title: str, rows: list[tuple[str, float | None, float | None]]) -> Chart:
    """Per (label, % before, % after): two bars on a 0-100 % scale."""
    rows = rows[:MAX_BARS]
    step = LABEL_H + 2 * BAR_H + GAP + 2
    top = 22
    desc = "; ".join(_("%(label)s: %(pre)s%% trước, %(post)s%% sau", label=label, pre=_fmt(a), post=_fmt(b))
                     for label, a, b in rows)
    chart = Chart(chart_id, title, desc, height=top + step * len(rows) + 4)
    chart.legend()
    usable = WIDTH - 56
    for i, (label, pre, post) in enumerate(rows):
        y = top + i * step
        chart.text(0, y + 12, _label(label), size=13)
        for offset, value, colour in ((LABEL_H, pre, PRE_COLOUR), (LABEL_H + BAR_H + 2, post, POST_COLOUR)):
            width = usable * (value or 0) / 100
            chart.rect(0, y + offset, width, BAR_H, colour)
            chart.text(width + 4, y + offset + BAR_H - 2, "—" if value is None else f"{_fmt(value)}%", size=13)
    return chart


def progress_chart(chart_id: str, title: str, rows: list[tuple[str, float | None]]) -> Chart:
    """Per (label, percent of target): a bar up to 100 %, a mark at the target, the number at the end."""
    rows = rows[:MAX_BARS]
    step = LABEL_H + BAR_H + GAP
    desc = "; ".join(f"{label}: {_fmt(p)}%" if p is not None else f"{label}: —" for label, p in rows)
    chart = Chart(chart_id, title, desc, height=max(step * len(rows) + 4, 24))
    usable = WIDTH - 64
    for i, (label, percent) in enumerate(rows):
        y = i * step
        chart.text(0, y + 12, _label(label), size=13)
        chart.rect(0, y + LABEL_H, usable, BAR_H, "#EEEEEE")
        chart.rect(0, y + LABEL_H, usable * min(percent or 0, 100) / 100, BAR_H, BAR_COLOUR)
        chart.line(usable, y + LABEL_H - 2, usable, y + LABEL_H + BAR_H + 2)
        chart.text(usable + 4, y + LABEL_H + BAR_H - 2, "—" if percent is None else f"{_fmt(percent)}%", size=13)
    return chart


def dashboard_charts(dashboard) -> dict[str, Chart]:
    """The charts of one dashboard (only those with something to show)."""
    charts = {}
    people = [(r.name, r.figures["training_participants"]) for r in dashboard.rows
              if r.figures["trainings_held"]]
    if people:
        charts["participants"] = bar_chart("ind-participants", _("Lượt người tham gia tập huấn theo đơn vị"), people)
    topics = [(t["name"], t["pct_pre"], t["pct_post"]) for t in dashboard.topics if t["knowledge_pairs"]]
    if topics:
        charts["knowledge"] = before_after_chart("ind-knowledge", _("Điểm trước và sau tập huấn theo chủ đề "
                                                                    "(% điểm tối đa)"), topics)
    total = dashboard.total
    if total["questions_raised"] or total["committed"]:
        charts["followup"] = bar_chart("ind-followup", _("Ý kiến, kiến nghị và kết quả giải quyết"), [
            (_("Ý kiến, kiến nghị được nêu"), total["questions_raised"]),
            (_("Trả lời ngay tại hội nghị"), total["answered_on_spot"]),
            (_("Cam kết giải quyết"), total["committed"]),
            (_("Đã giải quyết"), total["resolved"]),
            (_("Quá hạn"), total["overdue"]),
        ])
    progress = [(f"{p['code']} {p['name']}", p["percent"]) for p in dashboard.progress if p["target"]]
    if progress:
        charts["progress"] = progress_chart("ind-progress", _("Tiến độ so với chỉ tiêu năm %(y)d",
                                                              y=dashboard.progress[0]["year"]), progress)
    return charts
