"""Who may see and manage dialogues: loaders and SQL filters, used by every screen.

Commune and province officers see the dialogues of their unit subtree and may manage them;
authority users see, read-only, the dialogues and questions that concern their agency;
trainers have no access. Anything out of scope answers 404.

Commitments follow the same rule: officers see those of the dialogues in their scope, an
authority user only those its agency owns (and may update them, as officers may).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.auth import unit_scope
from app.extensions import db
from app.models import Agency, Role, User
from dialogues.models import Commitment, Dialogue, DialogueAnswer, DialogueQuestion, OutboxMessage

MANAGE_ROLES = (Role.province, Role.commune)
VIEW_ROLES = (Role.province, Role.commune, Role.authority)
# One list of question categories for the whole system keeps statistics comparable, so only
# province officers (and administrators) edit it.
CATEGORY_EDIT_ROLES = (Role.province,)
# The dialogue list adds totals per unit below for those who look across communes.
TOTALS_BY_UNIT_ROLES = (Role.province,)


def concerns_agency(agency_id: int | None):
    """SQL filter on questions: addressed to the agency, forwarded to it, or with a commitment it owns."""
    return sa.or_(
        DialogueQuestion.agency_id == agency_id,
        DialogueQuestion.id.in_(sa.select(DialogueAnswer.question_id)
                                .where(DialogueAnswer.forwarded_agency_id == agency_id)),
        DialogueQuestion.id.in_(sa.select(Commitment.question_id).where(Commitment.agency_id == agency_id)),
    )


def is_agency_reader(user: User) -> bool:
    return user.role is Role.authority


def visible_dialogues(user: User):
    """SQL filter on dialogues the user may open."""
    if is_agency_reader(user):
        return Dialogue.id.in_(sa.select(DialogueQuestion.dialogue_id).where(concerns_agency(user.agency_id)))
    return unit_scope(user, Dialogue.unit_id)


def visible_questions(user: User):
    """SQL filter on questions the user may read."""
    if is_agency_reader(user):
        return concerns_agency(user.agency_id)
    return DialogueQuestion.dialogue_id.in_(sa.select(Dialogue.id).where(unit_scope(user, Dialogue.unit_id)))


def can_manage(user: User, dialogue: Dialogue) -> bool:
    return user.has_role(*MANAGE_ROLES) and user.can_see_unit(dialogue.unit)


def get_dialogue_or_404(dialogue_id: int, need: str = "view", user: User | None = None) -> Dialogue:
    """The dialogue, if the user may ``view`` or ``manage`` it; 404 otherwise (403 for a role
    that never manages)."""
    user = user or current_user
    if need == "manage" and not user.has_role(*MANAGE_ROLES):
        abort(403)
    visible = db.session.scalar(sa.select(Dialogue).where(Dialogue.id == dialogue_id, visible_dialogues(user)))
    if visible is None:
        abort(404)
    return visible


def visible_commitments(user: User):
    """SQL filter on commitments the user may see and update."""
    if is_agency_reader(user):
        return Commitment.agency_id == user.agency_id
    return Commitment.question_id.in_(sa.select(DialogueQuestion.id).join(DialogueQuestion.dialogue)
                                      .where(unit_scope(user, Dialogue.unit_id)))


def get_commitment_or_404(commitment_id: int, user: User | None = None) -> Commitment:
    user = user or current_user
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.id == commitment_id,
                                                               visible_commitments(user)))
    if commitment is None:
        abort(404)
    return commitment


def visible_outbox(user: User):
    """SQL filter on reminder digests: those of agencies in the user's unit subtree."""
    return OutboxMessage.agency_id.in_(sa.select(Agency.id).where(unit_scope(user, Agency.unit_id)))
