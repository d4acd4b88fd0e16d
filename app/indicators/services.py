"""Writes on indicators and targets: validate everything, then write and flush (never commit)."""
from __future__ import annotations

import math
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.indicators.figures import FIGURES
from app.indicators.models import Indicator, IndicatorTarget
from app.indicators.periods import MAX_YEAR, MIN_YEAR
from app.models import Unit, User, utcnow
from app.services import ServiceError

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_TARGET = 1_000_000_000
MAX_TARGET_TEXT = "1.000.000.000"


def save_indicator(indicator: Indicator | None, *, code: str, name: str, unit_of_measure: str, figure: str,
                   position: int = 0, is_active: bool = True) -> Indicator:
    code = (code or "").strip()
    name = " ".join((name or "").split())
    unit_of_measure = " ".join((unit_of_measure or "").split())
    if not code:
        raise ServiceError(_("Vui lòng nhập mã chỉ số."), "code")
    if len(code) > 40 or not CODE_PATTERN.match(code):
        raise ServiceError(_("Mã chỉ số chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang (tối đa 40 ký tự)."), "code")
    clash = db.session.scalar(sa.select(Indicator.id).where(sa.func.lower(Indicator.code) == code.lower()))
    if clash is not None and (indicator is None or clash != indicator.id):
        raise ServiceError(_("Mã chỉ số “%(code)s” đã có.", code=code), "code")
    if not name:
        raise ServiceError(_("Vui lòng nhập tên chỉ số."), "name")
    if len(name) > 300:
        raise ServiceError(_("Không được dài quá %(max)d ký tự.", max=300), "name")
    if not unit_of_measure:
        raise ServiceError(_("Vui lòng nhập đơn vị tính."), "unit_of_measure")
    if len(unit_of_measure) > 50:
        raise ServiceError(_("Không được dài quá %(max)d ký tự.", max=50), "unit_of_measure")
    if figure not in FIGURES or not FIGURES[figure].targetable:
        raise ServiceError(_("Hãy chọn cách tính trong danh sách."), "figure")
    if position is None or not -10_000 <= position <= 10_000:
        raise ServiceError(_("Thứ tự phải từ -10000 đến 10000."), "position")
    if indicator is None:
        indicator = Indicator()
        db.session.add(indicator)
    indicator.code, indicator.name, indicator.unit_of_measure = code, name, unit_of_measure
    indicator.figure, indicator.position, indicator.is_active = figure, position, bool(is_active)
    db.session.flush()
    return indicator


def save_targets(unit: Unit, year: int, values: dict[int, float | None], user: User | None) -> int:
    """Set the targets of ``unit`` for ``year``: indicator id -> target, None to remove one.
    Returns how many targets changed."""
    if user is not None and not user.can_see_unit(unit):
        raise ServiceError(_("Đơn vị này nằm ngoài phạm vi của bạn."), "unit")
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(_("Năm phải từ %(a)d đến %(b)d.", a=MIN_YEAR, b=MAX_YEAR), "year")
    indicators = {i.id: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.id.in_(list(values))))}
    for indicator_id, value in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise ServiceError(_("Không tìm thấy chỉ số."), "targets")
        if value is not None and (not math.isfinite(value) or not 0 <= value <= MAX_TARGET):
            raise ServiceError(_("Chỉ tiêu của “%(code)s” phải là số từ 0 đến %(max)s.", code=indicator.code,
                                 max=MAX_TARGET_TEXT), "target_%d" % indicator_id)
        figure = FIGURES.get(indicator.figure)
        if value is not None and figure is not None and figure.is_rate and value > 100:
            raise ServiceError(_("Chỉ tiêu của “%(code)s” là một tỷ lệ (%%) nên không thể lớn hơn 100.",
                                 code=indicator.code), "target_%d" % indicator_id)
    existing = {t.indicator_id: t for t in db.session.scalars(
        sa.select(IndicatorTarget).where(IndicatorTarget.unit_id == unit.id, IndicatorTarget.year == year,
                                         IndicatorTarget.indicator_id.in_(list(values))))}
    changed = 0
    for indicator_id, value in values.items():
        row = existing.get(indicator_id)
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            db.session.add(IndicatorTarget(indicator_id=indicator_id, unit_id=unit.id, year=year, target=value,
                                           updated_by_id=user.id if user else None))
            changed += 1
        elif row.target != value:
            row.target, row.updated_dt, row.updated_by_id = value, utcnow(), user.id if user else None
            changed += 1
    db.session.flush()
    return changed
