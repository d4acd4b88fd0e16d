"""Every figure of a training's results, from answers saved through the survey services to the
computed results object, checked against independent computations (results_reference.py) on two
data sets, plus hand-worked figures for the small one."""
import statistics as st

import pytest

import results_reference as ref
from results_datasets import DATASETS, HAND_TOTALS_A, points
from surveys.analytics.results import load_training_results

approx = lambda x: pytest.approx(x, abs=1e-4)  # outputs are rounded to 4 decimals  # noqa: E731
approx_p = lambda x: pytest.approx(x, rel=1e-3, abs=1e-12)  # p-values keep 4 significant digits  # noqa: E731


@pytest.fixture(params=sorted(DATASETS))
def case(request, fill_training):
    """(results, expected): the app's results and the reference inputs of one data set."""
    data = DATASETS[request.param]
    training, persons = fill_training(data["people"], questions=data["questions"])
    code = {label: p.code for label, p in persons.items()}
    pre, post, dk_pre, dk_post = {}, {}, {}, {}
    for spec in data["people"]:
        for phase, target, dk in (("pre", pre, dk_pre), ("post", post, dk_post)):
            if spec[phase] is not None:
                target[spec["label"]], dk[spec["label"]] = points(data["key"], spec[phase])
    keys_max = [(k, float(v[1])) for k, v in data["key"].items()]
    matched = [label for label in pre if label in post]
    # Guessing rates from the questions as asked: 1/k options, 1/2 true/false, 1/(2**k - 1) for a set.
    chance = {it.key: 0.5 if it.kind.value == "truefalse" else
              (1 / len(it.options) if it.kind.value == "single" else 1 / (2 ** len(it.options) - 1))
              for it in training.version.items if it.is_scored}
    expected = dict(data=data, code=code, pre=pre, post=post, dk_pre=dk_pre, dk_post=dk_post, matched=matched,
                    chance=chance,
                    keys_max=keys_max, max_score=sum(m for _k, m in keys_max), persons=persons)
    return load_training_results(training), expected


def matched_totals(e, labels=None):
    keys = [k for k, _m in e["keys_max"]]
    labels = e["matched"] if labels is None else labels
    return [ref.totals(e["pre"][p], keys) for p in labels], [ref.totals(e["post"][p], keys) for p in labels]


def assert_summary(actual: dict, expected: dict):
    for key in ("mean_pre", "mean_post", "mean_gain", "pct_pre", "pct_post", "hake_g", "mean_individual_g",
                "sd_gain", "paired_t", "cohen_dz", "wilcoxon_W"):
        assert actual[key] == approx(expected[key]), key
    assert actual["ci95_gain"] == [approx(v) for v in expected["ci95_gain"]]
    assert actual["paired_t_df"] == expected["paired_t_df"]
    assert actual["paired_t_p"] == approx_p(expected["paired_t_p"])
    assert actual["wilcoxon_p"] == approx_p(expected["wilcoxon_p"])


def test_attrition_counts(case):
    results, e = case
    assert (results.n_pre, results.n_post, results.n_matched) == (len(e["pre"]), len(e["post"]), len(e["matched"]))
    assert results.max_score == e["max_score"]


def test_summary_matches_reference(case):
    results, e = case
    x, y = matched_totals(e)
    assert_summary(results.summary, ref.summary(x, y, e["max_score"]))


def test_reliability_matches_reference(case):
    results, e = case
    keys = [k for k, _m in e["keys_max"]]
    for phase in ("pre", "post"):
        rows = [[e[phase][p].get(k) or 0 for k in keys] for p in e["matched"]]
        assert results.reliability[f"kr20_{phase}"] == approx(ref.alpha(rows))
        if all(m == 1 for _k, m in e["keys_max"]):
            assert results.reliability[f"kr20_{phase}"] == approx(ref.kr20(rows))
    binary = all(m == 1 for _k, m in e["keys_max"])
    assert results.reliability["method"] == ("kr20" if binary else "cronbach_alpha")


def test_items_match_reference(case):
    results, e = case
    expected = ref.items(e["keys_max"], e["pre"], e["post"], e["matched"], e["dk_pre"], e["dk_post"], e["chance"])
    assert [it["key"] for it in results.items] == [it["key"] for it in expected]
    for actual, exp in zip(results.items, expected):
        assert actual["no"] == int(exp["key"][1:])
        for key in ("pct_pre", "pct_post", "difficulty_pre", "difficulty_post", "dont_know_pre", "dont_know_post"):
            assert actual[key] == approx(exp[key]), (exp["key"], key)
        for key in ("wrong_to_right", "right_to_wrong", "answered_pre", "answered_post", "flags"):
            assert actual[key] == exp[key], (exp["key"], key)
        for key in ("mcnemar_p", "mcnemar_p_holm"):
            assert actual[key] == approx_p(exp[key]), (exp["key"], key)
        for key in ("discrimination_pre", "discrimination_post"):
            assert (actual[key] is None) == (exp[key] is None), (exp["key"], key)
            if exp[key] is not None:
                assert actual[key] == approx(exp[key]), (exp["key"], key)


