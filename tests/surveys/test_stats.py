"""Numbers from surveys.analytics.stats checked against independent computations
(plain Python / `statistics` / direct scipy calls), never against the module itself."""
import json
import math
import statistics as st

import pytest
from scipy import stats as sps

from surveys.analytics.stats import (
    Item, age_band, breakdown, group_by, holm, likert_shift, mask_small, training_results,
)

T975_DF5 = 2.5705818366147395  # t quantile 0.975, 5 degrees of freedom (tables)
approx = lambda x: pytest.approx(x, abs=1e-4)  # outputs are rounded to 4 decimals
approx_p = lambda x: pytest.approx(x, rel=1e-3)  # p-values keep 4 significant digits

ITEMS = [Item("q1"), Item("q2"), Item("q3"), Item("q4")]
KEYS = [it.key for it in ITEMS]


def rows(table):
    return {p: dict(zip(KEYS, vals)) for p, vals in table.items()}


# 6 matched participants, plus p7 (pre only) and p8 (post only) for attrition.
PRE = rows({
    "p1": (1, 0, 0, 0), "p2": (1, 1, 0, 0), "p3": (0, 0, 0, 0),
    "p4": (1, 1, 1, 0), "p5": (1, 0, 1, 0), "p6": (0, 1, 0, None),
    "p7": (1, 1, 1, 1),
})
POST = rows({
    "p1": (1, 1, 1, 0), "p2": (1, 1, 1, 1), "p3": (1, 0, 1, 0),
    "p4": (1, 1, 1, 1), "p5": (0, 1, 0, 0), "p6": (1, 1, 0, 0),
    "p8": (0, 0, 0, 0),
})
MATCHED = ["p1", "p2", "p3", "p4", "p5", "p6"]
DK_PRE = {"p3": {"q3", "q4"}, "p6": {"q4"}}
DK_POST = {"p3": {"q4"}}


def col(data, key):
    return [data[p][key] or 0 for p in MATCHED]


def totals(data):
    return [sum(v or 0 for v in data[p].values()) for p in MATCHED]


def kr20(data):
    """Textbook KR-20 with population variances: k/(k-1) (1 - sum p q / var)."""
    k = len(KEYS)
    pq = sum(st.mean(col(data, q)) * (1 - st.mean(col(data, q))) for q in KEYS)
    return k / (k - 1) * (1 - pq / st.pvariance(totals(data)))


def mcnemar_exact(b, c):
    n = b + c
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2 ** n)


@pytest.fixture(scope="module")
def res():
    return training_results(ITEMS, PRE, POST, DK_PRE, DK_POST)


def test_counts_and_json(res):
    assert (res["n_pre"], res["n_post"], res["n_matched"], res["max_score"]) == (7, 7, 6, 4.0)
    json.dumps(res, allow_nan=False)


def test_summary_hand_computed(res):
    s = res["summary"]
    pre, post = totals(PRE), totals(POST)
    gains = [b - a for a, b in zip(pre, post)]  # 2, 2, 2, 1, -1, 1
    mean_gain, sd = st.mean(gains), st.stdev(gains)
    half = T975_DF5 * sd / math.sqrt(6)
    pct_pre, pct_post = 100 * st.mean(pre) / 4, 100 * st.mean(post) / 4
    assert s["mean_pre"] == approx(st.mean(pre))
    assert s["mean_post"] == approx(st.mean(post))
    assert s["mean_gain"] == approx(7 / 6)
    assert s["sd_gain"] == approx(sd)
    assert s["ci95_gain"] == [approx(mean_gain - half), approx(mean_gain + half)]
    assert s["pct_pre"] == approx(pct_pre) and s["pct_post"] == approx(pct_post)
    assert s["hake_g"] == approx((pct_post - pct_pre) / (100 - pct_pre))
    assert s["mean_individual_g"] == approx(st.mean((b - a) / (4 - a) for a, b in zip(pre, post)))
    assert s["cohen_dz"] == approx(mean_gain / sd)
    assert s["paired_t"] == approx(mean_gain / (sd / math.sqrt(6)))
    assert s["paired_t_df"] == 5
    assert s["reliability_method"] == "kr20"
    assert s["kr20_pre"] == approx(kr20(PRE))
    assert s["kr20_post"] == approx(kr20(POST))


