"""Pre/post knowledge-test statistics for trainings ("khảo sát trước/sau tập huấn").

Pure Python + numpy (the significance tests in :mod:`surveys.analytics.distributions`): no
Flask, no database. Callers pass plain data and get back JSON-serialisable dicts (floats rounded, NaN/undefined -> ``None``).

Data model
----------
* ``items``: the scored questions, each with ``max_points``.
* ``pre`` / ``post``: participant key -> {item key -> points earned}. ``None``
  or a missing item means "unanswered" and scores 0 (paper forms often leave
  blanks; treating them as wrong keeps totals comparable).
* A participant is *matched* when present in both ``pre`` and ``post``.
  Every statistic below except ``n_pre``/``n_post`` uses matched pairs only,
  so that attrition cannot masquerade as learning.
* An item is *correct* for a participant when points == ``max_points``.

Notation: n matched pairs, X_i / Y_i pre / post totals, D_i = Y_i - X_i,
M = maximum total score, k = number of items.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app import disclosure
from surveys.analytics import distributions, intervals

Answers = Mapping[str, Mapping[str, "float | None"]]
DontKnow = Mapping[str, "set[str]"]

# Stable flag codes; the UI translates them (e.g. "vẫn chưa hiểu sau tập huấn"). The three
# warnings are tests, Holm-adjusted together over every question of the training, so that a
# training in which nothing is wrong raises any warning at most 5 % of the time (``_warnings``).
FLAG_STILL_MISUNDERSTOOD = "still_misunderstood"  # share right after clearly under (1 + chance) / 2
FLAG_KNOWN_BEFORE = "known_before"  # pct_pre > 90 (information, not a test)
FLAG_PROBLEMATIC = "problematic"  # item-rest r clearly below 0 (Fisher z), n >= MIN_DISCRIMINATION_N
FLAG_GOT_WORSE = "got_worse"  # clearly more right->wrong than wrong->right (exact one-sided)
FLAG_IMPROVED = "improved"  # more wrong->right, Holm-adjusted McNemar p < 0.05
FLAG_NOT_ANSWERED = "not_answered"  # no matched participant answered it, pre or post
WARNING_FLAGS = (FLAG_STILL_MISUNDERSTOOD, FLAG_GOT_WORSE, FLAG_PROBLEMATIC)

KNOWN_BEFORE_ABOVE = 90.0
MIN_DISCRIMINATION_N = 10  # fewer people: an item-rest r says nothing about a question
ALPHA = 0.05
AGE_BANDS = ("<18", "18-29", "30-44", "45-59", "60+")
_EPS = 1e-9

SUMMARY_KEYS = (
    "mean_pre", "mean_post", "mean_gain", "sd_gain", "ci95_gain", "pct_pre", "pct_post",
    "hake_g", "mean_individual_g", "paired_t", "paired_t_df", "paired_t_p",
    "wilcoxon_W", "wilcoxon_p", "cohen_dz", "kr20_pre", "kr20_post", "reliability_method",
    # intervals and estimators (surveys.analytics.intervals), scalars so every sheet takes them
    "hake_g_ci_low", "hake_g_ci_high", "cohen_dz_ci_low", "cohen_dz_ci_high",
    "kr20_pre_ci_low", "kr20_pre_ci_high", "kr20_post_ci_low", "kr20_post_ci_high",
    "wilcoxon_method", "hodges_lehmann", "hodges_lehmann_ci_low", "hodges_lehmann_ci_high",
    "normalized_change", "normalized_change_left_out", "mean_individual_g_left_out", "detectable_gain",
    # attrition (whole class only): people with one test, and how their pre-test compares
    "share_one_test", "mean_pre_pre_only", "mean_pre_completers", "attrition_p",
)
COUNT_KEYS = ("n", "n_pre", "n_post")


@dataclass(frozen=True)
class Item:
    """A scored question. ``max_points`` > 0; 1 for a right/wrong question. ``chance``: the share
    right by guessing alone (1/k for one of k options, 0.5 for true/false, 0 when unknown)."""

    key: str
    max_points: float = 1.0
    chance: float = 0.0


# ---------------------------------------------------------------- helpers
def _num(x, digits: int = 4):
    """Round for output; NaN/inf/None -> None, numpy scalars -> Python."""
    if x is None:
        return None
    x = float(x)
    return round(x, digits) if math.isfinite(x) else None


def _pval(p):
    """p-values keep 4 significant digits so tiny values do not round to 0."""
    if p is None or not math.isfinite(float(p)):
        return None
    return float(f"{float(p):.4g}")


def _check_items(items: Sequence[Item]) -> None:
    keys = [it.key for it in items]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate item keys")
    if any(not it.max_points > 0 for it in items):
        raise ValueError("max_points must be > 0")


def _matrix(items: Sequence[Item], answers: Answers, people: Sequence[str]):
    """Points matrix (people x items) and a mask of which cells were answered.

    Out-of-range points raise ValueError: silently clipping would hide a typo
    made while entering a paper form (the first bad cell in people x items order is named).
    """
    pts = np.zeros((len(people), len(items)))
    answered = np.zeros((len(people), len(items)), dtype=bool)
    column = {it.key: j for j, it in enumerate(items)}
    for i, person in enumerate(people):
        row = answers.get(person)
        if not row:
            continue
        for key, v in row.items():  # a row holds a person's answers only: fewer than the items
            j = column.get(key)
            if j is not None and v is not None:
                pts[i, j], answered[i, j] = float(v), True
    maxima = np.array([float(it.max_points) for it in items])
    bad = answered & ~((pts >= 0) & (pts <= maxima))  # NaN is bad too
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise ValueError(f"{people[i]}/{items[j].key}: {pts[i, j]} outside 0..{items[j].max_points}")
    return pts, answered


def _pearson(x: np.ndarray, y: np.ndarray):
    """Pearson r, None when undefined (n < 2 or a zero variance)."""
    if len(x) < 2 or x.std() < _EPS or y.std() < _EPS:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def reliability(points: np.ndarray):
    """Cronbach's alpha = k/(k-1) * (1 - sum(var item_j) / var(total)).

    For 0/1 items var(item_j) = p_j q_j (population form), so the same number
    is KR-20 = k/(k-1) * (1 - sum p_j q_j / var(total)); the ddof choice cancels
    in the ratio as long as it is the same for items and total (ddof=1 here).
    None when k < 2, n < 2 or the totals do not vary.
    """
    n, k = points.shape
    if k < 2 or n < 2:
        return None
    total_var = points.sum(axis=1).var(ddof=1)
    if total_var < _EPS:
        return None
    return k / (k - 1) * (1 - points.var(axis=0, ddof=1).sum() / total_var)


def holm(pvalues: Sequence["float | None"]) -> list["float | None"]:
    """Holm step-down adjustment, in the input order; None entries are skipped.

    Sort the m p-values ascending p_(1) <= ... <= p_(m); adjusted
    p~_(i) = max_{j<=i} min(1, (m - j + 1) p_(j)), which keeps them monotone.
    """
    idx = [i for i, p in enumerate(pvalues) if p is not None]
    m = len(idx)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda i: pvalues[i])):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def _wilcoxon(d: np.ndarray):
    """``distributions.wilcoxon_test``: zero differences dropped, two-sided, W = smaller of the
    positive/negative rank sums, p exact given the ties up to 100 differences, else normal with
    continuity correction; (W, p, method), (None, None, None) when n < 2 or all are zero."""
    d = np.round(d, 9)  # float noise must not turn a zero difference into a rank
    if len(d) < 2 or not np.any(d):
        return None, None, None
    return distributions.wilcoxon_test(d.tolist())


# ---------------------------------------------------------------- summary
def _summary(pre: np.ndarray, post: np.ndarray, max_score: float, method: str, detail: bool = True) -> dict:
    """Class-level figures on matched pairs (rows of ``pre``/``post`` align).

    * mean gain  = mean(D); sd_gain = SD(D) with ddof=1
    * ci95_gain  = mean(D) +/- t_{0.975, n-1} * sd_gain / sqrt(n)
    * pct_pre/post = 100 * mean(X) / M, 100 * mean(Y) / M
    * hake_g     = (pct_post - pct_pre) / (100 - pct_pre)   (Hake 1998, class means)
    * mean_individual_g = mean over i with X_i < M of (Y_i - X_i) / (M - X_i)
    * paired_t   = mean(D) / (sd_gain / sqrt(n)), df = n - 1 (scipy.stats.ttest_rel)
    * cohen_dz   = mean(D) / sd_gain
    t-test and d_z are None when sd_gain = 0 (t would be infinite); tests and SD
    are None for n < 2.
    """
    out: dict = dict.fromkeys(SUMMARY_KEYS)
    out["reliability_method"] = method
    n = len(pre)
    if n == 0:
        return out
    x, y = pre.sum(axis=1), post.sum(axis=1)
    d = y - x
    mean_gain = d.mean()
    out.update(mean_pre=_num(x.mean()), mean_post=_num(y.mean()), mean_gain=_num(mean_gain))
    pct_pre, pct_post = 100 * x.mean() / max_score, 100 * y.mean() / max_score
    out.update(pct_pre=_num(pct_pre), pct_post=_num(pct_post), hake_g=_num(hake_g(pct_pre, pct_post)))
    below_max = x < max_score - _EPS
    if below_max.any():
        out["mean_individual_g"] = _num(np.mean(d[below_max] / (max_score - x[below_max])))
    out["mean_individual_g_left_out"] = int(n - below_max.sum())
    if detail:
        c, left_out = intervals.normalized_change(x, y, max_score)
        out.update(normalized_change=_num(c), normalized_change_left_out=left_out)
    if n >= 2:
        sd = d.std(ddof=1)
        sd = 0.0 if sd < _EPS else sd
        half = distributions.t_quantile(0.975, n - 1) * sd / math.sqrt(n)
        out.update(sd_gain=_num(sd), ci95_gain=[_num(mean_gain - half), _num(mean_gain + half)],
                   detectable_gain=_num(intervals.detectable_change(sd, n)))
        if detail:
            _pair(out, "hake_g", intervals.hake_g_ci(x, y, max_score))
        if sd > 0:
            t, df, p = distributions.paired_t(y.tolist(), x.tolist())  # post first: positive t means a gain
            out.update(paired_t=_num(t), paired_t_df=df, paired_t_p=_pval(p), cohen_dz=_num(mean_gain / sd))
            if detail:
                _pair(out, "cohen_dz", intervals.cohen_dz_ci(t, n))
        w, p, wmethod = _wilcoxon(d)
        out.update(wilcoxon_W=_num(w), wilcoxon_p=_pval(p), wilcoxon_method=wmethod)
        if detail and n <= intervals.HODGES_LEHMANN_MAX:
            hl, low, high = intervals.hodges_lehmann(np.round(d, 9))
            out["hodges_lehmann"] = _num(hl)
            _pair(out, "hodges_lehmann", (low, high))
    k = pre.shape[1]
    for phase, matrix in (("kr20_pre", pre), ("kr20_post", post)):
        value = reliability(matrix)
        out[phase] = _num(value)
        _pair(out, phase, intervals.feldt_ci(value, n, k))
    return out


def _pair(out: dict, key: str, interval) -> None:
    out[f"{key}_ci_low"], out[f"{key}_ci_high"] = (_num(v) for v in interval)


def hake_g(pct_pre: float, pct_post: float) -> float | None:
    """Hake's normalised gain of class means, (%post - %pre) / (100 - %pre), unrounded; None when
    the class already scored 100 % before (nothing left to gain). Also used by the indicators
    dashboard on means it aggregates in SQL."""
    if pct_pre >= 100 - _EPS:
        return None
    return (pct_post - pct_pre) / (100 - pct_pre)


def _reliability_method(items: Sequence[Item], *matrices: np.ndarray) -> str:
    """"kr20" when every item is right/wrong (max 1, points 0 or 1), else
    "cronbach_alpha". Decided once for pre and post so both are comparable."""
    binary = all(it.max_points == 1 for it in items) and all(
        np.isin(m, (0.0, 1.0)).all() for m in matrices)
    return "kr20" if binary else "cronbach_alpha"


def _prepare(items, pre, post):
    """Matched keys (in ``pre`` order) and their aligned pre/post matrices.
    Every row is validated, matched or not, so bad data never depends on pairing."""
    _check_items(items)
    pre_m, pre_ans = _matrix(items, pre, list(pre))
    post_m, post_ans = _matrix(items, post, list(post))
    post_row = {p: r for r, p in enumerate(post)}
    i = [r for r, p in enumerate(pre) if p in post_row]
    matched = [p for p in pre if p in post_row]
    k = [post_row[p] for p in matched]
    return matched, pre_m[i], pre_ans[i], post_m[k], post_ans[k]


# ---------------------------------------------------------------- public API
def training_results(
    items: Sequence[Item],
    pre: Answers,
    post: Answers,
    dont_know_pre: DontKnow | None = None,
    dont_know_post: DontKnow | None = None,
) -> dict:
    """All figures for one training: counts, ``summary`` and ``questions``.

    ``dont_know_*`` map participant -> item keys answered "don't know"; when
    not given the ``dont_know_*`` shares are None (unknown, not zero).

    Per question, on matched pairs ("correct" = full points):
    * pct_pre/pct_post = 100 * share correct; difficulty_* = share correct (0..1)
    * wrong_to_right = b, right_to_wrong = c (discordant pairs)
    * mcnemar_p = exact two-sided binomial test of b among b + c at p = 0.5
      (scipy.stats.binomtest); 1.0 when b + c = 0
    * mcnemar_p_holm = Holm-adjusted across the questions
    * discrimination_* = corrected item-rest point-biserial: Pearson r of the
      item points with (total - item points); None when undefined
    * answered_pre/answered_post = matched participants who answered it
    * flags = codes listed at the top of the module (none when n_matched = 0)
    """
    matched, pre_m, pre_ans, post_m, post_ans = _prepare(items, pre, post)
    n = len(matched)
    max_score = float(sum(it.max_points for it in items))
    method = _reliability_method(items, pre_m, post_m)
    tot_pre, tot_post = pre_m.sum(axis=1), post_m.sum(axis=1)

    def dont_know_share(dk, key):
        if dk is None or n == 0:
            return None
        return _num(sum(key in (dk.get(p) or ()) for p in matched) / n)

    questions, raw_p, tests = [], [], []
    for j, it in enumerate(items):
        q: dict = {"key": it.key, "max_points": float(it.max_points),
                   "answered_pre": int(pre_ans[:, j].sum()),
                   "answered_post": int(post_ans[:, j].sum())}
        right_pre = pre_m[:, j] >= it.max_points - _EPS
        right_post = post_m[:, j] >= it.max_points - _EPS
        b = int((~right_pre & right_post).sum())
        c = int((right_pre & ~right_post).sum())
        p = None
        if n:
            p = distributions.binomial_half_two_sided_p(b, b + c) if b + c else 1.0
        raw_p.append(p)
        low, high = intervals.newcombe_paired_ci(int((right_pre & right_post).sum()), b, c,
                                                 int((~right_pre & ~right_post).sum())) if n else (None, None)
        q.update(
            pct_pre=_num(100 * right_pre.mean()) if n else None,
            pct_post=_num(100 * right_post.mean()) if n else None,
            difficulty_pre=_num(right_pre.mean()) if n else None,
            difficulty_post=_num(right_post.mean()) if n else None,
            wrong_to_right=b, right_to_wrong=c, mcnemar_p=_pval(p),
            discrimination_pre=_num(_pearson(pre_m[:, j], tot_pre - pre_m[:, j])),
            discrimination_post=_num(_pearson(post_m[:, j], tot_post - post_m[:, j])),
            dont_know_pre=dont_know_share(dont_know_pre, it.key),
            dont_know_post=dont_know_share(dont_know_post, it.key),
            change_ci_low=_num(None if low is None else 100 * low),
            change_ci_high=_num(None if high is None else 100 * high),
            chance=_num(it.chance),
        )
        questions.append(q)
        tests.append(_warning_tests(q, n, int(right_post.sum()), b, c, it.chance) if n else {})

    warnings = _warnings(tests)
    for q, p_holm, warned in zip(questions, holm(raw_p), warnings):
        q["mcnemar_p_holm"] = _pval(p_holm)
        q["flags"] = _flags(q, p_holm, warned) if n else []

    summary = _summary(pre_m, post_m, max_score, method)
    summary.update(_attrition({p: float(sum(v or 0 for v in a.values())) for p, a in pre.items()}, post, matched))

    return {
        "max_score": _num(max_score),
        "n_pre": len(pre),
        "n_post": len(post),
        "n_matched": n,
        "summary": summary,
        "questions": questions,
    }


def understood_share(chance: float) -> float:
    """The share right at which half the class knows the answer, once guessing is allowed for:
    if a share k knows it and the others guess, the share right is k + (1 - k) * chance, so
    k = 1/2 gives (1 + chance) / 2 (50 % with no guessing, 75 % for true/false)."""
    return (1 + chance) / 2


def _warning_tests(q: dict, n: int, right_after: int, b: int, c: int, chance: float) -> dict[str, float]:
    """One-sided p-values of each warning for one question (only what can be tested):

    * still misunderstood: exact binomial P(X <= right after | n, (1 + chance) / 2), H0: at least
      half the class knows the answer;
    * got worse: exact P(X <= b | b + c, 1/2), H0: right -> wrong no more likely than wrong -> right
      (McNemar's exact test, one-sided);
    * problematic: Fisher z of the item-rest r, P(Z <= atanh(r) sqrt(n - 3)), H0: r >= 0, on
      ``MIN_DISCRIMINATION_N`` people or more; the smaller of the pre and post p, doubled (Bonferroni
      over the two tests).
    """
    if q["answered_pre"] == 0 and q["answered_post"] == 0:
        return {}
    out = {FLAG_STILL_MISUNDERSTOOD: distributions.binomial_cdf(right_after, n, understood_share(chance))}
    if b + c:
        out[FLAG_GOT_WORSE] = distributions.binomial_cdf(b, b + c, 0.5)
    if n >= MIN_DISCRIMINATION_N:
        ps = [distributions.normal_cdf(math.atanh(max(min(r, 0.999999), -0.999999)) * math.sqrt(n - 3))
              for r in (q["discrimination_pre"], q["discrimination_post"]) if r is not None]
        if ps:
            out[FLAG_PROBLEMATIC] = min(1.0, len(ps) * min(ps))
    return out


def _warnings(tests: list[dict[str, float]]) -> list[set[str]]:
    """Holm over every warning test of every question together: the family-wise false-alarm rate
    of the training's warnings is at most ``ALPHA``."""
    flat = [(j, flag, p) for j, t in enumerate(tests) for flag, p in t.items()]
    adjusted = holm([p for _j, _f, p in flat])
    out: list[set[str]] = [set() for _ in tests]
    for (j, flag, _p), p_adj in zip(flat, adjusted):
        if p_adj < ALPHA:
            out[j].add(flag)
    return out


def _flags(q: dict, p_holm: float, warned: set[str]) -> list[str]:
    """Warnings as tested by ``_warnings``; "known before" is a plain description; "improved" is
    the Holm-adjusted two-sided McNemar test across the questions."""
    if q["answered_pre"] == 0 and q["answered_post"] == 0:
        return [FLAG_NOT_ANSWERED]  # its 0% says nothing about understanding
    flags = []
    if FLAG_STILL_MISUNDERSTOOD in warned:
        flags.append(FLAG_STILL_MISUNDERSTOOD)
    if q["pct_pre"] > KNOWN_BEFORE_ABOVE:
        flags.append(FLAG_KNOWN_BEFORE)
    if FLAG_PROBLEMATIC in warned:
        flags.append(FLAG_PROBLEMATIC)
    b, c = q["wrong_to_right"], q["right_to_wrong"]
    if FLAG_GOT_WORSE in warned:
        flags.append(FLAG_GOT_WORSE)
    if b > c and p_holm < ALPHA:
        flags.append(FLAG_IMPROVED)
    return flags


def _attrition(pre_totals: Mapping[str, float], post_keys: Iterable[str], matched: Sequence[str]) -> dict:
    """Who took one test only, and whether those who took only the pre-test started differently
    from those who took both (Welch's t-test on pre-test totals; a note when p < ALPHA)."""
    everyone = pre_totals.keys() | set(post_keys)
    out = dict.fromkeys(("share_one_test", "mean_pre_pre_only", "mean_pre_completers", "attrition_p"))
    if not everyone:
        return out
    out["share_one_test"] = _num((len(everyone) - len(matched)) / len(everyone))

    both = set(matched)
    a = np.array([v for p, v in pre_totals.items() if p not in both])
    b = np.array([pre_totals[p] for p in matched])
    if 0 < len(a) < disclosure.MIN_CELL:
        # Fewer than MIN_CELL took only the pre-test: their mean (or the completers' mean beside the
        # class's) would give their scores away, so the comparison is not published.
        return out
    if len(a):
        out["mean_pre_pre_only"] = _num(a.mean())
    if len(b):
        out["mean_pre_completers"] = _num(b.mean())
    if len(a) >= 2 and len(b) >= 2:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        if va + vb > _EPS:
            t = (a.mean() - b.mean()) / math.sqrt(va + vb)
            df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
            out["attrition_p"] = _pval(distributions.t_two_sided_p(t, df))
    return out


def breakdown(
    items: Sequence[Item],
    pre: Answers,
    post: Answers,
    groups: Mapping[str, Iterable[str]],
) -> dict[str, dict]:
    """Summary per group (sex, ethnicity, age band, village...).

    ``groups`` maps a group label -> participant keys (see ``group_by``).
    Each entry: ``n`` (matched pairs in the group), ``n_pre``, ``n_post``,
    ``masked`` (False; see ``mask_small``) and the ``summary`` keys.
    """
    return breakdowns(items, pre, post, {None: groups})[None]


def breakdowns(
    items: Sequence[Item],
    pre: Answers,
    post: Answers,
    dimensions: Mapping[str, Mapping[str, Iterable[str]]],
) -> dict[str, dict[str, dict]]:
    """``breakdown`` for several dimensions (dimension -> its groups) at once: the answers are
    scored into matrices once for all of them, not once per dimension."""
    _check_items(items)
    # Score everyone once and take each group's rows from the same matrices: a class of 200
    # has ~20 groups across the dimensions.
    pre_m, _ = _matrix(items, pre, list(pre))
    post_m, _ = _matrix(items, post, list(post))
    matched = [p for p in pre if p in post]
    post_row = {p: r for r, p in enumerate(post)}
    pre_row = {p: r for r, p in enumerate(pre)}
    # One reliability method for every group, so groups stay comparable.
    method = _reliability_method(items, pre_m[[pre_row[p] for p in matched]], post_m[[post_row[p] for p in matched]])
    max_score = float(sum(it.max_points for it in items))
    return {dim: _breakdown(list(pre), pre_m, list(post), post_m, groups, max_score, method)
            for dim, groups in dimensions.items()}


def _breakdown(pre_keys: list, pre_m: np.ndarray, post_keys: list, post_m: np.ndarray,
               groups: Mapping[str, Iterable[str]], max_score: float, method, detail: bool = True) -> dict[str, dict]:
    """``breakdown`` on scored matrices (rows in ``pre_keys`` / ``post_keys`` order)."""
    pre_row = {p: r for r, p in enumerate(pre_keys)}
    post_row = {p: r for r, p in enumerate(post_keys)}
    pre_total = dict(zip(pre_keys, pre_m.sum(axis=1).tolist()))
    out = {}
    for label, members in groups.items():
        members = set(members)
        in_pre = sorted((pre_row[p] for p in members if p in pre_row))
        matched = [pre_keys[r] for r in in_pre if pre_keys[r] in post_row]
        in_post = [p for p in members if p in post_row]
        out[label] = {"n": len(matched), "n_pre": len(in_pre), "n_post": len(in_post), "masked": False,
                      **_summary(pre_m[[pre_row[p] for p in matched]], post_m[[post_row[p] for p in matched]],
                                 max_score, method, detail),
                      **_attrition({pre_keys[r]: pre_total[pre_keys[r]] for r in in_pre}, in_post, matched)}
    return out


def mask_small(groups: Mapping[str, dict], min_n: int = 5) -> dict[str, dict]:
    """Suppress the figures of groups with fewer than ``min_n`` matched pairs.

    In a village a group of 2 Dao women over 60 identifies people, and
    ethnicity is sensitive data. Counts (n, n_pre, n_post) stay visible, as
    attendance by sex and ethnicity is already public in minutes; every other
    figure becomes None and ``masked`` becomes True. Returns a new dict. Primary suppression
    only: outputs use ``suppress_breakdowns``, which also masks the groups that would give a
    masked one away.
    """
    return {label: dict(fig) if (fig.get("n") or 0) >= min_n else _hidden(fig) for label, fig in groups.items()}


def suppress_breakdowns(breakdowns: Mapping[str, Mapping[str, dict]],
                        members: "Mapping[str, Mapping[str, set]] | None" = None,
                        min_n: int = disclosure.MIN_CELL) -> dict[str, dict[str, dict]]:
    """Breakdowns as an output shows them: ``app.disclosure.suppress`` decides which groups to mask
    (under ``min_n`` matched pairs, then enough further groups that none can be derived from the
    total and the other groups, within a breakdown and, given ``members`` = dimension -> group ->
    matched participants, across breakdowns). Masked groups keep their counts, as in ``mask_small``;
    a masked group with ``n >= min_n`` was masked to protect a smaller one."""
    sizes = {dim: {label: fig.get("n") or 0 for label, fig in groups.items()} for dim, groups in breakdowns.items()}
    hidden = disclosure.suppress(sizes, members, min_n)
    return {dim: {label: _hidden(fig) if (dim, label) in hidden else dict(fig) for label, fig in groups.items()}
            for dim, groups in breakdowns.items()}


def _hidden(fig: dict) -> dict:
    return {**{k: (v if k in COUNT_KEYS else None) for k, v in fig.items()}, "masked": True}


def group_by(attribute: Mapping[str, "str | None"], missing: str = "unknown") -> dict[str, list[str]]:
    """participant -> attribute value  ==>  value -> participants (for ``breakdown``)."""
    out: dict[str, list[str]] = {}
    for person, value in attribute.items():
        out.setdefault(missing if value is None else value, []).append(person)
    return out


def age_band(birth_year: int | None, on_year: int) -> str | None:
    """Age band from years only (age = on_year - birth_year, so +/- 1 year:
    forms often record only the birth year). None when unknown or negative."""
    if birth_year is None or on_year - birth_year < 0:
        return None
    age = on_year - birth_year
    for upper, band in zip((18, 30, 45, 60), AGE_BANDS):
        if age < upper:
            return band
    return AGE_BANDS[-1]


def likert_shift(
    pre_values: "Mapping[str, int | None] | Sequence[int | None]",
    post_values: "Mapping[str, int | None] | Sequence[int | None]",
    scale_points: int,
) -> dict:
    """Before/after distribution of one Likert question (values 1..scale_points).

    * counts_pre/counts_post: list, index 0 = value 1; None answers skipped
    * mean_pre/mean_post/mean_shift: on everyone who answered (unmatched)
    * matched_mean_pre/_post/_shift, wilcoxon_W/_p: on people who answered
      both, only when the values are keyed by participant (mappings); plain
      sequences cannot be paired, so these stay None and n_matched = 0.
    """
    def clean(values) -> dict:
        seq = values.items() if isinstance(values, Mapping) else enumerate(values)
        out = {}
        for k, v in seq:
            if v is None:
                continue
            if v != int(v) or not 1 <= v <= scale_points:
                raise ValueError(f"{k}: {v} outside 1..{scale_points}")
            out[k] = int(v)
        return out

    pre, post = clean(pre_values), clean(post_values)
    keyed = isinstance(pre_values, Mapping) and isinstance(post_values, Mapping)
    both = [k for k in pre if k in post] if keyed else []

    def counts(vals):
        return [sum(v == s for v in vals) for s in range(1, scale_points + 1)]

    def mean(vals):
        return float(np.mean(vals)) if vals else None

    def shift(a, b):
        return None if a is None or b is None else b - a

    m_pre, m_post = mean(list(pre.values())), mean(list(post.values()))
    mm_pre, mm_post = mean([pre[k] for k in both]), mean([post[k] for k in both])
    w, p, _method = _wilcoxon(np.array([post[k] - pre[k] for k in both], dtype=float))
    return {
        "scale_points": scale_points,
        "n_pre": len(pre), "n_post": len(post), "n_matched": len(both),
        "counts_pre": counts(pre.values()), "counts_post": counts(post.values()),
        "mean_pre": _num(m_pre), "mean_post": _num(m_post),
        "mean_shift": _num(shift(m_pre, m_post)),
        "matched_mean_pre": _num(mm_pre), "matched_mean_post": _num(mm_post),
        "matched_mean_shift": _num(shift(mm_pre, mm_post)),
        "wilcoxon_W": _num(w), "wilcoxon_p": _pval(p),
    }


# ---------------------------------------------------------------- totals only
def score_results(pre_totals: Mapping[str, float], post_totals: Mapping[str, float], max_score: float,
                  detail: bool = True) -> dict:
    """Counts and ``summary`` from total scores alone, for pooling trainings whose tests differ
    (pass percentages with ``max_score`` = 100) or comparing trainings side by side.

    The same formulas as ``training_results`` (``_summary`` on the totals as one column), so a
    training's figures here equal its own summary; reliability needs the items, so ``kr20_*`` and
    ``reliability_method`` are None, and there are no per-question tests. ``detail=False`` skips
    the intervals and estimators (comparison rows of many trainings).
    """
    pre_m, post_m = _totals_column(pre_totals, max_score), _totals_column(post_totals, max_score)
    matched = [p for p in pre_totals if p in post_totals]
    pre_row = {p: r for r, p in enumerate(pre_totals)}
    post_row = {p: r for r, p in enumerate(post_totals)}
    summary = {**_summary(pre_m[[pre_row[p] for p in matched]], post_m[[post_row[p] for p in matched]],
                          float(max_score), None, detail),
               **_attrition(dict(pre_totals), post_totals, matched)}
    summary.update(dict.fromkeys(("kr20_pre", "kr20_post", "reliability_method", "kr20_pre_ci_low", "kr20_pre_ci_high",
                                  "kr20_post_ci_low", "kr20_post_ci_high")))
    # No per-question statistics: the one "question" is the total, a McNemar test on it means nothing.
    return {"max_score": _num(max_score), "n_pre": len(pre_totals), "n_post": len(post_totals),
            "n_matched": len(matched), "summary": summary}


def _totals_column(totals: Mapping[str, float], max_score: float) -> np.ndarray:
    """Totals as a one-column points matrix, checked like answers."""
    column = np.fromiter(totals.values(), dtype=float, count=len(totals)).reshape(-1, 1)
    if ((column < 0) | (column > max_score)).any():
        raise ValueError(f"a total outside 0..{max_score}")
    return column


def score_breakdown(pre_totals: Mapping[str, float], post_totals: Mapping[str, float], max_score: float,
                    groups: Mapping[str, Iterable[str]], detail: bool = True) -> dict[str, dict]:
    """``breakdown`` on total scores alone (see ``score_results``); reliability keys are None."""
    out = _breakdown(list(pre_totals), _totals_column(pre_totals, max_score), list(post_totals),
                     _totals_column(post_totals, max_score), groups, float(max_score), None, detail)
    for fig in out.values():
        fig.update(kr20_pre=None, kr20_post=None, reliability_method=None)
    return out


def combine_trainings(rows: Sequence[dict]) -> dict:
    """Random-effects combination of per-training mean gains (``intervals.random_effects``):
    each row gives ``mean_gain`` and ``sd_gain`` (percentage points) on ``n_matched`` pairs;
    trainings with fewer than 2 pairs or no spread in their gains cannot weigh in and are counted
    in ``left_out``."""
    usable = [r for r in rows if (r.get("n_matched") or 0) >= 2 and r.get("sd_gain") and r.get("mean_gain") is not None]
    out = intervals.random_effects([r["mean_gain"] for r in usable], [r["sd_gain"] ** 2 / r["n_matched"] for r in usable])
    return {**{k: _num(v) if isinstance(v, float) else v for k, v in out.items()}, "left_out": len(rows) - len(usable)}
