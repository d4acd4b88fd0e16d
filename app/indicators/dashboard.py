"""The dashboard of one unit over one period: every figure for the unit, for each unit one level
below it and for each training topic, in a fixed number of SQL statements whatever the data.

Records belong to units through the materialised path: each statement keeps the records whose
unit path starts with the unit's (an indexed prefix LIKE) and counts them per record unit (an
integer GROUP BY, cheaper than grouping on strings row by row); one statement on the units of
the subtree then says which child each unit lies under (``sql.child_path``), and the per-unit
counts are added up per child, per topic and in total. A commune moved elsewhere
(``app.services.move_unit`` rewrites the paths) thus counts, with all its history, under its
current ancestors.

Nothing is computed a second way:

- questions, commitments, resolution, overdue, median days: ``dialogues.follow_up.indicators``
  (its per-unit counts, combined here per child);
- knowledge: each matched pre/post pair's scores as a percentage of its test's maximum, pooled
  across trainings as ``surveys.analytics.pooled`` does; the database sums them per unit and
  topic, and the means give the percentages before and after, the mean gain (mean of the
  differences = difference of the means on the same pairs) and Hake's g
  (``surveys.analytics.stats.hake_g``). The figures equal ``stats.score_results`` on the same pairs.

Statements: units, trainings and rosters, rosters by ethnic group, matched pairs, dialogues,
attendance groups, and the three follow-up ones (9).

Definitions: a training counts when its start date lies in the period and is not after today;
a dialogue when it was held (held or approved) on a day of the period. Participants of a
training are its roster ("lượt người": someone trained twice counts twice); of a dialogue, the
attendance written in its minutes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app import ethnicities
from app.extensions import db
from app.indicators import sql
from app.indicators.figures import FOLLOWUP_KEYS
from app.indicators.periods import Period
from app.models import Person, Sex, Unit
from dialogues.follow_up.indicators import (COUNTED_DIALOGUES, combine_counts, followup_counts_by_unit,
                                            indicators_from_counts)
from dialogues.models import AttendanceGroup, Dialogue
from surveys.analytics import stats
from surveys.models import Participant, Phase, Response, Topic, Training

SELF, CHILD = "self", "child"


@dataclass
class Row:
    """One line of a breakdown: a child unit, or records attached to the unit itself."""

    kind: str            # CHILD or SELF
    unit_id: int
    code: str
    name: str
    path: str
    figures: dict = field(default_factory=dict)

    @property
    def has_records(self) -> bool:
        return _has_records(self.figures)


@dataclass
class Dashboard:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_path: str
    period: Period
    today: date
    total: dict
    rows: list[Row]                    # children by name, then "directly at the unit" when it has records
    topics: list[dict]                 # {"topic_id", "name", **training figures}
    ethnic_groups: list[dict]          # {"code", "system", "name", "participants", "women"}
    attendance_groups: list[dict]      # {"label", "count"}
    progress: list[dict] = field(default_factory=list)  # filled by app.indicators.targets

    def to_json(self) -> dict:
        """The figures as plain data (``flask indicators``)."""
        return {
            "unit": {"code": self.unit_code, "name": self.unit_name},
            "period": {"kind": self.period.kind, "from": self.period.date_from.isoformat(),
                       "to": self.period.date_to.isoformat()},
            "today": self.today.isoformat(),
            "total": self.total,
            "by_unit": [{"code": r.code, "name": r.name, "directly": r.kind == SELF, **r.figures} for r in self.rows],
            "by_topic": self.topics,
            "by_ethnic_group": self.ethnic_groups,
            "attendance_by_group": self.attendance_groups,
            "progress": [{**p, "date_from": p["date_from"].isoformat(), "date_to": p["date_to"].isoformat()}
                         for p in self.progress],
        }


TRAINING_COUNTS = ("trainings_held", "training_participants", "training_women", "training_minority")
DIALOGUE_COUNTS = ("dialogues_held", "dialogue_participants", "dialogue_women", "dialogue_minority")
PAIR_SUMS = ("knowledge_pairs", "sum_pre", "sum_post")


def empty_dialogue_figures() -> dict:
    return {**dict.fromkeys(DIALOGUE_COUNTS, 0), **{k: v for k, v in indicators_from_counts(combine_counts([])).items()
                                                  if k in FOLLOWUP_KEYS}}


def knowledge_figures(pairs: int, sum_pre: float, sum_post: float) -> dict:
    """Means of the matched pairs' percentages, rounded as the statistics module rounds them."""
    if not pairs:
        return {"knowledge_pairs": 0, "pct_pre": None, "pct_post": None, "mean_gain": None, "hake_g": None}
    pct_pre, pct_post = sum_pre / pairs, sum_post / pairs
    g = stats.hake_g(pct_pre, pct_post)
    return {"knowledge_pairs": pairs, "pct_pre": round(pct_pre, 4), "pct_post": round(pct_post, 4),
            "mean_gain": round(pct_post - pct_pre, 4), "hake_g": None if g is None else round(g, 4)}


