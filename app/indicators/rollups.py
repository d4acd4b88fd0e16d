"""Rollups: the dashboard's counters per unit × day × key × counter, kept in the same transaction
as every write that changes them, so the dashboard reads a few thousand counter rows instead of
a year of raw records.

How it works (one mechanism for every feature):

- A provider (``app.indicators.providers.IndicatorProvider``) declares its ``counters`` (additive
  numbers: counts and sums; a mean is stored as its sum and its count) and implements
  ``raw_counters(buckets)``: the counters computed from the raw rows for a set of (unit id, day)
  buckets (every bucket when ``None``), as (unit id, day, key, counter, value) rows. ``key`` is a
  free integer dimension: a topic id, a number of days, a deadline (``date.toordinal()``), 0 when
  unused.
- ``rollup_sources()`` maps each model whose rows feed the counters to a function of a list of ids
  returning a SELECT of the (unit id, day) buckets those rows fall in (a response: its training's
  unit and start date); a NULL day stands for every day of the unit (a team whose founding or
  closing date changed: its stock counters are recomputed for the whole unit).
- A ``before_flush`` hook reads, for every changed or deleted row of a source model, the buckets
  it was in (from the database, before the flush writes); ``after_flush`` reads the buckets of new
  and changed rows (after the writes); at the commit (``settle``, also run by ``read`` first, so a
  transaction reads its own counters) exactly those buckets are recomputed from the raw rows: the
  counter rows of the buckets are deleted and inserted again where they differ from the stored
  ones (then their months and years). So a record moved to another unit or day leaves its old
  bucket and joins its new one, and any new write path that goes through the ORM is covered
  without a line of code. A source given as ``Source(buckets, counters)`` recomputes only those
  counters (a phone response: the matched pairs of its training's day, one statement). On
  PostgreSQL one transaction at a time recomputes a unit's counters (``_lock``). Writes that
  bypass the ORM (Core inserts of a bulk load) are followed by ``rebuild()`` (``flask indicators
  rebuild``).
- Units moved under another parent need nothing: counters are kept per unit id, and the read joins
  the units by their current path (``app.sql.in_subtree``).
- A *stock* counter (``Counter(stock=True)``) holds +1/-1 deltas on the days a thing starts and
  stops existing; its value on a day is the sum of the deltas up to that day.

``read(unit, date_from, date_to, provider)`` is one statement: the provider's counters per
record unit and key over the period (stocks up to ``date_to``).
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app import sql
from app.extensions import db
from app.models import Unit

CHUNK = 400  # buckets or ids per statement (two parameters a bucket: under SQLite's old limit of 999)
BEGINNING = date(1900, 1, 1)  # the day of a stock's +1 for a thing with no start date


@dataclass(frozen=True)
class Counter:
    """One additive number a provider keeps per unit × day × key."""

    key: str
    stock: bool = False


@dataclass(frozen=True)
class Source:
    """A source model whose rows change only some of its provider's counters (``counters``, their
    keys): a write of such a row recomputes those counters of its buckets and no others (a phone
    response changes the matched pairs of its training's day, not the roster counts).
    ``rollup_sources()`` may give a bare bucket function instead: every counter."""

    buckets: Callable
    counters: tuple[str, ...]


DAY, MONTH, YEAR = "d", "m", "y"


class Rollup(db.Model):
    """One counter of one unit: for one day (``grain`` "d"), or the sum of a month's days ("m",
    ``day`` the first of the month) or of a year's ("y", ``day`` the 1st of January), so that a
    period is read as its whole years, then whole months, then odd days."""

    __tablename__ = "indicator_rollups"
    __table_args__ = (sa.Index("ix_indicator_rollups_unit_id_day", "unit_id", "day"),)

    counter: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # "<provider>.<counter key>"
    grain: Mapped[str] = mapped_column(sa.String(1), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)
    key: Mapped[int] = mapped_column(primary_key=True, default=0, autoincrement=False)
    value: Mapped[float] = mapped_column(sa.Float)


def _name(provider, key: str) -> str:
    return f"{provider.name}.{key}"


def _providers():
    from app.indicators.providers import providers

    return [p for p in providers() if p.counters]


def _values(provider, buckets, counters: frozenset[str] | None = None) -> list[dict]:
    """The day rows of ``buckets`` from the provider's raw counters (only ``counters``, keys,
    when given)."""
    whole = None if buckets is None else {u for u, d in buckets if d is None}
    days = None if buckets is None else {(u, d) for u, d in buckets if d is not None}
    rows: dict[tuple, float] = defaultdict(float)
    for unit_id, day, key, counter, value in provider.raw_counters(buckets, counters):
        if value and (counters is None or counter in counters) and (
                buckets is None or unit_id in whole or (unit_id, day) in days):
            rows[(unit_id, day, _name(provider, counter), int(key or 0))] += float(value)
    return [dict(unit_id=u, day=d, counter=c, key=k, value=v, grain=DAY) for (u, d, c, k), v in rows.items() if v]


def _start(grain: str, day: date) -> date:
    return day.replace(day=1) if grain == MONTH else day.replace(month=1, day=1)


def _sums(rows, grain: str) -> list[dict]:
    """The ``grain`` rows (months or years) summing ``rows`` (days or months)."""
    sums: dict[tuple, float] = defaultdict(float)
    for r in rows:
        sums[(r["unit_id"], _start(grain, r["day"]), r["counter"], r["key"])] += r["value"]
    return [dict(unit_id=u, day=d, counter=c, key=k, value=v, grain=grain) for (u, d, c, k), v in sums.items() if v]


def _insert(connection, rows: list[dict]) -> None:
    for start in range(0, len(rows), 10_000):
        connection.execute(Rollup.__table__.insert(), rows[start:start + 10_000])


def _recompute(connection, provider, buckets: set[tuple[int, date | None]],
               counters: frozenset[str] | None = None) -> None:
    """Write again the provider's counter rows (only ``counters``, keys, when given) of
    ``buckets``, then of their months and years; a bucket whose day is None stands for every day
    of its unit (the stocks of a group whose dates changed). Day rows that come out as they were
    are left alone, and so are their months and years (a pre-test changes no matched pair)."""
    names = [_name(provider, c.key) for c in provider.counters if counters is None or c.key in counters]
    if not names:
        return
    _lock(connection, provider, buckets)
    buckets = _replace_days(connection, provider, names, buckets, counters)
    table = Rollup.__table__
    for grain, below in ((MONTH, DAY), (YEAR, MONTH)):
        buckets = {(u, None if d is None else _start(grain, d)) for u, d in buckets}

        def sums(chunk, grain=grain, below=below):
            rows = connection.execute(sa.select(table).where(
                table.c.counter.in_(names), table.c.grain == below, _spans(table, chunk, grain))).mappings().all()
            return _sums(rows, grain)
        for chunk in _chunks(buckets):
            _delete(connection, names, grain, chunk)
            _insert(connection, sums(chunk))


def _lock(connection, provider, buckets) -> None:
    """PostgreSQL: one transaction at a time recomputes a unit's counters of a provider (a
    transaction-scoped advisory lock per unit, taken in one order). Without it two phone answers
    of one training, committed at once, each recompute the day from the raw rows without the
    other's row: the second insert of the same counter row fails (or a pair is lost). After the
    lock each statement sees what the one before committed. SQLite's write lock does this."""
    if connection.dialect.name != "postgresql":
        return
    family = zlib.crc32(provider.name.encode()) & 0x7FFFFFFF
    keys = sorted({(family << 32) | (u & 0xFFFFFFFF) for u, _d in buckets})
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                       {"keys": keys})


