"""Header settings of the official documents a union issues (Decree 30 is applied "as
appropriate", so each union sets its own wording). The table keeps its first name."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.units import Unit


class OrgHeader(db.Model):
    """Header lines of the documents issued by the union of one unit (minutes, reports)."""

    __tablename__ = "minutes_headers"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    parent_body: Mapped[str] = mapped_column(sa.String(200))     # "HỘI LHPN TỈNH THÁI NGUYÊN"
    issuing_body: Mapped[str] = mapped_column(sa.String(200))    # "HỘI LHPN XÃ CHỢ ĐỒN"
    number_suffix: Mapped[str] = mapped_column(sa.String(60))    # "BB-HLHPN" in "Số: 05/BB-HLHPN"
    place_name: Mapped[str] = mapped_column(sa.String(100))      # "Chợ Đồn" in the date line
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