def test_tests_match_scipy(res):
    s = res["summary"]
    pre, post = totals(PRE), totals(POST)
    t = sps.ttest_rel(post, pre)
    w = sps.wilcoxon([b - a for a, b in zip(pre, post)])
    assert s["paired_t"] == approx(t.statistic) and s["paired_t_p"] == approx_p(t.pvalue)
    assert s["wilcoxon_W"] == approx(w.statistic) and s["wilcoxon_p"] == approx_p(w.pvalue)


def test_questions_hand_computed(res):
    qs = {q["key"]: q for q in res["questions"]}
    assert list(qs) == KEYS
    expected_bc = {"q1": (2, 1), "q2": (2, 0), "q3": (3, 1), "q4": (2, 0)}
    for key, q in qs.items():
        pre, post = col(PRE, key), col(POST, key)
        b = sum(a == 0 and c == 1 for a, c in zip(pre, post))
        c = sum(a == 1 and c == 0 for a, c in zip(pre, post))
        assert (q["wrong_to_right"], q["right_to_wrong"]) == expected_bc[key] == (b, c)
        assert q["mcnemar_p"] == approx_p(mcnemar_exact(b, c))
        assert q["pct_pre"] == approx(100 * st.mean(pre))
        assert q["difficulty_post"] == approx(st.mean(post))
        for data, field in ((PRE, "discrimination_pre"), (POST, "discrimination_post")):
            item = col(data, key)
            rest = [t - i for t, i in zip(totals(data), item)]
            expected = None if len(set(item)) == 1 else st.correlation(item, rest)
            assert q[field] == (None if expected is None else approx(expected))
        # Six people: an item-rest r says nothing, so no question is called faulty on it (q2's
        # post r is negative).
        assert "problematic" not in q["flags"]
    assert qs["q4"]["discrimination_pre"] is None  # nobody right before: zero variance
    assert qs["q4"]["answered_pre"] == 5  # p6 left it blank
    assert qs["q4"]["dont_know_pre"] == approx(2 / 6) and qs["q4"]["dont_know_post"] == approx(1 / 6)
    assert qs["q3"]["dont_know_pre"] == approx(1 / 6) and qs["q1"]["dont_know_post"] == 0
    assert qs["q3"]["mcnemar_p"] == approx_p(10 / 16)
    assert qs["q2"]["discrimination_post"] < 0
    # 2/6 right after: P(X <= 2 | 6, 1/2) = 22/64 is no evidence that fewer than half understood.
    assert "still_misunderstood" not in qs["q4"]["flags"]


def test_holm_hand_example():
    assert holm([0.01, 0.04, 0.03]) == [approx(0.03), approx(0.06), approx(0.06)]
    # monotone: 0.021 * 2 = 0.042 is raised to the previous 0.06; capped at 1; None skipped
    assert holm([0.02, None, 0.021, 0.5]) == [approx(0.06), None, approx(0.06), approx(0.5)]
    assert holm([0.5, 0.6]) == [1.0, 1.0]


def test_mcnemar_and_flags():
    # 8 people: "up" goes wrong->right for all 8, "down" right->wrong for all 8.
    items = [Item("up"), Item("down")]
    pre = {f"p{i}": {"up": 0, "down": 1} for i in range(8)}
    post = {f"p{i}": {"up": 1, "down": 0} for i in range(8)}
    up, down = training_results(items, pre, post)["questions"]
    assert up["mcnemar_p"] == approx_p(mcnemar_exact(8, 0)) == approx_p(2 / 256)
    assert up["mcnemar_p_holm"] == approx_p(4 / 256)
    assert up["flags"] == ["improved"]
    # 8/8 right -> wrong: one-sided exact p = 1/256, Holm over the 4 warning tests of the two
    # questions: 4/256 < 0.05; 0/8 right after: P = 1/256 likewise.
    assert down["flags"] == ["still_misunderstood", "known_before", "got_worse"]


