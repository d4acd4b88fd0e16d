"""Results across trainings: every training of a unit (commune or province), optionally one topic
and one period, pooled on matched pairs, plus one comparison row per training.

Tests differ between trainings, so pooling works on each person's score as a percentage of the
test's maximum; a person who attended two trainings is two pairs. The statistics are those of
``stats.score_results`` (the same formulas as one training's summary). Three queries whatever the
number of trainings or people: the trainings, the stored response scores, the people.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Unit
from surveys.analytics import stats
from surveys.analytics.results import ordered_groups, people_facts
from surveys.models import Phase, Response, Topic, Training
from surveys.queries import counted

POOLED_DIMENSIONS = ("topic", "commune", "sex", "ethnicity", "age_band")
TRAINING_STATS = ("pct_pre", "pct_post", "hake_g", "mean_gain", "paired_t_p", "wilcoxon_p")


@dataclass(frozen=True)
class Selection:
    """Which trainings to pool: those of ``unit``'s subtree, of ``topic`` (None = all), whose
    start date lies in [date_from, date_to] (None = open)."""

    unit: Unit
    topic: Topic | None = None
    date_from: date | None = None
    date_to: date | None = None

    def where(self):
        conditions = [self.unit.subtree_filter(Training.unit_id)]
        if self.topic is not None:
            conditions.append(Training.topic_id == self.topic.id)
        if self.date_from is not None:
            conditions.append(Training.start_date >= self.date_from)
        if self.date_to is not None:
            conditions.append(Training.start_date <= self.date_to)
        return sa.and_(*conditions)


@dataclass
class PooledResults:
    selection: Selection
    n_pre: int
    n_post: int
    n_matched: int
    summary: dict                 # stats summary on pooled percentages (max_score = 100)
    trainings: list[dict]         # comparison table: one row per training
    breakdowns: dict[str, dict[str, dict]] = field(default_factory=dict)
    members: dict[str, dict[str, set]] = field(default_factory=dict)  # dimension -> group -> pair keys
    # Random-effects combination of the trainings' mean gains in percentage points (people sit in
    # trainings: pooling pairs alone treats 20,000 pairs as independent).
    combined: dict = field(default_factory=dict)

    def masked(self, min_n: int = 5) -> tuple[dict[str, dict[str, dict]], list[dict]]:
        """The breakdowns and the comparison rows as the page shows them. The trainings are one more
        breakdown of the pooled pairs (a topic or a commune is a union of trainings), so a
        training's row is masked with the groups when that is what keeps a small group hidden."""
        by_training = {str(r["training_id"]): {"n": r["n_matched"]} for r in self.trainings}
        masked = stats.suppress_breakdowns({**self.breakdowns, "training": by_training}, self.members, min_n)
        hidden = masked.pop("training")
        rows = [{**r, **dict.fromkeys(TRAINING_STATS), "masked": True} if hidden[str(r["training_id"])].get("masked")
                else {**r, "masked": False} for r in self.trainings]
        return masked, rows

    def masked_breakdowns(self, min_n: int = 5) -> dict[str, dict[str, dict]]:
        return self.masked(min_n)[0]


def load_pooled_results(selection: Selection) -> PooledResults:
    trainings = db.session.execute(
        sa.select(Training.id, Training.title, Training.start_date, Topic.name, Unit.name)
        .join(Topic, Topic.id == Training.topic_id).join(Unit, Unit.id == Training.unit_id)
        .where(selection.where()).order_by(Training.start_date.desc(), Training.id.desc())).all()
    selected = sa.select(Training.id).where(selection.where())
    scores = db.session.execute(
        sa.select(Response.training_id, Response.phase, Response.person_id, Response.score, Response.max_score)
        .where(Response.training_id.in_(selected), Response.max_score > 0, counted())).all()
    facts = people_facts(sa.select(Response.person_id).where(Response.training_id.in_(selected), counted()))
    return compute_pooled_results(selection, trainings, scores, facts)


def compute_pooled_results(selection: Selection, trainings, scores, facts: dict[int, dict]) -> PooledResults:
    """Pair keys are "training id/person id"; percentages = 100 * score / max score."""
    info = {tid: {"training_id": tid, "title": title, "start_date": start, "topic": topic, "unit_name": unit}
            for tid, title, start, topic, unit in trainings}
    pct: dict[Phase, dict[str, float]] = {Phase.pre: {}, Phase.post: {}}
    raw: dict[int, dict[Phase, dict[str, float]]] = {tid: {Phase.pre: {}, Phase.post: {}} for tid in info}
    max_of: dict[int, float] = {}
    for tid, phase, person_id, score, max_score in scores:
        key = f"{tid}/{person_id}"
        pct[phase][key] = 100 * score / max_score
        raw[tid][phase][key] = float(score)
        max_of[tid] = float(max_score)

    rows, gains = [], []
    for tid, row in info.items():
        if tid in max_of:
            # The comparison rows and group tables show no intervals: computed for the pooled summary only.
            fig = stats.score_results(raw[tid][Phase.pre], raw[tid][Phase.post], max_of[tid], detail=False)
            to_pct = 100 / max_of[tid]
            s = fig["summary"]
            gains.append({"n_matched": fig["n_matched"],
                          "mean_gain": None if s["mean_gain"] is None else s["mean_gain"] * to_pct,
                          "sd_gain": None if s["sd_gain"] is None else s["sd_gain"] * to_pct})
            rows.append({**row, "n_pre": fig["n_pre"], "n_post": fig["n_post"], "n_matched": fig["n_matched"],
                         **{k: fig["summary"][k] for k in TRAINING_STATS}})
        else:
            rows.append({**row, "n_pre": 0, "n_post": 0, "n_matched": 0, **dict.fromkeys(TRAINING_STATS)})

    pooled = stats.score_results(pct[Phase.pre], pct[Phase.post], 100.0)
    keys = pct[Phase.pre].keys() | pct[Phase.post].keys()
    start_year = {tid: row["start_date"].year for tid, row in info.items()}

    def attribute(get):
        return {k: get(int(k.split("/")[0]), facts[int(k.split("/")[1])]) for k in keys}

    attributes = {
        "topic": attribute(lambda tid, f: info[tid]["topic"]),
        "commune": attribute(lambda tid, f: f["commune"]),
        "sex": attribute(lambda tid, f: f["sex"]),
        "ethnicity": attribute(lambda tid, f: f["ethnicity"]),
        "age_band": attribute(lambda tid, f: stats.age_band(f["birth_year"], start_year[tid])),
    }
    grouped = {dim: ordered_groups(attributes[dim]) for dim in POOLED_DIMENSIONS} if keys else {}
    breakdowns = {dim: stats.score_breakdown(pct[Phase.pre], pct[Phase.post], 100.0, groups, detail=False)
                  for dim, groups in grouped.items()}
    matched = pct[Phase.pre].keys() & pct[Phase.post].keys()
    members = {dim: {label: set(k) & matched for label, k in groups.items()} for dim, groups in grouped.items()}
    if keys:
        members["training"] = {str(tid): set() for tid in info}
        for k in matched:
            members["training"][k.split("/")[0]].add(k)
    return PooledResults(selection=selection, n_pre=pooled["n_pre"], n_post=pooled["n_post"],
                         n_matched=pooled["n_matched"], summary=pooled["summary"], trainings=rows,
                         breakdowns=breakdowns, members=members, combined=stats.combine_trainings(gains))
