"""surveys.analytics.intervals (and the attrition test) against libraries and published examples."""
import itertools
import math

import numpy as np
import pytest
from scipy import optimize, stats as sps

from surveys.analytics import intervals as iv
from surveys.analytics.stats import Item, training_results


@pytest.mark.parametrize("t, n", [(2.5, 20), (-1.2, 8), (6.0, 40), (0.3, 3)])
def test_dz_interval_inverts_the_noncentral_t_as_scipy(t, n):
    low, high = iv.cohen_dz_ci(t, n)
    nct = lambda q: optimize.brentq(lambda nc: sps.nct.cdf(t, n - 1, nc) - q, t - 10, t + 10) / math.sqrt(n)  # noqa: E731
    assert low == pytest.approx(nct(0.975), abs=1e-7) and high == pytest.approx(nct(0.025), abs=1e-7)


def test_hake_g_delta_interval_agrees_with_a_percentile_bootstrap():
    rng = np.random.default_rng(3)
    pre = rng.binomial(10, 0.4, 200).astype(float)
    post = np.minimum(10, pre + rng.binomial(4, 0.6, 200))
    low, high = iv.hake_g_ci(pre, post, 10.0)
    boot = sps.bootstrap((pre, post), lambda x, y: (y.mean() - x.mean()) / (10 - x.mean()), paired=True,
                         vectorized=False, method="percentile", n_resamples=2000, rng=np.random.default_rng(5))
    assert low == pytest.approx(boot.confidence_interval.low, abs=0.02)
    assert high == pytest.approx(boot.confidence_interval.high, abs=0.02)


def test_feldt_interval_is_the_f_distribution_formula():
    low, high = iv.feldt_ci(0.8, 30, 20)
    df1, df2 = 29, 29 * 19
    assert low == pytest.approx(1 - 0.2 * sps.f.ppf(0.975, df1, df2), rel=1e-10)
    assert high == pytest.approx(1 - 0.2 * sps.f.ppf(0.025, df1, df2), rel=1e-10)
    assert low < 0.8 < high


def test_normalized_change_of_the_issue_example():
    """Marx & Cummings (2007): pre (10, 10, 10, 2) -> post (4, 5, 3, 10) out of 10. Mean gain -2.5 and
    Hake g -1.25 say the class lost; the mean of individual g (+1.0) keeps only the one person not
    at 100 % before; c = mean(-0.6, -0.5, -0.7, +1.0) = -0.2 keeps everyone."""
    items = [Item("total", 10.0)]
    pre = {p: {"total": v} for p, v in zip("abcd", (10, 10, 10, 2))}
    post = {p: {"total": v} for p, v in zip("abcd", (4, 5, 3, 10))}
    s = training_results(items, pre, post)["summary"]
    assert (s["mean_gain"], s["hake_g"], s["mean_individual_g"]) == (-2.5, -1.25, 1.0)
    assert s["mean_individual_g_left_out"] == 3
    assert s["normalized_change"] == pytest.approx(-0.2) and s["normalized_change_left_out"] == 0


def test_normalized_change_leaves_out_only_who_could_not_move():
    c, left_out = iv.normalized_change(np.array([10, 0, 5, 4.]), np.array([10, 0, 5, 8.]), 10)
    assert left_out == 2 and c == pytest.approx((0 + 4 / 6) / 2)


def test_hodges_lehmann_on_the_hollander_wolfe_example():
    """R's ?wilcox.test example (Hollander & Wolfe, depression scale, 9 patients): (pseudo)median 0.46;
    the interval is the Walsh averages of rank C and N + 1 - C with C from the exact signed-rank
    distribution, counted here over the 2**9 sign patterns."""
    x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
    y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
    d = x - y
    est, low, high = iv.hodges_lehmann(d)
    assert est == pytest.approx(0.46)
    sums = sorted(sum(r for r, s in zip(range(1, 10), signs) if s) for signs in itertools.product((0, 1), repeat=9))
    c = next(v for v in range(46) if sum(s <= v for s in sums) / 512 >= 0.025)
    walsh = sorted((d[i] + d[j]) / 2 for i in range(9) for j in range(i, 9))
    assert (low, high) == (pytest.approx(walsh[c - 1]), pytest.approx(walsh[45 - c]))


