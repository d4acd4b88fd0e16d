"""Policy dialogues, questions, answers, commitments and minutes."""
from __future__ import annotations


def init_app(app) -> None:
    from dialogues.views import bp

    app.register_blueprint(bp)
