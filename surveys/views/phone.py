"""The public phone form: anonymous, reachable only through its unguessable link, and only while
its phase is open. Works without JavaScript; one question per screen is done with plain form
posts that carry the earlier answers in hidden fields, so nothing is kept on the server until
the last screen is sent. With JavaScript, the pages also work offline (app/static/js/offline.js and
its service worker at /t/sw.js): answers wait on the phone and arrive at /t/<token>/sync."""
from __future__ import annotations

import secrets
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, jsonify, render_template, request, send_from_directory
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app import throttle
from app.extensions import db
from app.locking import write_lock_later
from app.models import Consent, Person
from app.services import ServiceError, service_call
from surveys import services
from surveys.access import get_phase_by_token_or_404
from surveys.blueprint import public_bp
from surveys.models import Item, Participant, QuestionKind, Response, ResponseSource, Training, TrainingPhase
from surveys.queries import roster_stmt
from surveys.services.trainings import CONSENT_PURPOSE


# Statements built once (see surveys.access): every phone page runs them.
_ON_ROSTER = roster_stmt(sa.bindparam("training_id"))
_ROSTER_NAMES = (_ON_ROSTER.with_only_columns(Person.id, Person.full_name, Person.code)
                 .order_by(Person.full_name, Person.code))
# The chosen participant with, in the same row, whether she answered this phase already and
# whether her consent stands: the form needs all three on every page.
_RESPONDENT = _ON_ROSTER.add_columns(
    sa.exists().where(Response.training_id == Participant.training_id, Response.phase == sa.bindparam("phase"),
                      Response.person_id == Person.id).label("answered"),
    sa.exists().where(Consent.person_id == Person.id, Consent.purpose == CONSENT_PURPOSE,
                      Consent.withdrawn_dt.is_(None)).label("consented"))
_RESPONDENT_BY_ID = _RESPONDENT.where(Person.id == sa.bindparam("person_id"))
_RESPONDENT_BY_CODE = (_RESPONDENT.where(sa.func.lower(Person.code) == sa.bindparam("code"))
                       .order_by(Person.id).limit(1))


class _Respondent(NamedTuple):
    person: Person
    answered: bool  # a response for this phase is stored already
    consented: bool  # an active consent to keep her data


_ITEMS = sa.select(Item).where(Item.version_id == sa.bindparam("version_id")).order_by(Item.position)


def _items(training: Training) -> list[Item]:
    """The test's questions through the prebuilt statement (cheaper than the lazy load), stored
    as ``training.version.items`` so every later use sees the same list."""
    version = training.version
    if "items" not in version.__dict__:
        set_committed_value(version, "items", db.session.scalars(_ITEMS, {"version_id": version.id}).all())
    return version.items


def _roster(phase: TrainingPhase) -> list:
    """Names to choose from on the start page: id, full_name and code only (a class can be large)."""
    return db.session.execute(_ROSTER_NAMES, {"training_id": phase.training_id}).all()


def _closed_page(phase: TrainingPhase):
    return render_template("surveys/phone_closed.html", phase=phase, training=phase.training)


def _identify(phase: TrainingPhase) -> _Respondent | None:
    """The participant chosen by id (the list) or typed code (any case), if she is on the roster."""
    person_id = request.values.get("person", type=int)
    code = (request.values.get("code") or "").strip()[:40]
    params = {"training_id": phase.training_id, "phase": phase.phase}
    if person_id is not None and -2**31 <= person_id < 2**31:
        row = db.session.execute(_RESPONDENT_BY_ID, {**params, "person_id": person_id}).first()
    elif code:
        row = db.session.execute(_RESPONDENT_BY_CODE, {**params, "code": code.lower()}).first()
    else:
        return None
    return _Respondent(*row) if row else None


@public_bp.route("/t/<token>")
def show_form(token: str):
    phase = get_phase_by_token_or_404(token)
    if not phase.is_open:
        return _closed_page(phase)
    respondent = _identify(phase)
    if respondent is None:
        error = _("Không tìm thấy tên hoặc mã này trong danh sách lớp.") \
            if request.args.get("person") or request.args.get("code") else None
        return render_template("surveys/phone_start.html", phase=phase, training=phase.training,
                               roster=_roster(phase), error=error), (404 if error else 200)
    if respondent.answered:
        return render_template("surveys/phone_done.html", phase=phase, training=phase.training,
                               person=respondent.person, already=True)
    # ?offline=1: the copy the script keeps for offline use, all questions on one page (steps
    # of one question per screen need the server).
    return _render_form(phase, respondent, client_token=secrets.token_urlsafe(16), values={}, step=1,
                        all_at_once=request.args.get("offline") == "1")


