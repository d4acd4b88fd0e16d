"""Who may see and change what in the community feature, decided in one place.

Commune and province officers (and administrators) see and manage the teams, clubs, trusted
addresses and activities of their unit subtree; trainers and authority users have no access
(403). Anything out of scope answers 404. A trusted address's contact is shown only to the
officers who refer people to it (``CONTACT_ROLES``); the topic list is kept by the province.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.auth import roles_required, unit_scope
from app.extensions import db
from app.models import Role, Unit, User
from community.models import Activity, Club, ClubMember, Team, TeamMember, TrustedAddress

COMMUNITY_ROLES = (Role.province, Role.commune)
CONTACT_ROLES = (Role.commune, Role.province)
TOPIC_ROLES = (Role.province,)
community_required = roles_required(*COMMUNITY_ROLES)


def can_see_contact(user: User, address: TrustedAddress) -> bool:
    return user.role in CONTACT_ROLES and user.can_see_unit(address.unit)


def get_in_scope_or_404(model, object_id: int, user: User | None = None):
    """A team, club, address or activity in the user's unit subtree; 404 otherwise."""
    user = user or current_user
    if not user.has_role(*COMMUNITY_ROLES):
        abort(403)
    obj = db.session.scalar(sa.select(model).where(model.id == object_id, unit_scope(user, model.unit_id)))
    if obj is None:
        abort(404)
    return obj


def get_team_or_404(team_id: int, user: User | None = None) -> Team:
    return get_in_scope_or_404(Team, team_id, user)


def get_club_or_404(club_id: int, user: User | None = None) -> Club:
    return get_in_scope_or_404(Club, club_id, user)


def get_address_or_404(address_id: int, user: User | None = None) -> TrustedAddress:
    return get_in_scope_or_404(TrustedAddress, address_id, user)


def get_activity_or_404(activity_id: int, user: User | None = None) -> Activity:
    return get_in_scope_or_404(Activity, activity_id, user)


def get_team_member_or_404(team: Team, member_id: int) -> TeamMember:
    member = db.session.get(TeamMember, member_id)
    if member is None or member.team_id != team.id:
        abort(404)
    return member


def get_club_member_or_404(club: Club, member_id: int) -> ClubMember:
    member = db.session.get(ClubMember, member_id)
    if member is None or member.club_id != club.id:
        abort(404)
    return member


def unit_by_code_or_404(code: str | None, user: User | None = None) -> Unit:
    """The unit asked for by code (default: the user's own), 404 when unknown or out of scope."""
    user = user or current_user
    code = (code or user.unit.code).strip()[:32]
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    if unit is None or not user.can_see_unit(unit):
        abort(404)
    return unit
