"""Pre/post training knowledge surveys."""
from __future__ import annotations


def init_app(app) -> None:
    from surveys.views import bp

    app.register_blueprint(bp)
