"""Pre/post training knowledge surveys: question bank, tests, trainings, three ways to collect
answers (phone, paper grid, Excel workbook), scores."""
from __future__ import annotations

from surveys.results import results_input

__all__ = ["init_app", "results_input"]


def init_app(app) -> None:
    from surveys.views import bp

    app.register_blueprint(bp)
    from surveys.analytics import init_app as init_results

    init_results(app)
