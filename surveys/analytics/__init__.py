"""Results of pre/post tests: statistics (``stats``), one training's results (``results``), results
across trainings (``pooled``), and the page, PDF, XLSX and JSON built from them."""


def init_app(app) -> None:
    """Add the results screens to the surveys blueprint (before it is registered) and
    ``flask surveys results`` to the surveys command group."""
    from surveys.analytics import views  # noqa: F401  (adds the routes)
    from surveys.analytics.cli import results_command
    from surveys.cli import surveys_cli

    surveys_cli.add_command(results_command)
