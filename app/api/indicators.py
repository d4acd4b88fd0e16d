"""The dashboard figures of a unit over a period: the same computation as the indicators page, its
exports and ``flask indicators`` (``app.indicators.targets.load_dashboard``)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.api.blueprint import api_user, route
from app.api.errors import ApiError
from app.api.openapi import DATE, ID, Answer, Param, schema
from app.api.units import unit_in_scope
from app.indicators.exports import published
from app.indicators.figures import FIGURES
from app.indicators.periods import Period
from app.indicators.targets import load_dashboard
from app.indicators.access import DASHBOARD_ROLES
from app.services import log_export
from app import clock

# A figure, or a masked cell: "<5" (1 to 4 people), "n<5" (a statistic on fewer than 5 pairs),
# "x" (hidden so that a masked cell cannot be derived), as on the screen (app.indicators.exports).
VALUE = {"type": ["number", "null", "string"]}
# Filled by describe_figures() once the features have registered their indicator providers.
FIGURE_VALUES = {"type": "object", "properties": {},
                 "description": "Figure key -> value (keys are those of `flask indicators`)."}
UNIT_VALUES = {**FIGURE_VALUES, "required": ["code", "name", "directly"], "properties": {}}
INDICATORS = schema("Indicators", {
    "type": "object", "required": ["unit", "period", "today", "total", "by_unit", "by_topic"],
    "description": "The object printed by `flask indicators` (see app/indicators/figures.py for each key).",
    "properties": {
        "unit": {"type": "object", "required": ["code", "name"],
                 "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
        "period": {"type": "object", "required": ["kind", "from", "to"],
                   "properties": {"kind": {"type": "string"}, "from": DATE, "to": DATE}},
        "today": DATE, "total": FIGURE_VALUES,
        "by_unit": {"type": "array", "items": UNIT_VALUES},
        "by_topic": {"type": "array", "items": {"type": "object"}},
        "by_ethnic_group": {"type": "array", "items": {"type": "object"}},
        "attendance_by_group": {"type": "array", "items": {"type": "object"}},
        "progress": {"type": "array", "items": {"type": "object"}}}})


def describe_figures() -> None:
    """Write the figure keys of the registered providers into the schema (again on each call:
    the same keys, in the same order)."""
    values = {key: VALUE for key in FIGURES}
    FIGURE_VALUES["properties"].clear()
    FIGURE_VALUES["properties"].update(values)
    UNIT_VALUES["properties"].clear()
    UNIT_VALUES["properties"].update({**values, "code": {"type": "string"}, "name": {"type": "string"},
                                      "directly": {"type": "boolean"}})


@route("/indicators", summary="Dashboard figures of a unit over a period", tag="indicators", roles=DASHBOARD_ROLES,
       description="Trainings, knowledge gain, dialogues, questions, commitments and their follow-up for the unit, "
                   "each unit one level below it and each training topic. Defaults: the user's own unit, from "
                   "1 January of this year to today. The figures are those of the screen, masked as it masks them: "
                   "a group of 1 to 4 people reads \"<5\", a statistic on fewer than 5 pre/post pairs \"n<5\", "
                   "and a cell hidden so that a masked one cannot be derived from the others \"x\".",
       query=[Param("unit", ID, "A unit in the user's scope."), Param("from", DATE, "First day (YYYY-MM-DD)."),
              Param("to", DATE, "Last day (YYYY-MM-DD).")],
       answers={200: Answer("The figures.", INDICATORS)})
def get_indicators(query):
    unit = unit_in_scope(query["unit"], "unit") or api_user().unit
    today = clock.today()
    date_from, date_to = query["from"] or date(today.year, 1, 1), query["to"] or today
    if date_from > date_to:
        raise ApiError.invalid({"to": _("“Đến ngày” phải sau “Từ ngày”.")})
    dashboard = published(load_dashboard(unit, Period("custom", date_from, date_to), today))
    # Masked as on the screen; recorded like the dashboard's file exports.
    log_export(api_user(), "api_indicators", "Unit", unit.id, has_names=False, rows=len(dashboard.rows))
    return dashboard.to_json(), 200
