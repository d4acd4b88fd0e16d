"""The architecture is a test: import-linter (on grimp's import graph) checks the contracts of
.importlinter: the core (app) imports no feature, the features do not import each other, and no
package has an import cycle among its modules. Every configured feature (FEATURES in
app/config.py) must be under those contracts, so a new one cannot slip past them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from importlinter.api import read_configuration

from app.config import FEATURES

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"


def _contract(contract_id: str) -> dict:
    contracts = read_configuration(str(CONFIG))["contracts_options"]
    return next(c for c in contracts if c["id"] == contract_id)


def test_every_feature_is_under_the_contracts():
    session = read_configuration(str(CONFIG))["session_options"]
    assert set(session["root_packages"]) == {"app", *FEATURES}
    assert _contract("core-imports-no-feature")["source_modules"] == ["app"]
    assert set(_contract("core-imports-no-feature")["forbidden_modules"]) == set(FEATURES)
    assert set(_contract("features-independent")["modules"]) == set(FEATURES)
    assert set(_contract("no-cycles")["ancestors"]) == {"app", *FEATURES}
    assert _contract("no-cycles")["type"] == "acyclic_siblings"


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--config", str(CONFIG), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_today_is_the_local_date_everywhere():
    """Meeting days and deadlines are Vietnam's calendar (app/clock.py). ``date.today()`` is the
    server's: on a UTC host it is yesterday from 00:00 to 07:00 Vietnam time, so code or a test
    that uses it disagrees with the app for seven hours a day (a CI run at 17:00 UTC failed so)."""
    needle = "date." + "today()"  # spelled apart so this test does not find itself
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for package in ("app", *FEATURES, "tests", "bench")
                 for path in (ROOT / package).rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if needle in line and f"``{needle}``" not in line]
    assert offenders == []


# What a gunicorn web worker imports (bench/memory_bench.py measures its memory): Alembic comes
# only with a ``flask db`` command (app/migrating.py), huey without the clients of the backends
# the queue does not use (app/jobs.py: redis ~4 MB, psycopg ~9 MB, Alembic ~11 MB of every worker).
WEB_WORKER = """
import json, sys
import wsgi
from app import jobs

at_import = [name for name in ("alembic", "flask_migrate", "mako") if name in sys.modules]
with wsgi.app.app_context():
    queue = jobs.queue()
after_queue = [name for name in ("alembic", "psycopg", "redis") if name in sys.modules]
import psycopg, redis  # hidden only while huey was imported: importable again
print(json.dumps({"at_import": at_import, "after_queue": after_queue, "queue": type(queue).__name__,
                  "importable": [psycopg.__name__, redis.__name__]}))
"""


def test_a_web_worker_on_sqlite_imports_no_alembic_and_no_unused_queue_client(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}", "SECRET_KEY": "t",
           "APP_ENV": "development", "INSTANCE_PATH": str(tmp_path), "STORAGE_DIR": str(tmp_path / "storage"),
           "JOBS_DB": str(tmp_path / "jobs.sqlite3")}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-c", WEB_WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "at_import": [], "after_queue": [], "queue": "SqliteHuey", "importable": ["psycopg", "redis"]}


def test_flask_db_loads_flask_migrate_when_it_runs(app, runner):
    """``flask db`` is Flask-Migrate's own group, set up on first use (the session's database was
    built by ``flask_migrate.upgrade()`` through the same stand-in, see conftest)."""
    listing = runner.invoke(args=["db", "--help"])
    assert listing.exit_code == 0, listing.output
    assert "upgrade" in listing.output and "--directory" in listing.output
    # "check" compares the models with the database Alembic reads: it exits 1 on a difference or
    # an error, 2 on an unknown command (Alembic prints its verdict to the process's stdout).
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    assert type(app.extensions["migrate"]).__module__ == "flask_migrate"
    unknown = runner.invoke(args=["db", "nosuch"])
    assert unknown.exit_code == 2 and "nosuch" in unknown.output
