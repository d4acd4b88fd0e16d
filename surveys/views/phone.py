"""The public phone form: anonymous, reachable only through its unguessable link, and only while
its phase is open. Works without JavaScript; one question per screen is done with plain form
posts that carry the earlier answers in hidden fields, so nothing is kept on the server until
the last screen is sent. With JavaScript, the pages also work offline (app/static/js/offline.js and
its service worker at /t/sw.js): answers wait on the phone and arrive at /t/<token>/sync."""
from __future__ import annotations

import secrets
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app import throttle
from app.extensions import db
from app.locking import commit_now, write_lock_later
from app.models import Consent, Person
from app.services import ServiceError, service_call
from surveys import access, services
from surveys.access import get_phase_by_token_or_404
from surveys.blueprint import public_bp
from surveys.models import Item, Participant, Phase, QuestionKind, Response, ResponseSource, Training, TrainingPhase
from surveys.queries import counted, roster_stmt
from surveys.services.trainings import CONSENT_PURPOSE


# Statements built once (see surveys.access): every phone page runs them.
_ON_ROSTER = roster_stmt(sa.bindparam("training_id"))
# The chosen participant with, in the same row, whether she answered this phase already and
# whether her consent stands: the form needs all three on every page.
_RESPONDENT = _ON_ROSTER.add_columns(
    sa.exists().where(Response.training_id == Participant.training_id, Response.phase == sa.bindparam("phase"),
                      Response.person_id == Person.id, counted()).label("answered"),
    sa.exists().where(Consent.person_id == Person.id, Consent.purpose == CONSENT_PURPOSE,
                      Consent.withdrawn_dt.is_(None)).label("consented"))
_RESPONDENT_BY_ID = _RESPONDENT.where(Person.id == sa.bindparam("person_id"))
_RESPONDENT_BY_CODE = (_RESPONDENT.where(sa.func.lower(Person.code) == sa.bindparam("code"))
                       .order_by(Person.id).limit(1))


class _Respondent(NamedTuple):
    person: Person
    answered: bool  # a response for this phase is stored already
    consented: bool  # an active consent to keep her data
    key: str  # the ``p`` value of her own link


_ITEMS = sa.select(Item).where(Item.version_id == sa.bindparam("version_id")).order_by(Item.position)


def _items(training: Training) -> list[Item]:
    """The test's questions through the prebuilt statement (cheaper than the lazy load), stored
    as ``training.version.items`` so every later use sees the same list."""
    version = training.version
    if "items" not in version.__dict__:
        set_committed_value(version, "items", db.session.scalars(_ITEMS, {"version_id": version.id}).all())
    return version.items


def _closed_page(phase: TrainingPhase):
    return render_template("surveys/phone_closed.html", phase=phase, training=phase.training)


def _start_page(phase: TrainingPhase, error: str | None = None, code: str = ""):
    """The shared link's page: a box for her code, and never the roster."""
    return render_template("surveys/phone_start.html", phase=phase, training=phase.training, error=error,
                           code=code), (404 if error else 200)


def _identify(phase: TrainingPhase) -> _Respondent | None:
    """The participant named by her own link (``p``, signed) or by her typed code (any case), if
    she is on the roster. A bare person id is not enough: ids can be guessed."""
    key = (request.values.get("p") or "").strip()
    code = (request.values.get("code") or "").strip()[:40]
    params = {"training_id": phase.training_id, "phase": phase.phase}
    if key:
        person_id = access.person_id_from_key(phase, key)
        if person_id is None or person_id >= 2**31:
            return None
        row = db.session.execute(_RESPONDENT_BY_ID, {**params, "person_id": person_id}).first()
    elif code:
        row = db.session.execute(_RESPONDENT_BY_CODE, {**params, "code": code.lower()}).first()
    else:
        return None
    return _Respondent(*row, access.respondent_key(phase, row[0].id)) if row else None


def _not_found() -> str:
    return _("Không tìm thấy mã này trong danh sách lớp. Vui lòng xem lại mã trên phiếu hoặc hỏi người tập huấn.")


