"""People (participants, members) and their consent records."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app import ethnicities
from app.extensions import db
from app.models.types import UTCDateTime, enum_column, utcnow
from app.models.units import Unit


class Sex(enum.Enum):
    female = "F"
    male = "M"
    other = "O"


class Person(db.Model):
    __tablename__ = "people"
    __auditable__ = True
    __audit_exclude__ = {"name_key"}  # derived from full_name, which the audit log keeps

    id: Mapped[int] = mapped_column(primary_key=True)
    # Pseudonymous code used on paper forms and in exports instead of the name.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Vietnamese order of full_name (app.collation.sort_key), set with it: ORDER BY name_key.
    name_key: Mapped[str] = mapped_column(sa.String(1200), default="", server_default="", index=True)
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 1))
    birth_year: Mapped[int | None]
    ethnicity_system: Mapped[str | None] = mapped_column(sa.String(20))
    ethnicity_code: Mapped[str | None] = mapped_column(sa.String(10))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Erasure blanks the identifying fields but keeps the row, so aggregates stay intact.
    erased_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", order_by="Consent.given_dt", cascade="all, delete-orphan"
    )

    @property
    def ethnicity_name(self) -> str:
        return ethnicities.name_of(self.ethnicity_code, self.ethnicity_system or ethnicities.DEFAULT_SYSTEM)

    @property
    def is_minority(self) -> bool:
        return ethnicities.is_minority(self.ethnicity_code, self.ethnicity_system or ethnicities.DEFAULT_SYSTEM)

    @validates("full_name")
    def _set_name_key(self, _key: str, value: str) -> str:
        from app.collation import sort_key

        self.name_key = sort_key(value)
        return value

    def has_consent(self, purpose: str) -> bool:
        if "consents" in self.__dict__ or self.id is None:  # loaded already, or not stored yet
            return any(c.purpose == purpose and c.is_active for c in self.consents)
        # One EXISTS instead of loading every consent: the phone form asks on every page.
        return bool(db.session.scalar(_ACTIVE_CONSENT, {"person_id": self.id, "purpose": purpose}))

    def __repr__(self) -> str:
        return f"<Person {self.code}>"


class Consent(db.Model):
    """An explicit consent (never pre-ticked) for one purpose; withdrawal keeps the record."""

    __tablename__ = "consents"
    __auditable__ = True
    # One active consent per person and purpose, even when two forms of one person race each other
    # (a withdrawn consent stays as a record, so only the active ones are unique).
    __table_args__ = (sa.Index("uq_consents_active", "person_id", "purpose", unique=True,
                               sqlite_where=sa.text("withdrawn_dt IS NULL"),
                               postgresql_where=sa.text("withdrawn_dt IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(50))
    given_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Children need a guardian's consent too.
    guardian_name: Mapped[str | None] = mapped_column(sa.String(200))

    person: Mapped[Person] = relationship(back_populates="consents")

    @property
    def is_active(self) -> bool:
        return self.withdrawn_dt is None


_ACTIVE_CONSENT = sa.select(sa.exists().where(Consent.person_id == sa.bindparam("person_id"),
                                              Consent.purpose == sa.bindparam("purpose"),
                                              Consent.withdrawn_dt.is_(None)))
