"""The dashboard's counters gain the ethnic-group and attendance-group breakdowns
(``surveys.ethnic_participants``, ``dialogues.attendance_people`` / ``attendance_rows``): no schema
change, but an existing database has no such counter rows until ``flask indicators rebuild``
(docs/deploy.md, "Dashboard rollups"). The upgrade says so when the rollups table holds rows;
a new database keeps its counters up to date from the first write.

Revision ID: 0023_rollup_breakdowns
Revises: 0022_h2
"""
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_rollup_breakdowns'
down_revision = '0022_h2'
branch_labels = None
depends_on = None

NEW_COUNTERS = ("surveys.ethnic_participants", "dialogues.attendance_people", "dialogues.attendance_rows")


def upgrade():
    bind = op.get_bind()
    kept = bind.execute(sa.text("SELECT count(*) FROM indicator_rollups")).scalar()
    new = bind.execute(sa.text("SELECT count(*) FROM indicator_rollups WHERE counter IN :names")
                       .bindparams(sa.bindparam("names", expanding=True)), {"names": list(NEW_COUNTERS)}).scalar()
    if kept and not new:
        logging.getLogger("alembic.runtime.migration").warning(
            "indicator_rollups: run `flask indicators rebuild` once now: the ethnic-group and "
            "attendance-group tables of the dashboard read new counters (docs/deploy.md)")


def downgrade():
    pass
