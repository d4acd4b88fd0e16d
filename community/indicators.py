"""Community figures of Project 8 for a unit subtree and a period: definitions, per-unit counts,
the child-unit breakdown and drill-downs.

Interface (what an indicators framework needs from this module):

- ``FIGURES``: key -> ``CommunityFigure`` (label, kind, family "community"); ``KEYS`` in order.
- ``counts_by_unit(unit, period) -> {unit_id: {key: value}}``: every figure per record unit, for
  the records of ``unit``'s subtree, in 7 SQL statements whatever the data (one per family,
  each an indexed prefix LIKE on the unit paths, grouped by integer unit id).
- ``compute(unit, period) -> CommunityFigures``: the total and one row per child unit (and the
  unit itself when records are attached to it), with one more statement on the units.
- ``drilldown(unit, period, key) -> Drilldown``: exactly the rows a figure counts (their number,
  or the sum of ``Drilldown.value_column``, equals the figure), built on the same filters.

Definitions. A team, club or trusted address counts when it existed on the period's last day
(founded on or before it, and active then); its members likewise (joined on or before, not
left). Children count only with a guardian's consent on record (withdrawal ends membership).
Support given is the sum of the monthly counts of the months that start in the period.
Activities count when held in the period; participants are participant-times ("lượt").
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.extensions import db
from app import sql
from app.indicators.periods import Period, period_from_args
from app.models import Person, Sex, Unit
from community.models import (Activity, ActivityTopic, Club, ClubMember, GroupStatus, SupportCount, Team, TeamMember,
                              TrustedAddress)

MIN_CELL = 5  # people counts below this are masked in upward reports


@dataclass(frozen=True)
class CommunityFigure:
    key: str
    label: object
    kind: str                 # count | people
    family: str = "community"
    group: str = ""           # teams | clubs | addresses | activities
    part_of: str | None = None  # the count this one is a part of ("trong đó nữ"), for the masking

    @property
    def is_people_count(self) -> bool:
        return self.kind == "people"


_FIGURES = [
    CommunityFigure("teams_active", _l("Tổ truyền thông cộng đồng"), "count", group="teams"),
    CommunityFigure("team_members", _l("Thành viên tổ truyền thông"), "people", group="teams"),
    CommunityFigure("team_members_women", _l("trong đó nữ"), "people", group="teams", part_of="team_members"),
    CommunityFigure("clubs_active", _l("CLB Thủ lĩnh của sự thay đổi"), "count", group="clubs"),
    CommunityFigure("club_members", _l("Thành viên CLB (trẻ em)"), "people", group="clubs"),
    CommunityFigure("club_members_girls", _l("trong đó trẻ em gái"), "people", group="clubs", part_of="club_members"),
    CommunityFigure("addresses_active", _l("Địa chỉ tin cậy"), "count", group="addresses"),
    CommunityFigure("support_given", _l("Lượt hỗ trợ của địa chỉ tin cậy"), "people", group="addresses"),
    CommunityFigure("activities_held", _l("Hoạt động truyền thông"), "count", group="activities"),
    CommunityFigure("activity_participants", _l("Lượt người tham gia truyền thông"), "people", group="activities"),
    CommunityFigure("activity_women", _l("trong đó nữ"), "people", group="activities", part_of="activity_participants"),
    CommunityFigure("activity_minority", _l("trong đó dân tộc thiểu số"), "people", group="activities",
                    part_of="activity_participants"),
    CommunityFigure("activity_children", _l("trong đó trẻ em"), "people", group="activities",
                    part_of="activity_participants"),
]
FIGURES: dict[str, CommunityFigure] = {f.key: f for f in _FIGURES}
KEYS = [f.key for f in _FIGURES]
GROUPS = {
    "teams": _l("Tổ truyền thông cộng đồng"), "clubs": _l("Câu lạc bộ Thủ lĩnh của sự thay đổi"),
    "addresses": _l("Địa chỉ tin cậy"), "activities": _l("Hoạt động truyền thông"),
}


# --- Circular 01/2022/TT-UBDT: quarterly collection, 6-month and yearly reports ----------------

PRESETS = ("q1", "q2", "q3", "q4", "h1", "year")


def preset_label(preset: str) -> str:
    if preset == "h1":
        return _("Báo cáo 6 tháng đầu năm")
    if preset == "year":
        return _("Báo cáo năm")
    return _("Quý %(q)s", q=preset[1])


def preset_period(preset: str, year: int) -> Period:
    if preset == "h1":
        return Period("custom", date(year, 1, 1), date(year, 6, 30))
    if preset.startswith("q"):
        return Period.quarter(year, int(preset[1]))
    return Period.year(year)


def period_from_request(args, today: date) -> tuple[Period, list[str]]:
    """``preset=q1..q4|h1|year`` with ``year``, or the dashboard's own arguments."""
    preset = args.get("preset")
    if preset in PRESETS:
        year = args.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
        return preset_period(preset, year), []
    return period_from_args(args, today)


