"""Indicators with yearly targets: what the province reports upward, defined as data.

An indicator names one of the computed figures (``figure``, a key of
``app.indicators.figures.FIGURES``) under the code and wording of the programme's framework,
with its unit of measure; a target is the value a unit aims for in one calendar year.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Unit, User, UTCDateTime, utcnow


class Indicator(db.Model):
    __tablename__ = "indicators"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)         # "DA8-2.1"
    name: Mapped[str] = mapped_column(sa.String(300))
    unit_of_measure: Mapped[str] = mapped_column(sa.String(50))           # "lượt người", "cuộc", "%"
    figure: Mapped[str] = mapped_column(sa.String(60))                    # key of the computed figure
    position: Mapped[int] = mapped_column(default=0)                      # order in tables and reports
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    targets: Mapped[list[IndicatorTarget]] = relationship(back_populates="indicator")

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class IndicatorTarget(db.Model):
    """The value ``unit`` aims for in ``year``; progress is measured from 1 January."""

    __tablename__ = "indicator_targets"
    __auditable__ = True
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "unit_id", "year", name="uq_indicator_targets_unit_year"),
        sa.CheckConstraint("target >= 0", name="target"),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    year: Mapped[int]
    target: Mapped[float] = mapped_column(sa.Float)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()
    updated_by: Mapped[User | None] = relationship()

