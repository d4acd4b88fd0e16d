"""Rollups: the dashboard's counters per unit, day, key and counter (app.indicators.rollups)

Revision ID: 0020_rollups
Revises: 0019_respondent
Create Date: 2026-12-01 14:20:00

The table starts empty: ``flask indicators rebuild`` fills it from the existing records (run it
once after this upgrade; docs/deploy.md).
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_rollups'
down_revision = '0019_respondent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicator_rollups',
        sa.Column('counter', sa.String(length=80), nullable=False),
        sa.Column('grain', sa.String(length=1), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_indicator_rollups_unit_id_units')),
        sa.PrimaryKeyConstraint('counter', 'grain', 'day', 'unit_id', 'key', name=op.f('pk_indicator_rollups')),
    )
    op.create_index('ix_indicator_rollups_unit_id_day', 'indicator_rollups', ['unit_id', 'day'], unique=False)


def downgrade():
    op.drop_index('ix_indicator_rollups_unit_id_day', table_name='indicator_rollups')
    op.drop_table('indicator_rollups')
