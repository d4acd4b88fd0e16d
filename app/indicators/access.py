"""Who may use the indicators: the framework's role sets (features keep theirs in their own
``access.py``).

Commune and province officers (and administrators) see the dashboard of their unit and of any unit
below it; trainers and authority users do not (the dashboard spans dialogues, which trainers do not
see, and an authority user follows its own agency's commitments in the follow-up workspace). Yearly
targets are set by province officers (and administrators).
"""
from __future__ import annotations

from app.models import Role

DASHBOARD_ROLES = (Role.province, Role.commune)
TARGET_ROLES = (Role.province,)
