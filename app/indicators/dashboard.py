"""The dashboard of one unit over one period: every figure for the unit, for each unit one level
below it and for each training topic, in a fixed number of SQL statements whatever the data.

Records belong to units through the materialised path: each statement keeps the records whose
unit path starts with the unit's (an indexed prefix LIKE) and counts them per record unit (an
integer GROUP BY, cheaper than grouping on strings row by row); one statement on the units of
the subtree then says which child each unit lies under (``app.sql.child_path``), and each
indicator provider adds its per-unit counts up per child, per topic and in total. A commune moved
elsewhere (``app.services.move_unit`` rewrites the paths) thus counts, with all its history,
under its current ancestors.

The figures come from the providers the features register (``app.indicators.providers``), in
the order of the configured features: the trainings' (``surveys.indicators``: trainings, rosters,
knowledge gain on matched pre/post pairs) and the dialogues' (``dialogues.indicators``: dialogues,
attendance, questions, commitments and their follow-up). Nothing is computed a second way.

By default the providers read their counters from the rollups (``app.indicators.rollups``: one
statement each, plus the breakdowns kept raw: topic names, rosters by ethnic group, attendance
groups); ``mode="raw"`` computes everything from the raw rows (units, then trainings and rosters,
rosters by ethnic group, matched pairs, dialogues, attendance groups, the three follow-up ones and
the community's seven), for comparison.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app import sql
from app.extensions import db
from app.indicators.periods import Period
from app.indicators.providers import providers, record_keys
from app.models import Unit

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
    # The providers' extra breakdowns by Dashboard attribute ("ethnic_groups": {"code", "system",
    # "name", "participants", "women"}; "attendance_groups": {"label", "count"}), read as
    # attributes; ``json_names`` gives their keys in ``to_json``.
    sections: dict[str, list[dict]] = field(default_factory=dict)
    json_names: dict[str, str] = field(default_factory=dict)
    progress: list[dict] = field(default_factory=list)  # filled by app.indicators.targets
    # (row path, topic id) -> people counts (``Contribution.cells``), for the disclosure control.
    cells: dict[tuple[str, int], dict] = field(default_factory=dict)
    # People figure -> who is where (``Contribution.atoms``), for the disclosure control.
    atoms: dict[str, set] = field(default_factory=dict)
    # The year-so-far dashboard the progress was measured on (``app.indicators.targets``; this one
    # when the period is the year so far), so that the progress is masked as its rows.
    year_so_far: "Dashboard | None" = field(default=None, repr=False, compare=False)
    # True once masked for output (``app.indicators.exports.published``): every screen, export and
    # the API show only a published dashboard.
    published: bool = False

    def __getattr__(self, name: str):
        sections = self.__dict__.get("sections") or {}
        if name in sections:
            return sections[name]
        raise AttributeError(name)

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
            **{self.json_names[name]: rows for name, rows in self.sections.items()},
            "progress": [{**p, "date_from": p["date_from"].isoformat(), "date_to": p["date_to"].isoformat()}
                         for p in self.progress],
        }


MODES = ("rollups", "raw")


def compute_dashboard(unit: Unit, period: Period, today: date, mode: str = "rollups") -> Dashboard:
    """Every dashboard figure of ``unit`` over ``period`` (targets are added by the caller), from
    the rollups (``app.indicators.rollups``) or, in ``raw`` mode, from the raw rows."""
    subtree = db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.parent_id, sql.child_path(unit, Unit.path))
        .where(sql.in_subtree(unit, Unit.path)).order_by(Unit.name, Unit.code)).all()
    rows = {path: Row(CHILD, uid, code, name, path) for uid, code, name, path, parent_id, _c in subtree
            if parent_id == unit.id}
    rows[unit.path] = Row(SELF, unit.id, unit.code, unit.name, unit.path)
    child_of = {uid: child for uid, *_rest, child in subtree}  # unit id -> path of its row

    total: dict = {}
    topics: list[dict] = []
    sections: dict[str, list[dict]] = {}
    json_names: dict[str, str] = {}
    cells: dict[tuple[str, int], dict] = {}
    atoms: dict[str, set] = {}
    for provider in providers():
        compute = provider.compute if mode == "raw" else provider.compute_rollups
        part = compute(unit, period, today, child_of)
        for path, row in rows.items():
            row.figures.update(part.rows[path])
        total.update(part.total)
        topics.extend(part.topics)
        for name, json_name, section in part.sections:
            sections[name], json_names[name] = section, json_name
        for key, counts in part.cells.items():
            cells.setdefault(key, {}).update(counts)
        atoms.update(part.atoms)

    shown = [r for r in rows.values() if r.kind == CHILD]
    if rows[unit.path].has_records:
        shown.append(rows[unit.path])
    return Dashboard(unit_id=unit.id, unit_code=unit.code, unit_name=unit.name, unit_path=unit.path, period=period,
                     today=today, total=total, rows=shown, topics=topics, sections=sections,
                     json_names=json_names, cells=cells, atoms=atoms)


def _has_records(figures: dict) -> bool:
    return any(figures.get(key) for key in record_keys())
