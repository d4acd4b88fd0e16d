"""JSON API v1 at ``/api/v1``: personal tokens, an OpenAPI 3.1 document, and endpoints over the
same services, loaders and scope rules as the web pages (see docs/api.md).

Layout: ``blueprint`` (authentication, declarations, input parsing), ``openapi`` (the document and
the schemas), one module per resource (``units``, ``trainings``, ...), ``tokens`` and
``ratelimit`` (the rules), ``web`` (the account page for tokens) and ``cli``.
"""
from __future__ import annotations


def init_app(app) -> None:
    from app.api import errors, sessions, web
    from app.api.blueprint import make_blueprint
    from app.api.cli import api_token_cli
    from app.api import indicators, routes

    routes.declare(app.config["FEATURES"])  # each feature's endpoints, before the blueprint is built
    indicators.describe_figures()  # the figure keys of the registered indicator providers
    bp = make_blueprint()
    from app.extensions import csrf

    app.session_interface = sessions.ApiAwareSessionInterface()
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(web.bp)
    errors.register(app)
    app.cli.add_command(api_token_cli)
