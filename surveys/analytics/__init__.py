"""Results of pre/post tests: statistics (``stats``), one training's results (``results``), results
across trainings (``pooled``), and the page, PDF, XLSX and JSON built from them."""


def init_app(app) -> None:
    """Register the results screens and ``flask surveys results``."""
    from surveys.analytics.cli import results_command
    from surveys.analytics.views import bp
    from surveys.cli import surveys_cli

    app.register_blueprint(bp)
    surveys_cli.add_command(results_command)
    if "surveys" not in app.cli.commands:  # the surveys package registers its group itself
        app.cli.add_command(surveys_cli)
