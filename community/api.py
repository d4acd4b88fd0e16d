"""Community endpoints of the JSON API: the figures of a unit and period, and the activities of
a unit (counts only, never names). Declared through ``app.api.blueprint.route``, so they appear in
the OpenAPI document and follow the API's authentication, roles and scope rules."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app import clock
from app.api.blueprint import PAGE_PARAMS, api_user, page_of, paginate, route
from app.api.errors import ApiError
from app.api.openapi import DATE, ID, Answer, Param, nullable, schema
from app.api.units import unit_in_scope
from app.auth import unit_scope
from app.indicators.periods import Period
from community import indicators
from community.access import COMMUNITY_ROLES
from community.models import Activity, ActivityForm, ActivityHost

FIGURES = {"type": "object", "additionalProperties": False, "required": indicators.KEYS,
           "properties": {k: {"type": "integer", "minimum": 0} for k in indicators.KEYS}}
COMMUNITY_FIGURES = schema("CommunityFigures", {
    "type": "object", "additionalProperties": False, "required": ["unit", "period", "total", "by_unit"],
    "properties": {
        "unit": {"type": "object", "required": ["code", "name"], "properties": {"code": {"type": "string"},
                                                                                "name": {"type": "string"}}},
        "period": {"type": "object", "required": ["from", "to"], "properties": {"from": DATE, "to": DATE}},
        "total": FIGURES,
        "by_unit": {"type": "array", "items": {"type": "object", "required": ["code", "name", "directly"]}}}})
ACTIVITY = schema("CommunityActivity", {
    "type": "object", "additionalProperties": False,
    "required": ["id", "unit_code", "host", "host_name", "held_on", "topic", "form", "participants_total",
                 "participants_women", "participants_minority", "participants_children", "training_id",
                 "dialogue_id"],
    "properties": {"id": ID, "unit_code": {"type": "string"},
                   "host": {"type": "string", "enum": [h.value for h in ActivityHost]},
                   "host_name": {"type": "string"}, "held_on": DATE, "topic": {"type": "string"},
                   "form": {"type": "string", "enum": [f.value for f in ActivityForm]},
                   **{k: {"type": "integer", "minimum": 0} for k in (
                       "participants_total", "participants_women", "participants_minority",
                       "participants_children")},
                   "training_id": nullable(ID), "dialogue_id": nullable(ID)}})


@route("/community/indicators", summary="Community figures of a unit over a period", tag="community",
       roles=COMMUNITY_ROLES,
       description="Teams and members, clubs and child members, trusted addresses and support given, "
                   "activities and participant-times, with the child-unit breakdown (unmasked counts).",
       query=[Param("unit", ID, "The unit (default: the token's unit)."),
              Param("from", DATE, "First day (default: 1 January this year)."),
              Param("to", DATE, "Last day (default: 31 December this year).")],
       answers={200: Answer("The figures.", COMMUNITY_FIGURES)})
def community_indicators(query):
    unit = unit_in_scope(query["unit"], "unit") or api_user().unit
    year = Period.year(clock.today().year)
    period = Period("custom", query["from"] or year.date_from, query["to"] or year.date_to)
    if period.date_from > period.date_to:
        raise ApiError.invalid({"from": _("Ngày bắt đầu phải trước ngày kết thúc.")})
    return indicators.compute(unit, period).to_json(), 200


@route("/community/activities", summary="Communication activities in scope, newest first", tag="community",
       roles=COMMUNITY_ROLES,
       query=[Param("unit", ID, "Only this unit and the units below it."),
              Param("from", DATE, "Held on or after this date."), Param("to", DATE, "Held on or before this date."),
              *PAGE_PARAMS],
       answers={200: Answer("A page of activities.", page_of(ACTIVITY))})
def list_community_activities(query):
    user = api_user()
    stmt = (sa.select(Activity).where(unit_scope(user, Activity.unit_id))
            .options(sa.orm.joinedload(Activity.unit), sa.orm.joinedload(Activity.topic),
                     sa.orm.joinedload(Activity.team), sa.orm.joinedload(Activity.club),
                     sa.orm.joinedload(Activity.address))
            .order_by(Activity.held_on.desc(), Activity.id.desc()))
    if (unit := unit_in_scope(query["unit"], "unit")) is not None:
        stmt = stmt.where(unit.subtree_filter(Activity.unit_id))
    if query["from"]:
        stmt = stmt.where(Activity.held_on >= query["from"])
    if query["to"]:
        stmt = stmt.where(Activity.held_on <= query["to"])
    return paginate(stmt, query, lambda a: {
        "id": a.id, "unit_code": a.unit.code, "host": a.host.value, "host_name": a.host_name,
        "held_on": a.held_on.isoformat(), "topic": a.topic.name, "form": a.form.value,
        "participants_total": a.participants_total, "participants_women": a.participants_women,
        "participants_minority": a.participants_minority, "participants_children": a.participants_children,
        "training_id": a.training_id, "dialogue_id": a.dialogue_id}), 200