def test_mcnemar_mixed_discordant():
    items = [Item("q")]
    pre = {f"p{i}": {"q": v} for i, v in enumerate([0, 0, 0, 0, 0, 1, 1])}
    post = {f"p{i}": {"q": v} for i, v in enumerate([1, 1, 1, 1, 1, 0, 1])}
    q = training_results(items, pre, post)["questions"][0]
    assert (q["wrong_to_right"], q["right_to_wrong"]) == (5, 1)
    assert q["mcnemar_p"] == approx_p(2 * (1 + 6) / 64)


def test_no_matched_pairs():
    r = training_results(ITEMS, {"a": {"q1": 1}}, {"b": {"q1": 1}})
    assert (r["n_pre"], r["n_post"], r["n_matched"]) == (1, 1, 0)
    attrition = ("share_one_test", "mean_pre_pre_only", "mean_pre_completers", "attrition_p")
    assert all(v is None for k, v in r["summary"].items() if k != "reliability_method" and k not in attrition)
    # one person took only the pre-test: the share is published, her mean is not (fewer than five)
    assert r["summary"]["share_one_test"] == 1.0 and r["summary"]["mean_pre_pre_only"] is None
    q = r["questions"][0]
    assert q["pct_pre"] is None and q["mcnemar_p"] is None and q["flags"] == []
    json.dumps(r, allow_nan=False)


def test_single_pair():
    r = training_results(ITEMS, {"a": {"q1": 1}}, {"a": {"q1": 1, "q2": 1}})
    s = r["summary"]
    assert s["mean_gain"] == 1 and s["hake_g"] == approx((50 - 25) / 75)
    for key in ("sd_gain", "ci95_gain", "paired_t", "paired_t_p", "wilcoxon_W", "wilcoxon_p",
                "cohen_dz", "kr20_pre", "kr20_post"):
        assert s[key] is None, key


def test_all_gains_equal():
    pre = {f"p{i}": {"q1": 0, "q2": i % 2} for i in range(5)}
    post = {f"p{i}": {"q1": 1, "q2": i % 2} for i in range(5)}
    s = training_results(ITEMS[:2], pre, post)["summary"]
    assert s["mean_gain"] == 1 and s["sd_gain"] == 0 and s["ci95_gain"] == [1, 1]
    assert s["cohen_dz"] is None and s["paired_t"] is None and s["paired_t_p"] is None
    w = sps.wilcoxon([1.0] * 5)
    assert s["wilcoxon_W"] == approx(w.statistic) and s["wilcoxon_p"] == approx_p(w.pvalue)


def test_no_change_and_ceiling():
    data = {f"p{i}": {"q1": 1, "q2": 1} for i in range(4)}
    s = training_results(ITEMS[:2], data, data)["summary"]
    assert s["mean_gain"] == 0 and s["sd_gain"] == 0
    assert s["wilcoxon_W"] is None and s["wilcoxon_p"] is None  # all differences zero
    assert s["hake_g"] is None and s["mean_individual_g"] is None  # everyone at max before
    assert s["kr20_pre"] is None  # totals do not vary


def test_item_answered_by_nobody():
    pre = {f"p{i}": {"q1": i % 2, "q2": None} for i in range(4)}
    post = {f"p{i}": {"q1": 1} for i in range(4)}
    q2 = training_results(ITEMS[:2], pre, post)["questions"][1]
    assert q2["answered_pre"] == q2["answered_post"] == 0
    assert q2["pct_post"] == 0 and q2["discrimination_pre"] is None
    assert q2["flags"] == ["not_answered"]


