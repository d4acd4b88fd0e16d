"""The dialogues feature's API endpoints (declared on ``/api/v1`` through
``app.api.blueprint.route``; the commitments' are in ``dialogues.follow_up.api``). Policy dialogues: create one with its questions, answers and commitments in one body (all or
nothing), list, read, and download the minutes.

Writes go through ``dialogues.services`` (``create_dialogue``, ``save_question_rows``,
``mark_held``): the same checks as the web forms, field by field. Reads use ``dialogues.access``
(commune and province officers: their unit's subtree; authority users: the dialogues and the
questions that concern their agency) and ``dialogues.queries``.
"""
from __future__ import annotations

import re
from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _

from app.api.blueprint import PAGE_PARAMS, api_user, page_of, paginate, route
from app.api.errors import ApiError, field_path
from app.forms import undrawable_fields
from app.api.openapi import DATE, DATETIME, ID, Answer, Param, nullable, schema
from app.api.units import unit_in_scope
from app.official import send_document
from app.extensions import db
from app.models import Sex
from app.services import ServiceError, log_export
from dialogues import queries, services
from dialogues.access import MANAGE_ROLES, VIEW_ROLES, concerns_agency, get_dialogue_or_404, is_agency_reader, \
    visible_dialogues
from dialogues.follow_up import api as _commitments  # noqa: F401  (declares the commitments' endpoints)
from dialogues.minutes import minutes_pdf
from dialogues.serialize import petitioner
from dialogues.models import (AnswerOutcome, CommitmentStatus, Dialogue, DialogueLevel, DialogueStatus,
                              QuestionCategory, QuestionOrigin, RaiserKind)
from dialogues.services.questions import MAX_COMMITMENTS, MAX_QUESTIONS

TEXT = {"type": "string", "maxLength": 20000}
COUNT = nullable({"type": "integer", "minimum": 0, "maximum": 1_000_000})
CLOCK = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "Local time, HH:MM."}
ROWS = 60  # leaders or attendance groups (dialogues.services.dialogues.MAX_ROWS)
SEXES = [s.value for s in Sex]


def _enum(cls) -> dict:
    return {"type": "string", "enum": [m.value for m in cls]}


ANSWER_FIELDS = {
    "outcome": _enum(AnswerOutcome), "content": TEXT, "answerer_name": {"type": "string", "maxLength": 1000},
    "answerer_title": {"type": "string", "maxLength": 1000}, "answerer_agency_id": nullable(ID),
    "forwarded_agency_id": nullable(ID), "forward_document": {"type": "string", "maxLength": 1000}}
QUESTION_FIELDS = {
    "number": nullable({"type": "integer", "minimum": 1, "maximum": 9999}),
    "origin": _enum(QuestionOrigin), "is_raised": {"type": "boolean"}, "raiser_kind": _enum(RaiserKind),
    "raiser_name": {"type": "string", "maxLength": 1000},
    "person_code": {"type": "string", "maxLength": 40, "description": "A registered person of the organising unit."},
    "raiser_sex": nullable({"type": "string", "enum": SEXES}), "ethnicity_code": nullable({"type": "string", "maxLength": 10}),
    "village_id": nullable(ID), "content": TEXT,
    "category": nullable({"type": "string", "maxLength": 40, "description": "A question category code (credit, land, ...)."}),
    "agency_id": nullable({**ID, "description": "The agency the question is addressed to."})}
COMMITMENT_FIELDS = {"agency_id": ID, "responsible_person": {"type": "string", "maxLength": 1000},
                     "description": TEXT, "deadline": DATE}
DIALOGUE_FIELDS = {
    "title": {"type": "string", "maxLength": 1000}, "level": _enum(DialogueLevel), "unit_id": ID,
    "held_on": DATE, "venue_unit_id": nullable(ID), "start_time": nullable(CLOCK), "end_time": nullable(CLOCK),
    **{name: {"type": "string", "maxLength": 20000} for name in (
        "venue", "organiser", "co_organisers", "topics", "chair_name", "chair_position", "secretary_name",
        "secretary_position", "conclusions", "recipients")},
    "attendance_total": COUNT, "attendance_women": COUNT, "attendance_minority": COUNT}

