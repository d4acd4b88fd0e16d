"""Policy dialogues: the meeting record, questions and answers, commitments, and the official
minutes with approve-and-lock."""
from __future__ import annotations


def init_app(app) -> None:
    from dialogues import models  # noqa: F401  (tables known to the metadata and to Alembic)
    from dialogues.cli import dialogues_cli
    from dialogues.demo import load_demo
    from dialogues.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(dialogues_cli)
    app.extensions.setdefault("caunoi_demo", []).append(load_demo)
