"""Indicators of Project 8: the dashboard of a unit and period, yearly targets, XLSX/PDF exports,
charts and ``flask indicators``. The framework of the core: the figures come from the indicator
providers the features register from their ``init_app`` (``register_provider``; see
``app.indicators.providers``), so it spans the features without importing any."""
from __future__ import annotations

from app.indicators.providers import Contribution, IndicatorProvider, register_provider

__all__ = ["Contribution", "IndicatorProvider", "init_app", "register_provider"]


def init_app(app) -> None:
    from app.indicators import models, rollups  # noqa: F401  (tables and the flush hook)
    from app.indicators.cli import indicators_command
    from app.indicators.demo import load_demo
    from app.indicators.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(indicators_command)
    app.extensions.setdefault("caunoi_demo", []).append(load_demo)
