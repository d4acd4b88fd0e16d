"""Audit rows carry the unit of the changed record, so that an admin reads her scope only

Revision ID: 0014_audit_unit
Revises: 0013_offline
Create Date: 2026-12-01 12:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_audit_unit'
down_revision = '0013_offline'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_logs_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_logs_unit_id_units'), 'units', ['unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_logs_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_logs_unit_id'))
        batch_op.drop_column('unit_id')
