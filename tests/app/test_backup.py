"""export-all / import-all: a full round trip of the demo data restores every row and file exactly,
and an import that must be refused changes nothing.

The source is the suite's database (demo loaded through the CLI); the target is a second database:
a SQLite file in tmp_path, or on PostgreSQL a second database on the same server.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app, services
from app.backup import SEEDED_BY_MIGRATIONS, _encode
from app.extensions import db as _db
from app.models import Unit
from tests.conftest import reset_database


@pytest.fixture
def target_app(tmp_path):
    """An app on an empty, fully migrated second database with its own storage folder."""
    source_url = os.environ.get("TEST_DATABASE_URL")
    admin_engine = None
    if source_url:
        url = sa.engine.make_url(source_url)
        target_name = f"{url.database}_target"
        admin_engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{target_name}"'))
        target_url = url.set(database=target_name).render_as_string(hide_password=False)
    else:
        target_url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    reset_database(target_url)
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": target_url, "SECRET_KEY": "test-secret",
        "STORAGE_DIR": str(tmp_path / "target-storage"), "INSTANCE_DIR": str(tmp_path),
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if admin_engine is not None:
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_name}"'))
        admin_engine.dispose()


def snapshot(app) -> dict[str, list[tuple]]:
    """Every table's rows as sorted tuples of JSON-comparable values."""
    with app.app_context(), _db.engine.connect() as conn:
        return {table.name: sorted((tuple(_encode(v) for v in row) for row in conn.execute(sa.select(table))),
                                   key=repr)
                for table in _db.metadata.sorted_tables}


def invoke_on(app, *args):
    """Run a CLI command against ``app``: the test already holds the suite app's context, which
    the CLI would otherwise reuse."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def storage_files(root) -> dict[str, bytes]:
    """The stored files a backup carries: all but the job worker's (``jobs/``, left out by design)."""
    root = Path(root)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != "jobs"} if root.is_dir() else {}


def test_round_trip_restores_every_row_and_file(app, runner, target_app, tmp_path):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    Path(app.config["STORAGE_DIR"], "backup-check").mkdir(parents=True, exist_ok=True)
    Path(app.config["STORAGE_DIR"], "backup-check", "note.txt").write_text("Chợ Đồn", encoding="utf-8")
    export_dir = tmp_path / "export"

    result = runner.invoke(args=["export-all", str(export_dir)])
    assert result.exit_code == 0, result.output

    manifest = json.loads((export_dir / "manifest.json").read_text(encoding="utf-8"))
    source = snapshot(app)
    assert manifest["tables"] == [t.name for t in _db.metadata.sorted_tables]
    assert manifest["row_counts"] == {name: len(rows) for name, rows in source.items()}
    # The demo really covers the features: surveys, dialogues and follow-up all have rows.
    assert all(manifest["row_counts"][name] > 0 for name in ("users", "people", "audit_logs"))
    assert sum(1 for name, n in manifest["row_counts"].items() if n) >= 15

    result = invoke_on(target_app, "import-all", str(export_dir))
    assert result.exit_code == 0, result.output

    assert snapshot(target_app) == source
    assert storage_files(target_app.config["STORAGE_DIR"]) == storage_files(app.config["STORAGE_DIR"])
    # Sequences (PostgreSQL) were moved past the imported ids: a new row gets a fresh id.
    with target_app.app_context():
        commune = _db.session.scalar(sa.select(Unit).where(Unit.code == "02020"))
        village = services.create_unit(commune, "Bản Mới", "bản")
        _db.session.commit()
        assert village.id > max(row[0] for row in source["units"])


def test_import_into_non_empty_database_is_refused_and_changes_nothing(app, runner, target_app, tmp_path):
    runner.invoke(args=["demo", "load"])
    export_dir = tmp_path / "export"
    assert runner.invoke(args=["export-all", str(export_dir)]).exit_code == 0
    assert invoke_on(target_app, "import-all", str(export_dir)).exit_code == 0
    before = snapshot(target_app)

    result = invoke_on(target_app, "import-all", str(export_dir))

    assert result.exit_code != 0
    assert "không trống" in result.output
    assert snapshot(target_app) == before


def test_a_fresh_database_only_holds_the_rows_the_migrations_seed(target_app):
    assert {name for name, rows in snapshot(target_app).items() if rows} == SEEDED_BY_MIGRATIONS


def test_import_at_another_migration_revision_is_refused(app, runner, target_app, tmp_path):
    runner.invoke(args=["demo", "load"])
    export_dir = tmp_path / "export"
    assert runner.invoke(args=["export-all", str(export_dir)]).exit_code == 0
    manifest = json.loads((export_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["alembic_revision"] = "0000old"
    (export_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    fresh = snapshot(target_app)

    result = invoke_on(target_app, "import-all", str(export_dir))

    assert result.exit_code != 0
    assert "phiên bản" in result.output
    assert snapshot(target_app) == fresh


def test_broken_row_rolls_back_the_whole_import(app, runner, target_app, tmp_path):
    runner.invoke(args=["demo", "load"])
    export_dir = tmp_path / "export"
    assert runner.invoke(args=["export-all", str(export_dir)]).exit_code == 0
    last_table = next(name for name in reversed(json.loads((export_dir / "manifest.json").read_text())["tables"])
                      if (export_dir / f"{name}.jsonl").stat().st_size)
    with open(export_dir / f"{last_table}.jsonl", "a", encoding="utf-8") as out:
        out.write("{not json\n")
    fresh = snapshot(target_app)

    result = invoke_on(target_app, "import-all", str(export_dir))

    assert result.exit_code != 0
    assert snapshot(target_app) == fresh
    assert storage_files(target_app.config["STORAGE_DIR"]) == {}


def test_export_refuses_a_non_empty_directory(runner, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    result = runner.invoke(args=["export-all", str(tmp_path)])
    assert result.exit_code != 0
    assert "không trống" in result.output
