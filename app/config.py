"""Settings read from the environment, with safe defaults for a developer's machine.

SQLite under ``instance/`` is the embedded default; production sets ``APP_ENV=production``,
``SECRET_KEY`` and ``DATABASE_URL=postgresql+psycopg://...``.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """Raised when the app must not start with the settings it was given."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# A feature is a top-level package beside app/: it registers its blueprints, CLI, demo data,
# API endpoints (app.api.blueprint.route) and indicator provider (app.indicators.register_provider)
# from its init_app. Appending a package here is all it takes to plug one in.
FEATURES = ("surveys", "dialogues", "community")


def load_config(overrides: dict | None = None) -> dict:
    instance = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
    env = os.environ.get("APP_ENV", "development")
    config = {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'caunoi.sqlite3'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORAGE_DIR": os.environ.get("STORAGE_DIR", str(instance / "storage")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("APP_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "PER_PAGE": 25,
        # The features plugged into the core, in loading order: each is an importable package
        # with ``init_app(app)`` and a ``translations/`` folder (docs/architecture.md).
        "FEATURES": list(FEATURES),
        # JSON API: writes per token per minute, and the largest body accepted.
        "API_WRITES_PER_MINUTE": int(os.environ.get("API_WRITES_PER_MINUTE", "60")),
        "API_MAX_BODY_BYTES": int(os.environ.get("API_MAX_BODY_KB", "1024")) * 1024,
        # Personal data is kept this many years, then `flask people retention --apply` erases it.
        "RETENTION_YEARS": int(os.environ.get("RETENTION_YEARS", "5")),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "caunoi@localhost"),
        "INSTANCE_DIR": str(instance),
        # Behind nginx: trust one proxy's X-Forwarded-For/-Proto/-Host (client IP, https links).
        # Leave off when clients reach gunicorn directly, or they could forge those headers.
        "PROXY_FIX": _bool("PROXY_FIX", False),
    }
    if overrides:
        config.update(overrides)
    check_config(config)
    return config


def check_config(config: dict) -> None:
    if config["APP_ENV"] == "production" and config["SECRET_KEY"] in ("", DEFAULT_SECRET_KEY):
        raise ConfigError("SECRET_KEY must be set to a random value when APP_ENV=production")
