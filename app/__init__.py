"""Cầu Nối: the application factory."""
from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

# One thread per linear-algebra call (numpy's OpenBLAS): the web workers are the parallelism, and
# on a busy machine a threaded eigendecomposition of the dashboard's disclosure audit (400 x 400)
# took seconds instead of 10 ms. Set before numpy is first imported; an operator's value wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from app.config import BASE_DIR, load_config
from app.extensions import babel, csrf, db, login_manager


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(BASE_DIR / "templates"), static_folder="static",
                instance_path=str(BASE_DIR / "instance"))
    app.config.update(load_config(config))
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    from app.http import Request

    app.request_class = Request
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False  # Vietnamese stays readable in JSON output
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(
        str(BASE_DIR / pkg / "translations") for pkg in ("app", *app.config["FEATURES"])))

    db.init_app(app)
    from app import migrating

    migrating.init_app(app)  # Flask-Migrate (Alembic) on first use: not in the web workers
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=select_locale)
    from app import i18n

    i18n.init_app(app)

    with app.app_context():
        _configure_engine(db.engine)

    from app import audit  # noqa: F401  (registers the flush listener)
    from app import admin, auth, errors, views
    from app.cli import register_cli
    from app.filters import register_filters
    from app import pdf

    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    for name in app.config["FEATURES"]:
        # Each feature registers its pages, CLI, demo data, API endpoints and indicator provider.
        import_module(name).init_app(app)
    from app import indicators

    indicators.init_app(app)  # after the features: their providers are registered
    from app import api

    api.init_app(app)  # after the features: their endpoints are declared on the API blueprint
    from app import backup, jobs

    jobs.init_app(app)
    backup.init_app(app)  # the full export of the admin page, a job
    errors.init_app(app)
    register_cli(app)
    register_filters(app)
    pdf.init_app(app)
    from app import assets

    assets.init_app(app)

    @app.after_request
    def commit_and_secure(response):
        # One commit per request, after the view succeeded; a failed view rolls back on teardown.
        if response.status_code < 400:
            db.session.commit()
        from app.auth import set_remember_cookie

        set_remember_cookie(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        if app.config.get("HSTS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.context_processor
    def inject_globals():
        from app.forms import ROLE_LABELS
        from app.models import Role

        return {"Role": Role, "role_labels": ROLE_LABELS, "current_locale": str(get_locale())}

    return app


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if request and request.path.startswith("/api/"):
        # API clients choose by header only (no cookie, no session user).
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get("lang") if request else None
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _configure_engine(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    from app import locking
    from app.locking import begin_immediate, wants_lock_at_begin

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={locking.BUSY_TIMEOUT_MS:d}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_write_lock(connection):
        # A request that may write takes SQLite's write lock when its transaction starts, so
        # concurrent submissions queue (app.locking) instead of both passing a "does it exist?"
        # check and colliding on the insert. Reads (GET, CLI, tests) keep the sqlite3 module's
        # default: no transaction until the first write, so they never wait for a writer.
        # The phone form's submission takes it later, for its writes only (app.locking).
        if has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS") and wants_lock_at_begin():
            begin_immediate(connection.connection.driver_connection)
