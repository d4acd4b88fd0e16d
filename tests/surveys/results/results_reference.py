"""Independent reference computations for the results tests: textbook formulas written out with
``math`` and ``statistics`` (scipy only for the t and normal distribution functions), never
calling surveys.analytics. Pytest imports this module by its file name (rootdir-relative)."""
from __future__ import annotations

import itertools
import math
import statistics as st

from scipy import stats as sps


def totals(answers: dict, keys) -> float:
    return float(sum(answers.get(k) or 0 for k in keys))


def ranks(values: list[float]) -> tuple[list[float], list[int]]:
    """Average ranks (1-based) of ``values`` and the sizes of the tie groups."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out, ties, i = [0.0] * len(values), [], 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        ties.append(j - i + 1)
        i = j + 1
    return out, ties


def wilcoxon(d: list[float]) -> tuple[float | None, float | None]:
    """Signed-rank test: zeros dropped; W = min(R+, R-); p exact given the ties (every sign
    pattern, counted with integers) up to 100 non-zero differences, else the normal approximation
    with tie and continuity corrections."""
    from test_distributions import exact_conditional_p  # the integer reference of the distributions tests

    nonzero = [x for x in d if x != 0]
    if len(d) < 2 or not nonzero:
        return None, None
    r, ties = ranks([abs(x) for x in nonzero])
    r_plus = sum(rk for rk, x in zip(r, nonzero) if x > 0)
    r_minus = sum(rk for rk, x in zip(r, nonzero) if x < 0)
    n = len(nonzero)
    if n <= 100:
        return min(r_plus, r_minus), exact_conditional_p(nonzero)
    mean = n * (n + 1) / 4
    var = n * (n + 1) * (2 * n + 1) / 24 - sum(t ** 3 - t for t in ties) / 48
    z = (abs(r_plus - mean) - 0.5) / math.sqrt(var)
    return min(r_plus, r_minus), 2 * st.NormalDist().cdf(-abs(z))


def summary(x: list[float], y: list[float], max_score: float) -> dict:
    """Class figures on matched totals x (pre) and y (post)."""
    n = len(x)
    d = [b - a for a, b in zip(x, y)]
    out = {"mean_pre": st.mean(x), "mean_post": st.mean(y), "mean_gain": st.mean(d),
           "pct_pre": 100 * st.mean(x) / max_score, "pct_post": 100 * st.mean(y) / max_score}
    out["hake_g"] = (out["pct_post"] - out["pct_pre"]) / (100 - out["pct_pre"])
    out["mean_individual_g"] = st.mean((b - a) / (max_score - a) for a, b in zip(x, y) if a < max_score)
    sd = st.stdev(d)
    half = sps.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    out.update(sd_gain=sd, ci95_gain=[out["mean_gain"] - half, out["mean_gain"] + half])
    t = out["mean_gain"] / (sd / math.sqrt(n))
    out.update(paired_t=t, paired_t_df=n - 1, paired_t_p=2 * sps.t.sf(abs(t), n - 1), cohen_dz=out["mean_gain"] / sd)
    out["wilcoxon_W"], out["wilcoxon_p"] = wilcoxon(d)
    return out


def alpha(rows: list[list[float]]) -> float:
    """Cronbach's alpha (= KR-20 for 0/1 items) with sample variances throughout."""
    k = len(rows[0])
    item_var = sum(st.variance([r[j] for r in rows]) for j in range(k))
    return k / (k - 1) * (1 - item_var / st.variance([sum(r) for r in rows]))


def kr20(rows: list[list[int]]) -> float:
    """Textbook KR-20 for 0/1 items: population variances, sum of p q."""
    k, n = len(rows[0]), len(rows)
    pq = sum((p := sum(r[j] for r in rows) / n) * (1 - p) for j in range(k))
    return k / (k - 1) * (1 - pq / st.pvariance([sum(r) for r in rows]))