schema("DialogueInput", {
    "type": "object", "additionalProperties": False, "required": ["title", "unit_id", "held_on"],
    "properties": {
        **DIALOGUE_FIELDS,
        "status": {"type": "string", "enum": ["planned", "held"], "default": "planned",
                   "description": "`held` records that the meeting took place (its date must not be in the future). "
                                  "A dialogue dated before today is held whatever this says: the record "
                                  "follows the meeting."},
        "client_token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
                         "description": "Sending the same token again returns the dialogue made the first time."},
        "leaders": {"type": "array", "maxItems": ROWS, "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {"name": {"type": "string", "maxLength": 1000}, "title": {"type": "string", "maxLength": 1000},
                           "agency_id": nullable(ID)}}},
        "groups": {"type": "array", "maxItems": ROWS, "items": {
            "type": "object", "additionalProperties": False, "required": ["label", "count"],
            "properties": {"label": {"type": "string", "maxLength": 1000},
                           "kind": {"type": "string", "maxLength": 20,
                                    "description": "member, prestige, cadre, mass_org, team or other; "
                                                   "left out: by keyword from the label"},
                           "count": {"type": "integer", "minimum": 0, "maximum": 1_000_000}}}},
        "questions": {"type": "array", "maxItems": MAX_QUESTIONS, "items": {
            "type": "object", "additionalProperties": False, "required": ["content"],
            "properties": {
                **QUESTION_FIELDS,
                "answer": nullable({"type": "object", "additionalProperties": False, "required": ["outcome"],
                                    "properties": ANSWER_FIELDS}),
                "commitments": {"type": "array", "maxItems": MAX_COMMITMENTS, "items": {
                    "type": "object", "additionalProperties": False, "required": ["agency_id", "description", "deadline"],
                    "properties": COMMITMENT_FIELDS}}}}}}})

COMMITMENT_BRIEF = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "agency_id", "responsible_person", "description", "deadline", "original_deadline", "status"],
    "properties": {"id": ID, "agency_id": ID, "responsible_person": {"type": "string"}, "description": {"type": "string"},
                   "deadline": DATE, "original_deadline": DATE, "status": _enum(CommitmentStatus)}}
QUESTION = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "number", "origin", "is_raised", "raiser_kind", "raiser_name", "raiser_sex", "ethnicity_code",
                 "village_id", "content", "category", "agency_id", "answer", "commitments"],
    "properties": {
        "id": ID, "number": {"type": "integer"}, "origin": _enum(QuestionOrigin), "is_raised": {"type": "boolean"},
        "raiser_kind": _enum(RaiserKind), "raiser_name": {"type": "string"},
        "raiser_sex": nullable({"type": "string", "enum": SEXES}), "ethnicity_code": nullable({"type": "string"}),
        "village_id": nullable(ID), "content": {"type": "string"}, "category": nullable({"type": "string"}),
        "agency_id": nullable(ID),
        "answer": nullable({"type": "object", "additionalProperties": False, "required": list(ANSWER_FIELDS),
                            "properties": {k: (v if k != "content" else {"type": "string"}) for k, v in
                                           ANSWER_FIELDS.items()}}),
        "commitments": {"type": "array", "items": COMMITMENT_BRIEF}}}
UNIT_REF = {"type": "object", "additionalProperties": False, "required": ["id", "code", "name"],
            "properties": {"id": ID, "code": {"type": "string"}, "name": {"type": "string"}}}
SUMMARY_FIELDS = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "title", "level", "status", "unit", "held_on", "attendance_total", "attendance_women",
                 "attendance_minority", "minutes_number", "counts"],
    "properties": {
        "id": ID, "title": {"type": "string"}, "level": _enum(DialogueLevel), "status": _enum(DialogueStatus),
        "unit": UNIT_REF, "held_on": DATE, "attendance_total": COUNT, "attendance_women": COUNT,
        "attendance_minority": COUNT, "minutes_number": nullable({"type": "string"}),
        "counts": {"type": "object", "additionalProperties": False, "required": ["questions", "on_spot", "commitments"],
                   "properties": {"questions": {"type": "integer"}, "on_spot": {"type": "integer"},
                                  "commitments": {"type": "integer"}},
                   "description": "Questions raised, answered on the spot, commitments made."}}}
