"""surveys.analytics.distributions against scipy.stats (the reference; the app no longer imports it),
on hand-picked and on random data: the Wilcoxon test (exact given ties up to 100 differences,
as scipy's full permutation method computes it; normal with continuity correction above), the
exact binomial test and distribution function, the paired t-test and the t quantile."""
import math
import sys
import warnings

import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats as sps

from surveys.analytics import distributions as dist


def approx_p(expected):
    return pytest.approx(expected, rel=1e-9, abs=1e-15)


def scipy_wilcoxon(d, enumerate_up_to: int = 16):
    """scipy's Wilcoxon with the method the app uses: every sign pattern of the tied ranks
    (PermutationMethod with an infinite budget enumerates them) for up to ``enumerate_up_to``
    (16) non-zero differences, its exact no-tie distribution when there are no ties, else the
    normal approximation with continuity correction. Between ``enumerate_up_to`` and 16 with
    ties, the p of the exact conditional distribution counted in integers (the same
    distribution: scipy needs a second or more per case to enumerate 2**16 patterns)."""
    nonzero = [x for x in d if x != 0]
    ties = len({abs(x) for x in nonzero}) < len(nonzero)
    if len(nonzero) == 1:  # scipy needs two; one sign flip either way: W = 0, p = 1
        return 0.0, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if enumerate_up_to < len(nonzero) <= 16 and ties:
            return float(sps.wilcoxon(nonzero).statistic), exact_conditional_p(nonzero)
        if len(nonzero) <= 16:
            res = sps.wilcoxon(nonzero, method=sps.PermutationMethod(n_resamples=math.inf))
        elif not ties and len(nonzero) <= 100:
            res = sps.wilcoxon(nonzero, method="exact")
        elif len(nonzero) > 100:
            res = sps.wilcoxon(nonzero, method="approx", correction=True)
        else:
            return float(sps.wilcoxon(nonzero).statistic), exact_conditional_p(nonzero)
    return float(res.statistic), float(res.pvalue)


def exact_conditional_p(nonzero):
    """Independent reference: the distribution of the doubled positive rank sum, counted with
    Python integers (no floating point), over the 2**m sign patterns."""
    order = sorted(abs(x) for x in nonzero)
    rank = {v: sum(i + 1 for i, w in enumerate(order) if w == v) / order.count(v) for v in set(order)}
    counts = {0: 1}
    for x in nonzero:
        step = round(2 * rank[abs(x)])
        new = dict(counts)
        for total, c in counts.items():
            new[total + step] = new.get(total + step, 0) + c
        counts = new
    observed = round(2 * sum(rank[abs(x)] for x in nonzero if x > 0))
    low = sum(c for t, c in counts.items() if t <= observed)
    high = sum(c for t, c in counts.items() if t >= observed)
    return min(1.0, 2 * min(low, high) / 2 ** len(nonzero))


@pytest.mark.parametrize("d", [
    [1, 2, 3, 4, 5],                       # exact, all positive
    [-3, 1, 2, 4, -5, 6, 7, 8],            # exact, mixed signs
    [1.5, -2.5, 3.25, 0.75, -4, 5, 6.5],   # exact, non-integer differences
    [2, 2, 0],                             # a tie and a zero
    [1, 1, 1, 1, 1],                       # all tied
    [1, -1, 2, -2, 3, 0, 0, 4],            # ties and zeros
    list(range(1, 51)),                    # no ties, 50
    [x if x % 3 else -x for x in range(1, 52)],  # no ties, 51: still exact
    [1, 2] * 7,                            # 14 with ties: exact given the ties
    [0] * 3 + list(range(1, 12)),          # 14 with zeros
    [x % 7 - 2 or 1 for x in range(60)],   # 60 with many ties: exact (integer reference)
    [x if x % 4 else -x for x in range(1, 121)],  # 120: normal with continuity correction
])
def test_wilcoxon_paths_match_scipy(d):
    w, p = dist.wilcoxon(d)
    expected_w, expected_p = scipy_wilcoxon(d)
    assert w == pytest.approx(expected_w)
    assert p == approx_p(expected_p)


def test_wilcoxon_issue_example_is_exact_given_the_ties():
    """scipy's default reads p = 0.046 (normal, no continuity correction) on these 15 differences;
    the exact p given the ties, over the 2**12 sign patterns of the non-zero ones, is 0.0547."""
    d = [-3, -2, -1, 0, 0, 0, 1, 2, 2, 3, 3, 3, 3, 3, 4]
    w, p, method = dist.wilcoxon_test(d)
    assert (w, method) == (14.0, dist.WILCOXON_EXACT)
    assert p == approx_p(exact_conditional_p([x for x in d if x])) == approx_p(0.0546875)
    assert sps.wilcoxon(d).pvalue == pytest.approx(0.0464, abs=1e-4)  # the old reading


