"""The dialogues feature's indicator provider: dialogues held, their attendance, and the questions,
commitments and follow-up of ``dialogues.follow_up.indicators``, for the indicators dashboard
(``app.indicators.providers``).

Definitions: a dialogue counts when it was held (held or approved) on a day of the period; its
participants are the attendance written in its minutes. Questions, commitments, resolution,
overdue and median days: ``dialogues.follow_up.indicators`` (its per-unit counts, combined here
per row of the breakdown).

Statements: from the rollups, the counters, the attendance groups among them (1; 2 when a minutes
has a group kind off the list, see ``kind_key``); raw, dialogues, attendance groups and the three
follow-up ones (5). The rollups keep the counts per organising
unit and day of the dialogue, the open commitments by deadline (overdue on the day read) and the
resolved ones by days to resolve (the median), fed by dialogues, questions, answers and
commitments.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app import sql
from app.extensions import db
from app.indicators.charts import bar_chart
from app.indicators.periods import Period
from app.indicators.figures import Figure
from app.indicators.providers import Contribution, IndicatorProvider, add_up, product_atoms
from app.models import Unit
from app.indicators import rollups
from app.indicators.rollups import Counter
from dialogues.follow_up.indicators import (COUNT_KEYS, COUNTED_DIALOGUES, combine_counts, followup_counts,
                                            followup_counts_by_unit, indicators_from_counts)
from dialogues.models import GROUP_KINDS, AttendanceGroup, Commitment, Dialogue, DialogueAnswer, DialogueQuestion
from dialogues.models.commitments import OPEN_STATUSES

FIGURES = (
    Figure("dialogues_held", _l("Cuộc đối thoại đã tổ chức"), "dialogue", "count", link="dialogues", short=_l("Cuộc")),
    Figure("dialogue_participants", _l("Người dự đối thoại"), "dialogue", "people", link="dialogues",
           short=_l("Người dự")),
    Figure("dialogue_women", _l("trong đó nữ"), "dialogue", "people", short=_l("Nữ"),
           qualified=_l("Người dự đối thoại là nữ"), part_of="dialogue_participants"),
    Figure("dialogue_minority", _l("trong đó dân tộc thiểu số"), "dialogue", "people", short=_l("DTTS"),
           qualified=_l("Người dự đối thoại là dân tộc thiểu số"), part_of="dialogue_participants"),
    Figure("questions_raised", _l("Ý kiến, kiến nghị được nêu"), "dialogue", "count", link="questions",
           short=_l("Ý kiến")),
    Figure("answered_on_spot", _l("Trả lời ngay tại hội nghị"), "dialogue", "count", link="answered_on_spot",
           short=_l("Trả lời ngay")),
    Figure("forwarded_at_dialogue", _l("Chuyển bằng văn bản tại hội nghị"), "dialogue", "count", link="forwarded_at_dialogue",
           short=_l("Chuyển văn bản")),
    Figure("questions_repeated", _l("Ý kiến nhắc lại (đã nêu ở cuộc trước)"), "dialogue", "count",
           link="questions_repeated", short=_l("Nhắc lại")),
    Figure("committed", _l("Cam kết giải quyết"), "dialogue", "count", link="commitments", short=_l("Cam kết")),
    Figure("resolved", _l("Đã giải quyết"), "dialogue", "count", link="resolved", short=_l("Đã giải quyết")),
    Figure("partly_resolved", _l("Giải quyết một phần"), "dialogue", "count", link="partly_resolved", short=_l("Một phần")),
    Figure("not_feasible", _l("Không thể thực hiện"), "dialogue", "count", link="not_feasible",
           short=_l("Không thể thực hiện")),
    Figure("overdue", _l("Quá hạn"), "dialogue", "count", targetable=False, link="overdue", short=_l("Quá hạn")),
    Figure("petitions_followed", _l("Kiến nghị chuyển bằng văn bản đang theo dõi"), "dialogue", "count",
           link="petitions", short=_l("Kiến nghị chuyển")),
    Figure("petitions_resolved", _l("Kiến nghị chuyển đã được giải quyết"), "dialogue", "count",
           link="petitions_resolved", short=_l("KN chuyển đã GQ")),
    Figure("petitions_overdue", _l("Kiến nghị chuyển quá hạn trả lời"), "dialogue", "count", targetable=False,
           link="petitions_overdue", short=_l("KN chuyển quá hạn")),
    Figure("median_days_to_resolve", _l("Số ngày giải quyết (trung vị)"), "dialogue", "days", targetable=False,
           short=_l("Số ngày (trung vị)")),
    Figure("share_answered_on_spot", _l("Tỷ lệ trả lời ngay"), "dialogue", "share", short=_l("% trả lời ngay")),
    Figure("share_resolved", _l("Tỷ lệ cam kết đã giải quyết"), "dialogue", "share", short=_l("% đã giải quyết")),
    Figure("share_resolved_on_time", _l("Tỷ lệ giải quyết đúng hạn"), "dialogue", "share", short=_l("% đúng hạn")),
    Figure("share_resolved_by_original_deadline", _l("Tỷ lệ giải quyết trong thời hạn ban đầu"), "dialogue", "share",
           short=_l("% đúng hạn ban đầu")),
)
DIALOGUE_COUNTS = ("dialogues_held", "dialogue_participants", "dialogue_women", "dialogue_minority")
# Follow-up figures taken as they are from dialogues.follow_up.indicators.
FOLLOWUP_KEYS = ["questions_raised", "answered_on_spot", "forwarded_at_dialogue", "questions_repeated", "committed", "resolved",
                 "partly_resolved", "not_feasible", "overdue", "petitions_followed", "petitions_resolved", "petitions_overdue",
                 "median_days_to_resolve", "share_answered_on_spot",
                 "share_resolved", "share_resolved_on_time", "share_resolved_by_original_deadline"]

# Indexes for the dashboard's follow-up aggregates, on the dialogue tables they read: with them
# an answer's outcome and a question's "raised" flag come from the index alone (SQLite then
# counts 100,000 questions three times faster). Declared here, next to the need.
sa.Index("ix_dialogue_answers_question_id_outcome", DialogueAnswer.question_id, DialogueAnswer.outcome)
sa.Index("ix_dialogue_questions_dialogue_id_is_raised", DialogueQuestion.dialogue_id, DialogueQuestion.is_raised)


# Follow-up counts kept as they are in the rollups (overdue depends on the day the dashboard is
# read: open commitments are kept by deadline instead, and the days to resolve by number of days).
ROLLED_FOLLOWUP = tuple(k for k in COUNT_KEYS if k not in ("overdue", "petitions_overdue"))


def _bucket_filter(buckets):
    return sa.true() if buckets is None else sa.tuple_(Dialogue.unit_id, Dialogue.held_on).in_(buckets)


_ORGANISER = aliased(Unit, name="organiser")  # made once: an alias per call adapts its columns again


class _DialogueQueries:
    """Dialogues held in the period under the unit and the attendance written in their minutes;
    or, for the rollups (``unit`` None), those of the (unit id, day) ``buckets``, per day too."""

    def __init__(self, unit: Unit | None, period: Period | None, buckets=None):
        self.organiser = _ORGANISER
        self.by_day = unit is None
        self.group = (Dialogue.unit_id, Dialogue.held_on) if self.by_day else (Dialogue.unit_id,)
        where = _bucket_filter(buckets) if self.by_day else sa.and_(
            sql.in_subtree(unit, self.organiser.path), sql.in_period(Dialogue.held_on, period.date_from, period.date_to))
        self.where = sa.and_(where, Dialogue.status.in_(COUNTED_DIALOGUES))

    def _from(self, stmt):
        stmt = stmt.select_from(Dialogue).where(self.where)
        return stmt if self.by_day else stmt.join(self.organiser, self.organiser.id == Dialogue.unit_id)

    def counts(self) -> dict[tuple, dict]:
        def total(column):
            return sa.func.coalesce(sa.func.sum(column), 0)
        stmt = self._from(sa.select(*self.group, sa.func.count(Dialogue.id), total(Dialogue.attendance_total),
                                    total(Dialogue.attendance_women), total(Dialogue.attendance_minority)))
        width = len(self.group)
        return {tuple(row[:width]): dict(zip(DIALOGUE_COUNTS, row[width:]))
                for row in db.session.execute(stmt.group_by(*self.group))}

    def attendance_rows(self):
        """(organising unit, [day,] kind, people, group rows) of the attendance written in the minutes."""
        stmt = self._from(sa.select(*self.group, AttendanceGroup.kind, sa.func.sum(AttendanceGroup.count),
                                    sa.func.count(AttendanceGroup.id)))
        stmt = stmt.join(AttendanceGroup, AttendanceGroup.dialogue_id == Dialogue.id).group_by(
            *self.group, AttendanceGroup.kind)
        return db.session.execute(stmt).all()

    def attendance_groups(self) -> tuple[list[dict], list[tuple]]:
        """Attendance by the kinds of group of the fixed list (``GROUP_KINDS``: "Hội viên, phụ nữ",
        "Người có uy tín"...), whatever detail each minutes gives ("Hội viên, phụ nữ các bản" and
        "Hội viên phụ nữ các chi hội" count together); and (organising unit, index of the group,
        count), for the disclosure control (one statement)."""
        return attendance_breakdown((unit_id, kind, count or 0) for unit_id, kind, count, _rows in self.attendance_rows())


def attendance_breakdown(rows) -> tuple[list[dict], list[tuple]]:
    """The attendance groups and (organising unit, index of the group, count) from (unit id, kind,
    people) rows, one per unit and kind that has a group row (raw or decoded from the rollups)."""
    rows = list(rows)
    totals: dict[str, int] = defaultdict(int)
    for _unit_id, kind, count in rows:
        totals[kind] += count
    order = list(GROUP_KINDS)
    kinds = sorted(totals, key=lambda k: (-totals[k], order.index(k) if k in order else 99))
    groups = [{"label": str(GROUP_KINDS.get(kind, GROUP_KINDS["other"])), "count": totals[kind]} for kind in kinds]
    index = {kind: i for i, kind in enumerate(kinds)}
    return groups, [(unit_id, index[kind], count) for unit_id, kind, count in rows]


# The rollup key of the attendance counters ``attendance_people`` and ``attendance_rows`` (the
# number of group rows, so that a kind written with 0 people still has its line): the kind's
# index in ``GROUP_KINDS`` (from 0), or UNLISTED_KIND (99) for a kind off the list; when such a
# row is in the period, the dashboard computes the attendance groups from the raw rows (a kind
# off the list keeps its own line there). A kind appended to GROUP_KINDS keeps every index; any
# other change of the list needs ``flask indicators rebuild``.
UNLISTED_KIND = 99


def kind_key(kind: str) -> int:
    order = list(GROUP_KINDS)
    return order.index(kind) if kind in order else UNLISTED_KIND


def decode_kind_key(key: int) -> str | None:
    """The kind, or None for UNLISTED_KIND."""
    order = list(GROUP_KINDS)
    return order[key] if 0 <= key < len(order) else None


class DialogueIndicators(IndicatorProvider):
    name = "dialogues"
    figures = FIGURES
    record_keys = ("dialogues_held", "questions_raised", "committed")
    screen_template = "dialogues/_indicators.html"
    section_figures = {"attendance_groups": {"count": "dialogue_participants"}}
    report_template = "dialogues/_indicators_report.html"
    demo_indicators = (
        ("DA8-DT", "Số cuộc đối thoại chính sách được tổ chức", "cuộc", "dialogues_held",
         {"19": 40, "02020": 2, "02086": 2}),
        ("DA8-DT-GQ", "Tỷ lệ kiến nghị, cam kết được giải quyết", "%", "share_resolved", {"19": 80, "02020": 80}),
    )

    counters = (*(Counter(k) for k in DIALOGUE_COUNTS + ROLLED_FOLLOWUP),
                Counter("open_commitments"),
                Counter("open_by_deadline"),   # key: the current deadline (date.toordinal())
                Counter("open_petitions"),     # the same two for petitions forwarded in writing
                Counter("open_petitions_by_deadline"),
                Counter("resolved_days"),      # key: days from the dialogue to the resolution
                Counter("attendance_people"),  # key: the attendance group's kind (``kind_key``)
                Counter("attendance_rows"))

    def rollup_sources(self) -> dict:
        def dialogue_day(*joins):
            def buckets(ids, joins=joins):
                stmt = sa.select(Dialogue.unit_id, Dialogue.held_on)
                for target, on in joins:
                    stmt = stmt.join(target, on)
                return stmt.where(joins[-1][0].id.in_(ids) if joins else Dialogue.id.in_(ids))
            return buckets

        question = (DialogueQuestion, DialogueQuestion.dialogue_id == Dialogue.id)
        return {
            Dialogue: dialogue_day(),
            AttendanceGroup: dialogue_day((AttendanceGroup, AttendanceGroup.dialogue_id == Dialogue.id)),
            DialogueQuestion: dialogue_day(question),
            DialogueAnswer: dialogue_day(question, (DialogueAnswer, DialogueAnswer.question_id == DialogueQuestion.id)),
            Commitment: dialogue_day(question, (Commitment, Commitment.question_id == DialogueQuestion.id)),
        }

    def raw_counters(self, buckets, counters=None):
        for (unit_id, day), values in _DialogueQueries(None, None, buckets).counts().items():
            for counter, value in values.items():
                yield unit_id, day, 0, counter, value
        for (unit_id, day), values in followup_counts(_bucket_filter(buckets), (Dialogue.unit_id, Dialogue.held_on),
                                                      None).items():
            for counter in ROLLED_FOLLOWUP:
                yield unit_id, day, 0, counter, values[counter]
            for days in values["days"]:
                yield unit_id, day, days, "resolved_days", 1
        for unit_id, day, kind, people, rows in _DialogueQueries(None, None, buckets).attendance_rows():
            yield unit_id, day, kind_key(kind), "attendance_people", people or 0
            yield unit_id, day, kind_key(kind), "attendance_rows", rows
        open_stmt = (sa.select(Dialogue.unit_id, Dialogue.held_on, Commitment.is_petition, Commitment.deadline,
                               sa.func.count())
                     .select_from(Commitment).join(Commitment.question).join(DialogueQuestion.dialogue)
                     .where(_bucket_filter(buckets), Dialogue.status.in_(COUNTED_DIALOGUES),
                            Commitment.status.in_(OPEN_STATUSES))
                     .group_by(Dialogue.unit_id, Dialogue.held_on, Commitment.is_petition, Commitment.deadline))
        for unit_id, day, is_petition, deadline, n in db.session.execute(open_stmt):
            prefix = "open_petitions" if is_petition else "open_commitments"
            yield unit_id, day, 0, prefix, n
            yield unit_id, day, deadline.toordinal(), ("open_petitions_by_deadline" if is_petition
                                                       else "open_by_deadline"), n

    def compute_rollups(self, unit: Unit, period: Period, today: date, row_of: dict[int, str]) -> Contribution:
        dialogue_counts: dict[int, dict] = defaultdict(dict)
        followup: dict[int, dict] = {}
        # Overdue: the open commitments less those whose deadline has not passed (few rows to read).
        due = today.toordinal()
        read = rollups.read(unit, period.date_from, period.date_to, self, min_keys={"open_by_deadline": due,
                                                                               "open_petitions_by_deadline": due})
        attendance = []
        for (unit_id, key), values in read.items():
            people, group_rows = values.pop("attendance_people", 0), values.pop("attendance_rows", 0)
            if group_rows:
                attendance.append((unit_id, decode_kind_key(key), people))
            if not values:
                continue
            counts = followup.get(unit_id)
            if counts is None:
                counts = followup[unit_id] = {**dict.fromkeys(COUNT_KEYS, 0), "days": []}
            if key == 0:  # the plain counts (the keyed ones: by deadline, by days to resolve)
                add_up(dialogue_counts[unit_id], values, DIALOGUE_COUNTS)
                add_up(counts, values, ROLLED_FOLLOWUP)
                counts["overdue"] += values.get("open_commitments", 0)
                counts["petitions_overdue"] += values.get("open_petitions", 0)
            if n := values.get("open_by_deadline"):
                counts["overdue"] -= n
            if n := values.get("open_petitions_by_deadline"):
                counts["petitions_overdue"] -= n
            if n := values.get("resolved_days"):
                counts["days"].extend([key] * int(n))
        if any(kind is None for _unit, kind, _n in attendance):  # a kind off the list: see kind_key
            groups = _DialogueQueries(unit, period).attendance_groups()
        else:
            groups = attendance_breakdown(attendance)
        return self._contribution(dict(dialogue_counts), groups, followup, row_of)

    def compute(self, unit: Unit, period: Period, today: date, row_of: dict[int, str]) -> Contribution:
        dialogues = _DialogueQueries(unit, period)
        dialogue_counts = {unit_id: values for (unit_id,), values in dialogues.counts().items()}
        return self._contribution(dialogue_counts, dialogues.attendance_groups(),
                                  followup_counts_by_unit(unit, period.date_from, period.date_to, today=today), row_of)

    def _contribution(self, dialogue_counts: dict, attendance_groups: tuple[list, list], followup: dict,
                      row_of: dict[int, str]) -> Contribution:
        dialogue_sums: dict[str, dict] = defaultdict(dict)
        followup_units: dict[str, list] = defaultdict(list)
        for unit_id, values in dialogue_counts.items():
            add_up(dialogue_sums[row_of[unit_id]], values, DIALOGUE_COUNTS)
        for unit_id, counts in followup.items():
            followup_units[row_of[unit_id]].append(counts)

        def figures(dialogue: dict, followup_groups: list) -> dict:
            follow = indicators_from_counts(combine_counts(followup_groups))
            return {**{k: dialogue.get(k, 0) for k in DIALOGUE_COUNTS}, **{k: follow[k] for k in FOLLOWUP_KEYS}}

        total_dialogue: dict = {}
        for values in dialogue_counts.values():
            add_up(total_dialogue, values, DIALOGUE_COUNTS)
        groups, cross = attendance_groups
        listed: dict[str, dict] = defaultdict(lambda: defaultdict(int))  # row -> group index -> people
        for unit_id, group, count in cross:
            listed[row_of[unit_id]][group] += count
        # Who is where for the disclosure control: how the groups of a row cross with its women and
        # minority is not written anywhere, so every combination the row's counts allow is assumed.
        atoms = {"dialogue_participants": {
            atom for path, values in dialogue_sums.items()
            for atom in product_atoms(path, values, "dialogue_participants", ("dialogue_women", "dialogue_minority"),
                                      sections=[("attendance_groups", g) for g, n in listed[path].items() if n]
                                      + ([None] if values.get("dialogue_participants", 0)
                                         > sum(listed[path].values()) else []))}}
        return Contribution(
            rows={path: figures(dialogue_sums.get(path, {}), followup_units.get(path, []))
                  for path in dict.fromkeys(row_of.values())},
            total=figures(total_dialogue, list(followup.values())),
            sections=[("attendance_groups", "attendance_by_group", groups)], atoms=atoms)

    def links(self, period: Period, today: date) -> dict[str, str]:
        """Each linked figure's list, with the figure's own filters: the dialogues and questions
        the indicators count (``counted``: held or approved, raised), commitments of those
        dialogues (``counted``), written in the minutes (``minutes_only``) or by current status."""
        dates = {"date_from": period.date_from.isoformat(), "date_to": period.date_to.isoformat(),
                 "counted": "y"}

        def commitments(kind="commitment", **filters):
            return url_for("dialogues.list_commitments", kind=kind, **filters, **dates)
        return {
            "dialogues": url_for("dialogues.index", **dates),
            "questions": url_for("dialogues.list_questions", **dates),
            "answered_on_spot": url_for("dialogues.list_questions", outcome="answered", **dates),
            "forwarded_at_dialogue": url_for("dialogues.list_questions", outcome="forwarded", **dates),
            "questions_repeated": url_for("dialogues.list_questions", repeated="y", **dates),
            "commitments": commitments(minutes_only="y"),
            "resolved": commitments(status="resolved"),
            "partly_resolved": commitments(status="partly_resolved"),
            "not_feasible": commitments(status="not_feasible"),
            "overdue": commitments(overdue="y"),
            "petitions": commitments("petition", followed="y"),
            "petitions_resolved": commitments("petition", status="resolved"),
            "petitions_overdue": commitments("petition", overdue="y"),
        }

    def charts(self, dashboard) -> dict:
        total = dashboard.total
        if not (total["questions_raised"] or total["committed"]):
            return {}
        return {"followup": bar_chart("ind-followup", _("Ý kiến, kiến nghị và kết quả giải quyết"), [
            (_("Ý kiến, kiến nghị được nêu"), total["questions_raised"]),
            (_("Trả lời ngay tại hội nghị"), total["answered_on_spot"]),
            (_("Cam kết giải quyết"), total["committed"]),
            (_("Đã giải quyết"), total["resolved"]),
            (_("Quá hạn"), total["overdue"]),
        ])}

    def sheets(self, dashboard) -> list[tuple[str, list, list[list]]]:
        return [(_("Thành phần dự đối thoại"), [_("Mã đơn vị"), _("Thành phần"), _("Số người")],
                 [[dashboard.unit_code, g["label"], g["count"]] for g in dashboard.attendance_groups])]


provider = DialogueIndicators()
