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
