"""SQL building blocks of the indicators: which child unit a record falls under, and who is an
ethnic minority, as expressions the database evaluates row by row (SQLite and PostgreSQL).

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


def in_subtree(unit: Unit, path_column):
    """Rows whose unit path lies in ``unit``'s subtree (an indexed prefix LIKE)."""
    return path_column.startswith(unit.path)


def is_minority(code_column, system_column):
    """SQL twin of ``app.ethnicities.is_minority``: a recorded ethnicity that is not the majority
    group of its code system (no system recorded means the default one)."""
    system = sa.func.coalesce(system_column, ethnicities.DEFAULT_SYSTEM)
    majority = [sa.and_(system == name, code_column == code) for name, code in ethnicities.MAJORITY.items()]
    return sa.and_(code_column.is_not(None), code_column != "", sa.not_(sa.or_(*majority)))