def _chunks(buckets):
    ordered = sorted(buckets, key=lambda b: (b[0], b[1] or BEGINNING))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _spans(table, chunk, grain: str):
    """The rows of ``chunk``'s buckets of ``grain`` (a month, a year) one grain below, or of every
    day of a whole unit (day None)."""
    whole = [u for u, d in chunk if d is None]
    spans = [sa.and_(table.c.unit_id == u, table.c.day >= d, table.c.day < _next(grain, d))
             for u, d in chunk if d is not None]
    return sa.or_(table.c.unit_id.in_(whole), *spans)


def _in_buckets(table, chunk):
    whole = [u for u, d in chunk if d is None]
    days = [(u, d) for u, d in chunk if d is not None]
    return sa.or_(table.c.unit_id.in_(whole), sa.tuple_(table.c.unit_id, table.c.day).in_(days or [(0, BEGINNING)]))


def _delete(connection, names, grain: str, chunk) -> None:
    table = Rollup.__table__
    connection.execute(table.delete().where(table.c.counter.in_(names), table.c.grain == grain,
                                            _in_buckets(table, chunk)))


def _replace_days(connection, provider, names, buckets, counters) -> set:
    """Day rows of ``buckets`` from the raw rows, written where they differ from the stored ones;
    returns the buckets that changed."""
    table = Rollup.__table__
    changed = set()
    for chunk in _chunks(buckets):
        whole = {u for u, d in chunk if d is None}
        stored = {(r.unit_id, r.day, r.counter, r.key): r.value for r in connection.execute(
            sa.select(table.c.unit_id, table.c.day, table.c.counter, table.c.key, table.c.value).where(
                table.c.counter.in_(names), table.c.grain == DAY, _in_buckets(table, chunk)))}
        rows = _values(provider, chunk, counters)
        fresh = {(r["unit_id"], r["day"], r["counter"], r["key"]): r["value"] for r in rows}
        differ = {k for k in stored.keys() | fresh.keys() if stored.get(k) != fresh.get(k)}
        if not differ:
            continue
        changed |= {(u, None if u in whole else d) for u, d, _c, _k in differ}
        _delete(connection, names, DAY, chunk)
        _insert(connection, rows)
    return changed


