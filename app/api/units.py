"""Reference data: administrative units and agencies, within the token user's scope."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.api.blueprint import PAGE_PARAMS, api_user, page_of, paginate, route
from app.api.errors import ApiError
from app.api.openapi import ID, Answer, Param, nullable, schema
from app import auth
from app.auth import unit_scope
from app.models import Agency, Role, Unit, UnitLevel
from app.services import agencies_on_branch

UNIT = schema("Unit", {
    "type": "object", "additionalProperties": False,
    "required": ["id", "code", "name", "level", "division_type", "parent_id", "is_active"],
    "properties": {"id": ID, "code": {"type": "string"}, "name": {"type": "string"},
                   "level": {"type": "string", "enum": [lv.value for lv in UnitLevel]},
                   "division_type": {"type": "string"}, "parent_id": nullable(ID), "is_active": {"type": "boolean"}}})
AGENCY = schema("Agency", {
    "type": "object", "additionalProperties": False, "required": ["id", "code", "name", "unit_id", "is_active"],
    "properties": {"id": ID, "code": {"type": "string"}, "name": {"type": "string"}, "unit_id": ID,
                   "is_active": {"type": "boolean"}}})


def unit_json(unit: Unit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level.value,
            "division_type": unit.division_type, "parent_id": unit.parent_id, "is_active": unit.is_active}


def agency_json(agency: Agency) -> dict:
    return {"id": agency.id, "code": agency.code, "name": agency.name, "unit_id": agency.unit_id,
            "is_active": agency.is_active}


def unit_in_scope(unit_id: int | None, field: str) -> Unit | None:
    """The unit named by a query parameter, if the user may see it; a 422 on that parameter
    otherwise (the parameter is a filter, not the object of the request)."""
    if unit_id is None:
        return None
    unit = auth.unit_in_scope(unit_id, api_user())
    if unit is None:
        raise ApiError.invalid({field: _("Không có đơn vị này trong phạm vi của bạn.")})
    return unit


@route("/units", summary="Units: the user's own unit, or the children of one", tag="reference",
       description="Without `parent`: the user's own unit (the top of their scope). With `parent`: the units "
                   "directly below it, if it lies in the user's scope.",
       query=[Param("parent", ID, "A unit id: list its children."), *PAGE_PARAMS],
       answers={200: Answer("A page of units.", page_of(UNIT))})
def list_units(query):
    user = api_user()
    parent = unit_in_scope(query["parent"], "parent")
    if parent is None:
        stmt = sa.select(Unit).where(Unit.id == user.unit_id)
    else:
        stmt = sa.select(Unit).where(Unit.parent_id == parent.id).order_by(Unit.is_active.desc(), Unit.name, Unit.id)
    return paginate(stmt, query, unit_json), 200


@route("/agencies", summary="Agencies", tag="reference", roles=(Role.province, Role.commune),
       description="Without parameters: the agencies of the user's unit and the units below it (as on the web "
                   "page). With `unit`: the agencies of that unit exactly. With `addressable_from`: the active "
                   "agencies a dialogue of that unit may name (its own, those above it such as province "
                   "departments, and those below it): the list the dialogue forms offer.",
       query=[Param("unit", ID, "A unit id in the user's scope."),
              Param("addressable_from", ID, "A unit id in the user's scope."), *PAGE_PARAMS],
       answers={200: Answer("A page of agencies.", page_of(AGENCY))})
def list_agencies(query):
    unit = unit_in_scope(query["unit"], "unit")
    if (organiser := unit_in_scope(query["addressable_from"], "addressable_from")) is not None:
        stmt = agencies_on_branch(organiser)
    else:
        stmt = sa.select(Agency).where(unit_scope(api_user(), Agency.unit_id)).order_by(Agency.code)
    if unit is not None:
        stmt = stmt.where(Agency.unit_id == unit.id)
    return paginate(stmt, query, agency_json), 200
