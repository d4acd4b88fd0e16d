"""SQL building blocks shared by the core and the features (the indicators framework and each
feature's indicator provider): which child unit a record falls under, subtree and period filters
written into the plan, and who is an ethnic minority, as expressions the database evaluates row
by row (SQLite and PostgreSQL).

Records belong to units through the materialised path, so a commune moved under a new parent
(``app.services.move_unit`` rewrites the paths) is counted, with all its history, under its
current ancestors.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app import ethnicities
from app.models import Unit


class _position(FunctionElement):
    """1-based position of ``needle`` in ``haystack``, 0 when absent."""

    type = sa.Integer()
    inherit_cache = True
    name = "position"


@compiles(_position)
def _position_default(element, compiler, **kw):
    return "instr(%s)" % compiler.process(element.clauses, **kw)


@compiles(_position, "postgresql")
def _position_postgresql(element, compiler, **kw):
    return "strpos(%s)" % compiler.process(element.clauses, **kw)


def child_path(unit: Unit, path_column):
    """The path of the child of ``unit`` under which a row whose unit path is ``path_column`` lies,
    or ``unit.path`` itself for rows attached directly to ``unit``.

    "/VN/19/02020/x1/" under "/VN/19/" gives "/VN/19/02020/": the path up to the first "/" after
    the prefix. One string operation per row, so grouping by it costs no join on the children.
    Only meaningful on rows already restricted to ``unit``'s subtree.
    """
    prefix_len = len(unit.path)
    rest = sa.func.substr(path_column, prefix_len + 1)
    return sa.func.substr(path_column, 1, prefix_len + _position(rest, "/"))


def plan_constant(value):
    """A value the query plan depends on (a unit's path, a period's first and last day), written
    into the SQL text instead of being sent as a parameter. psycopg prepares a statement once it
    has run five times, and PostgreSQL then settles on a generic plan that cannot know whether
    "/VN/19/%" is a village or a province: for a province it loops over 100,000 rows, three
    times slower. Values are typed and escaped by SQLAlchemy, never user text."""
    return sa.bindparam(None, value, literal_execute=True)


def in_subtree(unit: Unit, path_column):
    """Rows whose unit path lies in ``unit``'s subtree (an indexed prefix LIKE)."""
    return path_column.startswith(plan_constant(unit.path))


def in_period(date_column, date_from, date_to):
    return date_column.between(plan_constant(date_from), plan_constant(date_to))


def is_minority(code_column, system_column):
    """SQL twin of ``app.ethnicities.is_minority``: a recorded ethnicity that is not the majority
    group of its code system (no system recorded means the default one)."""
    system = sa.func.coalesce(system_column, ethnicities.DEFAULT_SYSTEM)
    majority = [sa.and_(system == name, code_column == code) for name, code in ethnicities.MAJORITY.items()]
    return sa.and_(code_column.is_not(None), code_column != "", sa.not_(sa.or_(*majority)))
