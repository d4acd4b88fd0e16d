"""indicators: definitions, yearly targets, indexes for the dashboard

``indicators`` name one computed figure each (``figure``, a key of app.indicators.figures);
``indicator_targets`` hold a unit's target for a calendar year. The two indexes on the dialogue
tables let the dashboard's follow-up counts read an answer's outcome and a question's "raised"
flag from the index alone.

Revision ID: 0008_indicators
Revises: 0006_followup
Create Date: 2026-11-29 00:51:06.512395

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_indicators'
down_revision = '0006_followup'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit_of_measure', sa.String(length=50), nullable=False),
    sa.Column('figure', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code'))
    )
    op.create_table('indicator_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('target >= 0', name=op.f('ck_indicator_targets_target')),
    sa.CheckConstraint('year >= 2000 AND year <= 2100', name=op.f('ck_indicator_targets_year')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_targets_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_indicator_targets_unit_id_units')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_indicator_targets_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_targets')),
    sa.UniqueConstraint('indicator_id', 'unit_id', 'year', name='uq_indicator_targets_unit_year')
    )
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_targets_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_targets_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('dialogue_answers', schema=None) as batch_op:
        batch_op.create_index('ix_dialogue_answers_question_id_outcome', ['question_id', 'outcome'], unique=False)
    with op.batch_alter_table('dialogue_questions', schema=None) as batch_op:
        batch_op.create_index('ix_dialogue_questions_dialogue_id_is_raised', ['dialogue_id', 'is_raised'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('dialogue_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_dialogue_questions_dialogue_id_is_raised')
    with op.batch_alter_table('dialogue_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_dialogue_answers_question_id_outcome')
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_targets_unit_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_targets_indicator_id'))
    op.drop_table('indicator_targets')
    op.drop_table('indicators')
