"""Charts of training results as plain geometry, drawn as inline SVG by
``templates/_macros/charts.html``: no JavaScript, identical on the page and in the PDF.

Sized for a phone: a 360-unit wide view box shows text at about its nominal size on a 390 px
screen. Every chart has a title and a text description (screen readers), its bars carry their
numbers, and the two series differ in lightness as well as hue (Okabe-Ito orange and blue), so
they survive a black-and-white printer and colour blindness.
"""
from __future__ import annotations

import math

from flask_babel import gettext as _

from app.charts import BLUE, ORANGE, WIDTH
from app.charts import Chart as BaseChart
from surveys.analytics.reading import num, pct

PRE_COLOUR, POST_COLOUR = ORANGE, BLUE
EXACT_BINS_UP_TO = 12  # tests up to 12 points get one bar per score, longer ones 20% bands
COMPACT_FROM = 12  # questions: beyond this the per-question chart uses tighter rows


class Chart(BaseChart):
    """A results chart: the core's geometry with the before/after legend."""

    def legend(self, y: float = 12) -> None:
        self.keys(((0, PRE_COLOUR, _("Trước tập huấn")), (150, POST_COLOUR, _("Sau tập huấn"))), y)


def score_bins(max_score: float) -> list[tuple[float, float, str]]:
    """(low, high, label) bins of total score: one per score for short tests, else 20% bands.
    A score s falls in the bin with low <= s < high (the last bin includes the maximum)."""
    if max_score <= EXACT_BINS_UP_TO and float(max_score).is_integer():
        return [(s, s + 1, str(s)) for s in range(int(max_score) + 1)]
    bands = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    return [(lo * max_score / 100, hi * max_score / 100, f"{lo}–{hi}%") for lo, hi in bands]


def _bin_counts(scores: list[float], bins) -> list[int]:
    counts = [0] * len(bins)
    for s in scores:
        i = next((i for i, (lo, hi, _label) in enumerate(bins) if lo <= s < hi), len(bins) - 1)
        counts[i] += 1
    return counts


def _ticks(top: int) -> list[int]:
    """0 up to at least ``top`` in about four round steps (1, 2 or 5 times a power of ten)."""
    raw = max(top / 4, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(int(m * magnitude) for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def distribution_chart(participants: list[dict], max_score: float, chart_id: str = "dist") -> Chart:
    """Grouped bars: how many matched participants scored in each bin, before and after."""
    matched = [p for p in participants if p["pre"] is not None and p["post"] is not None]
    bins = score_bins(max_score)
    pre, post = _bin_counts([p["pre"] for p in matched], bins), _bin_counts([p["post"] for p in matched], bins)
    exact = len(bins) > 0 and bins[0][2] == "0"
    desc = "; ".join(_("%(bin)s: %(pre)d người trước, %(post)d người sau", bin=label, pre=a, post=b)
                     for (_lo, _hi, label), a, b in zip(bins, pre, post))
    chart = Chart(chart_id, _("Phân bố điểm của %(n)d người làm cả hai bài", n=len(matched)), desc, height=246)
    chart.legend()
    left, top, bottom = 26, 34, 196
    plot_h = bottom - top
    ticks = _ticks(max(pre + post + [1]))
    scale = plot_h / ticks[-1]
    for t in ticks:
        y = bottom - t * scale
        chart.line(left, y, WIDTH, y, dash=t > 0)
        chart.text(left - 4, y + 4, str(t), anchor="end", size=11)
    slot = (WIDTH - left) / len(bins)
    bar_w = min(16, slot * 0.38)
    for i, ((_lo, _hi, label), a, b) in enumerate(zip(bins, pre, post)):
        centre = left + slot * (i + 0.5)
        for x, count, colour in ((centre - bar_w - 1, a, PRE_COLOUR), (centre + 1, b, POST_COLOUR)):
            chart.rect(x, bottom - count * scale, bar_w, count * scale, colour)
            if count:
                chart.text(x + bar_w / 2, bottom - count * scale - 3, str(count), anchor="middle", size=11)
        chart.text(centre, bottom + 15, label, anchor="middle")
    axis = _("Điểm (tối đa %(max)s)", max=num(max_score)) if exact else _("Điểm theo % điểm tối đa")
    chart.text(left + (WIDTH - left) / 2, bottom + 34, axis, anchor="middle")
    return chart


def items_chart(items: list[dict], chart_id: str = "items") -> Chart:
    """One row per question, in question order: % right before (upper bar) and after (lower bar),
    with a dashed line at 50%, the "still misunderstood" threshold."""
    # Long tests get tighter rows so 30 questions still fit on one printed page.
    row_h, bar_h = (30, 11) if len(items) <= COMPACT_FROM else (24, 10)
    top, label_w, bar_max = 30, 50, 256
    bottom = top + row_h * len(items)
    desc = "; ".join(_("Câu %(no)d: %(pre)s đúng trước, %(post)s đúng sau", no=it["no"], pre=pct(it["pct_pre"]),
                       post=pct(it["pct_post"])) for it in items)
    chart = Chart(chart_id, _("Tỷ lệ trả lời đúng từng câu, trước và sau tập huấn"), desc, height=bottom + 24)
    chart.legend()
    for share in (0, 50, 100):
        x = label_w + bar_max * share / 100
        chart.line(x, top - 4, x, bottom, dash=share == 50)
        chart.text(x, bottom + 15, f"{share}%", anchor="middle", size=11)
    for i, it in enumerate(items):
        y = top + i * row_h
        chart.text(label_w - 5, y + bar_h + 8, _("Câu %(no)d", no=it["no"]), anchor="end")
        for offset, value, colour in ((2, it["pct_pre"], PRE_COLOUR), (3 + bar_h, it["pct_post"], POST_COLOUR)):
            width = bar_max * (value or 0) / 100
            chart.rect(label_w, y + offset, width, bar_h, colour)
            chart.text(label_w + width + 3, y + offset + bar_h - 1, pct(value), size=bar_h)
    return chart
