"""Chart geometry: bars sized by the numbers they stand for, bins that hold every score, and a
text description that carries the same numbers for screen readers."""
import pytest

from surveys.analytics import charts


def people(pairs):
    return [{"pre": a, "post": b} for a, b in pairs]


def bars(chart, colour):
    return [r for r in chart.rects if r["fill"] == colour and r["y"] > 20]  # the legend's swatches sit above


def test_short_tests_get_one_bin_per_score_long_ones_20_percent_bands():
    assert [label for _lo, _hi, label in charts.score_bins(5)] == ["0", "1", "2", "3", "4", "5"]
    assert [label for _lo, _hi, label in charts.score_bins(30)] == ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"]
    assert [label for _lo, _hi, label in charts.score_bins(7.5)][-1] == "80–100%"  # half points: bands


def test_distribution_counts_matched_people_per_bin(app):
    with app.test_request_context():
        chart = charts.distribution_chart(people([(0, 5), (1, 5), (1, 4), (5, None), (None, 3)]), 5)
    # Matched only: pre scores 0, 1, 1; post 5, 5, 4.
    assert "0: 1 người trước, 0 người sau" in chart.desc and "1: 2 người trước, 0 người sau" in chart.desc
    assert "5: 0 người trước, 2 người sau" in chart.desc
    heights = {round(r["x"]): r["h"] for r in bars(chart, charts.POST_COLOUR)}
    tallest = max(heights.values())
    assert sorted(heights.values())[-2:] == [tallest / 2, tallest]  # 1 and 2 people at 4 and 5 points


def test_maximum_score_falls_in_the_last_band(app):
    with app.test_request_context():
        chart = charts.distribution_chart(people([(30, 30), (0, 29.5)]), 30)
    assert "80–100%: 1 người trước, 2 người sau" in chart.desc


def test_item_bars_are_proportional_to_the_share_right(app):
    items = [{"no": 1, "pct_pre": 25.0, "pct_post": 100.0}, {"no": 2, "pct_pre": 0.0, "pct_post": 50.0}]
    with app.test_request_context():
        chart = charts.items_chart(items)
    pre = [r["w"] for r in bars(chart, charts.PRE_COLOUR)]
    post = [r["w"] for r in bars(chart, charts.POST_COLOUR)]
    assert post[0] == pytest.approx(4 * pre[0]) and post[1] == pytest.approx(post[0] / 2) and pre[1] == 0
    assert "Câu 2: 0% đúng trước, 50% đúng sau" in chart.desc


def test_long_tests_get_tighter_rows(app):
    with app.test_request_context():
        short = charts.items_chart([{"no": i, "pct_pre": 50.0, "pct_post": 60.0} for i in range(10)])
        long = charts.items_chart([{"no": i, "pct_pre": 50.0, "pct_post": 60.0} for i in range(30)])
    assert long.height / 30 < short.height / 10


@pytest.mark.parametrize("top", [1, 3, 4, 7, 12, 31, 124, 200])
def test_axis_ticks_are_round_and_cover_the_tallest_bar(top):
    ticks = charts._ticks(top)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] >= top and ticks[-2] < top
    assert str(step).strip("0") in ("1", "2", "5")
