"""surveys.analytics.distributions against scipy.stats (the reference; the app no longer imports it),
on hand-picked and on random data: every path of scipy's wilcoxon(method="auto"), the exact
binomial test, the paired t-test and the t quantile."""
import math
import sys
import warnings

import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats as sps

from surveys.analytics import distributions as dist


def approx_p(expected):
    return pytest.approx(expected, rel=1e-9, abs=1e-15)


def scipy_wilcoxon(d):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sps.wilcoxon(d)
    return float(res.statistic), float(res.pvalue)


@pytest.mark.parametrize("d", [
    [1, 2, 3, 4, 5],                       # exact, all positive
    [-3, 1, 2, 4, -5, 6, 7, 8],            # exact, mixed signs
    [1.5, -2.5, 3.25, 0.75, -4, 5, 6.5],   # exact, non-integer differences
    [2, 2, 0],                             # permutation: a tie and a zero
    [1, 1, 1, 1, 1],                       # permutation: all tied
    [1, -1, 2, -2, 3, 0, 0, 4],            # permutation: ties and zeros
    list(range(1, 51)),                    # exact at the limit (50)
    [x if x % 3 else -x for x in range(1, 52)],  # 51 without ties: normal approximation
    [1, 2] * 7,                            # 14 with ties: normal approximation with tie correction
    [0] * 3 + list(range(1, 12)),          # 14 with zeros: normal approximation
])
def test_wilcoxon_paths_match_scipy(d):
    w, p = dist.wilcoxon(d)
    expected_w, expected_p = scipy_wilcoxon(d)
    assert w == pytest.approx(expected_w)
    assert p == approx_p(expected_p)


def test_wilcoxon_of_zeros_only_is_undefined():
    assert dist.wilcoxon([0, 0, 0]) == (None, None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-6, 6), min_size=2, max_size=60).filter(any))
def test_wilcoxon_matches_scipy_on_random_score_gains(d):
    w, p = dist.wilcoxon(d)
    expected_w, expected_p = scipy_wilcoxon(d)
    assert w == pytest.approx(expected_w)
    assert p == approx_p(expected_p)


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
