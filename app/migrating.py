"""``flask db ...`` (Flask-Migrate, on Alembic) without Alembic in every process.

Importing ``flask_migrate`` imports Alembic (and Mako): about 11 MB of every gunicorn web worker
(bench/memory_bench.py), which never migrates. So the app gets Flask-Migrate on first use:

* ``app.extensions["migrate"]`` is a stand-in that, when anything reads it (Flask-Migrate's
  commands and functions such as ``flask_migrate.upgrade()``, ``migrations/env.py``, tests),
  sets Flask-Migrate up on the app (:func:`load`) and answers from the real configuration;
* ``flask db`` is a command group that hands the command line to Flask-Migrate's own ``db``
  group when it runs, so every ``flask db ...`` command, option and ``--help`` is Flask-Migrate's.

``tests/app/test_architecture.py`` checks that a web worker's ``import wsgi`` does not import
Alembic, and that ``flask db`` still works.
"""
from __future__ import annotations

import click
from flask import Flask

from app.config import BASE_DIR
from app.extensions import db


def init_app(app: Flask) -> None:
    app.extensions["migrate"] = _OnFirstUse(app)
    app.cli.add_command(_DbGroup("db", help="Perform database migrations (Flask-Migrate)."))


def load(app: Flask):
    """Flask-Migrate set up on ``app`` (once): its ``app.extensions["migrate"]``, which it returns."""
    current = app.extensions.get("migrate")
    if current is not None and not isinstance(current, _OnFirstUse):
        return current
    from flask_migrate import Migrate

    from app.models.types import render_item

    # Migrate.init_app replaces the stand-in and adds Flask-Migrate's own ``db`` group to app.cli.
    Migrate(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True,
            render_item=render_item)
    return app.extensions["migrate"]


class _OnFirstUse:
    """``app.extensions["migrate"]`` until it is read (see the module docstring)."""

    def __init__(self, app: Flask):
        self._app = app

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy, pickle and friends look for these: no set-up for them
            raise AttributeError(name)
        return getattr(load(self._app), name)


class _DbGroup(click.Group):
    """``flask db``: Flask-Migrate's ``db`` group, imported when a ``flask db`` command runs."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db as db_group

        return db_group

    def make_context(self, info_name, args, parent=None, **extra):
        # The context is the real group's, so click runs its options, callback and commands.
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._real().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        return self._real().get_command(ctx, cmd_name)
