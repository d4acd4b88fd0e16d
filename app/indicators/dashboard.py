"""The dashboard of one unit over one period: every figure for the unit, for each unit one level
below it, for each training topic, computed in a fixed number of SQL statements.

Each figure family is one grouped query keyed by the child unit a record lies under
(``sql.child_path``); totals are sums of the groups, except statistics, which are computed on
the pooled rows. Nothing is computed a second way:

- knowledge gain and Hake g: ``surveys.analytics.stats`` on each pair's score as a percentage
  of its test's maximum (pre/post pairs pooled across trainings as ``surveys.analytics.pooled``
  does: tests differ between trainings);
- questions, commitments, resolution, overdue, median days: ``dialogues.follow_up.indicators``.

Queries, whatever the amount of data: children, trainings and rosters, rosters by ethnic group,
response scores, dialogues, attendance groups, and the three follow-up statements (9).

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
from dialogues.follow_up.indicators import COUNTED_DIALOGUES, followup_breakdown
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


def empty_training_figures() -> dict:
    return {"trainings_held": 0, "training_participants": 0, "training_women": 0, "training_minority": 0,
            "knowledge_pairs": 0, "pct_pre": None, "pct_post": None, "mean_gain": None, "hake_g": None}


def empty_dialogue_figures() -> dict:
    return {"dialogues_held": 0, "dialogue_participants": 0, "dialogue_women": 0, "dialogue_minority": 0,
            **{k: (None if k in ("median_days_to_resolve",) or k.startswith("share_") else 0) for k in FOLLOWUP_KEYS}}


def compute_dashboard(unit: Unit, period: Period, today: date) -> Dashboard:
    """Every dashboard figure of ``unit`` over ``period`` (targets are added by the caller)."""
    children = db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name, Unit.path).where(Unit.parent_id == unit.id)
        .order_by(Unit.name, Unit.code)).all()
    rows = {path: Row(CHILD, uid, code, name, path) for uid, code, name, path in children}
    rows[unit.path] = Row(SELF, unit.id, unit.code, unit.name, unit.path)
    for row in rows.values():
        row.figures = {**empty_training_figures(), **empty_dialogue_figures()}

    trainings = _TrainingQueries(unit, period, today)
    topics = trainings.counts(rows)
    ethnic_groups = trainings.by_ethnic_group()
    total_knowledge = trainings.knowledge(rows, topics)
    dialogues = _DialogueQueries(unit, period)
    dialogues.counts(rows)
    attendance_groups = dialogues.attendance_groups()
    followup_total, followup_groups = followup_breakdown(
        unit, period.date_from, period.date_to, lambda path: sql.child_path(unit, path), today=today)
    for path, figures in followup_groups.items():
        rows[path].figures.update({k: figures[k] for k in FOLLOWUP_KEYS})

    total = {**empty_training_figures(), **empty_dialogue_figures()}
    for row in rows.values():
        for key in ("trainings_held", "training_participants", "training_women", "training_minority",
                    "dialogues_held", "dialogue_participants", "dialogue_women", "dialogue_minority"):
            total[key] += row.figures[key]
    total.update(total_knowledge)
    total.update({k: followup_total[k] for k in FOLLOWUP_KEYS})

    shown = [r for r in rows.values() if r.kind == CHILD]
    own = rows[unit.path]
    if _has_records(own.figures):
        shown.append(own)
    return Dashboard(unit_id=unit.id, unit_code=unit.code, unit_name=unit.name, unit_path=unit.path, period=period,
                     today=today, total=total, rows=shown, topics=list(topics.values()), ethnic_groups=ethnic_groups,
                     attendance_groups=attendance_groups)


def _has_records(figures: dict) -> bool:
    return bool(figures["trainings_held"] or figures["dialogues_held"] or figures["questions_raised"]
                or figures["committed"])


class _TrainingQueries:
    """Trainings held in the period under the unit, their rosters and their scores."""

    def __init__(self, unit: Unit, period: Period, today: date):
        self.unit = unit
        self.home = aliased(Unit, name="training_unit")
        self.key = sql.child_path(unit, self.home.path).label("child")
        self.where = sa.and_(sql.in_subtree(unit, self.home.path),
                             Training.start_date.between(period.date_from, min(period.date_to, today)))

    def _from(self, stmt):
        return stmt.select_from(Training).join(self.home, self.home.id == Training.unit_id).where(self.where)

    def counts(self, rows: dict[str, Row]) -> dict[int, dict]:
        """Trainings and participants (women, ethnic minority) per child unit and topic, in one
        query; fills ``rows`` and returns the per-topic figures."""
        minority = sql.is_minority(Person.ethnicity_code, Person.ethnicity_system)
        stmt = self._from(sa.select(
            self.key, Topic.id, Topic.name,
            sa.func.count(sa.distinct(Training.id)),
            sa.func.count(Participant.id),
            sa.func.count(Participant.id).filter(Person.sex == Sex.female),
            sa.func.count(Participant.id).filter(minority)))
        stmt = (stmt.join(Topic, Topic.id == Training.topic_id)
                .outerjoin(Participant, Participant.training_id == Training.id)
                .outerjoin(Person, Person.id == Participant.person_id)
                .group_by(self.key, Topic.id, Topic.name))
        topics: dict[int, dict] = {}
        for path, topic_id, topic_name, held, people, women, minority_count in db.session.execute(stmt):
            add = {"trainings_held": held, "training_participants": people, "training_women": women,
                   "training_minority": minority_count}
            topic = topics.setdefault(topic_id, {"topic_id": topic_id, "name": topic_name, **empty_training_figures()})
            for key, value in add.items():
                rows[path].figures[key] += value
                topic[key] += value
        return dict(sorted(topics.items(), key=lambda kv: kv[1]["name"]))

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

    def knowledge(self, rows: dict[str, Row], topics: dict[int, dict]) -> dict:
        """Pre/post statistics per child unit, per topic and in total, on pooled percentages."""
        stmt = self._from(sa.select(self.key, Training.topic_id, Response.training_id, Response.person_id,
                                    Response.phase, Response.score, Response.max_score))
        stmt = stmt.join(Response, Response.training_id == Training.id).where(Response.max_score > 0)
        pre: dict[str, float] = {}
        post: dict[str, float] = {}
        by_child: dict[str, list[str]] = defaultdict(list)
        by_topic: dict[int, list[str]] = defaultdict(list)
        for path, topic_id, training_id, person_id, phase, score, max_score in db.session.execute(stmt):
            pair = f"{training_id}/{person_id}"
            (pre if phase is Phase.pre else post)[pair] = 100 * score / max_score
            by_child[path].append(pair)
            by_topic[topic_id].append(pair)
        if not pre and not post:
            return _knowledge_figures(None)
        for path, figures in stats.score_breakdown(pre, post, 100.0, by_child).items():
            rows[path].figures.update(_knowledge_figures(figures))
        for topic_id, figures in stats.score_breakdown(pre, post, 100.0, by_topic).items():
            topics[topic_id].update(_knowledge_figures(figures))
        overall = stats.score_results(pre, post, 100.0)
        return _knowledge_figures({"n": overall["n_matched"], **overall["summary"]})


def _knowledge_figures(figures: dict | None) -> dict:
    if figures is None:
        return {"knowledge_pairs": 0, "pct_pre": None, "pct_post": None, "mean_gain": None, "hake_g": None}
    return {"knowledge_pairs": figures["n"], "pct_pre": figures["pct_pre"], "pct_post": figures["pct_post"],
            "mean_gain": figures["mean_gain"], "hake_g": figures["hake_g"]}


class _DialogueQueries:
    """Dialogues held in the period under the unit and the attendance written in their minutes."""

    def __init__(self, unit: Unit, period: Period):
        self.organiser = aliased(Unit, name="organiser")
        self.key = sql.child_path(unit, self.organiser.path).label("child")
        self.where = sa.and_(sql.in_subtree(unit, self.organiser.path),
                             Dialogue.held_on.between(period.date_from, period.date_to),
                             Dialogue.status.in_(COUNTED_DIALOGUES))

    def _from(self, stmt):
        return stmt.select_from(Dialogue).join(self.organiser, self.organiser.id == Dialogue.unit_id).where(self.where)

    def counts(self, rows: dict[str, Row]) -> None:
        def total(column):
            return sa.func.coalesce(sa.func.sum(column), 0)
        stmt = self._from(sa.select(self.key, sa.func.count(Dialogue.id), total(Dialogue.attendance_total),
                                    total(Dialogue.attendance_women), total(Dialogue.attendance_minority)))
        for path, held, people, women, minority in db.session.execute(stmt.group_by(self.key)):
            rows[path].figures.update(dialogues_held=held, dialogue_participants=people, dialogue_women=women,
                                      dialogue_minority=minority)

    def attendance_groups(self) -> list[dict]:
        """Attendance by the groups the minutes list ("Hội viên phụ nữ", "Người có uy tín"...)."""
        stmt = self._from(sa.select(AttendanceGroup.label, sa.func.sum(AttendanceGroup.count)))
        stmt = stmt.join(AttendanceGroup, AttendanceGroup.dialogue_id == Dialogue.id).group_by(AttendanceGroup.label)
        return [{"label": label, "count": count}
                for label, count in sorted(db.session.execute(stmt), key=lambda r: (-r[1], r[0]))]

