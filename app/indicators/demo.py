"""Demo indicators from the seed article's reporting (each provider's ``demo_indicators``:
trainings, dialogues, resolution) with this year's targets for Thái Nguyên and its two demo
communes. Idempotent."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.indicators import services
from app.indicators.models import Indicator, IndicatorTarget
from app.indicators.providers import providers
from app import clock

def load_demo(ctx: dict) -> None:
    year = clock.today().year
    units = ctx["units"]
    demo = [entry for provider in providers() for entry in provider.demo_indicators]
    for position, (code, name, measure, figure, targets) in enumerate(demo, start=1):
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