DIALOGUE = schema("Dialogue", SUMMARY_FIELDS)
DETAIL_EXTRA = {
    **{k: v for k, v in DIALOGUE_FIELDS.items() if k not in SUMMARY_FIELDS["properties"] and k != "unit_id"},
    "start_time": nullable({"type": "string"}), "end_time": nullable({"type": "string"}),
    "approved_dt": nullable(DATETIME),
    "leaders": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                           "required": ["name", "title", "agency_id"],
                                           "properties": {"name": {"type": "string"}, "title": {"type": "string"},
                                                          "agency_id": nullable(ID)}}},
    "groups": {"type": "array", "items": {"type": "object", "additionalProperties": False, "required": ["label", "count"],
                                          "properties": {"kind": {"type": "string"}, "label": {"type": "string"},
                                                         "count": {"type": "integer"}}}},
    "questions": {"type": "array", "items": QUESTION,
                  "description": "All questions; for an authority user, those that concern its agency."}}
DETAIL_EXTRA.update({k: {"type": "string"} for k in ("venue", "organiser", "co_organisers", "topics", "chair_name",
                                                       "chair_position", "secretary_name", "secretary_position",
                                                       "conclusions", "recipients")})
DIALOGUE_DETAIL = schema("DialogueDetail", {
    **SUMMARY_FIELDS, "required": list(dict.fromkeys([*SUMMARY_FIELDS["required"], *DETAIL_EXTRA])),
    "properties": {**SUMMARY_FIELDS["properties"], **DETAIL_EXTRA}})


# --- output --------------------------------------------------------------------------------

def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def dialogue_json(dialogue: Dialogue, counts: queries.DialogueCounts) -> dict:
    return {"id": dialogue.id, "title": dialogue.title, "level": dialogue.level.value,
            "status": dialogue.status.value,
            "unit": {"id": dialogue.unit.id, "code": dialogue.unit.code, "name": dialogue.unit.name},
            "held_on": dialogue.held_on.isoformat(), "attendance_total": dialogue.attendance_total,
            "attendance_women": dialogue.attendance_women, "attendance_minority": dialogue.attendance_minority,
            "minutes_number": dialogue.minutes_number_text,
            "counts": {"questions": counts.questions, "on_spot": counts.on_spot, "commitments": counts.commitments}}


def _question_json(q) -> dict:
    answer = q.answer
    return {
        "id": q.id, "number": q.number, "origin": q.origin.value, "is_raised": q.is_raised,
        **petitioner(q, api_user()), "content": q.content, "category": q.category.code if q.category else None,
        "agency_id": q.agency_id,
        "answer": None if answer is None else {
            "outcome": answer.outcome.value, "content": answer.content, "answerer_name": answer.answerer_name,
            "answerer_title": answer.answerer_title, "answerer_agency_id": answer.answerer_agency_id,
            "forwarded_agency_id": answer.forwarded_agency_id, "forward_document": answer.forward_document},
        "commitments": [{"id": c.id, "agency_id": c.agency_id, "responsible_person": c.responsible_person,
                         "description": c.description, "deadline": c.deadline.isoformat(),
                         "original_deadline": c.original_deadline.isoformat(), "status": c.status.value}
                        for c in q.commitments]}


def dialogue_detail(dialogue: Dialogue) -> dict:
    user = api_user()
    reader = is_agency_reader(user)
    questions = queries.questions_for(dialogue, only=concerns_agency(user.agency_id) if reader else None)
    named = sum(1 for q in questions if q.person_id or q.raiser_name)
    if named:
        log_export(user, "api_dialogue", "Dialogue", dialogue.id, has_names=True, rows=named)
    return {
        **dialogue_json(dialogue, queries.counts_for([dialogue.id])[dialogue.id]),
        **{name: getattr(dialogue, name) for name in (
            "venue", "organiser", "co_organisers", "topics", "chair_name", "chair_position", "secretary_name",
            "secretary_position", "conclusions", "recipients")},
        "venue_unit_id": dialogue.venue_unit_id, "start_time": _clock(dialogue.start_time),
        "end_time": _clock(dialogue.end_time),
        "approved_dt": dialogue.approved_dt.isoformat() if dialogue.approved_dt else None,
        "leaders": [{"name": row.name, "title": row.title, "agency_id": row.agency_id}
                    for row in queries.leaders_for(dialogue)],
        "groups": [{"kind": row.kind, "label": row.label, "count": row.count} for row in dialogue.groups],
        "questions": [_question_json(q) for q in questions]}