# --- the filters, shared by the counts and the drill-downs ------------------------------------

def _existed(model, day: date):
    """A team, club or address that existed on ``day``."""
    founded = sa.or_(model.founded_on.is_(None), model.founded_on <= sql.plan_constant(day))
    still = sa.or_(model.status == GroupStatus.active, model.status_date > sql.plan_constant(day))
    return sa.and_(founded, still)


def _member_on(model, day: date):
    return sa.and_(model.joined_on <= sql.plan_constant(day),
                   sa.or_(model.left_on.is_(None), model.left_on > sql.plan_constant(day)))


_HOME = aliased(Unit, name="home")  # made once: an alias per call adapts its columns again


class _Family:
    """One family of records under ``unit`` in ``period``: its base statement and filter."""

    def __init__(self, unit: Unit, period: Period):
        self.unit, self.period, self.home = unit, period, _HOME

    def in_subtree(self, unit_column):
        return sa.and_(self.home.id == unit_column, sql.in_subtree(self.unit, self.home.path))

    def teams(self, stmt):
        return stmt.join(self.home, self.in_subtree(Team.unit_id)).where(_existed(Team, self.period.date_to))

    def team_members(self, stmt):
        return self.teams(stmt.join(Team, Team.id == TeamMember.team_id)).join(
            Person, Person.id == TeamMember.person_id).where(_member_on(TeamMember, self.period.date_to))

    def clubs(self, stmt):
        return stmt.join(self.home, self.in_subtree(Club.unit_id)).where(_existed(Club, self.period.date_to))

    def club_members(self, stmt):
        return self.clubs(stmt.join(Club, Club.id == ClubMember.club_id)).where(
            _member_on(ClubMember, self.period.date_to), ClubMember.consent_on <= sql.plan_constant(self.period.date_to))

    def addresses(self, stmt):
        return stmt.join(self.home, self.in_subtree(TrustedAddress.unit_id)).where(
            _existed(TrustedAddress, self.period.date_to))

    def support(self, stmt):
        return stmt.join(TrustedAddress, TrustedAddress.id == SupportCount.address_id).join(
            self.home, self.in_subtree(TrustedAddress.unit_id)).where(
            sql.in_period(SupportCount.month, self.period.date_from, self.period.date_to))

    def activities(self, stmt):
        return stmt.join(self.home, self.in_subtree(Activity.unit_id)).where(
            sql.in_period(Activity.held_on, self.period.date_from, self.period.date_to))


