"""Disclosure control (``app.disclosure``): an attacker who knows every published figure, every
group's size and even which groups overlap (the cross-classification) tries to solve the published
sums for a masked group. On random classes with small groups, none is ever recovered; with the
small cells alone masked (the old rule) the same attacker succeeds."""
import random

import numpy as np
import pytest

from app import disclosure
from surveys.analytics import stats

DIMENSIONS = {"sex": (("F", 0.85), ("M", 0.12), ("O", 0.03)),
              "age_band": (("<18", 0.03), ("18-29", 0.3), ("30-44", 0.4), ("45-59", 0.22), ("60+", 0.05)),
              "ethnicity": (("Kinh", 0.6), ("Tày", 0.3), ("Dao", 0.07), (None, 0.03)),
              "village": (("Nà Nguộc", 0.5), ("Khuổi Hát", 0.45), (None, 0.05))}
ITEMS = [stats.Item(str(j)) for j in range(8)]


def random_class(rng: random.Random, n: int):
    people = [f"P{i:03d}" for i in range(n)]
    attrs = {dim: {p: rng.choices([v for v, _ in opts], [w for _, w in opts])[0] for p in people}
             for dim, opts in DIMENSIONS.items()}
    pre = {p: {it.key: rng.random() < 0.45 for it in ITEMS} for p in people}
    post = {p: {it.key: rng.random() < 0.7 for it in ITEMS} for p in people if rng.random() < 0.92}
    pre = {p: {k: float(v) for k, v in a.items()} for p, a in pre.items()}
    post = {p: {k: float(v) for k, v in a.items()} for p, a in post.items()}
    return attrs, pre, post


def published(attrs, pre, post, mask):
    groups = {dim: stats.group_by(a) for dim, a in attrs.items()}
    figures = {dim: stats.breakdown(ITEMS, pre, post, g) for dim, g in groups.items()}
    matched = pre.keys() & post.keys()
    members = {dim: {label: set(m) & matched for label, m in g.items()} for dim, g in groups.items()}
    shown = mask(figures, members)
    return shown, members, matched, stats.training_results(ITEMS, pre, post)["summary"]


def attack(shown, members, matched, total_summary):
    """Every masked group whose pre and post sums the attacker can solve for, with the value found."""
    people = sorted(matched)
    signature = {p: tuple(next((lab for lab, m in cells.items() if p in m), None) for cells in members.values())
                 for p in people}
    atoms = sorted(set(signature.values()), key=str)

    def vector(m):
        return np.array([sum(signature[p] == a for p in m) > 0 for a in atoms], dtype=float)

    n = len(people)
    rows = [np.ones(len(atoms))]
    sums = [(n * total_summary["mean_pre"], n * total_summary["mean_post"])]
    for dim, cells in shown.items():
        for label, fig in cells.items():
            if not fig["masked"] and fig["n"]:
                rows.append(vector(members[dim][label]))
                sums.append((fig["n"] * fig["mean_pre"], fig["n"] * fig["mean_post"]))
    a, b = np.array(rows), np.array(sums)
    found = []
    for dim, cells in shown.items():
        for label, fig in cells.items():
            if fig["masked"] and fig["n"] and len(members[dim][label]) < n:
                v = vector(members[dim][label])
                w, *_ = np.linalg.lstsq(a.T, v, rcond=None)
                if np.allclose(a.T @ w, v, atol=1e-7):
                    found.append(((dim, label), w @ b))
    return found


def true_sums(members, pre, post, key):
    m = members[key[0]][key[1]]
    return (sum(sum(pre[p].values()) for p in m), sum(sum(post[p].values()) for p in m))


@pytest.mark.parametrize("seed", range(40))
def test_no_masked_group_is_recovered_from_the_published_figures(seed):
    rng = random.Random(seed)
    attrs, pre, post = random_class(rng, rng.randint(8, 60))
    shown, members, matched, total = published(attrs, pre, post, stats.suppress_breakdowns)
    assert attack(shown, members, matched, total) == []
    for dim, cells in shown.items():
        hidden = [fig for fig in cells.values() if fig["masked"] and fig["n"]]
        small = [fig for fig in cells.values() if 0 < fig["n"] < disclosure.MIN_CELL]
        assert all(fig["masked"] for fig in small) or sum(f["n"] for f in cells.values()) == len(matched) == \
            sum(f["n"] for f in small)
        if hidden:  # never one masked group alone, never a masked set under 5 people
            assert len(hidden) >= 2 and sum(f["n"] for f in hidden) >= disclosure.MIN_CELL
        assert all(fig["pct_pre"] is None and fig["mean_post"] is None for fig in hidden)