# --- input ---------------------------------------------------------------------------------

def _parse_date(value: str | None, field: str, errors: dict) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Ngày phải viết dạng YYYY-MM-DD.")
        return None


def _parse_time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None  # the schema's pattern checked it


def _categories(body: dict, errors: dict) -> dict[str, int]:
    codes = {q["category"] for q in body.get("questions", []) if q.get("category")}
    found = dict(db.session.execute(sa.select(QuestionCategory.code, QuestionCategory.id)
                                    .where(QuestionCategory.code.in_(codes))).all()) if codes else {}
    for i, q in enumerate(body.get("questions", [])):
        if q.get("category") and q["category"] not in found:
            errors[f"questions.{i}.category"] = _("Lĩnh vực không có trong danh sách.")
    return found


def to_rows(body: dict) -> tuple[services.DialogueData, list[services.QuestionRow]]:
    """The body as the services' input (dates parsed; every other rule is the services')."""
    # Text the minutes would print but the PDF font cannot draw (emoji): refused, each by its path.
    errors: dict[str, str] = undrawable_fields(body, skip=frozenset({"client_token"}))
    held_on = _parse_date(body["held_on"], "held_on", errors)
    categories = _categories(body, errors)
    data = services.DialogueData(
        title=body["title"], level=DialogueLevel(body.get("level", "commune")), unit_id=body["unit_id"],
        held_on=held_on, venue_unit_id=body.get("venue_unit_id"), start_time=_parse_time(body.get("start_time")),
        end_time=_parse_time(body.get("end_time")),
        **{k: body.get(k) or "" for k in ("venue", "organiser", "co_organisers", "topics", "chair_name",
                                          "chair_position", "secretary_name", "secretary_position", "conclusions",
                                          "recipients")},
        attendance_total=body.get("attendance_total"), attendance_women=body.get("attendance_women"),
        attendance_minority=body.get("attendance_minority"),
        leaders=[services.LeaderData(row["name"], row.get("title", ""), row.get("agency_id"))
                 for row in body.get("leaders", [])],
        groups=[services.GroupData(row.get("label") or "", row.get("count"), row.get("kind"))
                for row in body.get("groups", [])])
    rows = []
    for i, q in enumerate(body.get("questions", [])):
        answer = q.get("answer") or {}
        commitments = [services.CommitmentRow(
            agency_id=c["agency_id"], responsible_person=c.get("responsible_person", ""), description=c["description"],
            deadline=_parse_date(c["deadline"], f"questions.{i}.commitments.{j}.deadline", errors))
            for j, c in enumerate(q.get("commitments", []))]
        rows.append(services.QuestionRow(
            number=q.get("number"), origin=QuestionOrigin(q.get("origin", "on_day")), is_raised=q.get("is_raised", True),
            raiser_kind=RaiserKind(q.get("raiser_kind", "person")), raiser_name=q.get("raiser_name", ""),
            person_code=q.get("person_code", ""), raiser_sex=Sex(q["raiser_sex"]) if q.get("raiser_sex") else None,
            ethnicity_code=q.get("ethnicity_code"), village_id=q.get("village_id"), content=q["content"],
            category_id=categories.get(q.get("category")), agency_id=q.get("agency_id"),
            answerer_name=answer.get("answerer_name", ""), answerer_title=answer.get("answerer_title", ""),
            answerer_agency_id=answer.get("answerer_agency_id"), answer=answer.get("content", ""),
            outcome=AnswerOutcome(answer["outcome"]) if answer else None,
            forwarded_agency_id=answer.get("forwarded_agency_id"), forward_document=answer.get("forward_document", ""),
            commitments=commitments))
    if errors:
        raise ApiError.invalid(errors)
    return data, rows


# The entry form names answer fields flat on the question; the API nests them under "answer".
_ANSWER_FIELD = re.compile(r"^(questions\.\d+)\.(answer|outcome|answerer_name|answerer_title|answerer_agency_id|"
                           r"forwarded_agency_id|forward_document)$")
_API_ANSWER_NAME = {"answer": "content"}


