"""Settings read from the environment, with safe defaults for a developer's machine.

SQLite under ``instance/`` is the embedded default; production sets ``APP_ENV=production``,
``SECRET_KEY`` and ``DATABASE_URL=postgresql+psycopg://...``.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-not-secret"
APP_ENVS = ("development", "testing", "production")
MIN_SECRET_BYTES = 32


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
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        # Strict-Transport-Security on every answer in production (browsers then refuse plain http).
        "HSTS": _bool("HSTS", env == "production"),
        "WTF_CSRF_TIME_LIMIT": None,
        "PER_PAGE": 25,
        # The features plugged into the core, in loading order: each is an importable package
        # with ``init_app(app)`` and a ``translations/`` folder (docs/architecture.md).
        "FEATURES": list(FEATURES),
        # JSON API: writes per token per minute, and the largest body accepted.
        "API_WRITES_PER_MINUTE": int(os.environ.get("API_WRITES_PER_MINUTE", "60")),
        "API_MAX_BODY_BYTES": int(os.environ.get("API_MAX_BODY_KB", "1024")) * 1024,
        # Public phone form: posts a minute per link (a class answering at once, step by step) and
        # per address (a commune hall behind one address); beyond that a 429 page.
        "PHONE_POSTS_PER_MINUTE_LINK": int(os.environ.get("PHONE_POSTS_PER_MINUTE_LINK", "600")),
        "PHONE_POSTS_PER_MINUTE_ADDRESS": int(os.environ.get("PHONE_POSTS_PER_MINUTE_ADDRESS", "300")),
        # Personal data is kept this many years, then `flask people retention --apply` erases it.
        "RETENTION_YEARS": int(os.environ.get("RETENTION_YEARS", "5")),
        # Minutes list their issuing union among the recipients ("Nơi nhận"), once, before "Lưu: VT".
        # Off by default: the issuer's own copy is "Lưu: VT" (the usual form).
        "MINUTES_ISSUER_AS_RECIPIENT": _bool("MINUTES_ISSUER_AS_RECIPIENT", False),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "caunoi@localhost"),
        "INSTANCE_DIR": str(instance),
        # Behind nginx: trust one proxy's X-Forwarded-For/-Proto/-Host (client IP, https links).
        # Leave off when clients reach gunicorn directly, or they could forge those headers.
        "PROXY_FIX": _bool("PROXY_FIX", False),
        # A database that does not answer gives the 503 page after this many seconds instead of
        # hanging until gunicorn's timeout: PostgreSQL's connect timeout, and its statement and
        # lock timeouts (server side); SQLite's busy timeout and write-lock wait (app.locking reads
        # the same environment variable).
        "DB_CONNECT_TIMEOUT": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
        "DB_STATEMENT_TIMEOUT": float(os.environ.get("DB_STATEMENT_TIMEOUT", "10")),
        # The job queue (app.jobs): Redis when set (several hosts), else SQLite in the instance folder.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "JOBS_DB": os.environ.get("JOBS_DB", str(instance / "jobs.sqlite3")),  # with SQLite only
        "JOBS_IMMEDIATE": _bool("JOBS_IMMEDIATE", False),
        # Document views marked jobs.in_worker (report PDFs, workbooks) run in the job worker.
        "DOCUMENTS_IN_WORKER": _bool("DOCUMENTS_IN_WORKER", True),
        # Retention of the job worker's files (STORAGE_DIR/jobs/, app.jobs.prune): a finished job's
        # file is kept this many days (at least 1: a document's job key holds the day), the newest
        # BACKUPS_KEEP full backups whatever their age; the worker prunes every JOBS_PRUNE_EVERY
        # seconds (0: never, run "flask jobs prune" from cron instead).
        "JOB_FILES_KEEP_DAYS": int(os.environ.get("JOB_FILES_KEEP_DAYS", "7")),
        "BACKUPS_KEEP": int(os.environ.get("BACKUPS_KEEP", "3")),
        "JOBS_PRUNE_EVERY": int(os.environ.get("JOBS_PRUNE_EVERY", "3600")),
    }
    if overrides:
        config.update(overrides)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config)
    check_config(config)
    return config


def engine_options(config: dict) -> dict:
    """The engine options with the timeouts of a PostgreSQL connection added (unless given)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        ms = int(config["DB_STATEMENT_TIMEOUT"] * 1000)
        options["connect_args"] = {
            "connect_timeout": config["DB_CONNECT_TIMEOUT"],
            "options": f"-c statement_timeout={ms} -c lock_timeout={ms}",
            **options.get("connect_args", {})}
    return options


def check_config(config: dict) -> None:
    """Fail closed: an unknown APP_ENV (``Production``, ``prod``) would otherwise run as development
    on the public default key."""
    if config["JOB_FILES_KEEP_DAYS"] < 1 or config["BACKUPS_KEEP"] < 1 or config["JOBS_PRUNE_EVERY"] < 0:
        raise ConfigError("JOB_FILES_KEEP_DAYS and BACKUPS_KEEP must be at least 1, JOBS_PRUNE_EVERY at least 0 "
                          f"(given {config['JOB_FILES_KEEP_DAYS']}, {config['BACKUPS_KEEP']}, "
                          f"{config['JOBS_PRUNE_EVERY']})")
    if config["APP_ENV"] not in APP_ENVS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(APP_ENVS)}, not {config['APP_ENV']!r}")
    if config["APP_ENV"] == "production":
        key = config["SECRET_KEY"] or ""
        if key == DEFAULT_SECRET_KEY or len(key.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"SECRET_KEY must be a random value of at least {MIN_SECRET_BYTES} bytes when "
                              "APP_ENV=production (python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")