def test_the_attacker_wins_when_only_small_cells_are_masked():
    """The attack is real: under the old rule (mask_small per breakdown) it recovers exact sums."""
    wins = 0
    for seed in range(40):
        rng = random.Random(seed)
        attrs, pre, post = random_class(rng, rng.randint(8, 60))
        shown, members, matched, total = published(
            attrs, pre, post, lambda f, m: {dim: stats.mask_small(g) for dim, g in f.items()})
        for key, value in attack(shown, members, matched, total):
            assert value == pytest.approx(true_sums(members, pre, post, key), abs=0.01 * len(matched))
            wins += 1
    assert wins >= 20


def test_one_small_group_masks_the_next_smallest_and_counts_stay():
    cells = {"sex": {"F": 30, "M": 2, "O": 0}, "age": {"18-29": 12, "30-44": 20}}
    assert disclosure.suppress(cells) == {("sex", "M"): disclosure.PRIMARY, ("sex", "F"): disclosure.SECONDARY}
    # Two small groups of one person each: their sum and sum of squares would give both scores.
    cells = {"eth": {"Kinh": 20, "Tày": 9, "Dao": 1, "Mông": 1}}
    assert disclosure.suppress(cells) == {("eth", "Dao"): "primary", ("eth", "Mông"): "primary",
                                         ("eth", "Tày"): "secondary"}


def derivable(members, masked, key) -> bool:
    """Is the masked cell ``key`` a signed sum of the published cells and the total?"""
    people = sorted(set().union(*(m for cells in members.values() for m in cells.values())))
    rows = [np.ones(len(people))] + [np.array([p in m for p in people], dtype=float)
                                     for dim, cells in members.items() for label, m in cells.items()
                                     if (dim, label) not in masked]
    v = np.array([p in members[key[0]][key[1]] for p in people], dtype=float)
    return np.linalg.matrix_rank(np.array(rows + [v])) == np.linalg.matrix_rank(np.array(rows))


def test_a_masked_group_cannot_be_derived_across_two_breakdowns():
    """The five Tày people are exactly the five men. Within the ethnicity breakdown, masking Dao (2)
    and the next smallest, Tày, is enough; but the men's published figures are the Tày figures, so
    Dao = total - Kinh - men. The audit across breakdowns masks further cells."""
    members = {"ethnicity": {"Dao": {1, 2}, "Tày": {3, 4, 5, 6, 7}, "Kinh": set(range(8, 30))},
               "sex": {"M": {3, 4, 5, 6, 7}, "F": {1, 2} | set(range(8, 30))}}
    sizes = {dim: {label: len(m) for label, m in cells.items()} for dim, cells in members.items()}
    within = disclosure.suppress(sizes)
    assert set(within) == {("ethnicity", "Dao"), ("ethnicity", "Tày")}
    assert derivable(members, within, ("ethnicity", "Dao"))
    across = disclosure.suppress(sizes, members)
    assert set(within) < set(across)
    assert not any(derivable(members, across, key) for key in across)


def test_a_group_that_is_the_whole_class_is_left_to_the_total():
    assert disclosure.suppress({"sex": {"F": 3}}, {"sex": {"F": {1, 2, 3}}}) == {}


def test_count_tables_mask_a_pair_of_cells():
    assert disclosure.masked_share({"02020": 6, "02086": 3, "02087": 0}) == {"02020", "02086"}


def test_dashboard_rows_hide_the_cell_that_would_give_a_small_one_away():
    from app.indicators.exports import HIDDEN, masked_rows

    def row(people, pairs, pct):
        return {"training_participants": people, "knowledge_pairs": pairs, "pct_pre": pct, "pct_post": pct,
                "mean_gain": 0.0, "hake_g": 0.0}

    out = masked_rows([row(30, 20, 40.0), row(3, 3, 50.0), row(12, 9, 60.0), row(0, 0, None)])
    assert [r["training_participants"] for r in out] == [30, "<5", HIDDEN, 0]
    assert [r["knowledge_pairs"] for r in out] == [20, "<5", HIDDEN, 0]
    assert [r["pct_pre"] for r in out] == [40.0, "n<5", HIDDEN, None]