def counts_by_unit(unit: Unit, period: Period) -> dict[int, dict]:
    """unit id -> {figure key: value} for the records of ``unit``'s subtree (7 statements)."""
    f = _Family(unit, period)
    out: dict[int, dict] = defaultdict(lambda: dict.fromkeys(KEYS, 0))

    def put(stmt, keys):
        for unit_id, *values in db.session.execute(stmt):
            for key, value in zip(keys, values):
                out[unit_id][key] = int(value or 0)

    count = sa.func.count
    put(f.teams(sa.select(Team.unit_id, count(Team.id)).select_from(Team)).group_by(Team.unit_id),
        ["teams_active"])
    put(f.team_members(sa.select(Team.unit_id, count(TeamMember.id), count(TeamMember.id).filter(
        Person.sex == Sex.female)).select_from(TeamMember)).group_by(Team.unit_id),
        ["team_members", "team_members_women"])
    put(f.clubs(sa.select(Club.unit_id, count(Club.id)).select_from(Club)).group_by(Club.unit_id), ["clubs_active"])
    put(f.club_members(sa.select(Club.unit_id, count(ClubMember.id), count(ClubMember.id).filter(
        ClubMember.sex == Sex.female)).select_from(ClubMember)).group_by(Club.unit_id),
        ["club_members", "club_members_girls"])
    put(f.addresses(sa.select(TrustedAddress.unit_id, count(TrustedAddress.id)).select_from(TrustedAddress))
        .group_by(TrustedAddress.unit_id), ["addresses_active"])
    put(f.support(sa.select(TrustedAddress.unit_id, sa.func.sum(SupportCount.count)).select_from(SupportCount))
        .group_by(TrustedAddress.unit_id), ["support_given"])
    total = sa.func.sum
    put(f.activities(sa.select(Activity.unit_id, count(Activity.id), total(Activity.participants_total),
                               total(Activity.participants_women), total(Activity.participants_minority),
                               total(Activity.participants_children)).select_from(Activity))
        .group_by(Activity.unit_id),
        ["activities_held", "activity_participants", "activity_women", "activity_minority", "activity_children"])
    return dict(out)


# --- rollups (app.indicators.rollups) --------------------------------------------------------
# Activities and support are flows (per day held, per month); teams, clubs, addresses and their
# members are stocks: +1 on the first day a thing counts and -1 on the first day it no longer
# does, so the sum up to the period's last day is the number that existed then (the same rule as
# ``_existed`` and ``_member_on``). Recomputed per unit (a group's dates move its deltas).

FLOW_KEYS = ("support_given", "activities_held", "activity_participants", "activity_women", "activity_minority",
             "activity_children")
STOCK_KEYS = tuple(k for k in KEYS if k not in FLOW_KEYS)


def _group_span(founded_on, status, status_date):
    """[first day, first day no longer) of a team, club or address (None: still active)."""
    from app.indicators.rollups import BEGINNING

    end = None if status == GroupStatus.active else (status_date or BEGINNING)
    return founded_on or BEGINNING, end