def compute_dashboard(unit: Unit, period: Period, today: date) -> Dashboard:
    """Every dashboard figure of ``unit`` over ``period`` (targets are added by the caller)."""
    subtree = db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.parent_id, sql.child_path(unit, Unit.path))
        .where(sql.in_subtree(unit, Unit.path)).order_by(Unit.name, Unit.code)).all()
    rows = {path: Row(CHILD, uid, code, name, path) for uid, code, name, path, parent_id, _c in subtree
            if parent_id == unit.id}
    rows[unit.path] = Row(SELF, unit.id, unit.code, unit.name, unit.path)
    child_of = {uid: child for uid, *_rest, child in subtree}  # unit id -> path of its row

    trainings = _TrainingQueries(unit, period, today)
    by_unit_topic, topic_names = trainings.counts()
    pairs = trainings.pairs()
    ethnic_groups = trainings.by_ethnic_group()
    dialogues = _DialogueQueries(unit, period)
    dialogue_counts = dialogues.counts()
    attendance_groups = dialogues.attendance_groups()
    followup = followup_counts_by_unit(unit, period.date_from, period.date_to, today=today)

    def add(target: dict, values: dict, keys) -> None:
        for key in keys:
            target[key] = target.get(key, 0) + values.get(key, 0)

    training_sums: dict[str, dict] = defaultdict(dict)      # row path -> counts and pair sums
    topic_sums: dict[int, dict] = defaultdict(dict)
    total_training: dict = {}
    for (unit_id, topic_id), values in by_unit_topic.items():
        values = {**values, **pairs.get((unit_id, topic_id), {})}
        for target in (training_sums[child_of[unit_id]], topic_sums[topic_id], total_training):
            add(target, values, TRAINING_COUNTS + PAIR_SUMS)
    dialogue_sums: dict[str, dict] = defaultdict(dict)
    followup_units: dict[str, list] = defaultdict(list)
    for unit_id, values in dialogue_counts.items():
        add(dialogue_sums[child_of[unit_id]], values, DIALOGUE_COUNTS)
    for unit_id, counts in followup.items():
        followup_units[child_of[unit_id]].append(counts)

    def figures(training: dict, dialogue: dict, followup_groups: list) -> dict:
        follow = indicators_from_counts(combine_counts(followup_groups))
        return {**{k: training.get(k, 0) for k in TRAINING_COUNTS},
                **knowledge_figures(*(training.get(k, 0) for k in PAIR_SUMS)),
                **{k: dialogue.get(k, 0) for k in DIALOGUE_COUNTS},
                **{k: follow[k] for k in FOLLOWUP_KEYS}}

    for path, row in rows.items():
        row.figures = figures(training_sums.get(path, {}), dialogue_sums.get(path, {}), followup_units.get(path, []))
    total_dialogue: dict = {}
    for values in dialogue_counts.values():
        add(total_dialogue, values, DIALOGUE_COUNTS)
    total = figures(total_training, total_dialogue, list(followup.values()))
    topics = sorted(({"topic_id": topic_id, "name": topic_names[topic_id],
                      **{k: values.get(k, 0) for k in TRAINING_COUNTS},
                      **knowledge_figures(*(values.get(k, 0) for k in PAIR_SUMS))}
                     for topic_id, values in topic_sums.items()), key=lambda t: t["name"])

    shown = [r for r in rows.values() if r.kind == CHILD]
    if rows[unit.path].has_records:
        shown.append(rows[unit.path])
    return Dashboard(unit_id=unit.id, unit_code=unit.code, unit_name=unit.name, unit_path=unit.path, period=period,
                     today=today, total=total, rows=shown, topics=topics, ethnic_groups=ethnic_groups,
                     attendance_groups=attendance_groups)


def _has_records(figures: dict) -> bool:
    return bool(figures["trainings_held"] or figures["dialogues_held"] or figures["questions_raised"]
                or figures["committed"])


