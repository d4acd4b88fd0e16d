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


def test_dashboard_rows_hide_the_cell_that_would_give_a_small_one_away(app):  # app: the figures registered
    from app.indicators.exports import HIDDEN, masked_rows

    def row(people, pairs, pct):
        return {"training_participants": people, "knowledge_pairs": pairs, "pct_pre": pct, "pct_post": pct,
                "mean_gain": 0.0, "hake_g": 0.0}

    out = masked_rows([row(30, 20, 40.0), row(3, 3, 50.0), row(12, 9, 60.0), row(0, 0, None)])
    assert [r["training_participants"] for r in out] == [30, "<5", HIDDEN, 0]
    assert [r["knowledge_pairs"] for r in out] == [20, "<5", HIDDEN, 0]
    assert [r["pct_pre"] for r in out] == [40.0, "n<5", HIDDEN, None]


# ------------------------------------------------------------------ sub-counts and several tables
# ``suppress_cells``: one population shown in several tables (units, topics, ethnic groups) with
# sub-counts beside counts (women, ethnic minority). The attacker knows which combinations of
# unit x topic x ethnic group x sex exist (not how many people each holds), every published figure,
# and solves the published sums for a masked cell or for a complement (the men beside a shown
# number of women) of 1 to 4 people.
ETHNIC = (("Kinh", False, 0.5), ("Tày", True, 0.3), ("Dao", True, 0.15), ("Mông", True, 0.05))


def random_population(rng: random.Random):
    """people: list of (unit, topic, ethnic group, woman?) for a province of small classes."""
    people = []
    for unit in range(rng.randint(3, 6)):
        for topic in range(3):
            if rng.random() < 0.4:
                continue
            share_women = rng.choice([0.6, 0.85, 0.97])
            for _ in range(rng.choice([1, 3, 5, 6, 8, 12, 25])):
                group = rng.choices([g for g, _m, _w in ETHNIC], [w for _g, _m, w in ETHNIC])[0]
                people.append((unit, topic, group, rng.random() < share_women))
    return people


MINORITY = {g for g, m, _w in ETHNIC if m}


def population_cells(people):
    """Every cell of the tables (published) and every complement (unpublished): cell -> set of
    person indexes; the breakdowns the rule completes."""
    scopes = {("total",): lambda p: True}
    for unit in {p[0] for p in people}:
        scopes[("unit", unit)] = lambda p, u=unit: p[0] == u
    for topic in {p[1] for p in people}:
        scopes[("topic", topic)] = lambda p, t=topic: p[1] == t
    for group in {p[2] for p in people}:
        scopes[("ethnic", group)] = lambda p, g=group: p[2] == g
    parts = {"women": lambda p: p[3], "minority": lambda p: p[2] in MINORITY}
    cells, unpublished = {}, set()
    for scope, inside in scopes.items():
        everyone = {i for i, p in enumerate(people) if inside(p)}
        cells[(scope, "people")] = everyone
        for part, test in parts.items():
            if part == "minority" and scope[0] == "ethnic":
                continue  # an ethnic group's minority count is the group itself: not shown
            cells[(scope, part)] = {i for i in everyone if test(people[i])}
            cells[("not", scope, part)] = everyone - cells[(scope, part)]
            unpublished.add(("not", scope, part))
    breakdowns = [[c for c in cells if len(c) == 2 and c[0][0] == kind and c[1] == figure]
                  for kind in ("unit", "topic", "ethnic") for figure in ("people", "women", "minority")]
    breakdowns += [[(c[1], c[2]), c] for c in unpublished]
    return cells, unpublished, [b for b in breakdowns if b]