def _overlap(*spans):
    start = max(s for s, _e in spans)
    ends = [e for _s, e in spans if e is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or end > start else None


def raw_counters(buckets):
    """(unit id, day, 0, counter, value) of the records of the units of ``buckets`` (every unit
    when None)."""
    from app.indicators.rollups import BEGINNING

    units = None if buckets is None else sorted({u for u, _d in buckets})

    def of_units(column):
        return sa.true() if units is None else column.in_(units)

    def stock(unit_id, span, keys):
        if span is not None:
            for key in keys:
                yield unit_id, max(span[0], BEGINNING), 0, key, 1
                if span[1] is not None:
                    yield unit_id, span[1], 0, key, -1

    group = (Team.unit_id, Team.founded_on, Team.status, Team.status_date)
    for unit_id, *state in db.session.execute(sa.select(*group).where(of_units(Team.unit_id))):
        yield from stock(unit_id, _group_span(*state), ["teams_active"])
    for unit_id, *state, joined, left, sex in db.session.execute(
            sa.select(*group, TeamMember.joined_on, TeamMember.left_on, Person.sex).select_from(TeamMember)
            .join(Team, Team.id == TeamMember.team_id).join(Person, Person.id == TeamMember.person_id)
            .where(of_units(Team.unit_id))):
        keys = ["team_members", "team_members_women"] if sex == Sex.female else ["team_members"]
        yield from stock(unit_id, _overlap(_group_span(*state), (joined, left)), keys)
    group = (Club.unit_id, Club.founded_on, Club.status, Club.status_date)
    for unit_id, *state in db.session.execute(sa.select(*group).where(of_units(Club.unit_id))):
        yield from stock(unit_id, _group_span(*state), ["clubs_active"])
    for unit_id, *state, joined, left, consent, sex in db.session.execute(
            sa.select(*group, ClubMember.joined_on, ClubMember.left_on, ClubMember.consent_on, ClubMember.sex)
            .select_from(ClubMember).join(Club, Club.id == ClubMember.club_id).where(of_units(Club.unit_id))):
        if consent is None:
            continue
        keys = ["club_members", "club_members_girls"] if sex == Sex.female else ["club_members"]
        yield from stock(unit_id, _overlap(_group_span(*state), (joined, left), (consent, None)), keys)
    for unit_id, *state in db.session.execute(
            sa.select(TrustedAddress.unit_id, TrustedAddress.founded_on, TrustedAddress.status,
                      TrustedAddress.status_date).where(of_units(TrustedAddress.unit_id))):
        yield from stock(unit_id, _group_span(*state), ["addresses_active"])
    for unit_id, month, total in db.session.execute(
            sa.select(TrustedAddress.unit_id, SupportCount.month, sa.func.sum(SupportCount.count))
            .join(TrustedAddress, TrustedAddress.id == SupportCount.address_id)
            .where(of_units(TrustedAddress.unit_id)).group_by(TrustedAddress.unit_id, SupportCount.month)):
        yield unit_id, month, 0, "support_given", total
    total = sa.func.sum
    for unit_id, day, *values in db.session.execute(
            sa.select(Activity.unit_id, Activity.held_on, sa.func.count(Activity.id), total(Activity.participants_total),
                      total(Activity.participants_women), total(Activity.participants_minority),
                      total(Activity.participants_children))
            .where(of_units(Activity.unit_id)).group_by(Activity.unit_id, Activity.held_on)):
        for key, value in zip(FLOW_KEYS[1:], values):
            yield unit_id, day, 0, key, value


def rollup_sources() -> dict:
    """Every community record, by the unit whose counters it changes (every day of it)."""
    def unit_of(model):
        return lambda ids: sa.select(model.unit_id, sa.null()).where(model.id.in_(ids))

    return {
        Team: unit_of(Team), Club: unit_of(Club), TrustedAddress: unit_of(TrustedAddress), Activity: unit_of(Activity),
        TeamMember: lambda ids: sa.select(Team.unit_id, sa.null()).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.id.in_(ids)),
        ClubMember: lambda ids: sa.select(Club.unit_id, sa.null()).join(ClubMember, ClubMember.club_id == Club.id)
        .where(ClubMember.id.in_(ids)),
        SupportCount: lambda ids: sa.select(TrustedAddress.unit_id, sa.null()).join(
            SupportCount, SupportCount.address_id == TrustedAddress.id).where(SupportCount.id.in_(ids)),
        Person: lambda ids: sa.select(Team.unit_id, sa.null()).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.person_id.in_(ids)),
    }


def counts_by_unit_rollups(unit: Unit, period: Period) -> dict[int, dict]:
    """``counts_by_unit`` read from the rollups (one statement)."""
    from app.indicators import rollups

    out: dict[int, dict] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    for (unit_id, _key), values in rollups.read(unit, period.date_from, period.date_to, provider).items():
        out[unit_id].update({k: int(v) for k, v in values.items()})
    return dict(out)


@dataclass
class Row:
    unit_id: int
    code: str
    name: str
    directly: bool
    figures: dict = field(default_factory=dict)


@dataclass
class CommunityFigures:
    unit: Unit
    period: Period
    total: dict
    rows: list[Row]

    def to_json(self) -> dict:
        return {"unit": {"code": self.unit.code, "name": self.unit.name},
                "period": {"from": self.period.date_from.isoformat(), "to": self.period.date_to.isoformat()},
                "total": self.total,
                "by_unit": [{"code": r.code, "name": r.name, "directly": r.directly, **r.figures} for r in self.rows]}


