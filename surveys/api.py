"""The surveys feature's API endpoints (declared on ``/api/v1`` through ``app.api.blueprint.route``):
trainings and their pre/post test answers.

Reads use the surveys loader (``get_training_or_404``: survey roles, unit scope, 404 outside it);
answers go through ``surveys.services.parse_answers`` and ``save_response``, the one scored save
path of the phone form, the paper grid and the workbook, with its client-token replay rule.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.api.blueprint import PAGE_PARAMS, api_user, page_of, paginate, route
from app.api.errors import ApiError, from_service
from app.api.openapi import DATE, DATETIME, ID, Answer, Param, nullable, ref, schema
from app.api.units import unit_in_scope
from app.auth import unit_scope
from app.extensions import db
from app.models import Person
from app.services import ServiceError, log_export
from surveys import services
from surveys.access import SURVEY_ROLES, get_training_or_404
from surveys.analytics import stats
from surveys.analytics.results import load_training_results
from surveys.results import training_counts
from surveys.models import Phase, PhaseState, QuestionKind, Response, ResponseSource, Training
from surveys.queries import roster_stmt
from surveys.services.responses import CLIENT_TOKEN_RE

PHASES = [p.value for p in Phase]
NAMED = {"type": "object", "additionalProperties": False, "required": ["id", "name"],
         "properties": {"id": ID, "name": {"type": "string"}}}
TRAINING_FIELDS = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "title", "topic", "unit", "venue", "start_date", "end_date", "trainers", "phases", "counts"],
    "properties": {
        "id": ID, "title": {"type": "string"}, "topic": NAMED,
        "unit": {**NAMED, "required": ["id", "code", "name"],
                 "properties": {**NAMED["properties"], "code": {"type": "string"}}},
        "venue": {"type": "string"}, "start_date": DATE, "end_date": nullable(DATE), "trainers": {"type": "string"},
        "phases": {"type": "object", "additionalProperties": False, "required": PHASES,
                   "description": "State of each phase's phone form: draft, open or closed.",
                   "properties": {p: {"type": "string", "enum": [s.value for s in PhaseState]} for p in PHASES}},
        "counts": {"type": "object", "additionalProperties": False, "required": ["participants", *PHASES],
                   "properties": {"participants": {"type": "integer"},
                                  **{p: {"type": "integer"} for p in PHASES}}}}}
TRAINING = schema("Training", TRAINING_FIELDS)
ITEM = schema("TestItem", {
    "type": "object", "additionalProperties": False,
    "required": ["key", "kind", "text", "options", "dont_know", "points"],
    "properties": {
        "key": {"type": "string", "description": "The key to use in `answers` (\"1\", \"2\", ...)."},
        "kind": {"type": "string", "enum": [k.value for k in QuestionKind]},
        "text": {"type": "string"},
        "options": {"type": "array", "items": {"type": "string"},
                    "description": "Options in canonical order; answer with their 1-based positions."},
        "dont_know": nullable({"type": "integer", "description": "Position of the \"Không biết\" option."}),
        "points": {"type": "integer", "description": "Points for a right answer (0: not scored)."}}})
TRAINING_DETAIL = schema("TrainingDetail", {
    **TRAINING_FIELDS, "required": [*TRAINING_FIELDS["required"], "items", "participants"],
    "properties": {**TRAINING_FIELDS["properties"], "items": {"type": "array", "items": ITEM},
                   "participants": {"type": "array", "items": {
                       "type": "object", "additionalProperties": False, "required": ["code", "full_name"],
                       "properties": {"code": {"type": "string"}, "full_name": {"type": "string"}}}}}})
ANSWERS = {"type": "object", "maxProperties": 300,
           "propertyNames": {"pattern": "^[1-9][0-9]{0,2}$"},
           "additionalProperties": {"anyOf": [
               {"type": "array", "maxItems": 20, "items": {"type": "integer", "minimum": 1, "maximum": 99}},
               {"type": "string", "maxLength": 2000}]},
           "description": "Item key -> chosen option positions (`[2]`, `[1, 3]`), or the text of a text item. "
                          "A missing item is unanswered."}
schema("ResponseInput", {
    "type": "object", "additionalProperties": False, "required": ["participant_code", "phase", "answers", "client_token"],
    "properties": {
        "participant_code": {"type": "string", "minLength": 1, "maxLength": 40},
        "phase": {"type": "string", "enum": PHASES},
        "answers": ANSWERS,
        "client_token": {"type": "string", "pattern": CLIENT_TOKEN_RE.pattern,
                         "description": "Made by the client once per filled form (16-64 of A-Z a-z 0-9 _ -). "
                                        "Sending it again returns the stored response, never a second one."},
        "consent": {"type": "boolean", "default": False,
                    "description": "The participant consents now (needed when no consent is on record)."}}})
RESPONSE = schema("Response", {
    "type": "object", "additionalProperties": False,
    "required": ["id", "training_id", "phase", "participant_code", "score", "max_score", "source", "client_token",
                 "submitted_dt", "answers", "voided", "voided_dt", "void_reason"],
    "properties": {"id": ID, "training_id": ID, "phase": {"type": "string", "enum": PHASES},
                   "participant_code": {"type": "string"}, "score": {"type": "integer"},
                   "max_score": {"type": "integer"},
                   "source": {"type": "string", "enum": [s.value for s in ResponseSource]},
                   "client_token": nullable({"type": "string"}), "submitted_dt": DATETIME, "answers": ANSWERS,
                   "voided": {"type": "boolean",
                              "description": "Voided by a trainer: kept as history, left out of every statistic; "
                                             "it no longer holds the participant's place for the phase."},
                   "voided_dt": nullable(DATETIME), "void_reason": nullable({"type": "string"})}})


def _counts(ids: list[int]) -> dict[int, dict[str, int]]:
    return {i: {"participants": c["people"], "pre": c["pre"], "post": c["post"]}
            for i, c in training_counts(ids).items()}


def training_json(training: Training, counts: dict[str, int]) -> dict:
    return {"id": training.id, "title": training.title,
            "topic": {"id": training.topic.id, "name": training.topic.name},
            "unit": {"id": training.unit.id, "code": training.unit.code, "name": training.unit.name},
            "venue": training.venue, "start_date": training.start_date.isoformat(),
            "end_date": training.end_date.isoformat() if training.end_date else None, "trainers": training.trainers,
            "phases": {p.phase.value: p.state.value for p in training.phases}, "counts": counts}


@route("/trainings", summary="Trainings in scope, newest first", tag="trainings", roles=SURVEY_ROLES,
       query=[Param("unit", ID, "Only trainings of this unit and the units below it."),
              Param("from", DATE, "Starting on or after this date."),
              Param("to", DATE, "Starting on or before this date."), *PAGE_PARAMS],
       answers={200: Answer("A page of trainings.", page_of(TRAINING))})
def list_trainings(query):
    user = api_user()
    stmt = (sa.select(Training).where(unit_scope(user, Training.unit_id))
            .options(sa.orm.joinedload(Training.unit), sa.orm.joinedload(Training.topic),
                     sa.orm.selectinload(Training.phases))
            .order_by(Training.start_date.desc(), Training.id.desc()))
    if (unit := unit_in_scope(query["unit"], "unit")) is not None:
        stmt = stmt.where(unit.subtree_filter(Training.unit_id))
    if query["from"]:
        stmt = stmt.where(Training.start_date >= query["from"])
    if query["to"]:
        stmt = stmt.where(Training.start_date <= query["to"])
    page = paginate(stmt, query, lambda t: t)
    counts = _counts([t.id for t in page["items"]])
    page["items"] = [training_json(t, counts[t.id]) for t in page["items"]]
    return page, 200


@route("/trainings/<int:training_id>", summary="One training, with its test and roster", tag="trainings",
       roles=SURVEY_ROLES,
       description="The test's items (without the answer key) and the roster (codes and names), so an offline "
                   "app can collect answers. Reading the roster is recorded in the personal-data export log.",
       answers={200: Answer("The training.", TRAINING_DETAIL)})
def get_training(training_id: int):
    user = api_user()
    training = get_training_or_404(training_id, user)
    roster = db.session.execute(
        roster_stmt(training.id, Person.code, Person.full_name).order_by(Person.name_key, Person.code)).all()
    log_export(user, "api_training_roster", "Training", training.id, has_names=True, rows=len(roster))
    items = [{"key": str(it.position), "kind": it.kind.value, "text": it.text, "options": list(it.options),
              "dont_know": it.dont_know_position, "points": it.max_points} for it in training.version.items]
    return {**training_json(training, _counts([training.id])[training.id]), "items": items,
            "participants": [{"code": code, "full_name": name} for code, name in roster]}, 200


NUM = {"type": ["number", "null"]}
COUNT = {"type": "integer", "minimum": 0}
SUMMARY = {"type": "object", "additionalProperties": False, "required": list(stats.SUMMARY_KEYS),
           "properties": {**{key: NUM for key in stats.SUMMARY_KEYS},
                          "ci95_gain": {"type": ["array", "null"], "items": NUM, "minItems": 2, "maxItems": 2},
                          "paired_t_df": {"type": ["integer", "null"]},
                          "reliability_method": {"type": ["string", "null"], "enum": ["kr20", "cronbach_alpha", None]},
                          "wilcoxon_method": {"type": ["string", "null"], "enum": ["exact", "normal", None]}}}
GROUP = {"type": "object", "required": ["n", "n_pre", "n_post", "masked"],
         "properties": {**SUMMARY["properties"], "n": COUNT, "n_pre": COUNT, "n_post": COUNT,
                        "masked": {"type": "boolean", "description": "Figures withheld: fewer than 5 matched pairs, or (n >= 5) hidden so "
                                   "that a smaller group cannot be derived (docs/statistics.md)."}}}
RESULTS = schema("TrainingResults", {
    "type": "object", "additionalProperties": False,
    "description": "The same object as `flask surveys results ID`: participants by pseudonymous code only, "
                   "breakdowns of fewer than 5 matched pairs masked. Statistics are defined in "
                   "surveys/analytics/stats.py.",
    "required": ["training_id", "title", "max_score", "n_pre", "n_post", "n_matched", "summary", "items",
                 "reliability", "participants", "breakdowns", "likert"],
    "properties": {
        "training_id": ID, "title": {"type": "string"}, "max_score": NUM,
        "n_pre": COUNT, "n_post": COUNT, "n_matched": COUNT, "summary": SUMMARY,
        "items": {"type": "array", "items": {
            "type": "object", "required": ["no", "key", "max_points", "pct_pre", "pct_post", "flags"],
            "properties": {"no": {"type": "integer"}, "key": {"type": "string"}, "max_points": {"type": "number"},
                           "answered_pre": COUNT, "answered_post": COUNT, "pct_pre": NUM, "pct_post": NUM,
                           "difficulty_pre": NUM, "difficulty_post": NUM, "wrong_to_right": COUNT,
                           "right_to_wrong": COUNT, "mcnemar_p": NUM, "mcnemar_p_holm": NUM,
                           "discrimination_pre": NUM, "discrimination_post": NUM, "dont_know_pre": NUM,
                           "dont_know_post": NUM, "flags": {"type": "array", "items": {"type": "string"}}}}},
        "reliability": {"type": "object", "required": ["kr20_pre", "kr20_post"],
                        "properties": {"kr20_pre": NUM, "kr20_post": NUM}},
        "participants": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["code", "pre", "post", "gain", "g"],
            "properties": {"code": {"type": "string"}, "pre": NUM, "post": NUM, "gain": NUM, "g": NUM}}},
        "breakdowns": {"type": "object", "description": "Dimension (sex, ethnicity, age_band, village) -> group -> figures.",
                       "additionalProperties": {"type": "object", "additionalProperties": GROUP}},
        "likert": {"type": "array", "items": {"type": "object", "required": ["no"],
                                              "properties": {"no": {"type": "integer"}}}}}})


@route("/trainings/<int:training_id>/results", summary="Results of one training (pre/post statistics)",
       tag="trainings", roles=SURVEY_ROLES,
       description="Computed by the same code as the results page, the PDF report and `flask surveys results`. "
                   "Recorded in the personal-data export log (scores by participant code).",
       answers={200: Answer("The results.", RESULTS)})
def get_training_results(training_id: int):
    user = api_user()
    training = get_training_or_404(training_id, user)
    results = load_training_results(training)
    log_export(user, "training_results_json", "Training", training.id, has_names=False,
               rows=len(results.participants))
    return results.to_json(), 200


def response_json(response: Response) -> dict:
    answers = {}
    for answer in response.answers:
        answers[str(answer.item.position)] = answer.text if answer.text is not None else answer.positions
    return {"id": response.id, "training_id": response.training_id, "phase": response.phase.value,
            "participant_code": response.person.code, "score": response.score, "max_score": response.max_score,
            "source": response.source.value, "client_token": response.client_token,
            "submitted_dt": response.submitted_dt.isoformat(), "answers": dict(sorted(answers.items(),
                                                                                      key=lambda kv: int(kv[0]))),
            "voided": response.voided_dt is not None,
            "voided_dt": response.voided_dt.isoformat() if response.voided_dt else None,
            "void_reason": response.void_reason}


# Service field names -> API field names.
RESPONSE_FIELDS = {"person": "participant_code", "consent": "consent", "client_token": "client_token",
                   "answers": "answers"}


@route("/trainings/<int:training_id>/responses", "POST", summary="Store one participant's answers to one phase",
       tag="trainings", roles=SURVEY_ROLES, body="ResponseInput",
       description="Scored on save exactly like the phone form and the paper grid. `client_token` makes retries "
                   "safe: the first call answers 201, any later call with the same token 200 with the response "
                   "stored the first time (whatever its body), with `voided` true if a trainer has voided it since. "
                   "A second response for the same participant and phase under another token is refused with 409 "
                   "while her live response stands; once it is voided, a new one is stored (201).",
       answers={201: Answer("Stored.", RESPONSE), 200: Answer("A replay: the response stored before.", RESPONSE),
                409: Answer("This participant already has a response for this phase.", ref("Error"))})
def create_response(training_id: int, body: dict):
    user = api_user()
    training = get_training_or_404(training_id, user)
    phase = Phase(body["phase"])
    code = body["participant_code"].strip().lower()
    person = db.session.scalar(roster_stmt(training.id).where(sa.func.lower(Person.code) == code))
    if person is None:
        raise ApiError.invalid({"participant_code": _("Không tìm thấy mã này trong danh sách lớp.")})
    items = training.version.items
    positions = {str(it.position) for it in items}
    unknown = {f"answers.{key}": _("Bài kiểm tra không có câu này.") for key in body["answers"] if key not in positions}
    parsed, errors = services.parse_answers(items, {f"Q{key}": value for key, value in body["answers"].items()})
    if unknown or errors:
        raise ApiError.invalid({**unknown, **{f"answers.{key[1:]}": message for key, message in errors.items()}})
    try:
        response, created = services.save_response(
            training, phase, person, parsed, source=ResponseSource.api, user=user, client_token=body["client_token"],
            consent_given=body.get("consent", False))
    except ServiceError as exc:
        raise from_service(exc, RESPONSE_FIELDS) from None
    if created:
        return response_json(response), 201
    if response.client_token != body["client_token"]:
        raise ApiError(409, _("%(code)s đã có câu trả lời cho phần này.", code=person.code),
                       {"participant_code": _("Đã có câu trả lời.")})
    if (response.training_id, response.phase, response.person_id) != (training.id, phase, person.id):
        raise ApiError.invalid({"client_token": _("Mã này đã dùng cho một câu trả lời khác.")})
    return response_json(response), 200
