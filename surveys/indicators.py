"""The surveys feature's indicator provider: trainings held, their rosters and the knowledge gain
measured by the pre/post tests, for the indicators dashboard (``app.indicators.providers``).

Definitions: a training counts when its start date lies in the period and is not after today.
Participants are its roster ("lượt người": someone trained twice counts twice).

Knowledge: each matched pre/post pair's scores as a percentage of its test's maximum, pooled
across trainings as ``surveys.analytics.pooled`` does; the database sums them per unit and
topic, and the means give the percentages before and after, the mean gain (mean of the
differences = difference of the means on the same pairs) and Hake's g
(``surveys.analytics.stats.hake_g``). The figures equal ``stats.score_results`` on the same pairs.

Statements: from the rollups, the counters (the rosters by ethnic group among them) and the topic
names (2; 3 when a roster has an ethnicity off the list, see ``ethnic_key``); raw, trainings and
rosters, rosters by ethnic group, matched pairs (3). The rollups keep the counts and the pair sums
per training unit, start date and topic, and the rosters per topic × ethnicity × sex
(``counters``, ``raw_counters``), fed by trainings, rosters, responses and the people on them
(``rollup_sources``).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app import ethnicities, sql
from app.extensions import db
from app.indicators.charts import BAR_H, GAP, LABEL_H, MAX_BARS, bar_chart, cut_label, number_text
from app.indicators.figures import Figure, full_label
from app.indicators.periods import Period
from app.indicators import rollups
from app.indicators.providers import Contribution, IndicatorProvider, add_up
from app.indicators.rollups import Counter, Source
from app.models import Person, Sex, Unit
from surveys.analytics import stats
from surveys.analytics.charts import POST_COLOUR, PRE_COLOUR, WIDTH, Chart
from surveys.models import Participant, Phase, Response, Topic, Training
from surveys.queries import counted

FIGURES = (
    Figure("trainings_held", _l("Lớp tập huấn đã tổ chức"), "training", "count", link="trainings", short=_l("Lớp")),
    Figure("training_participants", _l("Lượt người tham gia tập huấn"), "training", "people", link="trainings",
           short=_l("Lượt người")),
    Figure("training_women", _l("trong đó nữ"), "training", "people", short=_l("Nữ"),
           qualified=_l("Người tham gia tập huấn là nữ"), part_of="training_participants"),
    Figure("training_minority", _l("trong đó dân tộc thiểu số"), "training", "people", short=_l("DTTS"),
           qualified=_l("Người tham gia tập huấn là dân tộc thiểu số"), part_of="training_participants"),
    Figure("knowledge_pairs", _l("Số người làm cả bài trước và sau"), "training", "people", short=_l("Làm cả 2 bài")),
    Figure("pct_pre", _l("Điểm trước tập huấn (% điểm tối đa)"), "training", "percent",
           short=_l("Trước"), sample="knowledge_pairs"),
    Figure("pct_post", _l("Điểm sau tập huấn (% điểm tối đa)"), "training", "percent",
           short=_l("Sau"), sample="knowledge_pairs"),
    Figure("mean_gain", _l("Mức tăng kiến thức trung bình (điểm %)"), "training", "points",
           short=_l("Tăng (điểm %)"), sample="knowledge_pairs"),
    Figure("hake_g", _l("Mức tăng chuẩn hóa Hake g"), "training", "ratio",
           short=_l("Hake g"), sample="knowledge_pairs"),
)
TRAINING_KEYS = [f.key for f in FIGURES]
TRAINING_COUNTS = ("trainings_held", "training_participants", "training_women", "training_minority")
PAIR_SUMS = ("knowledge_pairs", "sum_pre", "sum_post")


def knowledge_figures(pairs: int, sum_pre: float, sum_post: float) -> dict:
    """Means of the matched pairs' percentages, rounded as the statistics module rounds them."""
    if not pairs:
        return {"knowledge_pairs": 0, "pct_pre": None, "pct_post": None, "mean_gain": None, "hake_g": None}
    pct_pre, pct_post = sum_pre / pairs, sum_post / pairs
    g = stats.hake_g(pct_pre, pct_post)
    return {"knowledge_pairs": pairs, "pct_pre": round(pct_pre, 4), "pct_post": round(pct_post, 4),
            "mean_gain": round(pct_post - pct_pre, 4), "hake_g": None if g is None else round(g, 4)}