def compute(unit: Unit, period: Period, mode: str = "rollups") -> CommunityFigures:
    """The total and the child-unit breakdown (2 statements from the rollups, 8 raw)."""
    subtree = db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name, Unit.parent_id, sql.child_path(unit, Unit.path))
        .where(sql.in_subtree(unit, Unit.path)).order_by(Unit.name, Unit.code)).all()
    by_path = {path: Row(uid, code, name, False, dict.fromkeys(KEYS, 0))
               for uid, code, name, parent_id, path in subtree if parent_id == unit.id}
    by_path[unit.path] = Row(unit.id, unit.code, unit.name, True, dict.fromkeys(KEYS, 0))
    child_of = {uid: path for uid, _code, _name, _parent, path in subtree}
    total = dict.fromkeys(KEYS, 0)
    counts = counts_by_unit(unit, period) if mode == "raw" else counts_by_unit_rollups(unit, period)
    for unit_id, values in counts.items():
        row = by_path[child_of[unit_id]]
        for key, value in values.items():
            row.figures[key] += value
            total[key] += value
    rows = [r for r in by_path.values() if not r.directly]
    if any(by_path[unit.path].figures.values()):
        rows.append(by_path[unit.path])
    return CommunityFigures(unit, period, total, rows)


def mask(key: str, value):
    """The value as an upward report shows it: 1 to 4 people become "<5"."""
    figure = FIGURES.get(key)
    if figure is not None and figure.is_people_count and value is not None and 0 < value < MIN_CELL:
        return f"<{MIN_CELL}"
    return value


# --- drill-downs ---------------------------------------------------------------------------

@dataclass
class Drilldown:
    key: str
    headers: list
    rows: list[tuple]
    value_column: int | None     # None: the figure is the number of rows; else the sum of this column

    @property
    def value(self) -> int:
        if self.value_column is None:
            return len(self.rows)
        return sum(r[self.value_column] for r in self.rows)


DRILLDOWN_LIMIT = 5000


def drilldown(unit: Unit, period: Period, key: str) -> Drilldown:
    """The rows behind one figure, built on the same filters as ``counts_by_unit``. No names of
    children or of anyone helped: team members by their pseudonymous code."""
    from community import labels

    if key not in FIGURES:
        raise KeyError(key)
    f = _Family(unit, period)
    group = FIGURES[key].group
    if group == "teams" and key == "teams_active":
        stmt = f.teams(sa.select(Team.name, f.home.name, Team.decision_number, Team.founded_on).select_from(Team))
        headers = [_("Tổ"), _("Địa bàn"), _("Số quyết định"), _("Ngày thành lập")]
        rows = db.session.execute(stmt.order_by(f.home.name, Team.name)).all()
        return Drilldown(key, headers, [tuple(r) for r in rows], None)
    if group == "teams":
        stmt = f.team_members(sa.select(Team.name, Person.code, TeamMember.role, TeamMember.joined_on)
                              .select_from(TeamMember))
        if key == "team_members_women":
            stmt = stmt.where(Person.sex == Sex.female)
        rows = db.session.execute(stmt.order_by(Team.name, Person.code)).all()
        return Drilldown(key, [_("Tổ"), _("Mã người"), _("Vai trò"), _("Ngày tham gia")],
                         [(t, c, labels.TEAM_ROLES[r], j) for t, c, r, j in rows], None)
    if key == "clubs_active":
        stmt = f.clubs(sa.select(Club.name, f.home.name, Club.school_name, Club.founded_on).select_from(Club))
        rows = db.session.execute(stmt.order_by(f.home.name, Club.name)).all()
        return Drilldown(key, [_("Câu lạc bộ"), _("Địa bàn"), _("Trường"), _("Ngày thành lập")],
                         [tuple(r) for r in rows], None)
    if group == "clubs":
        stmt = f.club_members(sa.select(Club.name, ClubMember.id, ClubMember.birth_year, ClubMember.sex)
                              .select_from(ClubMember))
        if key == "club_members_girls":
            stmt = stmt.where(ClubMember.sex == Sex.female)
        rows = db.session.execute(stmt.order_by(Club.name, ClubMember.id)).all()
        return Drilldown(key, [_("Câu lạc bộ"), _("Số thứ tự"), _("Năm sinh"), _("Giới tính")],
                         [(c, i, y, labels.SEXES[s]) for c, i, y, s in rows], None)
    if key == "addresses_active":
        stmt = f.addresses(sa.select(TrustedAddress.name, f.home.name, TrustedAddress.host_kind)
                           .select_from(TrustedAddress))
        rows = db.session.execute(stmt.order_by(f.home.name, TrustedAddress.name)).all()
        return Drilldown(key, [_("Địa chỉ tin cậy"), _("Địa bàn"), _("Loại")],
                         [(n, u, labels.HOST_KINDS[k]) for n, u, k in rows], None)
    if key == "support_given":
        stmt = f.support(sa.select(TrustedAddress.name, SupportCount.month, SupportCount.kind, SupportCount.count)
                         .select_from(SupportCount))
        rows = db.session.execute(stmt.order_by(TrustedAddress.name, SupportCount.month, SupportCount.kind)).all()
        return Drilldown(key, [_("Địa chỉ tin cậy"), _("Tháng"), _("Hình thức hỗ trợ"), _("Số lượt")],
                         [(n, m.strftime("%m/%Y"), labels.SUPPORT_KINDS[k], c) for n, m, k, c in rows], 3)
    column = {"activities_held": None, "activity_participants": Activity.participants_total,
              "activity_women": Activity.participants_women, "activity_minority": Activity.participants_minority,
              "activity_children": Activity.participants_children}[key]
    value = column if column is not None else Activity.participants_total
    stmt = f.activities(sa.select(Activity.held_on, f.home.name, Activity.id, ActivityTopic.name, Activity.form,
                                  value).select_from(Activity).join(ActivityTopic, ActivityTopic.id == Activity.topic_id))
    rows = db.session.execute(stmt.order_by(Activity.held_on, Activity.id).limit(DRILLDOWN_LIMIT)).all()
    hosts = _host_names([r[2] for r in rows])
    headers = [_("Ngày"), _("Địa bàn"), _("Đơn vị tổ chức"), _("Chủ đề"), _("Hình thức"),
               FIGURES[key].label if column is not None else _("Lượt người")]
    return Drilldown(key, headers, [(d, u, hosts[i], t, labels.ACTIVITY_FORMS[fm], v) for d, u, i, t, fm, v in rows],
                     None if column is None else 5)


