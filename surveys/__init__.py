"""Pre/post training knowledge surveys: question bank, tests, trainings, three ways to collect
answers (phone, paper grid, Excel workbook), scores."""
from __future__ import annotations

from surveys.results import results_input

__all__ = ["init_app", "results_input"]


def init_app(app) -> None:
    from surveys import cli
    from surveys.demo import load_demo
    from surveys.views import register

    register(app)
    cli.register(app)
    app.extensions.setdefault("caunoi_demo", []).append(load_demo)