def test_wilcoxon_method_switches_above_one_hundred():
    assert dist.wilcoxon_test(list(range(1, 101)))[2] == dist.WILCOXON_EXACT
    assert dist.wilcoxon_test(list(range(1, 102)))[2] == dist.WILCOXON_NORMAL


def test_wilcoxon_of_zeros_only_is_undefined():
    assert dist.wilcoxon([0, 0, 0]) == (None, None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-6, 6), min_size=2, max_size=60).filter(any))
def test_wilcoxon_matches_scipy_on_random_score_gains(d):
    """scipy enumerates the sign patterns up to 6 tied non-zero differences here (its permutation
    machinery costs about 2 s at 10 and took 245 s over the 200 cases up to 16); from 7 to 16
    with ties, the integer count of the same exact distribution, which
    ``test_the_integer_reference_is_scipys_enumeration`` ties to scipy's enumeration."""
    w, p = dist.wilcoxon(d)
    expected_w, expected_p = scipy_wilcoxon(d, enumerate_up_to=6)
    assert w == pytest.approx(expected_w)
    assert p == approx_p(expected_p)


def test_the_integer_reference_is_scipys_enumeration():
    """11 and 14 (``test_wilcoxon_paths_match_scipy``) tied non-zero differences: scipy's
    enumeration of the sign patterns and the integer count agree."""
    d = [1, 1, 2, -2, 3, 3, -3, 4, 5, 5, -6]
    assert exact_conditional_p(d) == approx_p(scipy_wilcoxon(d)[1])
    assert exact_conditional_p([1, 2] * 7) == approx_p(scipy_wilcoxon([1, 2] * 7)[1])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 60).flatmap(lambda n: st.tuples(st.integers(-1, n + 1), st.just(n))),
       st.floats(0.01, 0.99))
def test_binomial_cdf_matches_scipy(kn, prob):
    k, n = kn
    assert dist.binomial_cdf(k, n, prob) == pytest.approx(float(sps.binom.cdf(k, n, prob)), rel=1e-9, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_binomial_matches_scipy(kn):
    k, n = kn
    assert dist.binomial_half_two_sided_p(k, n) == approx_p(sps.binomtest(k, n, 0.5).pvalue)


def test_binomial_extremes():
    assert dist.binomial_half_two_sided_p(0, 5) == pytest.approx(2 / 32)
    assert dist.binomial_half_two_sided_p(3, 6) == 1.0
    assert dist.binomial_half_two_sided_p(2, 5) == 1.0  # 2 of 5 is as likely as 3 of 5
    assert dist.binomial_half_two_sided_p(0, 400) == 2.0 ** -399  # counted exactly: 2 / 2**400
    with pytest.raises(ValueError):
        dist.binomial_half_two_sided_p(3, 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=2, max_size=80)
       .filter(lambda pairs: len({b - a for a, b in pairs}) > 1))
def test_paired_t_matches_scipy(pairs):
    before, after = [float(a) for a, _ in pairs], [float(b) for _, b in pairs]
    t, df, p = dist.paired_t(after, before)
    expected = sps.ttest_rel(after, before)
    assert t == pytest.approx(expected.statistic, rel=1e-9)
    assert df == expected.df
    assert p == approx_p(expected.pvalue)


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 29, 30, 100, 1000])
def test_t_quantile_matches_scipy(df):
    assert dist.t_quantile(0.975, df) == pytest.approx(sps.t.ppf(0.975, df), rel=1e-12)
    assert dist.t_two_sided_p(2.5, df) == approx_p(2 * sps.t.sf(2.5, df))


def test_t_quantile_known_values():
    assert dist.t_quantile(0.975, 1) == pytest.approx(math.tan(math.pi * 0.475))
    assert dist.t_quantile(0.975, 10) == pytest.approx(2.228139, abs=1e-6)


def test_app_starts_without_the_heavy_libraries():
    """The reason this module exists: scipy.stats costs every worker ~75 MB. WeasyPrint, openpyxl,
    segno and jsonschema are imported on first use too (``make bench``: worker memory)."""
    import subprocess
    from pathlib import Path

    heavy = ["scipy.stats", "weasyprint", "openpyxl", "segno", "jsonschema"]
    code = f"import sys, wsgi; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == []
