"""Results across trainings: pooled matched pairs (scores as % of each test's maximum), one
comparison row per training, filters by unit, topic and period, in a fixed number of queries."""
from datetime import date
from fractions import Fraction

import pytest

import results_reference as ref
from app.models import Role
from results_datasets import DATASETS, points
from surveys.analytics.pooled import Selection, load_pooled_results

approx = lambda x: pytest.approx(x, abs=1e-4)  # noqa: E731


def percentages(name: str) -> tuple[list[Fraction], list[Fraction]]:
    """Matched (pre %, post %) of a data set, computed from its raw answers. Exact fractions, so
    gains equal in exact arithmetic (60 - 40 and 66.67 - 46.67) tie in the signed-rank test."""
    data = DATASETS[name]
    max_score = sum(v[1] for v in data["key"].values())
    pairs = [(sum(points(data["key"], s["pre"])[0].values()), sum(points(data["key"], s["post"])[0].values()))
             for s in data["people"] if s["pre"] is not None and s["post"] is not None]
    return ([Fraction(100 * a, max_score) for a, _b in pairs], [Fraction(100 * b, max_score) for _a, b in pairs])


@pytest.fixture
def two_trainings(fill_training):
    """A in Chợ Mới (20/09/2025), B in Chợ Đồn (01/03/2025), each with its own topic."""
    a, _ = fill_training(DATASETS["A"]["people"], unit="02086")
    b, _ = fill_training(DATASETS["B"]["people"], unit="02020", questions=DATASETS["B"]["questions"],
                         start_date=date(2025, 3, 1))
    return a, b


@pytest.fixture
def light_trainings(fill_training):
    """The same shapes as ``two_trainings`` with fewer people, for the filter and scope tests."""
    a, _ = fill_training(DATASETS["A"]["people"], unit="02086")
    b, _ = fill_training(DATASETS["A"]["people"][:5], unit="02020", start_date=date(2025, 3, 1))
    return a, b


def test_pooled_summary_matches_reference_on_percentages(db, units, two_trainings):
    results = load_pooled_results(Selection(unit=units["19"]))
    (xa, ya), (xb, yb) = percentages("A"), percentages("B")
    expected = ref.summary(xa + xb, ya + yb, 100.0)
    assert results.n_matched == len(xa) + len(xb) == 7 + 33
    for key in ("mean_pre", "mean_post", "mean_gain", "pct_pre", "pct_post", "hake_g", "mean_individual_g",
                "sd_gain", "paired_t", "cohen_dz", "wilcoxon_W"):
        assert results.summary[key] == approx(expected[key]), key
    assert results.summary["paired_t_p"] == pytest.approx(expected["paired_t_p"], rel=1e-3)
    assert results.summary["wilcoxon_p"] == pytest.approx(expected["wilcoxon_p"], rel=1e-3)


def test_comparison_rows_equal_each_trainings_own_figures(db, units, two_trainings):
    a, b = two_trainings
    rows = {r["training_id"]: r for r in load_pooled_results(Selection(unit=units["19"])).trainings}
    assert list(rows) == [a.id, b.id]  # most recent first
    for training, name in ((a, "A"), (b, "B")):
        x, y = percentages(name)
        expected = ref.summary(x, y, 100.0)  # % scores give the same pct, g and p as raw points
        row = rows[training.id]
        assert row["n_matched"] == len(x)
        assert (row["pct_pre"], row["pct_post"], row["hake_g"]) == (
            approx(expected["pct_pre"]), approx(expected["pct_post"]), approx(expected["hake_g"]))
        assert row["paired_t_p"] == pytest.approx(expected["paired_t_p"], rel=1e-3)


def test_pooled_breakdowns_by_topic_and_commune_are_masked_under_five(db, units, two_trainings):
    a, b = two_trainings
    results = load_pooled_results(Selection(unit=units["19"]))
    masked = results.masked_breakdowns()
    assert {g: f["n"] for g, f in masked["commune"].items()} == {"Xã Chợ Mới": 7, "Xã Chợ Đồn": 33}
    assert {g: f["n"] for g, f in masked["topic"].items()} == {a.topic.name: 7, b.topic.name: 33}
    assert masked["sex"]["M"]["n"] == 1 + 6 and not masked["sex"]["M"]["masked"]
    small = [f for groups in masked.values() for f in groups.values() if f["n"] < 5]
    assert small and all(f["masked"] and f["pct_pre"] is None for f in small)


@pytest.mark.parametrize("query,expected", [
    ("", {"A", "B"}), ("&date_from=2025-06-01", {"A"}), ("&date_to=31/05/2025", {"B"}),
    ("&date_from=2025-01-01&date_to=2025-12-31", {"A", "B"}),
])
def test_pooled_page_filters_by_period(client, login_as, units, light_trainings, query, expected):
    a, b = light_trainings
    login_as(Role.province, "19")
    html = client.get(f"/surveys/results?unit={units['19'].id}{query}").get_data(as_text=True)
    shown = {name for name, t in (("A", a), ("B", b)) if f"/surveys/trainings/{t.id}/results" in html}
    assert shown == expected


def test_pooled_page_filters_by_topic_and_unit(client, login_as, units, light_trainings):
    a, b = light_trainings
    login_as(Role.province, "19")
    html = client.get(f"/surveys/results?topic={b.topic_id}").get_data(as_text=True)
    assert f"/surveys/trainings/{b.id}/results" in html and f"/surveys/trainings/{a.id}/results" not in html
    html = client.get(f"/surveys/results?unit={units['02086'].id}").get_data(as_text=True)
    assert f"/surveys/trainings/{a.id}/results" in html and f"/surveys/trainings/{b.id}/results" not in html


def test_commune_officer_pools_only_her_commune(client, login_as, light_trainings):
    a, b = light_trainings
    login_as(Role.commune, "02020")
    html = client.get("/surveys/results").get_data(as_text=True)
    assert f"/surveys/trainings/{b.id}/results" in html and f"/surveys/trainings/{a.id}/results" not in html


@pytest.mark.parametrize("query", ["date_from=abc", "date_to=2025-13-45", "topic=zz", "topic=999999",
                                   "unit=abc", "date_from=2025-06-01&date_to=2025-01-01", "date_from=" + "9" * 300])
def test_pooled_page_bad_filters_show_an_error_not_a_crash(client, login_as, light_trainings, query):
    login_as(Role.province, "19")
    response = client.get(f"/surveys/results?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = [e.split("<")[0] for e in html.split('class="error">')[1:]]
    assert errors and all(e in ("Lựa chọn không hợp lệ.", "Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy.",
                                "Ngày kết thúc phải sau ngày bắt đầu.") for e in errors), errors


def test_pooled_page_queries_do_not_grow_with_trainings(db, client, login_as, fill_training, units, statements):
    login_as(Role.province, "19")
    url = f"/surveys/results?unit={units['19'].id}"
    counts = []
    for _ in range(3):
        fill_training(DATASETS["A"]["people"][:4] if not counts else
                      [dict(p, label=f"{p['label']}-{len(counts)}") for p in DATASETS["A"]["people"]])
        assert client.get(url).status_code == 200
        responses = []
        counts.append(len(statements(lambda: responses.append(client.get(url)))))
        assert responses[0].status_code == 200
    assert counts[0] == counts[1] == counts[2], counts
