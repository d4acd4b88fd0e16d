"""`flask db upgrade` from empty gives exactly the models' schema, on SQLite and PostgreSQL.

The session's test database is built by the migrations alone (see conftest), so comparing it with
the models' metadata proves there is no drift.
"""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory


def test_upgrade_from_empty_matches_models(db, app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_single_head_and_database_at_head(db, app):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_sqlite_upgrades_keep_every_row(tmp_path):
    """SQLite changes a table by copying it and dropping the old one; with the app's foreign keys on,
    that DROP deleted every row pointing at the table with ON DELETE CASCADE (upgrading 0017 -> 0018
    on the demo data left 0 of 112 answers). The migrations run with foreign keys off (migrations/
    env.py) and check them after. Proof on a database of its own with the demo data: down to 0014 and
    up again, every table that existed at 0014 holds exactly its rows, and the schema is whole."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}", "SECRET_KEY": "t",
                      "INSTANCE_DIR": str(tmp_path), "STORAGE_DIR": str(tmp_path / "storage"), "JOBS_IMMEDIATE": True})

    def counts() -> dict[str, int]:
        with _db.engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
            return {n: conn.scalar(sa.text(f'SELECT count(*) FROM "{n}"')) for n in names}

    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        downgrade(revision="0014_audit_unit")
        before = counts()
        assert before["survey_answers"] > 100 and before["commitment_events"] > 0 and before["dialogue_questions"] > 0
        upgrade()
        after = counts()
        assert {n: after.get(n) for n in before} == before
        with _db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        _db.engine.dispose()
