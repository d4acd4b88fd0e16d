"""The public phone form: anonymous, reachable only through its unguessable link, and only while
its phase is open. Works without JavaScript; one question per screen is done with plain form
posts that carry the earlier answers in hidden fields, so nothing is kept on the server until
the last screen is sent."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _

from app.extensions import db
from app.models import Person
from app.services import ServiceError
from surveys import services
from surveys.access import get_phase_by_token_or_404
from surveys.blueprint import public_bp
from surveys.models import Participant, ResponseSource, TrainingPhase
from surveys.services.trainings import CONSENT_PURPOSE


def _roster(phase: TrainingPhase) -> list[Person]:
    return db.session.scalars(sa.select(Person).join(Participant, Participant.person_id == Person.id)
                              .where(Participant.training_id == phase.training_id, Person.erased_dt.is_(None))
                              .order_by(Person.full_name, Person.code)).all()


def _closed_page(phase: TrainingPhase):
    return render_template("surveys/phone_closed.html", phase=phase, training=phase.training)


def _identify(phase: TrainingPhase, roster: list[Person]) -> Person | None:
    person_id = request.values.get("person", type=int)
    code = (request.values.get("code") or "").strip()[:40]
    for person in roster:
        if person.id == person_id or (code and person.code.casefold() == code.casefold()):
            return person
    return None


@public_bp.route("/t/<token>")
def show_form(token: str):
    phase = get_phase_by_token_or_404(token)
    if not phase.is_open:
        return _closed_page(phase)
    roster = _roster(phase)
    person = _identify(phase, roster)
    if person is None:
        error = _("Không tìm thấy tên hoặc mã này trong danh sách lớp.") \
            if request.args.get("person") or request.args.get("code") else None
        return render_template("surveys/phone_start.html", phase=phase, training=phase.training, roster=roster,
                               error=error), (404 if error else 200)
    if services.find_response(phase.training, phase.phase, person) is not None:
        return render_template("surveys/phone_done.html", phase=phase, training=phase.training, person=person,
                               already=True)
    return _render_form(phase, person, client_token=secrets.token_urlsafe(16), values={}, step=1)


@public_bp.route("/t/<token>", methods=["POST"])
def submit_form(token: str):
    phase = get_phase_by_token_or_404(token)
    if not phase.is_open:
        return _closed_page(phase)
    person = _identify(phase, _roster(phase))
    if person is None:
        return render_template("surveys/phone_start.html", phase=phase, training=phase.training,
                               roster=_roster(phase), error=_("Không tìm thấy tên hoặc mã này trong danh sách lớp.")), 404
    training = phase.training
    items = training.version.items
    client_token = request.form.get("client_token", "")[:64]
    # Cut only far beyond the 1000-character limit, so an over-long answer gets its message.
    values = {it.key: [v[:2000] for v in request.form.getlist(it.key)] for it in items}
    step = min(max(request.form.get("step", 1, type=int), 1), len(items))
    go = request.form.get("go", "submit")
    if training.one_question_per_screen and go in ("next", "back"):
        if go == "back":
            return _render_form(phase, person, client_token, values, step - 1)
        item = items[step - 1]
        try:
            services.parse_answer(item, values[item.key])
        except ServiceError as exc:
            return _render_form(phase, person, client_token, values, step, {item.key: exc.message}), 400
        return _render_form(phase, person, client_token, values, step + 1)

    answers, errors = services.parse_answers(items, values)
    if errors:
        first = next(i for i, it in enumerate(items, start=1) if it.key in errors)
        return _render_form(phase, person, client_token, values, first, errors), 400
    try:
        response, created = services.save_response(
            training, phase.phase, person, answers, source=ResponseSource.phone, client_token=client_token,
            consent_given=request.form.get("consent") == "yes")
    except ServiceError as exc:
        db.session.rollback()
        errors = {"consent" if exc.field == "consent" else "_form": exc.message}
        return _render_form(phase, person, client_token, values, len(items), errors), 400
    already = not created and response.client_token != client_token
    return render_template("surveys/phone_done.html", phase=phase, training=training, person=person,
                           already=already)


def _render_form(phase: TrainingPhase, person: Person, client_token: str, values: dict, step: int,
                 errors: dict | None = None):
    training = phase.training
    items = training.version.items
    one_per_screen = training.one_question_per_screen
    shown = items[step - 1:step] if one_per_screen else items
    seed = f"{phase.public_token}:{person.id}"
    orders = {it.key: services.display_order(it, seed, training.version.instrument.shuffle_options) for it in shown}
    last = not one_per_screen or step == len(items)
    return render_template(
        "surveys/phone_form.html", phase=phase, training=training, person=person, items=items, shown=shown,
        orders=orders, values=values, errors=errors or {}, client_token=client_token, step=step, last=last,
        one_per_screen=one_per_screen, needs_consent=last and not person.has_consent(CONSENT_PURPOSE))