@public_bp.route("/t/<token>")
def show_form(token: str):
    phase = get_phase_by_token_or_404(token)
    if not phase.is_open:
        return _closed_page(phase)
    respondent = _identify(phase)
    if respondent is None:
        typed = (request.args.get("code") or "").strip()[:40]
        return _start_page(phase, _not_found() if request.args.get("p") or typed else None, typed)
    if request.args.get("code") and not request.args.get("p"):
        # A typed code opens her own link: the address the phone keeps for offline use.
        return redirect(url_for("surveys_public.show_form", token=token, p=respondent.key), 303)
    if respondent.answered:
        return _done_page(phase, respondent, already=True)
    # ?offline=1: the copy the script keeps for offline use, all questions on one page (steps
    # of one question per screen need the server), the consent on top.
    offline = request.args.get("offline") == "1"
    if not respondent.consented and not offline:
        # The consent screen is a plain GET form (nothing is stored until the answers are sent),
        # so the back button never lands on a page that asks to resend a post.
        consent = request.args.get("consent")
        if consent == "no":
            return render_template("surveys/phone_declined.html", phase=phase, training=phase.training,
                                   person=respondent.person)
        if consent != "yes":
            error = _("Vui lòng chọn “Đồng ý” hoặc “Không đồng ý”.") if "consent" in request.args else None
            return _consent_page(phase, respondent, secrets.token_urlsafe(16), {}, error), (400 if error else 200)
    return _render_form(phase, respondent, client_token=secrets.token_urlsafe(16), values={}, step=1,
                        all_at_once=offline)


def _missing_required(item: Item, raw: list[str]) -> str | None:
    if item.required and not any(v.strip() for v in raw):
        return _("Câu này cần trả lời.")
    return None


@public_bp.route("/t/<token>", methods=["POST"])
@throttle.limit_rate("phone", "PHONE_POSTS_PER_MINUTE_LINK", "PHONE_POSTS_PER_MINUTE_ADDRESS")
def submit_form(token: str):
    write_lock_later()  # SQLite: reads without the write lock; save_response takes it
    phase = get_phase_by_token_or_404(token)
    if not phase.is_open:
        return _closed_page(phase)
    respondent = _identify(phase)
    if respondent is None:
        return _start_page(phase, _not_found())
    person = respondent.person
    training = phase.training
    items = _items(training)
    client_token = request.form.get("client_token", "")[:64]
    # Cut only far beyond the 1000-character limit, so an over-long answer gets its message.
    values = {it.key: [v[:2000] for v in request.form.getlist(it.key)] for it in items}
    step = min(max(request.form.get("step", 1, type=int), 1), len(items))
    go = request.form.get("go", "submit")
    consent = request.form.get("consent")
    if go == "consent":  # the first screen: she says yes or no before any question
        if consent == "yes":
            return _render_form(phase, respondent, client_token, values, 1)
        if consent == "no":
            return render_template("surveys/phone_declined.html", phase=phase, training=training, person=person)
        return _consent_page(phase, respondent, client_token, values,
                             _("Vui lòng chọn “Đồng ý” hoặc “Không đồng ý”.")), 400
    if training.one_question_per_screen and go in ("next", "back"):
        if go == "back":
            return _render_form(phase, respondent, client_token, values, step - 1)
        item = items[step - 1]
        error = _missing_required(item, values[item.key])
        try:
            services.parse_answer(item, values[item.key])
        except ServiceError as exc:
            error = exc.message
        if error:
            return _render_form(phase, respondent, client_token, values, step, {item.key: error}), 400
        return _render_form(phase, respondent, client_token, values, step + 1)

    answers, errors = services.parse_answers(items, values)
    for it in items:
        if it.key not in errors and (missing := _missing_required(it, values[it.key])):
            errors[it.key] = missing
    if errors:
        first = next(i for i, it in enumerate(items, start=1) if it.key in errors)
        return _render_form(phase, respondent, client_token, values, first, errors), 400
    if not respondent.consented and consent != "yes":
        return _consent_page(phase, respondent, client_token, values,
                             _("Cần sự đồng ý của chị/anh thì mới lưu được câu trả lời.")), 400
    with service_call(show=False) as call:  # the form shows the error on top
        response, created = services.save_response(
            training, phase.phase, person, answers, source=ResponseSource.phone, client_token=client_token,
            consent_given=consent == "yes")
    if call.error:
        if call.error.field == "consent":
            return _consent_page(phase, respondent, client_token, values, call.error.message), 400
        return _render_form(phase, respondent, client_token, values, len(items), {"_form": call.error.message}), 400
    commit_now()  # the locks go before the thank-you page renders
    already = not created and response.client_token != client_token
    return _done_page(phase, respondent, already=already, receipt=client_token, response=response)


