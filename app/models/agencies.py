"""Agencies: the offices that answer petitions and own commitments."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.units import Unit


class Agency(db.Model):
    __tablename__ = "agencies"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