# Module-level aliases: an alias made per call costs its column adaptation again every time
# (some 4 ms of every phone answer's pair recount); made once, SQLAlchemy memoizes it.
_HOME = aliased(Unit, name="training_unit")
_PRE, _POST = aliased(Response, name="pre"), aliased(Response, name="post")


class _TrainingQueries:
    """Trainings held in the period under the unit, their rosters and their scores, per
    (training unit, topic)."""

    def __init__(self, unit: Unit | None, period: Period | None, today: date | None, buckets=None):
        """Over ``unit``'s subtree and ``period``; or, for the rollups, over the (unit id, start
        date) ``buckets`` (every training when ``None``), grouped by day too."""
        self.home = _HOME
        self.by_day = unit is None
        if unit is not None:
            self.where = sa.and_(sql.in_subtree(unit, self.home.path),
                                 sql.in_period(Training.start_date, period.date_from, min(period.date_to, today)))
        elif buckets is not None:
            self.where = sa.tuple_(Training.unit_id, Training.start_date).in_(buckets)
        else:
            self.where = sa.true()

    def _from(self, stmt):
        stmt = stmt.select_from(Training).where(self.where)
        return stmt if self.by_day else stmt.join(self.home, self.home.id == Training.unit_id)

    def _group(self, *columns):
        return (Training.unit_id, Training.start_date, *columns) if self.by_day else (Training.unit_id, *columns)

    def counts(self) -> tuple[dict[tuple[int, int], dict], dict[int, str]]:
        """(unit id, topic id) -> trainings, participants, women, ethnic minority; topic names."""
        minority = sql.is_minority(Person.ethnicity_code, Person.ethnicity_system)
        stmt = self._from(sa.select(
            *self._group(Topic.id), Topic.name,
            sa.func.count(sa.distinct(Training.id)),
            sa.func.count(Participant.id),
            sa.func.count(Participant.id).filter(Person.sex == Sex.female),
            sa.func.count(Participant.id).filter(minority)))
        stmt = (stmt.join(Topic, Topic.id == Training.topic_id)
                .outerjoin(Participant, Participant.training_id == Training.id)
                .outerjoin(Person, Person.id == Participant.person_id)
                .group_by(*self._group(Topic.id), Topic.name))
        counts, names = {}, {}
        width = len(self._group())
        for row in db.session.execute(stmt):
            counts[tuple(row[:width + 1])] = dict(zip(TRAINING_COUNTS, row[width + 2:]))
            names[row[width]] = row[width + 1]
        return counts, names

    def pairs(self) -> dict[tuple[int, int], dict]:
        """(unit id, topic id) -> matched pairs and the sums of their percentages before and after.
        A pair is one person's pre and post responses in one training (unique per phase)."""
        pre, post = _PRE, _POST

        def percent_sum(response):  # floating point: exact decimals cost PostgreSQL a third more
            return 100 * sa.func.sum(sa.cast(response.score, sa.Float) / response.max_score)
        stmt = self._from(sa.select(*self._group(Training.topic_id), sa.func.count(),
                                    percent_sum(pre), percent_sum(post)))
        stmt = (stmt.join(pre, sa.and_(pre.training_id == Training.id, pre.phase == Phase.pre, counted(pre)))
                .join(post, sa.and_(post.training_id == Training.id, post.phase == Phase.post,
                                    post.person_id == pre.person_id, counted(post)))
                .where(pre.max_score > 0, post.max_score > 0)
                .group_by(*self._group(Training.topic_id)))
        width = len(self._group()) + 1
        return {tuple(row[:width]): dict(zip(PAIR_SUMS, (row[width], float(row[width + 1]), float(row[width + 2]))))
                for row in db.session.execute(stmt)}

    def ethnic_rows(self):
        """Participants per (training unit, [start date,] topic, ethnicity system, code, woman or
        not): the rows both the raw breakdown and the rollup counters are made of."""
        female = Person.sex == Sex.female
        stmt = self._from(sa.select(*self._group(Training.topic_id, Person.ethnicity_system,
                                                 Person.ethnicity_code, female), sa.func.count(Participant.id)))
        stmt = (stmt.join(Participant, Participant.training_id == Training.id)
                .join(Person, Person.id == Participant.person_id)
                .group_by(*self._group(Training.topic_id, Person.ethnicity_system, Person.ethnicity_code, female)))
        return db.session.execute(stmt).all()

    def by_ethnic_group(self) -> tuple[list[dict], list[tuple]]:
        """Participants per recorded ethnic group (and how many of them are women), largest first;
        and the same counts per (training unit, topic, group, woman or not), the cross-classification
        the disclosure control audits the dashboard's tables on (one statement)."""
        return ethnic_breakdown((unit_id, topic_id, system, code, bool(is_woman), people)
                                for unit_id, topic_id, system, code, is_woman, people in self.ethnic_rows())


