"""Commitments and their follow-up: the list with the web workspace's filters and order, one
commitment with its timeline, and the status change with a note.

Scope comes from ``dialogues.access`` (union officers: the dialogues of their unit's subtree;
authority users: their agency's commitments only), the list from ``dialogues.follow_up.queries``,
and every change from ``dialogues.services.follow_up``, so the state machine on the model decides
(open -> in progress -> resolved | partly resolved | not feasible with its reason | forwarded).
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.api.blueprint import PAGE_PARAMS, api_user, page_of, paginate, route
from app.api.errors import ApiError, from_service
from app.forms import undrawable_fields
from app.api.openapi import DATE, DATETIME, ID, Answer, Param, nullable, schema
from app.api.units import unit_in_scope
from app.services import ServiceError
from app import clock
from dialogues.access import VIEW_ROLES, get_commitment_or_404, visible_commitments
from dialogues.follow_up import queries
from dialogues.models import Commitment, CommitmentEventKind, CommitmentStatus
from dialogues.services import follow_up

STATUSES = [s.value for s in CommitmentStatus]
AGENCY_REF = {"type": "object", "additionalProperties": False, "required": ["id", "code", "name"],
              "properties": {"id": ID, "code": {"type": "string"}, "name": {"type": "string"}}}
COMMITMENT_FIELDS = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "dialogue_id", "question_id", "question_number", "agency", "responsible_person", "description",
                 "deadline", "original_deadline", "status", "is_overdue", "closed_on", "forwarded_from_id",
                 "forwarded_to_id", "created_dt", "updated_dt"],
    "properties": {
        "id": ID, "dialogue_id": ID, "question_id": ID, "question_number": {"type": "integer"}, "agency": AGENCY_REF,
        "responsible_person": {"type": "string"}, "description": {"type": "string"},
        "deadline": {**DATE, "description": "The current deadline (moved by a lawful extension)."},
        "original_deadline": {**DATE, "description": "The deadline promised at the dialogue."},
        "status": {"type": "string", "enum": STATUSES},
        "is_overdue": {"type": "boolean", "description": "Open or in progress and past the current deadline."},
        "closed_on": nullable(DATE), "forwarded_from_id": nullable(ID), "forwarded_to_id": nullable(ID),
        "created_dt": DATETIME, "updated_dt": nullable(DATETIME)}}
COMMITMENT = schema("Commitment", COMMITMENT_FIELDS)
EVENT = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "kind", "status_from", "status_to", "deadline_from", "deadline_to", "agency_from_id",
                 "agency_to_id", "linked_commitment_id", "note", "user", "actor_agency_id", "created_dt", "attachment"],
    "properties": {
        "id": ID, "kind": {"type": "string", "enum": [k.value for k in CommitmentEventKind]},
        "status_from": nullable({"type": "string", "enum": STATUSES}),
        "status_to": nullable({"type": "string", "enum": STATUSES}),
        "deadline_from": nullable(DATE), "deadline_to": nullable(DATE), "agency_from_id": nullable(ID),
        "agency_to_id": nullable(ID), "linked_commitment_id": nullable(ID), "note": {"type": "string"},
        "user": nullable({"type": "string", "description": "Username of who acted."}),
        "actor_agency_id": nullable(ID), "created_dt": DATETIME,
        "attachment": nullable({"type": "object", "additionalProperties": False,
                                "required": ["filename", "file_type", "size_bytes", "sha256"],
                                "properties": {"filename": {"type": "string"}, "file_type": {"type": "string"},
                                               "size_bytes": {"type": "integer"}, "sha256": {"type": "string"}}})}}
COMMITMENT_DETAIL = schema("CommitmentDetail", {
    **COMMITMENT_FIELDS, "required": [*COMMITMENT_FIELDS["required"], "question", "history"],
    "properties": {**COMMITMENT_FIELDS["properties"],
                   "question": {"type": "object", "additionalProperties": False, "required": ["number", "content"],
                                "properties": {"number": {"type": "integer"}, "content": {"type": "string"}}},
                   "history": {"type": "array", "items": EVENT, "description": "Newest first; never rewritten."}}})
schema("CommitmentChange", {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "status": {"type": "string", "enum": [s for s in STATUSES if s != "open"],
                   "description": "The new status; `not_feasible` needs the reason in `note`, `forwarded` needs "
                                  "`agency_id` (the receiving agency gets a linked commitment of its own)."},
        "note": {"type": "string", "maxLength": 5000},
        "agency_id": {**ID, "description": "With `forwarded`: the receiving agency."},
        "deadline": {**DATE, "description": "With `forwarded`: the receiving agency's deadline."},
        "client_token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
                         "description": "Sending the same change again with the same token changes nothing."}}})


def commitment_json(c: Commitment, today) -> dict:
    forwarded_to = c.forwarded_to
    return {
        "id": c.id, "dialogue_id": c.question.dialogue_id, "question_id": c.question_id,
        "question_number": c.question.number,
        "agency": {"id": c.agency.id, "code": c.agency.code, "name": c.agency.name},
        "responsible_person": c.responsible_person, "description": c.description,
        "deadline": c.deadline.isoformat(), "original_deadline": c.original_deadline.isoformat(),
        "status": c.status.value, "is_overdue": c.overdue_on(today),
        "closed_on": c.closed_on.isoformat() if c.closed_on else None, "forwarded_from_id": c.forwarded_from_id,
        "forwarded_to_id": forwarded_to.id if forwarded_to else None, "created_dt": c.created_dt.isoformat(),
        "updated_dt": c.updated_dt.isoformat() if c.updated_dt else None}


def _event_json(e) -> dict:
    a = e.attachment
    return {
        "id": e.id, "kind": e.kind.value, "status_from": e.status_from.value if e.status_from else None,
        "status_to": e.status_to.value if e.status_to else None,
        "deadline_from": e.deadline_from.isoformat() if e.deadline_from else None,
        "deadline_to": e.deadline_to.isoformat() if e.deadline_to else None, "agency_from_id": e.agency_from_id,
        "agency_to_id": e.agency_to_id, "linked_commitment_id": e.linked_commitment_id, "note": e.note,
        "user": e.user.username if e.user else None, "actor_agency_id": e.actor_agency_id,
        "created_dt": e.created_dt.isoformat(),
        "attachment": None if a is None else {"filename": a.filename, "file_type": a.file_type,
                                               "size_bytes": a.size_bytes, "sha256": a.sha256}}


def commitment_detail(c: Commitment) -> dict:
    return {**commitment_json(c, clock.today()), "question": {"number": c.question.number, "content": c.question.content},
            "history": [_event_json(e) for e in queries.timeline(c)]}


@route("/commitments", summary="Commitments in scope: overdue first, then by deadline", tag="commitments",
       roles=VIEW_ROLES,
       description="Commitments of approved minutes. Union officers see those of their unit's dialogues; an "
                   "authority user only those its agency owns.",
       query=[Param("status", {"type": "string", "enum": STATUSES}, "Only this status."),
              Param("overdue", {"type": "boolean"}, "true: only open or in progress and past the deadline."),
              Param("agency", ID, "Only this agency's commitments."),
              Param("unit", ID, "Only dialogues organised by this unit or below (in the user's scope)."),
              *PAGE_PARAMS],
       answers={200: Answer("A page of commitments.", page_of(COMMITMENT))})
def list_commitments(query):
    user = api_user()
    unit = unit_in_scope(query["unit"], "unit")
    filters = queries.CommitmentFilter(
        status=CommitmentStatus(query["status"]) if query["status"] else None, agency_id=query["agency"],
        overdue=bool(query["overdue"]), unit_id=unit.id if unit else None)
    today = clock.today()
    page = paginate(queries.commitment_list(filters, visible_commitments(user), today), query,
                    lambda c: commitment_json(c, today))
    return page, 200


@route("/commitments/<int:commitment_id>", summary="One commitment with its history", tag="commitments",
       roles=VIEW_ROLES, answers={200: Answer("The commitment.", COMMITMENT_DETAIL)})
def get_commitment(commitment_id: int):
    return commitment_detail(get_commitment_or_404(commitment_id, api_user())), 200


@route("/commitments/<int:commitment_id>", "PATCH", summary="Change a commitment's status, with a note",
       tag="commitments", roles=VIEW_ROLES, body="CommitmentChange",
       description="The same rules as the web page: a status may only follow the one before it (open -> "
                   "in_progress -> resolved, partly_resolved, not_feasible or forwarded), follow-up starts once the "
                   "minutes are approved, and every change is a history row with who, when and the note. A note "
                   "alone is recorded as a note.",
       answers={200: Answer("The commitment after the change.", COMMITMENT_DETAIL)})
def change_commitment(commitment_id: int, body: dict):
    user = api_user()
    commitment = get_commitment_or_404(commitment_id, user)
    status, note, token = body.get("status"), body.get("note", ""), body.get("client_token")
    if bad := undrawable_fields({"note": note}):  # the note reaches the follow-up report PDF
        raise ApiError.invalid(bad)
    if status != "forwarded" and ("agency_id" in body or "deadline" in body):
        raise ApiError.invalid({k: _("Chỉ dùng khi chuyển cam kết cho cơ quan khác.")
                                for k in ("agency_id", "deadline") if k in body})
    try:
        if status == "forwarded":
            deadline = _deadline(body.get("deadline"))
            follow_up.forward_commitment(commitment, user, body.get("agency_id"), note, deadline, token=token)
        else:
            follow_up.update_commitment(commitment, user, status=CommitmentStatus(status) if status else None,
                                        note=note, token=token)
    except ServiceError as exc:
        raise from_service(exc) from None
    return commitment_detail(commitment), 200


def _deadline(value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError.invalid({"deadline": _("Ngày phải viết dạng YYYY-MM-DD.")}) from None
