"""Who may see and change what in surveys, decided in one place.

Trainers, commune and province officers (and admins) work on trainings whose unit lies in their
scope; authority users have no access. Questions and tests are shared downwards: a province's
bank serves every commune below it, but only users of the owning unit's subtree edit them.
Out of scope always answers 404.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from app.auth import roles_required
from app.extensions import db
from app.models import Role, User
from surveys.models import Instrument, InstrumentVersion, Phase, Question, Training, TrainingPhase
from surveys.models.bank import shared_unit_filter

SURVEY_ROLES = (Role.trainer, Role.commune, Role.province)
surveys_required = roles_required(*SURVEY_ROLES)


def get_training_or_404(training_id: int, user: User | None = None) -> Training:
    user = user or current_user
    training = db.session.get(Training, training_id)
    if training is None or not user.has_role(*SURVEY_ROLES) or not user.can_see_unit(training.unit):
        abort(404)
    return training


def phase_or_404(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        abort(404)


def can_use_shared(user: User, obj) -> bool:
    """Shared material is usable by users at or above its unit and by every unit below it."""
    return user.can_see_unit(obj.unit) or obj.unit.contains(user.unit)


def _get_shared_or_404(model, object_id: int, user: User | None, edit: bool):
    user = user or current_user
    obj = db.session.get(model, object_id)
    if obj is None or not user.has_role(*SURVEY_ROLES) or not can_use_shared(user, obj):
        abort(404)
    if edit and not user.can_see_unit(obj.unit):
        abort(403)
    return obj


def get_question_or_404(question_id: int, user: User | None = None, edit: bool = False) -> Question:
    return _get_shared_or_404(Question, question_id, user, edit)


def get_instrument_or_404(instrument_id: int, user: User | None = None, edit: bool = False) -> Instrument:
    return _get_shared_or_404(Instrument, instrument_id, user, edit)


def visible_questions(user: User):
    return sa.select(Question).where(shared_unit_filter(user.unit, Question.unit_id))


def visible_instruments(user: User):
    return sa.select(Instrument).where(shared_unit_filter(user.unit, Instrument.unit_id))


# Built once: the phone form is the busiest page, and a prebuilt statement skips SQLAlchemy's
# statement building and cache-key work on every request. The training, its test version and the
# test come in the same row (cheaper than a chain of joinedload): every phone page shows them.
_PHASE_BY_TOKEN = (sa.select(TrainingPhase, Training, InstrumentVersion, Instrument)
                   .join(TrainingPhase.training).join(Training.version).join(InstrumentVersion.instrument)
                   .where(TrainingPhase.public_token == sa.bindparam("token")))


def get_phase_by_token_or_404(token: str) -> TrainingPhase:
    """The public link: anonymous, reachable only by its unguessable token."""
    row = db.session.execute(_PHASE_BY_TOKEN, {"token": token[:32]}).first()
    if row is None:
        abort(404)
    phase, training, version, instrument = row
    # Linked as loaded (the session holds objects weakly: without the links they would be dropped
    # with the row, and each relationship would load again).
    set_committed_value(phase, "training", training)
    set_committed_value(training, "version", version)
    set_committed_value(version, "instrument", instrument)
    return phase


# --- one respondent's own link ---------------------------------------------------------------
# The shared link of a phase never lists the roster: a person reaches her own form by a link
# that names her (printed with her QR on paper, or copied by the trainer) and carries a keyed
# signature, so that a person id cannot be guessed or walked from one person to the next.

def _signature(public_token: str, person_id: int) -> str:
    import base64
    import hashlib
    import hmac

    from flask import current_app

    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), f"respondent:{public_token}:{person_id}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:12]).decode().rstrip("=")


def respondent_key(phase: TrainingPhase, person_id: int) -> str:
    """The ``p`` value of her own link to this phase's form: "<person id>-<signature>"."""
    return f"{person_id}-{_signature(phase.public_token, person_id)}"


def person_id_from_key(phase: TrainingPhase, key: str) -> int | None:
    """The person a ``p`` value names, when its signature is right for this phase; else None."""
    import hmac

    head, _sep, signature = (key or "")[:60].partition("-")
    if not head.isdigit() or not signature or len(head) > 10:
        return None
    person_id = int(head)
    if not hmac.compare_digest(signature, _signature(phase.public_token, person_id)):
        return None
    return person_id
