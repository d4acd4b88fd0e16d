"""User accounts, roles and the permission methods every feature asks."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.agencies import Agency
from app.models.types import UTCDateTime, enum_column, utcnow
from app.models.units import Unit


class Role(enum.Enum):
    admin = "admin"
    province = "province"
    commune = "commune"
    trainer = "trainer"
    authority = "authority"


# Roles allowed to see ethnicity (sensitive data): those who report or analyse by it.
ETHNICITY_ROLES = {Role.admin, Role.province, Role.commune, Role.trainer}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __auditable__ = True
    __audit_exclude__ = {"password_hash", "session_version"}

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(50), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of every session's user id (``get_id``): bumping it ends every session and remember-me
    # token of the account at once (password change, logout, role or unit change, deactivation).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship()
    agency: Mapped[Agency | None] = relationship()

    # Flask-Login: a deactivated account cannot log in or keep a session.
    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 1}"

    def revoke_sessions(self) -> None:
        """End every session and remember-me token of this account (this browser's too)."""
        from app.models.security import RememberToken

        if self.id is None:
            return  # a new account has no session yet: it starts at version 1
        self.session_version = (self.session_version or 1) + 1
        db.session.execute(sa.delete(RememberToken).where(RememberToken.user_id == self.id))

    def set_password(self, password: str) -> None:
        from flask import current_app

        # scrypt with werkzeug's strong defaults; the test suite lowers the cost (config) to stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if current_app else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.revoke_sessions()  # a new password ends the sessions opened with the old one

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def can_see_unit(self, unit: Unit | None) -> bool:
        return self.unit.contains(unit)

    def can_see_agency(self, agency: Agency | None) -> bool:
        if agency is None:
            return False
        if self.role is Role.authority:
            return self.agency_id == agency.id
        return self.can_see_unit(agency.unit)

    @property
    def can_see_ethnicity(self) -> bool:
        return self.role in ETHNICITY_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.is_admin or self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username}>"
