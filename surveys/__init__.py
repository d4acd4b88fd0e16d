"""Pre/post training knowledge surveys: question bank, tests, trainings, three ways to collect
answers (phone, paper grid, Excel workbook), scores."""
from __future__ import annotations

__all__ = ["init_app"]


def init_app(app) -> None:
    from app.indicators import register_provider
    from surveys import cli
    from surveys.indicators import provider
    from surveys.demo import load_demo
    from surveys.analytics import init_app as init_results
    from surveys.views import register

    init_results(app)  # results routes join the surveys blueprint before register() registers it
    register(app)
    cli.register(app)
    register_provider(provider)  # trainings and knowledge figures on the indicators dashboard
    app.extensions.setdefault("caunoi_demo", []).append(load_demo)