def _api_field(service_field: str | None) -> str:
    path = field_path(service_field)
    if match := _ANSWER_FIELD.match(path):
        return f"{match.group(1)}.answer.{_API_ANSWER_NAME.get(match.group(2), match.group(2))}"
    if path.endswith(".category_id"):
        return path.removesuffix("_id")  # the API takes the category's code
    return path


# --- endpoints -----------------------------------------------------------------------------

@route("/dialogues", summary="Dialogues in scope, newest first", tag="dialogues", roles=VIEW_ROLES,
       description="Commune and province officers: the dialogues of their unit and below. Authority users: the "
                   "dialogues with a question that concerns their agency.",
       query=[Param("unit", ID, "Only dialogues organised by this unit or the units below it."),
              Param("from", DATE, "Held on or after this date."), Param("to", DATE, "Held on or before this date."),
              Param("status", _enum(DialogueStatus), "planned, held or approved."), *PAGE_PARAMS],
       answers={200: Answer("A page of dialogues.", page_of(DIALOGUE))})
def list_dialogues(query):
    unit = unit_in_scope(query["unit"], "unit")
    filters = queries.DialogueFilter(unit_id=unit.id if unit else None, date_from=query["from"], date_to=query["to"],
                                     status=DialogueStatus(query["status"]) if query["status"] else None)
    page = paginate(queries.dialogue_list(filters, visible_dialogues(api_user())), query, lambda d: d)
    counts = queries.counts_for([d.id for d in page["items"]])
    page["items"] = [dialogue_json(d, counts[d.id]) for d in page["items"]]
    return page, 200


@route("/dialogues/<int:dialogue_id>", summary="One dialogue with its questions, answers and commitments",
       tag="dialogues", roles=VIEW_ROLES,
       description="Reading names of people who raised questions is recorded in the personal-data export log.",
       answers={200: Answer("The dialogue.", DIALOGUE_DETAIL)})
def get_dialogue(dialogue_id: int):
    return dialogue_detail(get_dialogue_or_404(dialogue_id, user=api_user())), 200


@route("/dialogues", "POST", summary="Record a dialogue with its questions, answers and commitments",
       tag="dialogues", roles=MANAGE_ROLES, body="DialogueInput",
       description="One body, all or nothing: the dialogue is stored only if every part passes the same checks as "
                   "the web forms; otherwise 422 names each field by its JSON path "
                   "(`questions.2.commitments.0.deadline`). With `client_token`, a repeated call answers 200 with the "
                   "dialogue stored the first time.",
       answers={201: Answer("Stored.", DIALOGUE_DETAIL),
                200: Answer("A replay of the same client_token: the dialogue stored before.", DIALOGUE_DETAIL)})
def create_dialogue(body: dict):
    user = api_user()
    token = body.get("client_token")
    data, rows = to_rows(body)
    try:
        dialogue = services.create_dialogue(data, user, token=token)
        # Made now, or found by its token (a replay, or a concurrent call that stored it first).
        if sa.inspect(dialogue).insert_order is None:
            if not db.session.scalar(sa.select(Dialogue.id).where(Dialogue.id == dialogue.id,
                                                                  visible_dialogues(user))):
                raise ApiError.invalid({"client_token": _("Mã này đã dùng cho một hồ sơ khác.")})
            return dialogue_detail(dialogue), 200
        if rows:
            services.save_question_rows(dialogue, rows, user)
        if body.get("status") == "held" and dialogue.status is DialogueStatus.planned:
            services.mark_held(dialogue, user)  # a past date made it held already
    except ServiceError as exc:
        raise ApiError(422, exc.message, {_api_field(exc.field) or "body": exc.message}) from None
    return dialogue_detail(dialogue), 201


@route("/dialogues/<int:dialogue_id>/minutes.pdf", summary="The minutes (PDF)", tag="dialogues", roles=VIEW_ROLES,
       description="The latest issued version once approved; before that a numberless draft, for union officers "
                   "only (404 for authority users, as on the web).",
       answers={200: Answer("The PDF.", {"type": "string", "contentMediaType": "application/pdf"}, "application/pdf")})
def get_minutes(dialogue_id: int):
    user = api_user()
    dialogue = get_dialogue_or_404(dialogue_id, user=user)
    found = minutes_pdf(dialogue, user)
    if found is None:
        raise ApiError(404)
    data, filename = found
    return send_document(data, filename, "application/pdf")
