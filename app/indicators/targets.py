"""Progress against yearly targets, for the unit shown and the units one level below it.

A target is for a calendar year, so progress is measured from 1 January of the period's last
year to its last day: the figures of a quarter are those of the quarter, its progress that of
the year so far. When the period already starts on 1 January the figures are reused; otherwise
the year so far is computed once more (the same fixed number of queries).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.indicators.dashboard import Dashboard, compute_dashboard
from app.indicators.figures import FIGURES
from app.indicators.models import Indicator, IndicatorTarget
from app.models import Unit


def active_indicators() -> list[Indicator]:
    return list(db.session.scalars(sa.select(Indicator).where(Indicator.is_active)
                                   .order_by(Indicator.position, Indicator.code)))


def percent_of(actual, target) -> float | None:
    if actual is None or target is None or target <= 0:
        return None
    return round(100 * actual / target, 1)


def points_of(actual, target) -> float | None:
    """Progress of a rate target: how many percentage points the rate stands above (or below) it.
    A ratio of two rates (60 % of a 80 % target = "75 %") reads as a rate and misleads."""
    if actual is None or target is None:
        return None
    return round(actual - target, 1)


def progress_of(figure, actual, target) -> dict:
    """``percent`` of target for counts; ``points`` (percentage points) for a rate target."""
    if figure.is_rate:
        return {"percent": None, "points": points_of(actual, target)}
    return {"percent": percent_of(actual, target), "points": None}


def attach_progress(dashboard: Dashboard, unit: Unit, today: date, mode: str = "rollups") -> Dashboard:
    """Fill ``dashboard.progress``: one entry per active indicator (target, actual, percent),
    with the same for each row of the breakdown."""
    indicators = active_indicators()
    if not indicators:
        return dashboard
    year = dashboard.period.date_to.year
    unit_ids = [dashboard.unit_id] + [row.unit_id for row in dashboard.rows]
    targets = {(t.indicator_id, t.unit_id): t.target for t in db.session.scalars(
        sa.select(IndicatorTarget).where(IndicatorTarget.year == year, IndicatorTarget.unit_id.in_(unit_ids)))}
    so_far = dashboard if dashboard.period.is_year_to_date else \
        compute_dashboard(unit, dashboard.period.year_to_date, today, mode)
    so_far_rows = {row.unit_id: row.figures for row in so_far.rows}

    progress = []
    for indicator in indicators:
        figure = FIGURES.get(indicator.figure)
        if figure is None:  # a figure retired from the code: keep the indicator, show nothing
            continue
        actual = figure.target_value(so_far.total.get(figure.key))
        target = targets.get((indicator.id, dashboard.unit_id))
        by_unit = []
        for row in dashboard.rows:
            row_actual = figure.target_value(so_far_rows.get(row.unit_id, {}).get(figure.key))
            # Records filed at the unit itself have no target of their own: the unit's is the total's.
            row_target = None if row.kind == "self" else targets.get((indicator.id, row.unit_id))
            by_unit.append({"code": row.code, "name": row.name, "directly": row.kind == "self",
                            "target": row_target, "actual": row_actual,
                            **progress_of(figure, row_actual, row_target)})
        progress.append({"code": indicator.code, "name": indicator.name, "unit_of_measure": indicator.unit_of_measure,
                         "figure": figure.key, "year": year, "date_from": so_far.period.date_from,
                         "date_to": so_far.period.date_to, "target": target, "actual": actual,
                         "is_rate": figure.is_rate, **progress_of(figure, actual, target), "by_unit": by_unit})
    dashboard.progress = progress
    dashboard.year_so_far = so_far
    return dashboard


def load_dashboard(unit: Unit, period, today: date, mode: str = "rollups") -> Dashboard:
    """The dashboard with its progress against targets: what every screen and export shows
    (``mode="raw"``: computed from the raw rows instead of the rollups, for comparison)."""
    return attach_progress(compute_dashboard(unit, period, today, mode), unit, today, mode)
