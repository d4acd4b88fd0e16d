"""Who may use the core screens: the role sets, named once.

Every feature declares its own sets in its own ``access.py`` (``surveys.access``,
``dialogues.access``); the scope rule they all build on (a user sees their unit and everything
below it, out of scope answers 404) lives in :mod:`app.auth`; the indicators framework's sets
(dashboard, targets) live in :mod:`app.indicators.access`. Admins pass every role check.
"""
from __future__ import annotations

from app.models import Role

ADMIN_ROLES = (Role.admin,)
# Union officers: they edit units and villages, see the agencies, erase people, read the dashboard.
OFFICER_ROLES = (Role.province, Role.commune)
# Who registers and edits the people taking part in trainings and dialogues.
PEOPLE_ROLES = (Role.province, Role.commune, Role.trainer)
# Who may erase a person's identity (not trainers: see docs/security.md).
ERASE_ROLES = OFFICER_ROLES
