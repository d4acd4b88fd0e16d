"""Jobs II: the heartbeat of a running job (a job whose worker died is found and run again)

Revision ID: 0021_jobs2
Revises: 0020_rollups
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_jobs2'
down_revision = '0020_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_dt', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_dt')