def test_participants_match_reference(case):
    results, e = case
    keys = [k for k, _m in e["keys_max"]]
    expected = []
    for label, code in e["code"].items():
        x = ref.totals(e["pre"][label], keys) if label in e["pre"] else None
        y = ref.totals(e["post"][label], keys) if label in e["post"] else None
        gain = y - x if x is not None and y is not None else None
        g = gain / (e["max_score"] - x) if gain is not None and x < e["max_score"] else None
        expected.append((code, x, y, gain, g))
    actual = [(p["code"], p["pre"], p["post"], p["gain"], p["g"]) for p in results.participants]
    assert [a[:4] for a in actual] == [x[:4] for x in sorted(expected)]
    assert [a[4] for a in actual] == [None if x[4] is None else approx(x[4]) for x in sorted(expected)]


def test_likert_distribution_and_shift(case):
    results, e = case
    data = e["data"]
    (likert,) = results.likert
    values = {phase: {s["label"]: int(s[phase][data["likert"]]) for s in data["people"]
                      if s[phase] is not None and data["likert"] in s[phase]} for phase in ("pre", "post")}
    for phase in ("pre", "post"):
        counts = [sum(v == point for v in values[phase].values()) for point in range(1, data["likert_points"] + 1)]
        assert likert[f"counts_{phase}"] == counts
        assert likert[f"mean_{phase}"] == approx(st.mean(values[phase].values()))
    assert likert["mean_shift"] == approx(st.mean(values["post"].values()) - st.mean(values["pre"].values()))
    both = [p for p in values["pre"] if p in values["post"]]
    assert likert["n_matched"] == len(both)
    assert likert["matched_mean_shift"] == approx(st.mean(values["post"][p] - values["pre"][p] for p in both))


@pytest.mark.parametrize("dimension,attribute", [("sex", "sex"), ("ethnicity", "ethnicity_name"),
                                                 ("village", "village")])
def test_breakdowns_match_reference_per_group(case, dimension, attribute):
    results, e = case
    groups: dict[str, list[str]] = {}
    for label, person in e["persons"].items():
        value = {"sex": lambda: person.sex.value if person.sex else None,
                 "ethnicity_name": lambda: person.ethnicity_name or None,
                 "village": lambda: person.unit.name}[attribute]()
        groups.setdefault(value or "unknown", []).append(label)
    assert set(results.breakdowns[dimension]) == set(groups)
    for value, labels in groups.items():
        figures = results.breakdowns[dimension][value]
        matched = [p for p in labels if p in e["matched"]]
        assert (figures["n"], figures["n_pre"], figures["n_post"]) == (
            len(matched), sum(p in e["pre"] for p in labels), sum(p in e["post"] for p in labels))
        if len(matched) >= 2 and len({b - a for a, b in zip(*matched_totals(e, matched))}) > 1:
            assert_summary(figures, ref.summary(*matched_totals(e, matched), e["max_score"]))


def test_age_bands_use_the_training_year(case):
    results, e = case
    year = 2025  # the factory's trainings start on 20/09/2025
    expected: dict[str, int] = {}
    for label, person in e["persons"].items():
        age = year - person.birth_year if person.birth_year else None
        band = ("unknown" if age is None else "<18" if age < 18 else "18-29" if age < 30 else "30-44" if age < 45
                else "45-59" if age < 60 else "60+")
        expected[band] = expected.get(band, 0) + (label in e["matched"])
    assert {band: fig["n"] for band, fig in results.breakdowns["age_band"].items()} == expected


# ---------------------------------------------------------------- data set A, by hand
def test_small_data_set_by_hand(fill_training):
    """Figures of data set A worked out on paper: totals, mean gain, Hake g, Wilcoxon with ties
    and zeros (sign-flip enumeration), item 4 discordant pairs."""
    training, persons = fill_training(DATASETS["A"]["people"])
    results = load_training_results(training)
    by_code = {p["code"]: (p["pre"], p["post"]) for p in results.participants}
    assert {label: by_code[p.code] for label, p in persons.items()} == HAND_TOTALS_A
    s = results.summary
    # Matched gains: 3, 1, 1, 0, 2, 0, 3 -> mean 10/7; pre mean 12/7 of 5 points.
    assert s["mean_gain"] == approx(10 / 7)
    assert s["pct_pre"] == approx(100 * 12 / 35) and s["pct_post"] == approx(100 * 22 / 35)
    assert s["hake_g"] == approx((22 / 35 - 12 / 35) / (1 - 12 / 35))
    # Non-zero gains 3, 1, 1, 2, 3 all positive: R- = 0; ranks 4.5, 1.5, 1.5, 3, 4.5. Of the 2^5 sign
    # patterns only "all +" reaches R+ = 15 and only "all -" reaches 0: p = 2 * 1/32.
    assert s["wilcoxon_W"] == 0 and s["wilcoxon_p"] == approx_p(2 / 32)
    q4 = next(it for it in results.items if it["key"] == "Q4")
    # Q4 right before: P3, P4 (P5 left it blank); right after: P2, P3, P4, P7.
    assert (q4["wrong_to_right"], q4["right_to_wrong"], q4["mcnemar_p"]) == (2, 0, approx_p(0.5))
    q2 = next(it for it in results.items if it["key"] == "Q2")
    assert q2["dont_know_pre"] == approx(2 / 7) and q2["dont_know_post"] == approx(1 / 7)  # P3, P5 / P3