class _TrainingQueries:
    """Trainings held in the period under the unit, their rosters and their scores, per
    (training unit, topic)."""

    def __init__(self, unit: Unit, period: Period, today: date):
        self.home = aliased(Unit, name="training_unit")
        self.where = sa.and_(sql.in_subtree(unit, self.home.path),
                             sql.in_period(Training.start_date, period.date_from, min(period.date_to, today)))

    def _from(self, stmt):
        return stmt.select_from(Training).join(self.home, self.home.id == Training.unit_id).where(self.where)

    def counts(self) -> tuple[dict[tuple[int, int], dict], dict[int, str]]:
        """(unit id, topic id) -> trainings, participants, women, ethnic minority; topic names."""
        minority = sql.is_minority(Person.ethnicity_code, Person.ethnicity_system)
        stmt = self._from(sa.select(
            Training.unit_id, Topic.id, Topic.name,
            sa.func.count(sa.distinct(Training.id)),
            sa.func.count(Participant.id),
            sa.func.count(Participant.id).filter(Person.sex == Sex.female),
            sa.func.count(Participant.id).filter(minority)))
        stmt = (stmt.join(Topic, Topic.id == Training.topic_id)
                .outerjoin(Participant, Participant.training_id == Training.id)
                .outerjoin(Person, Person.id == Participant.person_id)
                .group_by(Training.unit_id, Topic.id, Topic.name))
        counts, names = {}, {}
        for unit_id, topic_id, topic_name, *values in db.session.execute(stmt):
            counts[(unit_id, topic_id)] = dict(zip(TRAINING_COUNTS, values))
            names[topic_id] = topic_name
        return counts, names

    def pairs(self) -> dict[tuple[int, int], dict]:
        """(unit id, topic id) -> matched pairs and the sums of their percentages before and after.
        A pair is one person's pre and post responses in one training (unique per phase)."""
        pre, post = aliased(Response, name="pre"), aliased(Response, name="post")

        def percent_sum(response):  # floating point: exact decimals cost PostgreSQL a third more
            return 100 * sa.func.sum(sa.cast(response.score, sa.Float) / response.max_score)
        stmt = self._from(sa.select(Training.unit_id, Training.topic_id, sa.func.count(),
                                    percent_sum(pre), percent_sum(post)))
        stmt = (stmt.join(pre, sa.and_(pre.training_id == Training.id, pre.phase == Phase.pre))
                .join(post, sa.and_(post.training_id == Training.id, post.phase == Phase.post,
                                    post.person_id == pre.person_id))
                .where(pre.max_score > 0, post.max_score > 0)
                .group_by(Training.unit_id, Training.topic_id))
        return {(unit_id, topic_id): dict(zip(PAIR_SUMS, (n, float(a), float(b))))
                for unit_id, topic_id, n, a, b in db.session.execute(stmt)}

    def by_ethnic_group(self) -> list[dict]:
        """Participants per recorded ethnic group (and how many of them are women), largest first."""
        stmt = self._from(sa.select(Person.ethnicity_system, Person.ethnicity_code, sa.func.count(Participant.id),
                                    sa.func.count(Participant.id).filter(Person.sex == Sex.female)))
        stmt = (stmt.join(Participant, Participant.training_id == Training.id)
                .join(Person, Person.id == Participant.person_id)
                .group_by(Person.ethnicity_system, Person.ethnicity_code))
        groups: dict[tuple, dict] = {}
        for system, code, people, women in db.session.execute(stmt):
            system = system or ethnicities.DEFAULT_SYSTEM
            name = ethnicities.name_of(code, system) if code else ""
            # Two spellings of "not recorded" (NULL, "") and of the default system fold together.
            group = groups.setdefault((system if code else "", code or ""), {
                "code": code or "", "system": system if code else "", "name": name, "participants": 0, "women": 0})
            group["participants"] += people
            group["women"] += women
        return sorted(groups.values(), key=lambda g: (not g["code"], -g["participants"], g["name"]))


class _DialogueQueries:
    """Dialogues held in the period under the unit and the attendance written in their minutes."""

    def __init__(self, unit: Unit, period: Period):
        self.organiser = aliased(Unit, name="organiser")
        self.where = sa.and_(sql.in_subtree(unit, self.organiser.path),
                             sql.in_period(Dialogue.held_on, period.date_from, period.date_to),
                             Dialogue.status.in_(COUNTED_DIALOGUES))

    def _from(self, stmt):
        return stmt.select_from(Dialogue).join(self.organiser, self.organiser.id == Dialogue.unit_id).where(self.where)

    def counts(self) -> dict[int, dict]:
        def total(column):
            return sa.func.coalesce(sa.func.sum(column), 0)
        stmt = self._from(sa.select(Dialogue.unit_id, sa.func.count(Dialogue.id), total(Dialogue.attendance_total),
                                    total(Dialogue.attendance_women), total(Dialogue.attendance_minority)))
        return {unit_id: dict(zip(DIALOGUE_COUNTS, values))
                for unit_id, *values in db.session.execute(stmt.group_by(Dialogue.unit_id))}

    def attendance_groups(self) -> list[dict]:
        """Attendance by the groups the minutes list ("Hội viên phụ nữ", "Người có uy tín"...)."""
        stmt = self._from(sa.select(AttendanceGroup.label, sa.func.sum(AttendanceGroup.count)))
        stmt = stmt.join(AttendanceGroup, AttendanceGroup.dialogue_id == Dialogue.id).group_by(AttendanceGroup.label)
        return [{"label": label, "count": count}
                for label, count in sorted(db.session.execute(stmt), key=lambda r: (-r[1], r[0]))]
