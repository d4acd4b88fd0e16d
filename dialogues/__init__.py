"""Policy dialogues: the meeting record, questions and answers, commitments, and the official
minutes with approve-and-lock."""
from __future__ import annotations

import os


def init_app(app) -> None:
    # Follow-up settings (SMTP_HOST and MAIL_FROM come from app.config): evidence size limit,
    # optional SMTP login, and the public address written in reminder e-mails.
    app.config.setdefault("EVIDENCE_MAX_BYTES", int(os.environ.get("EVIDENCE_MAX_MB", "10")) * 1024 * 1024)
    app.config.setdefault("SMTP_STARTTLS", os.environ.get("SMTP_STARTTLS", "").lower() in {"1", "true", "yes"})
    app.config.setdefault("SMTP_USER", os.environ.get("SMTP_USER", ""))
    app.config.setdefault("SMTP_PASSWORD", os.environ.get("SMTP_PASSWORD", ""))
    app.config.setdefault("PUBLIC_URL", os.environ.get("PUBLIC_URL", ""))
    # The public verification page (/dialogues/check): attempts a minute from one address (0: no limit).
    app.config.setdefault("DIALOGUE_CHECKS_PER_MINUTE_ADDRESS",
                          int(os.environ.get("DIALOGUE_CHECKS_PER_MINUTE_ADDRESS", "30")))
    from app.indicators import register_provider
    from dialogues import models  # noqa: F401  (tables known to the metadata and to Alembic)
    from dialogues.indicators import provider  # (also declares the dashboard's indexes on dialogue tables)
    from dialogues.cli import dialogues_cli
    from dialogues.follow_up import cli as _follow_up_cli  # noqa: F401  (adds remind, indicators)
    from dialogues.demo import load_demo
    from dialogues.follow_up.demo import load_demo as load_follow_up_demo
    from dialogues.views import bp

    app.register_blueprint(bp)
    from dialogues.serialize import petitioner

    app.add_template_global(petitioner)
    app.cli.add_command(dialogues_cli)
    register_provider(provider)  # dialogue and follow-up figures on the indicators dashboard
    from app.services import register_database_refusal
    from dialogues.models.dialogues import LOCK_TRIGGER_MARKER, lock_refusal_message

    register_database_refusal(app, LOCK_TRIGGER_MARKER, lock_refusal_message)  # triggers of 0015_dialogue_lock
    app.extensions.setdefault("caunoi_demo", []).extend([load_demo, load_follow_up_demo])