def test_cronbach_alpha_for_partial_credit():
    items = [Item("a", 2), Item("b", 2), Item("c", 1)]
    pre_rows = [(0, 1, 0), (1, 1, 1), (2, 2, 1), (0, 0, 0), (1, 2, 1)]
    post_rows = [(2, 1, 1), (2, 2, 1), (2, 2, 1), (1, 0, 0), (1, 2, 0)]
    pre = {f"p{i}": dict(zip("abc", r)) for i, r in enumerate(pre_rows)}
    post = {f"p{i}": dict(zip("abc", r)) for i, r in enumerate(post_rows)}
    r = training_results(items, pre, post)

    def alpha(rows_):
        k = 3
        item_var = sum(st.variance(c) for c in zip(*rows_))
        return k / (k - 1) * (1 - item_var / st.variance([sum(r) for r in rows_]))

    assert r["summary"]["reliability_method"] == "cronbach_alpha"
    assert r["summary"]["kr20_pre"] == approx(alpha(pre_rows))
    assert r["summary"]["kr20_post"] == approx(alpha(post_rows))
    assert r["max_score"] == 5
    # "correct" means full points: item a is 2/2 for 1 person before, 3 after
    assert r["questions"][0]["pct_pre"] == approx(20) and r["questions"][0]["pct_post"] == approx(60)


def test_invalid_points_rejected():
    with pytest.raises(ValueError):
        training_results(ITEMS, {"a": {"q1": 2}}, {})
    with pytest.raises(ValueError):
        training_results([Item("x"), Item("x")], {}, {})


def test_breakdown_and_masking():
    sex = {p: ("F" if p in ("p1", "p2", "p3", "p4", "p5") else "M") for p in list(PRE) + list(POST)}
    groups = breakdown(ITEMS, PRE, POST, group_by(sex))
    f = groups["F"]
    whole = training_results(ITEMS, {p: PRE[p] for p in PRE if sex[p] == "F"},
                             {p: POST[p] for p in POST if sex[p] == "F"})["summary"]
    assert (f["n"], f["n_pre"], f["n_post"], f["masked"]) == (5, 5, 5, False)
    assert f["mean_gain"] == approx(st.mean([2, 2, 2, 1, -1]))
    assert {k: f[k] for k in whole} == whole
    m = groups["M"]  # p6 matched, p7 pre only, p8 post only
    assert (m["n"], m["n_pre"], m["n_post"]) == (1, 2, 2) and m["mean_gain"] == 1

    masked = mask_small(groups, min_n=5)
    assert masked["F"] == f
    assert masked["M"]["masked"] is True and (masked["M"]["n"], masked["M"]["n_pre"]) == (1, 2)
    assert all(v is None for k, v in masked["M"].items() if k not in ("n", "n_pre", "n_post", "masked"))
    assert groups["M"]["mean_gain"] == 1  # input left untouched


def test_group_by_unknown():
    assert group_by({"a": "Tày", "b": None, "c": "Tày"}) == {"Tày": ["a", "c"], "unknown": ["b"]}


@pytest.mark.parametrize("birth, band", [
    (2008, "<18"), (2007, "18-29"), (1996, "18-29"), (1995, "30-44"), (1981, "30-44"),
    (1980, "45-59"), (1966, "45-59"), (1965, "60+"), (None, None), (2030, None),
])
def test_age_band(birth, band):
    assert age_band(birth, 2025) == band


def test_likert_shift():
    pre = {"a": 1, "b": 2, "c": 2, "d": 3, "e": None}
    post = {"a": 3, "b": 4, "c": 2, "e": 5, "f": 4}
    r = likert_shift(pre, post, 5)
    assert r["counts_pre"] == [1, 2, 1, 0, 0] and r["counts_post"] == [0, 1, 1, 2, 1]
    assert (r["n_pre"], r["n_post"], r["n_matched"]) == (4, 5, 3)
    assert r["mean_pre"] == approx(2) and r["mean_post"] == approx(18 / 5)
    assert r["mean_shift"] == approx(18 / 5 - 2)
    assert r["matched_mean_pre"] == approx(5 / 3) and r["matched_mean_post"] == approx(3)
    assert r["matched_mean_shift"] == approx(4 / 3)
    w = sps.wilcoxon([2, 2, 0])
    assert r["wilcoxon_W"] == approx(w.statistic) and r["wilcoxon_p"] == approx_p(w.pvalue)
    unpaired = likert_shift([1, 2], [3], 3)
    assert unpaired["n_matched"] == 0 and unpaired["matched_mean_shift"] is None
    assert unpaired["mean_shift"] == approx(1.5)
    with pytest.raises(ValueError):
        likert_shift([6], [], 5)
