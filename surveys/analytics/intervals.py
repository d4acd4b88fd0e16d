"""Confidence intervals and estimators beside the headline figures of a training's results.

Pure functions of plain numbers (numpy arrays of totals, counts). The distribution functions come
from ``scipy.special`` (imported where they run: the worker memory budget); each formula is checked
against a library or a published example in ``tests/surveys/test_intervals.py``. Sources and how to
read each figure: docs/statistics.md.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from surveys.analytics import distributions

LEVEL = 0.95
HODGES_LEHMANN_MAX = 1000  # n(n+1)/2 Walsh averages: 500,500 at 1,000 pairs; pooled results stop there


def _z(level: float = LEVEL) -> float:
    return distributions.normal_quantile(0.5 + level / 2)


def cohen_dz_ci(t: float, n: int, level: float = LEVEL) -> tuple[float, float] | tuple[None, None]:
    """Exact interval of d_z = t / sqrt(n) by inverting the noncentral t distribution of the paired
    t statistic (Cumming & Finch 2001): the noncentrality ncp with P(T <= t | n-1, ncp) = 0.975 and
    0.025, divided by sqrt(n). Bisection on ``scipy.special.nctdtr`` (scipy.stats.nct.cdf)."""
    from scipy.special import nctdtr

    if n < 2 or t is None or not math.isfinite(t):
        return None, None
    df = n - 1

    def solve(target: float) -> float:
        low, high = t - 10.0, t + 10.0
        while nctdtr(df, low, t) < target:
            low -= 10.0
        while nctdtr(df, high, t) > target:
            high += 10.0
        for _ in range(48):  # P(T <= t | ncp) falls as ncp grows; 2**-48 of the bracket
            mid = (low + high) / 2
            if nctdtr(df, mid, t) > target:
                low = mid
            else:
                high = mid
        return (low + high) / 2

    tail = (1 - level) / 2
    return solve(1 - tail) / math.sqrt(n), solve(tail) / math.sqrt(n)


def hake_g_ci(pre: np.ndarray, post: np.ndarray, max_score: float,
              level: float = LEVEL) -> tuple[float, float] | tuple[None, None]:
    """Delta-method interval of Hake's g = mean(D) / (M - mean(X)) on matched pairs (a ratio of two
    means: Var(g) ~ [Var(mean D) + g^2 Var(mean X) + 2 g Cov(mean D, mean X)] / (M - mean X)^2,
    the sign since d/dX of (M - X) is -1). Checked against a percentile bootstrap."""
    n = len(pre)
    if n < 2:
        return None, None
    d = post - pre
    b = max_score - pre.mean()
    if b <= 1e-9:
        return None, None
    g = d.mean() / b
    cov = np.cov(np.vstack([d, pre]), ddof=1)
    var = (cov[0, 0] + g * g * cov[1, 1] + 2 * g * cov[0, 1]) / n / (b * b)
    half = _z(level) * math.sqrt(max(var, 0.0))
    return g - half, g + half


def feldt_ci(alpha: float | None, n: int, k: int, level: float = LEVEL) -> tuple[float, float] | tuple[None, None]:
    """Feldt (1965) interval of Cronbach's alpha / KR-20: (1 - alpha) follows (1 - true alpha) times
    an F(n - 1, (n - 1)(k - 1)) variable, so [1 - (1 - a) F_{0.975}, 1 - (1 - a) F_{0.025}]."""
    from scipy.special import fdtri

    if alpha is None or n < 2 or k < 2:
        return None, None
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    return 1 - (1 - alpha) * float(fdtri(df1, df2, 1 - tail)), 1 - (1 - alpha) * float(fdtri(df1, df2, tail))


def normalized_change(pre: np.ndarray, post: np.ndarray, max_score: float) -> tuple[float | None, int]:
    """Marx & Cummings (2007) normalised change, averaged over people: (post - pre) / (M - pre) for
    a gain, (post - pre) / pre for a loss, 0 when unchanged; a person at 0 or at the maximum both
    times is left out (nothing could be measured). Returns (mean c, number left out). Unlike the
    mean of individual Hake gains it keeps people who started at the maximum and lost points,
    and it lies in [-1, 1]."""
    eps = 1e-9
    values = []
    for x, y in zip(pre, post):
        if y > x + eps:
            values.append((y - x) / (max_score - x))
        elif y < x - eps:
            values.append((y - x) / x)
        elif eps < x < max_score - eps:
            values.append(0.0)
    left_out = len(pre) - len(values)
    return (float(np.mean(values)) if values else None), left_out


def hodges_lehmann(d: np.ndarray, level: float = LEVEL) -> tuple[float | None, float | None, float | None]:
    """Hodges-Lehmann shift (the median of the Walsh averages (d_i + d_j) / 2, i <= j) with the
    interval that goes with the Wilcoxon signed-rank test (Hollander & Wolfe, 3.2): the Walsh
    averages of rank C_a + 1 and N - C_a, N = n(n+1)/2, where C_a is the lower alpha/2 quantile of
    the signed-rank statistic (exact without ties up to n = 100, else its normal approximation;
    R's wilcox.test(conf.int = TRUE) on the same differences). Zero differences are kept."""
    n = len(d)
    if n < 2 or not np.any(d):
        return None, None, None
    i, j = np.triu_indices(n)
    walsh = np.sort((d[i] + d[j]) / 2)
    total = len(walsh)
    c_a = _signed_rank_quantile(n, (1 - level) / 2)
    return float(np.median(walsh)), float(walsh[c_a - 1]), float(walsh[total - c_a])


@lru_cache(maxsize=256)
def _signed_rank_quantile(n: int, tail: float) -> int:
    """R's qsignrank(tail, n) (at least 1): the smallest c with P(V <= c) >= tail, V the signed-rank
    statistic of n untied differences; exact up to ``EXACT_MAX``, else its normal approximation."""
    if n <= distributions.EXACT_MAX:
        counts = np.zeros(n * (n + 1) // 2 + 1)  # subsets of the ranks 1..n by their sum
        counts[0] = 1.0
        for r in range(1, n + 1):
            counts[r:] = counts[r:] + counts[:-r]
        c_a = int(np.searchsorted(np.cumsum(counts) / 2.0 ** n, tail - 1e-12))
    else:
        mean, sd = n * (n + 1) / 4, math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        c_a = int(math.floor(mean + distributions.normal_quantile(tail) * sd))
    return max(c_a, 1)


def newcombe_paired_ci(both: int, b: int, c: int, neither: int,
                       level: float = LEVEL) -> tuple[float, float] | tuple[None, None]:
    """Interval of the change in the share right, (b - c) / n, for paired right/wrong answers:
    ``both`` right before and after, ``b`` wrong -> right, ``c`` right -> wrong, ``neither``.
    Newcombe (1998, paired data) method 10: the Wilson score intervals (l, u) of the share after
    (p1) and before (p2), combined with the correlation phi of the 2 x 2 table,
    lower = D - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2), the upper likewise,
    phi corrected towards 0 by n/2 when positive, and 0 when a margin is empty."""
    n = both + b + c + neither
    if n == 0:
        return None, None
    z = _z(level)

    def wilson(x: int) -> tuple[float, float]:
        p = x / n
        centre, spread = 2 * n * p + z * z, z * math.sqrt(z * z + 4 * n * p * (1 - p))
        return (centre - spread) / (2 * (n + z * z)), (centre + spread) / (2 * (n + z * z))

    p1, p2 = (both + b) / n, (both + c) / n
    (l1, u1), (l2, u2) = wilson(both + b), wilson(both + c)
    margins = (both + b) * (c + neither) * (both + c) * (b + neither)
    cross = both * neither - b * c
    phi = 0.0 if margins == 0 else (max(cross - n / 2, 0) if cross > 0 else cross) / math.sqrt(margins)
    diff = p1 - p2
    lower = diff - math.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
    upper = diff + math.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0.0))
    return max(lower, -1.0), min(upper, 1.0)


