"""Indicators of Project 8: the dashboard of a unit and period across trainings and dialogues,
yearly targets, XLSX/PDF exports and ``flask indicators``. A sub-package of the core because it
spans both features."""
from __future__ import annotations


def init_app(app) -> None:
    from app.indicators import models  # noqa: F401  (tables known to the metadata and to Alembic)
    from app.indicators.cli import indicators_command
    from app.indicators.demo import load_demo
    from app.indicators.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(indicators_command)
    app.extensions.setdefault("caunoi_demo", []).append(load_demo)
