"""The warning flags have a stated false-alarm rate: simulated trainings in which nothing changed
and every question is sound raise any warning in fewer than 5 % of trainings, and a real change of
a stated size is flagged. Seeded, a few seconds."""
import numpy as np

from surveys.analytics import stats
from surveys.analytics.stats import WARNING_FLAGS, Item, training_results

CHANCE = 1 / 3  # three-option questions


def simulate(rng, n, k, shift=None):
    """A class of ``n`` on ``k`` sound questions: a person knows question j with probability
    logistic(1.7 (ability - difficulty)), difficulties in [-2.5, -1] so that most of the class
    knows each one (more than half, the "understood" line); who does not know guesses (1/3).
    Ability and knowledge are the same before and after: no real change. ``shift`` =
    (question, share right before, share right after) forces one question's shares."""
    ability = rng.normal(size=n)
    difficulty = rng.uniform(-2.5, -1.0, size=k)

    def sit():
        know = rng.random((n, k)) < 1 / (1 + np.exp(-1.7 * (ability[:, None] - difficulty[None, :])))
        return know | (rng.random((n, k)) < CHANCE)

    pre, post = sit(), sit()
    if shift is not None:
        j, before, after = shift
        pre[:, j], post[:, j] = rng.random(n) < before, rng.random(n) < after
    items = [Item(f"q{j}", chance=CHANCE) for j in range(k)]

    def answers(m):
        return {f"p{i}": {f"q{j}": float(m[i, j]) for j in range(k)} for i in range(n)}

    return training_results(items, answers(pre), answers(post))


def warned(result) -> bool:
    return any(f in WARNING_FLAGS for q in result["questions"] for f in q["flags"])


def test_no_change_raises_a_warning_in_fewer_than_five_percent_of_trainings():
    rng = np.random.default_rng(20261201)
    for n, k, runs in ((30, 20, 150), (12, 10, 150)):
        alarms = sum(warned(simulate(rng, n, k)) for _ in range(runs))
        assert alarms / runs < 0.05, (n, k, alarms)


def test_a_real_change_is_flagged():
    """30 people: a question taught wrong (85 % right before, 25 % after) is flagged "more wrong
    after training" in at least 80 % of trainings, and one taught well (25 % -> 85 %) "improved"."""
    rng = np.random.default_rng(7)
    runs = 60
    worse = sum(stats.FLAG_GOT_WORSE in simulate(rng, 30, 20, (0, 0.85, 0.25))["questions"][0]["flags"]
                for _ in range(runs))
    better = sum(stats.FLAG_IMPROVED in simulate(rng, 30, 20, (0, 0.25, 0.85))["questions"][0]["flags"]
                 for _ in range(runs))
    assert worse / runs >= 0.8 and better / runs >= 0.8, (worse, better)


def test_a_question_nobody_learns_is_still_misunderstood():
    """30 people, 10 % right after on a 3-option question (guessing alone gives 33 %)."""
    rng = np.random.default_rng(11)
    runs = 30
    hits = sum(stats.FLAG_STILL_MISUNDERSTOOD in simulate(rng, 30, 20, (0, 0.1, 0.1))["questions"][0]["flags"]
               for _ in range(runs))
    assert hits / runs >= 0.8, hits