def detectable_change(sd: float | None, n: int, power: float = 0.8, level: float = LEVEL) -> float | None:
    """The smallest mean change a paired t-test on ``n`` people detects with probability ``power``
    at two-sided level 1 - ``level``, given the SD of the changes:
    (t_{1-alpha/2, n-1} + t_{power, n-1}) * SD / sqrt(n) (the usual approximation, ignoring the
    noncentrality's skew)."""
    if sd is None or n < 2 or sd <= 0:
        return None
    df = n - 1
    return (distributions.t_quantile(0.5 + level / 2, df) + distributions.t_quantile(power, df)) * sd / math.sqrt(n)


def random_effects(estimates, variances, level: float = LEVEL) -> dict:
    """DerSimonian & Laird (1986) random-effects combination of k estimates with their within-study
    variances: fixed-effect weights w = 1/v, Cochran's Q = sum w (y - y_FE)^2, between-study
    variance tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w)), weights 1/(v + tau^2);
    I^2 = max(0, (Q - (k - 1)) / Q), the share of the spread that is not sampling noise (Higgins &
    Thompson 2002). As ``statsmodels.stats.meta_analysis.combine_effects(method_re="dl")``."""
    y, v = np.asarray(estimates, dtype=float), np.asarray(variances, dtype=float)
    k = len(y)
    out = dict.fromkeys(("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p"))
    out["k"] = k
    if k == 0:
        return out
    w = 1 / v
    fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - fixed) ** 2).sum())
    tau2 = max(0.0, (q - (k - 1)) / float(w.sum() - (w * w).sum() / w.sum())) if k > 1 else 0.0
    w_re = 1 / (v + tau2)
    estimate = float((w_re * y).sum() / w_re.sum())
    half = _z(level) / math.sqrt(float(w_re.sum()))
    out.update(estimate=estimate, ci_low=estimate - half, ci_high=estimate + half, tau2=tau2, q=q if k > 1 else None,
               i2=(max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0) if k > 1 else None)
    if k > 1:
        from scipy.special import chdtrc

        out["q_p"] = float(chdtrc(k - 1, q))
    return out