def _host_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    name = sa.func.coalesce(Team.name, Club.name, TrustedAddress.name, Unit.name)
    stmt = (sa.select(Activity.id, name).select_from(Activity).join(Unit, Unit.id == Activity.unit_id)
            .outerjoin(Team, Team.id == Activity.team_id).outerjoin(Club, Club.id == Activity.club_id)
            .outerjoin(TrustedAddress, TrustedAddress.id == Activity.address_id).where(Activity.id.in_(ids)))
    return dict(db.session.execute(stmt).all())


# --- the provider of the indicators framework (app.indicators.providers) ----------------------

def _provider():
    from app.indicators.figures import Figure
    from app.indicators.providers import Contribution, IndicatorProvider
    from app.indicators.rollups import Counter

    class CommunityIndicators(IndicatorProvider):
        """Teams, clubs, trusted addresses and activities on the core dashboard: the same per-unit
        counts (``counts_by_unit``), added up per row of the breakdown."""

        name = "community"
        figures = tuple(Figure(f.key, f.label, "community", f.kind, short=f.label, part_of=f.part_of) for f in _FIGURES)
        record_keys = ("teams_active", "clubs_active", "addresses_active", "activities_held")

        counters = tuple(Counter(k, stock=k in STOCK_KEYS) for k in KEYS)

        def rollup_sources(self):
            return rollup_sources()

        def raw_counters(self, buckets, counters=None):
            return raw_counters(buckets)

        def compute(self, unit, period, today, row_of):
            return self._contribution(counts_by_unit(unit, period), row_of)

        def compute_rollups(self, unit, period, today, row_of):
            return self._contribution(counts_by_unit_rollups(unit, period), row_of)

        def _contribution(self, counts, row_of):
            rows = {path: dict.fromkeys(KEYS, 0) for path in dict.fromkeys(row_of.values())}
            total = dict.fromkeys(KEYS, 0)
            for unit_id, values in counts.items():
                for key, value in values.items():
                    rows[row_of[unit_id]][key] += value
                    total[key] += value
            return Contribution(rows=rows, total=total)

    return CommunityIndicators()


provider = None


def register(app) -> None:
    """Plug the community figures into the core dashboard (``app.indicators.register_provider``)."""
    global provider
    from app.indicators import register_provider

    if provider is None:
        provider = _provider()
    register_provider(provider)
