"""Administrative units as a tree of any depth, with the one scope rule of the app."""
from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import enum_column


class UnitLevel(enum.Enum):
    country = "country"     # the root, so a national administrator has a unit too
    province = "province"
    district = "district"   # abolished on 1 July 2025; kept for old records
    commune = "commune"
    village = "village"


class Unit(db.Model):
    __tablename__ = "units"
    __auditable__ = True
    # Prefix LIKE on the path must use the index on PostgreSQL too (non-C collations need pattern ops).
    __table_args__ = (sa.Index("ix_units_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[UnitLevel] = mapped_column(enum_column(UnitLevel))
    # Official wording ("tỉnh", "xã", "phường", "thôn", "bản", ...), shown as is.
    division_type: Mapped[str] = mapped_column(sa.String(50), default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # Materialised path "/19/02020/": scope checks and aggregates become one indexed LIKE.
    path: Mapped[str] = mapped_column(sa.String(400))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"

    @staticmethod
    def make_path(parent: Unit | None, code: str) -> str:
        return f"{parent.path if parent else '/'}{code}/"

    def contains(self, other: Unit | None) -> bool:
        """True when ``other`` is this unit or lies below it: THE scope rule."""
        return other is not None and other.path.startswith(self.path)

    @property
    def ancestors(self) -> list[Unit]:
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        return ", ".join(u.name for u in reversed([*self.ancestors, self]))

    def subtree_filter(self, unit_id_column):
        """SQL filter: rows whose unit (by id column) lies in this unit's subtree."""
        return unit_id_column.in_(sa.select(Unit.id).where(Unit.path.startswith(self.path)))