def ethnic_breakdown(rows) -> tuple[list[dict], list[tuple]]:
    """The ethnic groups and their cross-classification from (unit id, topic id, ethnicity system,
    ethnicity code, woman, people) rows (raw or decoded from the rollups)."""
    groups: dict[tuple, dict] = {}
    cross = []
    for unit_id, topic_id, system, code, is_woman, people in rows:
        system = system or ethnicities.DEFAULT_SYSTEM
        name = ethnicities.name_of(code, system) if code else ""
        # Two spellings of "not recorded" (NULL, "") and of the default system fold together.
        key = (system if code else "", code or "")
        group = groups.setdefault(key, {
            "code": code or "", "system": system if code else "", "name": name, "participants": 0, "women": 0})
        group["participants"] += people
        group["women"] += people if is_woman else 0
        cross.append((unit_id, topic_id, key, bool(is_woman), ethnicities.is_minority(code, system), people))
    ordered = sorted(groups.items(), key=lambda g: (not g[1]["code"], -g[1]["participants"], g[1]["name"]))
    index = {key: i for i, (key, _g) in enumerate(ordered)}
    return [g for _key, g in ordered], [(u, t, index[k], w, m, n) for u, t, k, w, m, n in cross]


# The rollup key of the ethnic-group counter ``ethnic_participants``:
#   key = (topic id * 1000 + ethnicity number) * 2 + (1 if women else 0)
# where the ethnicity number is 0 for "not recorded" (no code), 100 * s + i for the i-th code
# (from 1) of the s-th code system of ``app.ethnicities.SYSTEMS`` (in its order, from 0; the
# default system first), and UNLISTED (999) for a (system, code) pair the list does not have
# (a code typed outside the list, an unknown system). The dashboard decodes the key back to
# (topic, system, code, woman); when an UNLISTED row is in the period it computes the ethnic
# breakdown from the raw rows instead (such a pair keeps its own group there, which the number
# cannot carry). A new code system appended to SYSTEMS keeps every number; any other change of
# the lists needs ``flask indicators rebuild``. Fits PostgreSQL's integer for topic ids below 10^6.
UNLISTED = 999


def _ethnic_numbers() -> tuple[dict[tuple[str, str], int], dict[int, tuple[str, str]]]:
    numbers = {}
    for s, (system, codes) in enumerate(ethnicities.SYSTEMS.items()):
        for i, code in enumerate(codes, start=1):
            numbers[(system, code)] = 100 * s + i
    return numbers, {n: pair for pair, n in numbers.items()}


def ethnic_key(topic_id: int, system: str | None, code: str | None, woman: bool) -> int:
    number = 0 if not code else _ethnic_numbers()[0].get((system or ethnicities.DEFAULT_SYSTEM, code), UNLISTED)
    return (topic_id * 1000 + number) * 2 + (1 if woman else 0)


def decode_ethnic_key(key: int) -> tuple[int, str | None, str | None, bool] | None:
    """(topic id, system, code, woman), or None for an UNLISTED pair."""
    rest, woman = divmod(key, 2)
    topic_id, number = divmod(rest, 1000)
    if number == 0:
        return topic_id, None, None, bool(woman)
    pair = _ethnic_numbers()[1].get(number)
    if pair is None:
        return None
    return topic_id, pair[0], pair[1], bool(woman)


def before_after_chart(chart_id: str, title: str, rows: list[tuple[str, float | None, float | None]]) -> Chart:
    """Per (label, % before, % after): two bars on a 0-100 % scale."""
    rows = rows[:MAX_BARS]
    step = LABEL_H + 2 * BAR_H + GAP + 2
    top = 22
    desc = "; ".join(_("%(label)s: %(pre)s%% trước, %(post)s%% sau", label=label, pre=number_text(a),
                       post=number_text(b))
                     for label, a, b in rows)
    chart = Chart(chart_id, title, desc, height=top + step * len(rows) + 4)
    chart.legend()
    usable = WIDTH - 56
    for i, (label, pre, post) in enumerate(rows):
        y = top + i * step
        chart.text(0, y + 12, cut_label(label), size=13)
        for offset, value, colour in ((LABEL_H, pre, PRE_COLOUR), (LABEL_H + BAR_H + 2, post, POST_COLOUR)):
            width = usable * (value or 0) / 100
            chart.rect(0, y + offset, width, BAR_H, colour)
            chart.text(width + 4, y + offset + BAR_H - 2, "—" if value is None else f"{number_text(value)}%", size=13)
    return chart