def _consent_page(phase: TrainingPhase, respondent: _Respondent, client_token: str, values: dict,
                  error: str | None = None):
    """Asked before the first question (answers typed meanwhile travel along, none is lost)."""
    carried = [(key, v) for key, vs in values.items() for v in vs]
    return render_template("surveys/phone_consent.html", phase=phase, training=phase.training,
                           person=respondent.person, key=respondent.key, client_token=client_token,
                           carried=carried, error=error)


class _Corrected(NamedTuple):
    """One question of her own post-test, as the done page shows it when the training allows."""
    legend: str
    question: str
    chosen: str  # her answer, as labels
    right: str  # the right answer, as labels
    is_right: bool


def _done_page(phase: TrainingPhase, respondent: _Respondent, already: bool, receipt: str | None = None,
               response: Response | None = None):
    training = phase.training
    corrected, score = [], None
    if training.show_results_after_post and phase.phase is Phase.post:
        response = response or services.find_response(training, phase.phase, respondent.person)
        if response is not None:
            by_item = {a.item_id: a for a in response.answers}
            items = response.version.items
            for it in items:
                if not it.is_scored:
                    continue
                labels = it.all_options()
                answer = by_item.get(it.id)
                chosen = [int(p) for p in (answer.choice or "").split(",") if p] if answer else []
                corrected.append(_Corrected(
                    _("Câu %(n)d", n=it.position), it.text,
                    ", ".join(labels[p - 1] for p in chosen if 0 < p <= len(labels)) or _("(không trả lời)"),
                    ", ".join(labels[p - 1] for p in sorted(it.correct)),
                    bool(answer and answer.points == it.max_points)))
            score = (response.score, response.max_score)
    return render_template("surveys/phone_done.html", phase=phase, training=training, person=respondent.person,
                           already=already, receipt=receipt, corrected=corrected, score=score)


@public_bp.route("/t/<token>/sync", methods=["POST"])
@throttle.limit_rate("phone", "PHONE_POSTS_PER_MINUTE_LINK", "PHONE_POSTS_PER_MINUTE_ADDRESS")
def sync_answer(token: str):
    """One answer from a phone's offline queue; the JSON receipt names its client token, on which
    the phone drops it (stored, already stored, or refused with a reason kept for the trainer)."""
    write_lock_later()
    phase = get_phase_by_token_or_404(token)
    fields = request.form.to_dict(flat=False)
    # Her own link's key names her; a bare person id (a queue kept before the links were signed)
    # is not taken here: the phone keeps it, and the trainer imports the saved queue file.
    person_id = access.person_id_from_key(phase, (fields.pop("p", None) or [""])[0])
    fields.pop("person", None)
    if person_id is None:
        return jsonify(error=_("Không tìm thấy mã này trong danh sách lớp. Vui lòng xem lại mã trên phiếu hoặc hỏi người tập huấn.")), 400
    fields["person"] = [str(person_id)]
    try:
        receipt = services.receive_queued(phase, fields)
    except ServiceError as exc:
        return jsonify(error=exc.message), 400
    commit_now()
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
    focus: bool  # the first question with an error: the page opens on it (autofocus)
    required: bool


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
    first_error = next((it.key for it in shown if it.key in errors), None)
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
                                errors.get(it.key), it.key == first_error, it.required))
    # Answers of the other screens travel in hidden fields (one question per screen, no JavaScript).
    carried = [(it.key, v) for it in items if it not in shown for v in values.get(it.key, [])]
    last = not one_per_screen or step == len(items)
    return render_template(
        "surveys/phone_form.html", phase=phase, training=training, person=person, key=respondent.key,
        questions=questions, carried=carried, errors=errors, client_token=client_token, step=step, last=last,
        one_per_screen=one_per_screen, first_error=first_error,
        # Her yes (given on the first screen) travels with the answers; the offline copy asks on top.
        consent_given=request.values.get("consent") == "yes",
        needs_consent=all_at_once and not respondent.consented,
        # The server answered this form (with errors to fix): the script stops holding it.
        receipt=client_token if request.method == "POST" else None)