@public_bp.route("/t/<token>", methods=["POST"])
@throttle.limit_rate("phone", "PHONE_POSTS_PER_MINUTE_LINK", "PHONE_POSTS_PER_MINUTE_ADDRESS")
def submit_form(token: str):
    write_lock_later()  # SQLite: reads without the write lock; save_response takes it
    phase = get_phase_by_token_or_404(token)
    if not phase.is_open:
        return _closed_page(phase)
    respondent = _identify(phase)
    if respondent is None:
        return render_template("surveys/phone_start.html", phase=phase, training=phase.training,
                               roster=_roster(phase), error=_("Không tìm thấy tên hoặc mã này trong danh sách lớp.")), 404
    person = respondent.person
    training = phase.training
    items = _items(training)
    client_token = request.form.get("client_token", "")[:64]
    # Cut only far beyond the 1000-character limit, so an over-long answer gets its message.
    values = {it.key: [v[:2000] for v in request.form.getlist(it.key)] for it in items}
    step = min(max(request.form.get("step", 1, type=int), 1), len(items))
    go = request.form.get("go", "submit")
    if training.one_question_per_screen and go in ("next", "back"):
        if go == "back":
            return _render_form(phase, respondent, client_token, values, step - 1)
        item = items[step - 1]
        try:
            services.parse_answer(item, values[item.key])
        except ServiceError as exc:
            return _render_form(phase, respondent, client_token, values, step, {item.key: exc.message}), 400
        return _render_form(phase, respondent, client_token, values, step + 1)

    answers, errors = services.parse_answers(items, values)
    if errors:
        first = next(i for i, it in enumerate(items, start=1) if it.key in errors)
        return _render_form(phase, respondent, client_token, values, first, errors), 400
    with service_call(show=False) as call:  # the form shows the error beside the consent or on top
        response, created = services.save_response(
            training, phase.phase, person, answers, source=ResponseSource.phone, client_token=client_token,
            consent_given=request.form.get("consent") == "yes")
    if call.error:
        errors = {"consent" if call.error.field == "consent" else "_form": call.error.message}
        return _render_form(phase, respondent, client_token, values, len(items), errors), 400
    already = not created and response.client_token != client_token
    return render_template("surveys/phone_done.html", phase=phase, training=training, person=person,
                           already=already, receipt=client_token)


@public_bp.route("/t/<token>/sync", methods=["POST"])
@throttle.limit_rate("phone", "PHONE_POSTS_PER_MINUTE_LINK", "PHONE_POSTS_PER_MINUTE_ADDRESS")
def sync_answer(token: str):
    """One answer from a phone's offline queue; the JSON receipt names its client token, on which
    the phone drops it (stored, already stored, or refused with a reason kept for the trainer)."""
    write_lock_later()
    phase = get_phase_by_token_or_404(token)
    try:
        receipt = services.receive_queued(phase, request.form.to_dict(flat=False))
    except ServiceError as exc:
        return jsonify(error=exc.message), 400
    return jsonify(receipt.as_json())


@public_bp.route("/t/sw.js")
def service_worker():
    """The service worker, served under /t/ so that its scope covers every phone form."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


class _Shown(NamedTuple):
    """One question as the phone form draws it (plain values: the page is rendered often)."""
    key: str
    legend: str  # "Câu 2/10"
    question: str
    answer: str | None  # the typed answer of a free-text question; None for the others
    input_type: str  # radio | checkbox
    options: list[tuple[int, str, bool]]  # (canonical position, label, checked), in display order
    error: str | None


def _render_form(phase: TrainingPhase, respondent: _Respondent, client_token: str, values: dict, step: int,
                 errors: dict | None = None, all_at_once: bool = False):
    person = respondent.person
    training = phase.training
    items = _items(training)
    errors = errors or {}
    one_per_screen = training.one_question_per_screen and not all_at_once
    shown = items[step - 1:step] if one_per_screen else items
    seed = f"{phase.public_token}:{person.id}"
    shuffle = training.version.instrument.shuffle_options
    legend = _("Câu %(n)d/%(total)d")  # formatted below, once per question
    questions = []
    for it in shown:
        chosen = values.get(it.key, [])
        if it.kind is QuestionKind.text:
            options, answer = [], (chosen[0] if chosen else "")
        else:
            labels, answer = it.all_options(), None
            options = [(pos, labels[pos - 1], str(pos) in chosen)
                       for pos in services.display_order(it, seed, shuffle)]
        questions.append(_Shown(it.key, legend % {"n": it.position, "total": len(items)}, it.text, answer,
                                "checkbox" if it.kind is QuestionKind.multi else "radio", options,
                                errors.get(it.key)))
    # Answers of the other screens travel in hidden fields (one question per screen, no JavaScript).
    carried = [(it.key, v) for it in items if it not in shown for v in values.get(it.key, [])]
    last = not one_per_screen or step == len(items)
    return render_template(
        "surveys/phone_form.html", phase=phase, training=training, person=person, questions=questions,
        carried=carried, errors=errors, client_token=client_token, step=step, last=last,
        one_per_screen=one_per_screen, needs_consent=last and not respondent.consented,
        # The server answered this form (with errors to fix): the script stops holding it.
        receipt=client_token if request.method == "POST" else None)
