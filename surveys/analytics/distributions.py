"""The four tests the results need, computed as scipy.stats computes them, without importing
scipy.stats (about 75 MB per gunicorn worker, for four calls).

* Student's t and the normal quantile: ``scipy.special`` (the Cephes functions scipy.stats itself
  calls); scipy.special costs about a third of scipy.stats in memory.
* The exact binomial test at p = 0.5 (McNemar's exact test) is counted exactly with integers; the
  Wilcoxon signed-rank test uses the exact distribution given the ties up to 100 differences
  (scipy's default switches to a normal approximation without continuity correction at 14
  differences with ties, and reads p = 0.046 where the exact p is 0.055).

``tests/surveys/test_distributions.py`` checks every function against scipy.stats on random data.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from scipy.special import stdtr, stdtrit

# Wilcoxon signed-rank: the exact null distribution of R+ given the observed ranks (ties and
# zeros included: "conditional on ties") up to this many non-zero differences; above it the normal
# approximation with the tie correction and a continuity correction (R's wilcox.test(correct=TRUE)).
EXACT_MAX = 100
WILCOXON_EXACT, WILCOXON_NORMAL = "exact", "normal"


def t_quantile(q: float, df: int) -> float:
    """``scipy.stats.t.ppf(q, df)``."""
    return float(stdtrit(df, q))


def t_two_sided_p(t: float, df: int) -> float:
    """Two-sided p-value of a t statistic with ``df`` degrees of freedom: 2 * P(T >= |t|)."""
    return float(2 * stdtr(df, -abs(t)))


def paired_t(after: Sequence[float], before: Sequence[float]) -> tuple[float, int, float]:
    """``scipy.stats.ttest_rel(after, before)``: (t, df, two-sided p). The differences must vary
    (the caller checks); t = mean(D) / (SD(D) / sqrt(n)), SD with ddof = 1."""
    d = [a - b for a, b in zip(after, before, strict=True)]
    n = len(d)
    mean = math.fsum(d) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in d) / (n - 1))
    t = mean / (sd / math.sqrt(n))
    return t, n - 1, t_two_sided_p(t, n - 1)


def binomial_half_two_sided_p(k: int, n: int) -> float:
    """``scipy.stats.binomtest(k, n, 0.5).pvalue``: with p = 0.5 the distribution is symmetric,
    so the outcomes at most as likely as k are the two tails beyond min(k, n - k):
    p = min(1, 2 * P(X <= min(k, n - k))), counted exactly."""
    if not 0 <= k <= n or n == 0:
        raise ValueError("need 0 <= k <= n and n > 0")
    low = min(k, n - k)
    if 2 * low == n:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(low + 1))
    return min(1.0, float(Fraction(2 * tail, 2 ** n)))


def _average_ranks(values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Ranks 1..n of ``values`` with ties given their average rank, and the size of every tie group."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    groups = []
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start:end + 1]:
            ranks[i] = (start + end) / 2 + 1
        groups.append(end - start + 1)
        start = end + 1
    return ranks, groups


def _sign_flip_p(ranks: Sequence[float], r_plus: float) -> float:
    """Two-sided p of R+ over all 2**m sign patterns of the ranks (each equally likely under
    H0): 2 * min(P(R+ <= observed), P(R+ >= observed)), at most 1, the definition of scipy's
    exact permutation test. Ranks are whole or half numbers, so doubled they are integers: the
    distribution is a convolution over integer sums (probabilities in float64, halved at each
    step, exact to about 1e-15), and comparing with the observed sum needs no tolerance.
    n = 100 takes about a millisecond."""
    import numpy as np

    steps = [round(2 * rank) for rank in ranks]
    dist = np.zeros(sum(steps) + 1)
    dist[0] = 1.0
    top = 0
    for step in steps:
        shifted = dist[:top + 1].copy()
        dist[:top + 1] *= 0.5
        dist[step:step + top + 1] += 0.5 * shifted
        top += step
    observed = round(2 * r_plus)
    below, above = dist[:observed + 1].sum(), dist[observed:].sum()
    return float(min(1.0, 2 * min(below, above)))


def wilcoxon_test(d: Sequence[float]) -> tuple[float, float, str] | tuple[None, None, None]:
    """Wilcoxon signed-rank test of the differences ``d``, two-sided: zero differences dropped
    (Wilcoxon's method; they still shape nothing else), average ranks for ties. Returns (W, p,
    method) with W the smaller of the positive and negative rank sums, or (None, None, None)
    when every difference is zero.

    * up to ``EXACT_MAX`` non-zero differences, ``WILCOXON_EXACT``: the exact distribution of R+
      given the tied ranks (the permutation distribution of the signs; scipy's
      ``PermutationMethod`` with every sign pattern, R's ``coin::wilcoxsign_test(distribution="exact")``);
    * above, ``WILCOXON_NORMAL``: z = (|R+ - m(m+1)/4| - 1/2) / se, se with the tie correction.
    """
    nonzero = [x for x in d if x != 0]
    if not nonzero:
        return None, None, None
    ranks, groups = _average_ranks([abs(x) for x in nonzero])
    r_plus = math.fsum(r for r, x in zip(ranks, nonzero) if x > 0)
    r_minus = math.fsum(r for r, x in zip(ranks, nonzero) if x < 0)
    m = len(nonzero)
    if m <= EXACT_MAX:
        return min(r_plus, r_minus), _sign_flip_p(ranks, r_plus), WILCOXON_EXACT
    tie_correction = sum(g ** 3 - g for g in groups)
    se = math.sqrt((m * (m + 1) * (2 * m + 1) - tie_correction / 2) / 24)
    z = max(0.0, abs(r_plus - m * (m + 1) / 4) - 0.5) / se
    return min(r_plus, r_minus), min(1.0, math.erfc(z / math.sqrt(2))), WILCOXON_NORMAL  # 2 * P(Z >= z)


def wilcoxon(d: Sequence[float]) -> tuple[float, float] | tuple[None, None]:
    """(W, p) of ``wilcoxon_test``."""
    w, p, _method = wilcoxon_test(d)
    return w, p


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p) (``scipy.stats.binom.cdf``), summed in log space."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p <= 0:
        return 1.0
    if p >= 1:
        return 0.0
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p)
            + (n - i) * math.log1p(-p) for i in range(k + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(v - top) for v in logs))


def normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def normal_quantile(q: float) -> float:
    """``scipy.stats.norm.ppf(q)`` (``scipy.special.ndtri``)."""
    from scipy.special import ndtri

    return float(ndtri(q))