def test_newcombe_paired_interval_uses_wilson_limits_and_covers():
    both, b, c, neither = 36, 12, 2, 0
    low, high = iv.newcombe_paired_ci(both, b, c, neither)
    assert low < (b - c) / 50 < high
    # Its pieces: Wilson intervals as scipy computes them.
    wil = sps.binomtest(both + b, 50).proportion_ci(method="wilson")
    n, z = 50, sps.norm.ppf(0.975)
    p = (both + b) / n
    assert (2 * n * p + z * z - z * math.sqrt(z * z + 4 * n * p * (1 - p))) / (2 * (n + z * z)) == \
        pytest.approx(wil.low)
    # Coverage on simulated paired right/wrong answers (30 people): close to 95 %.
    rng = np.random.default_rng(2)
    cells = np.array([0.45, 0.25, 0.1, 0.2])  # both, wrong->right, right->wrong, neither
    truth = cells[1] - cells[2]
    hits = 0
    for _ in range(2000):
        counts = rng.multinomial(30, cells)
        lo, hi = iv.newcombe_paired_ci(*map(int, counts))
        hits += lo <= truth <= hi
    assert 0.93 <= hits / 2000 <= 0.985


def test_detectable_change_has_eighty_percent_power():
    """A true mean change equal to the detectable change is found by the paired t-test in about
    80 % of simulated classes of 20 (normal changes, SD 2)."""
    x = iv.detectable_change(2.0, 20)
    rng = np.random.default_rng(4)
    found = np.mean([sps.ttest_1samp(rng.normal(x, 2.0, 20), 0).pvalue < 0.05 for _ in range(2000)])
    assert 0.76 <= found <= 0.84


def test_attrition_compares_pre_tests_like_welch():
    items = [Item("q", 10.0)]
    pre_scores = {"a": 8, "b": 7, "c": 9, "d": 8, "e": 2, "f": 3, "g": 1, "h": 4, "i": 2}
    pre = {p: {"q": v} for p, v in pre_scores.items()}
    post = {p: {"q": 9} for p in "abcd"}
    s = training_results(items, pre, post)["summary"]
    welch = sps.ttest_ind([2, 3, 1, 4, 2], [8, 7, 9, 8], equal_var=False)
    assert s["attrition_p"] == pytest.approx(welch.pvalue, rel=1e-3)
    assert s["share_one_test"] == pytest.approx(5 / 9, abs=1e-4)
    assert (s["mean_pre_pre_only"], s["mean_pre_completers"]) == (2.4, 8.0)


def test_attrition_of_fewer_than_five_is_not_published():
    """Three took only the pre-test: their mean (or the completers' beside the class's) would give
    their scores away, so neither mean nor the comparison is published; the share is."""
    items = [Item("q", 10.0)]
    pre = {p: {"q": v} for p, v in {"a": 8, "b": 7, "c": 9, "d": 8, "e": 2, "f": 3, "g": 1}.items()}
    s = training_results(items, pre, {p: {"q": 9} for p in "abcd"})["summary"]
    assert (s["mean_pre_pre_only"], s["mean_pre_completers"], s["attrition_p"]) == (None, None, None)
    assert s["share_one_test"] == pytest.approx(3 / 7, abs=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_random_effects_matches_statsmodels(seed):
    from statsmodels.stats.meta_analysis import combine_effects

    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 12))
    y = rng.normal(20, 8, k)
    v = rng.uniform(2, 30, k)
    ours = iv.random_effects(y, v)
    ref = combine_effects(y, v, method_re="dl")
    assert ours["estimate"] == pytest.approx(ref.mean_effect_re, rel=1e-10)
    assert ours["tau2"] == pytest.approx(ref.tau2, rel=1e-8, abs=1e-12)
    assert ours["q"] == pytest.approx(ref.q, rel=1e-10)
    assert ours["i2"] == pytest.approx(ref.i2, rel=1e-8, abs=1e-12)
    se = ref.sd_eff_w_re
    assert (ours["ci_low"], ours["ci_high"]) == (pytest.approx(ref.mean_effect_re - sps.norm.ppf(0.975) * se),
                                                 pytest.approx(ref.mean_effect_re + sps.norm.ppf(0.975) * se))


def test_pooled_totals_run_no_test_on_the_total_as_a_question():
    from surveys.analytics.stats import score_results

    res = score_results({"a": 40.0, "b": 50.0, "c": 70.0}, {"a": 60.0, "b": 55.0, "c": 90.0}, 100.0)
    assert "questions" not in res and res["summary"]["mean_gain"] == pytest.approx(15.0)
