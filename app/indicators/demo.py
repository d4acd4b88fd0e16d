"""Demo indicators from the seed article's reporting (trainings, dialogues, resolution) with
this year's targets for Thái Nguyên and its two demo communes. Idempotent."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.indicators import services
from app.indicators.models import Indicator, IndicatorTarget
from app import clock

INDICATORS = [
    # code, name, unit of measure, figure, targets by unit code
    ("DA8-TH", "Số lớp tập huấn, truyền thông được tổ chức", "lớp", "trainings_held",
     {"19": 72, "02020": 4, "02086": 4}),
    ("DA8-TH-NG", "Số lượt cán bộ, hội viên, phụ nữ được tập huấn", "lượt người", "training_participants",
     {"19": 2000, "02020": 60, "02086": 60}),
    ("DA8-DT", "Số cuộc đối thoại chính sách được tổ chức", "cuộc", "dialogues_held", {"19": 40, "02020": 2, "02086": 2}),
    ("DA8-DT-GQ", "Tỷ lệ kiến nghị, cam kết được giải quyết", "%", "share_resolved", {"19": 80, "02020": 80}),
]


def load_demo(ctx: dict) -> None:
    year = clock.today().year
    units = ctx["units"]
    for position, (code, name, measure, figure, targets) in enumerate(INDICATORS, start=1):
        indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == code))
        if indicator is None:
            indicator = services.save_indicator(None, code=code, name=name, unit_of_measure=measure, figure=figure,
                                                position=position)
        for unit_code, target in targets.items():
            unit = units[unit_code]
            exists = db.session.scalar(sa.select(IndicatorTarget.id).where(
                IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.unit_id == unit.id,
                IndicatorTarget.year == year))
            if exists is None:
                services.save_targets(unit, year, {indicator.id: float(target)}, None)