class TrainingIndicators(IndicatorProvider):
    name = "surveys"
    figures = FIGURES
    record_keys = ("trainings_held",)
    screen_template = "surveys/_indicators.html"
    section_figures = {"ethnic_groups": {"participants": "training_participants", "women": "training_women"}}
    report_template = "surveys/_indicators_report.html"
    demo_indicators = (
        ("DA8-TH", "Số lớp tập huấn, truyền thông được tổ chức", "lớp", "trainings_held",
         {"19": 72, "02020": 4, "02086": 4}),
        ("DA8-TH-NG", "Số lượt cán bộ, hội viên, phụ nữ được tập huấn", "lượt người", "training_participants",
         {"19": 2000, "02020": 60, "02086": 60}),
    )

    # Rollups (app.indicators.rollups): the counts and the pair sums per training unit, start
    # date and topic (the key); the means are computed from the sums when read.
    # The rosters by ethnic group: ``ethnic_participants``, keyed by topic × ethnicity × woman
    # (``ethnic_key``).
    counters = (*(Counter(key) for key in TRAINING_COUNTS + PAIR_SUMS), Counter("ethnic_participants"))

    def rollup_sources(self) -> dict:
        return {
            Training: lambda ids: sa.select(Training.unit_id, Training.start_date).where(Training.id.in_(ids)),
            Participant: lambda ids: sa.select(Training.unit_id, Training.start_date).join(
                Participant, Participant.training_id == Training.id).where(Participant.id.in_(ids)),
            # A response counts in the matched pairs only (a phone answer recomputes no roster count).
            Response: Source(lambda ids: sa.select(Training.unit_id, Training.start_date).join(
                Response, Response.training_id == Training.id).where(Response.id.in_(ids)), PAIR_SUMS),
            # Sex and ethnicity of the people on the rosters.
            Person: lambda ids: sa.select(Training.unit_id, Training.start_date).join(
                Participant, Participant.training_id == Training.id).where(Participant.person_id.in_(ids)),
        }

    def raw_counters(self, buckets, counters=None):
        def wanted(*keys):
            return counters is None or not counters.isdisjoint(keys)
        trainings = _TrainingQueries(None, None, None, buckets)
        by_day_topic = trainings.counts()[0] if wanted(*TRAINING_COUNTS) else {}
        if wanted(*PAIR_SUMS):
            for group, values in trainings.pairs().items():
                by_day_topic.setdefault(group, {}).update(values)
        for (unit_id, day, topic_id), values in by_day_topic.items():
            for counter, value in values.items():
                yield unit_id, day, topic_id, counter, value
        if wanted("ethnic_participants"):
            for unit_id, day, topic_id, system, code, is_woman, people in trainings.ethnic_rows():
                yield unit_id, day, ethnic_key(topic_id, system, code, bool(is_woman)), "ethnic_participants", people

    def compute_rollups(self, unit: Unit, period: Period, today: date, row_of: dict[int, str]) -> Contribution:
        counts, ethnic_rows = {}, []
        for (unit_id, key), values in rollups.read(unit, period.date_from, min(period.date_to, today), self).items():
            people = values.pop("ethnic_participants", 0)
            if values:
                counts[(unit_id, key)] = values
            if people:
                ethnic_rows.append((unit_id, decode_ethnic_key(key), people))
        if any(decoded is None for _unit, decoded, _n in ethnic_rows):  # a pair off the list: see ethnic_key
            ethnic = _TrainingQueries(unit, period, today).by_ethnic_group()
        else:
            ethnic = ethnic_breakdown((unit_id, topic_id, system, code, woman, people)
                                      for unit_id, (topic_id, system, code, woman), people in ethnic_rows)
        names = dict(db.session.execute(sa.select(Topic.id, Topic.name).where(
            Topic.id.in_(sorted({topic_id for _unit, topic_id in counts} or {0})))).all())
        return self._contribution(counts, names, ethnic, row_of)

    def compute(self, unit: Unit, period: Period, today: date, row_of: dict[int, str]) -> Contribution:
        trainings = _TrainingQueries(unit, period, today)
        by_unit_topic, topic_names = trainings.counts()
        for group, values in trainings.pairs().items():
            by_unit_topic[group] = {**by_unit_topic.get(group, {}), **values}
        return self._contribution(by_unit_topic, topic_names, trainings.by_ethnic_group(), row_of)

    def _contribution(self, by_unit_topic: dict, topic_names: dict, ethnic: tuple[list, list],
                      row_of: dict[int, str]) -> Contribution:
        training_sums: dict[str, dict] = defaultdict(dict)      # row path -> counts and pair sums
        topic_sums: dict[int, dict] = defaultdict(dict)
        total_training: dict = {}
        cells: dict[tuple[str, int], dict] = defaultdict(dict)  # (row, topic) -> people counts
        people = ("training_participants", "training_women", "training_minority", "knowledge_pairs")
        for (unit_id, topic_id), values in by_unit_topic.items():
            for target in (training_sums[row_of[unit_id]], topic_sums[topic_id], total_training):
                add_up(target, values, TRAINING_COUNTS + PAIR_SUMS)
            add_up(cells[(row_of[unit_id], topic_id)], values, people)

        def figures(training: dict) -> dict:
            return {**{k: training.get(k, 0) for k in TRAINING_COUNTS},
                    **knowledge_figures(*(training.get(k, 0) for k in PAIR_SUMS))}

        topics = sorted(({"topic_id": topic_id, "name": topic_names[topic_id], **figures(values)}
                         for topic_id, values in topic_sums.items()), key=lambda t: t["name"])
        rows = {path: figures(training_sums.get(path, {})) for path in dict.fromkeys(row_of.values())}
        ethnic_groups, cross = ethnic
        # Who is where for the disclosure control: (row, topic, ethnic group, parts of the roster).
        atoms = {"training_participants": {
            (row_of[unit_id], topic_id, ("ethnic_groups", group),
             frozenset(k for k, yes in (("training_women", woman), ("training_minority", minority)) if yes))
            for unit_id, topic_id, group, woman, minority, n in cross if n}}
        return Contribution(rows=rows, total=figures(total_training), topics=topics,
                            sections=[("ethnic_groups", "by_ethnic_group", ethnic_groups)], cells=dict(cells),
                            atoms=atoms)

    def links(self, period: Period, today: date) -> dict[str, str]:
        last = min(period.date_to, today)
        return {"trainings": url_for("surveys.index", date_from=period.date_from.isoformat(),
                                     date_to=last.isoformat(), status="held")}

    def charts(self, dashboard) -> dict[str, Chart]:
        """From the published dashboard: a masked cell ("<5", "x") has no bar."""
        charts = {}
        people = [(r.name, r.figures["training_participants"]) for r in dashboard.rows
                  if r.figures["trainings_held"] and not isinstance(r.figures["training_participants"], str)]
        if people:
            charts["participants"] = bar_chart("ind-participants", _("Lượt người tham gia tập huấn theo đơn vị"),
                                               people)
        topics = [(t["name"], t["pct_pre"], t["pct_post"]) for t in dashboard.topics
                  if t["knowledge_pairs"] and not isinstance(t["pct_pre"], str)]
        if topics:
            charts["knowledge"] = before_after_chart("ind-knowledge", _("Điểm trước và sau tập huấn theo chủ đề "
                                                                        "(% điểm tối đa)"), topics)
        return charts

    def sheets(self, dashboard) -> list[tuple[str, list, list[list]]]:
        return [
            (_("Theo chủ đề"), [_("Mã đơn vị"), _("Chủ đề"), *[full_label(k) for k in TRAINING_KEYS]],
             [[dashboard.unit_code, t["name"], *[t.get(k) for k in TRAINING_KEYS]] for t in dashboard.topics]),
            (_("Theo dân tộc"), [_("Mã đơn vị"), _("Hệ mã dân tộc"), _("Mã dân tộc"), _("Dân tộc"),
                                 _("Lượt người tham gia tập huấn"), _("trong đó nữ")],
             [[dashboard.unit_code, g["system"], g["code"], g["name"] or _("Chưa ghi"), g["participants"], g["women"]]
              for g in dashboard.ethnic_groups]),
        ]


provider = TrainingIndicators()
