"""The four tests the results need, computed as scipy.stats computes them, without importing
scipy.stats (about 75 MB per gunicorn worker, for four calls).

* Student's t: ``scipy.special.stdtr`` / ``stdtrit`` (the Cephes functions scipy.stats itself
  calls); scipy.special costs about a third of scipy.stats in memory.
* The exact binomial test at p = 0.5 (McNemar's exact test) and the Wilcoxon signed-rank test are
  counting problems: here they are counted exactly with integers, which is what scipy's exact
  and permutation methods approximate in floating point.

``tests/surveys/test_distributions.py`` checks every function against scipy.stats on random data.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from scipy.special import stdtr, stdtrit

# scipy.stats.wilcoxon(method="auto"): the exact null distribution up to this many differences
# when there are no ties or zeros; with ties or zeros, an exact permutation test up to
# PERMUTATION_MAX differences (2**13 sign patterns); otherwise the normal approximation.
EXACT_MAX, PERMUTATION_MAX = 50, 13


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
    H0), as scipy's exact distribution and its exact permutation test define it:
    2 * min(P(R+ <= observed), P(R+ >= observed)), at most 1. Ranks are whole or half numbers,
    so doubled they are integers: the distribution is counted without rounding, and no
    tolerance is needed when comparing with the observed sum."""
    counts = {0: 1}  # doubled rank sum -> number of sign patterns giving it
    for rank in ranks:
        step = round(2 * rank)
        shifted = dict(counts)
        for total, count in counts.items():
            shifted[total + step] = shifted.get(total + step, 0) + count
        counts = shifted
    observed = round(2 * r_plus)
    below = sum(c for total, c in counts.items() if total <= observed)
    above = sum(c for total, c in counts.items() if total >= observed)
    return min(1.0, float(Fraction(2 * min(below, above), 2 ** len(ranks))))


def wilcoxon(d: Sequence[float]) -> tuple[float, float] | tuple[None, None]:
    """``scipy.stats.wilcoxon(d)`` with its defaults: zero differences dropped ("wilcox"),
    two-sided, no continuity correction; returns (W, p) with W the smaller of the positive and
    negative rank sums, or (None, None) when every difference is zero.

    The p-value follows scipy's ``method="auto"``: the exact distribution when len(d) <= 50
    and there are neither ties nor zeros; an exact permutation test when there are ties or
    zeros and len(d) <= 13; else the normal approximation with the tie correction."""
    nonzero = [x for x in d if x != 0]
    if not nonzero:
        return None, None
    ranks, groups = _average_ranks([abs(x) for x in nonzero])
    r_plus = math.fsum(r for r, x in zip(ranks, nonzero) if x > 0)
    r_minus = math.fsum(r for r, x in zip(ranks, nonzero) if x < 0)
    ties_or_zeros = len(nonzero) < len(d) or any(g > 1 for g in groups)
    if (not ties_or_zeros and len(d) <= EXACT_MAX) or (ties_or_zeros and len(d) <= PERMUTATION_MAX):
        p = _sign_flip_p(ranks, r_plus)
    else:
        m = len(nonzero)
        tie_correction = sum(g ** 3 - g for g in groups)
        se = math.sqrt((m * (m + 1) * (2 * m + 1) - tie_correction / 2) / 24)
        z = (r_plus - m * (m + 1) / 4) / se
        p = min(1.0, math.erfc(abs(z) / math.sqrt(2)))  # 2 * P(Z >= |z|)
    return min(r_plus, r_minus), p