def _next(grain: str, day: date) -> date:
    if grain == YEAR:
        return date(day.year + 1, 1, 1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def rebuild(connection=None) -> int:
    """Every provider's counters again from the raw rows; returns the number of day rows."""
    connection = connection or db.session.connection()
    connection.execute(Rollup.__table__.delete())
    written = 0
    for provider in _providers():
        rows = _values(provider, None)
        months = _sums(rows, MONTH)
        _insert(connection, rows)
        _insert(connection, months)
        _insert(connection, _sums(months, YEAR))
        written += len(rows)
    return written


def _pieces(date_from: date, date_to: date) -> list[tuple[str, date, date]]:
    """The period as (grain, first row day, last row day) ranges: its whole years, whole months
    and odd days, at most five ranges."""
    one, pieces = timedelta(days=1), []
    day = date_from
    while day <= date_to:
        if day.month == 1 and day.day == 1 and _next(YEAR, day) - one <= date_to:
            grain = YEAR
        elif day.day == 1 and _next(MONTH, day) - one <= date_to:
            grain = MONTH
        else:
            grain = DAY
        if pieces and pieces[-1][0] == grain:
            pieces[-1][2] = day
        else:
            pieces.append([grain, day, day])
        day = _next(grain, day) if grain != DAY else day + one
    return [tuple(p) for p in pieces]


def _between(grain: str, span):
    return sa.and_(Rollup.grain == grain, sql.in_period(Rollup.day, *span))


_ROLLUP_UNIT = sa.orm.aliased(Unit, name="rollup_unit")  # made once (an alias per call costs its adaptation)


def read(unit: Unit, date_from: date, date_to: date, provider,
         min_keys: dict[str, int] | None = None) -> dict[tuple[int, int], dict]:
    """(record unit id, key) -> {counter key: value} for ``unit``'s subtree over the period: flows
    summed over its days, stocks over every day up to its last (one statement). ``min_keys``
    leaves out the rows of a keyed counter below a key (the commitments not yet due on a day)."""
    settle()  # this transaction's own writes first
    flows = [_name(provider, c.key) for c in provider.counters if not c.stock]
    stocks = [_name(provider, c.key) for c in provider.counters if c.stock]
    flow_parts = [_between(grain, (first, last)) for grain, first, last in _pieces(date_from, date_to)]
    # A stock: every delta from the beginning up to the last day.
    stock_parts = [_between(grain, (first, last)) for grain, first, last in _pieces(BEGINNING, date_to)]
    home = _ROLLUP_UNIT
    in_period = sa.or_(
        sa.and_(Rollup.counter.in_(flows or [""]), sa.or_(*flow_parts)),
        sa.and_(Rollup.counter.in_(stocks or [""]), sa.or_(*stock_parts)))
    below = [sa.and_(Rollup.counter == _name(provider, counter), Rollup.key < sql.plan_constant(key))
             for counter, key in (min_keys or {}).items()]
    stmt = (sa.select(Rollup.unit_id, Rollup.key, Rollup.counter, sa.func.sum(Rollup.value))
            .join(home, home.id == Rollup.unit_id).where(in_period, sql.in_subtree(unit, home.path),
                                                         *[sa.not_(b) for b in below])
            .group_by(Rollup.unit_id, Rollup.key, Rollup.counter))
    out: dict[tuple[int, int], dict] = defaultdict(dict)
    prefix = len(provider.name) + 1
    for unit_id, key, counter, value in db.session.execute(stmt):
        number = round(value, 9)
        out[(unit_id, key)][counter[prefix:]] = int(number) if number == int(number) else number
    return out


# --- the flush hook --------------------------------------------------------------------------

def _sources():
    """model class -> [(provider, bucket function, the counter keys its rows change or None: all)]."""
    out = defaultdict(list)
    for provider in _providers():
        for model, source in provider.rollup_sources().items():
            if isinstance(source, Source):
                out[model].append((provider, source.buckets, frozenset(source.counters)))
            else:
                out[model].append((provider, source, None))
    return out


def _collect(session: Session, objects, into: dict) -> None:
    """Add to ``into`` (provider name -> bucket -> counter keys, None for all) the buckets of
    ``objects``."""
    sources = _sources()
    if not sources:
        return
    ids = defaultdict(set)
    for obj in objects:
        for model in type(obj).__mro__:
            if model in sources:
                ident = sa.inspect(obj).mapper.primary_key_from_instance(obj)[0]
                if ident is not None:
                    ids[model].add(ident)
    connection = session.connection()
    for model, model_ids in ids.items():
        for provider, buckets, counters in sources[model]:
            listed = sorted(model_ids)
            touched = into[provider.name]
            for start in range(0, len(listed), CHUNK):
                for unit_id, day in connection.execute(buckets(listed[start:start + CHUNK])):
                    if unit_id is not None:
                        _add(touched, (unit_id, day), counters)


def _changed(session: Session):
    return [o for o in session.dirty if session.is_modified(o, include_collections=False)]


@event.listens_for(Session, "before_flush")
def _buckets_before(session: Session, flush_context, instances) -> None:
    touched = session.info.setdefault("rollup_buckets", defaultdict(dict))
    _collect(session, [*_changed(session), *session.deleted], touched)


def _add(touched: dict, bucket, counters: frozenset[str] | None) -> None:
    """``bucket`` recomputed for ``counters`` too (None: every counter)."""
    if bucket not in touched:
        touched[bucket] = counters
    elif touched[bucket] is not None:
        touched[bucket] = None if counters is None else touched[bucket] | counters


def _merge(into: dict, buckets: dict) -> None:
    """Add ``buckets`` (provider name -> bucket -> counter keys or None: all) to ``into``."""
    for name, found in buckets.items():
        target = into.setdefault(name, {})
        for bucket, counters in found.items():
            _add(target, bucket, counters)


@event.listens_for(Session, "after_flush")
def _buckets_after(session: Session, flush_context) -> None:
    """The buckets of the flush join the transaction's pending ones, recomputed at its commit
    (``settle``): once per bucket however many flushes touched it, and with PostgreSQL's lock
    (``_lock``) held only from then to the commit."""
    touched = session.info.pop("rollup_buckets", None)
    if touched is None:
        return
    _collect(session, [*session.new, *_changed(session)], touched)
    _merge(session.info.setdefault("rollup_pending", {}), touched)


def settle(session: Session | None = None) -> None:
    """Write now the counters of the transaction's writes so far: the commit does it, and
    ``read`` before it reads, so a transaction always reads its own writes' counters. Inside a
    savepoint the buckets stay pending as well (a rolled-back savepoint takes its counter rows
    with it: the commit writes them again from what is left)."""
    session = session or db.session()
    written: dict = {}
    for _round in range(10):  # a provider's query may autoflush more writes: their buckets too
        pending = session.info.pop("rollup_pending", None)
        if not pending:
            break
        _write(session, pending)
        _merge(written, pending)
    if written and session.in_nested_transaction():
        _merge(session.info.setdefault("rollup_pending", {}), written)


def _write(session: Session, pending: dict) -> None:
    by_name = {p.name: p for p in _providers()}
    for name, buckets in pending.items():
        if not buckets or name not in by_name:
            continue
        groups = defaultdict(set)  # the buckets of each set of counters
        for bucket, counters in buckets.items():
            groups[counters].add(bucket)
        for counters, group in groups.items():
            _recompute(session.connection(), by_name[name], group, counters)


@event.listens_for(Session, "before_commit")
def _settle_at_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the root's commit settles
        return
    session.flush()  # the commit's own flush comes after this hook: its buckets are wanted now
    settle(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed (settled) or rolled back: nothing stays pending
        session.info.pop("rollup_pending", None)
        session.info.pop("rollup_buckets", None)