def linear_attack(people, cells, shown, targets) -> list:
    """The targets that are signed sums of the shown cells, over the atoms the attacker knows."""
    atoms = sorted(set(people), key=str)
    index = {a: j for j, a in enumerate(atoms)}

    def vector(members):
        v = np.zeros(len(atoms))
        for i in members:
            v[index[people[i]]] = 1.0
        return v
    a = np.array([vector(cells[c]) for c in shown if cells[c]])
    found = []
    for key in targets:
        v = vector(cells[key])
        w, *_ = np.linalg.lstsq(a.T, v, rcond=None)
        if np.allclose(a.T @ w, v, atol=1e-7):
            found.append(key)
    return found


def mask_population(people):
    cells, unpublished, breakdowns = population_cells(people)
    sizes = {c: len(m) for c, m in cells.items()}
    members = {c: {people[i] for i in m} for c, m in cells.items()}  # atoms, not persons: what the attacker knows
    masked = disclosure.suppress_cells(sizes, members, breakdowns, unpublished=unpublished,
                                       fixed={(("total",), "people")})
    return cells, unpublished, sizes, masked


@pytest.mark.parametrize("seed", range(30))
def test_no_masked_cell_nor_small_complement_is_recovered_across_tables(seed):
    people = random_population(random.Random(seed))
    cells, unpublished, sizes, masked = mask_population(people)
    shown = [c for c in cells if c not in unpublished and c not in masked]
    small = [c for c in cells if 0 < sizes[c] < disclosure.MIN_CELL]
    assert all(c in masked for c in small if c not in unpublished)
    targets = [c for c in masked if sizes[c]] + [c for c in small if c in unpublished]
    assert linear_attack(people, cells, shown, targets) == []
    # Not everything is hidden: the total is shown, and most of the large unit counts are.
    assert (("total",), "people") not in masked
    large = [c for c in cells if c not in unpublished and c[1] == "people" and sizes[c] >= 20]
    assert sum(c not in masked for c in large) >= len(large) / 2


def test_the_attacker_wins_when_sub_counts_are_masked_on_their_own():
    """The attack is real: with each table masked within itself (``masked_share``, the old rule)
    the men beside the women, or a masked cell from another table, come out in most provinces."""
    wins = 0
    for seed in range(30):
        people = random_population(random.Random(seed))
        cells, unpublished, sizes, _masked = mask_population(people)
        masked = set()
        for b in population_cells(people)[2]:
            if all(c not in unpublished for c in b):
                masked |= {c for c in b if c in disclosure.masked_share({c: sizes[c] for c in b})}
        shown = [c for c in cells if c not in unpublished and c not in masked]
        small = [c for c in cells if 0 < sizes[c] < disclosure.MIN_CELL]
        wins += bool(linear_attack(people, cells, shown, [c for c in masked if sizes[c]] +
                                   [c for c in small if c in unpublished]))
    assert wins >= 20


def test_six_people_five_women_hides_the_women_and_one_more_row():
    """"6 người, 5 nữ" says one man took part: the 5 women are masked, and so is the next smallest
    row's women (else 5 = all women minus the other rows); counts of people and the other rows stay."""
    rows = {"A": (6, 5), "B": (20, 12), "C": (30, 18), "D": (15, 8)}
    people = [(u, 0, "Kinh", i < w) for u, (n, w) in rows.items() for i in range(n)]
    cells, unpublished, sizes, masked = mask_population(people)
    women = {u: masked.get((("unit", u), "women")) for u in rows}
    assert women == {"A": disclosure.SECONDARY, "B": None, "C": None, "D": disclosure.SECONDARY}
    assert not any((("unit", u), "people") in masked for u in rows)
    assert (("total",), "women") not in masked
    shown = [c for c in cells if c not in unpublished and c not in masked]
    assert linear_attack(people, cells, shown, [(("unit", "A"), "women"), ("not", ("unit", "A"), "women")]) == []


def test_all_women_is_no_complement_to_protect():
    """A complement of 0 ("all are women") reveals no one: nothing is masked for it."""
    people = [(u, 0, "Kinh", True) for u, n in (("A", 6), ("B", 9)) for _ in range(n)]
    assert mask_population(people)[3] == {}