def mcnemar_exact(b: int, c: int) -> float:
    if b + c == 0:
        return 1.0
    n = b + c
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2 ** n)


def holm(ps: list[float]) -> list[float]:
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        out[i] = running
    return out


def correlation_or_none(a: list[float], b: list[float]):
    if len(set(a)) < 2 or len(set(b)) < 2:
        return None
    return st.correlation(a, b)


def items(keys_max: list[tuple[str, float]], pre: dict, post: dict, matched: list, dk_pre: dict, dk_post: dict,
          chance: dict):
    """Per-question figures on the matched people, with the flag rules of the spec (``chance``:
    item key -> share right by guessing)."""
    keys = [k for k, _m in keys_max]
    out = []
    for key, max_points in keys_max:
        a = [pre[p].get(key) or 0 for p in matched]
        b = [post[p].get(key) or 0 for p in matched]
        right_a = [v == max_points for v in a]
        right_b = [v == max_points for v in b]
        n = len(matched)
        w2r = sum(1 for ra, rb in zip(right_a, right_b) if not ra and rb)
        r2w = sum(1 for ra, rb in zip(right_a, right_b) if ra and not rb)
        rest_a = [totals(pre[p], keys) - v for p, v in zip(matched, a)]
        rest_b = [totals(post[p], keys) - v for p, v in zip(matched, b)]
        out.append({
            "key": key, "pct_pre": 100 * sum(right_a) / n, "pct_post": 100 * sum(right_b) / n,
            "difficulty_pre": sum(right_a) / n, "difficulty_post": sum(right_b) / n,
            "wrong_to_right": w2r, "right_to_wrong": r2w, "mcnemar_p": mcnemar_exact(w2r, r2w),
            "discrimination_pre": correlation_or_none(a, rest_a), "discrimination_post": correlation_or_none(b, rest_b),
            "dont_know_pre": sum(key in dk_pre.get(p, ()) for p in matched) / n,
            "dont_know_post": sum(key in dk_post.get(p, ()) for p in matched) / n,
            "answered_pre": sum(pre[p].get(key) is not None for p in matched),
            "answered_post": sum(post[p].get(key) is not None for p in matched),
        })
    # Warnings: one-sided tests, Holm-adjusted together over every question (scipy distributions).
    tests = []
    for j, item in enumerate(out):
        if item["answered_pre"] == 0 and item["answered_post"] == 0:
            continue
        n, right_after = len(matched), round(item["pct_post"] * len(matched) / 100)
        tests.append((j, "still_misunderstood", sps.binom.cdf(right_after, n, (1 + chance[item["key"]]) / 2)))
        b, c = item["wrong_to_right"], item["right_to_wrong"]
        if b + c:
            tests.append((j, "got_worse", sps.binom.cdf(b, b + c, 0.5)))
        rs = [r for r in (item["discrimination_pre"], item["discrimination_post"]) if r is not None]
        if n >= 10 and rs:
            tests.append((j, "problematic", min(1, len(rs) * min(sps.norm.cdf(math.atanh(r) * math.sqrt(n - 3))
                                                                  for r in rs))))
    warned = {(j, flag) for (j, flag, _p), p_adj in zip(tests, holm([p for *_x, p in tests])) if p_adj < 0.05}
    for j, (item, p_holm) in enumerate(zip(out, holm([it["mcnemar_p"] for it in out]))):
        item["mcnemar_p_holm"] = p_holm
        flags = []
        if item["answered_pre"] == 0 and item["answered_post"] == 0:
            flags = ["not_answered"]
        else:
            if (j, "still_misunderstood") in warned:
                flags.append("still_misunderstood")
            if item["pct_pre"] > 90:
                flags.append("known_before")
            if (j, "problematic") in warned:
                flags.append("problematic")
            if (j, "got_worse") in warned:
                flags.append("got_worse")
            if item["wrong_to_right"] > item["right_to_wrong"] and p_holm < 0.05:
                flags.append("improved")
        item["flags"] = flags
    return out
