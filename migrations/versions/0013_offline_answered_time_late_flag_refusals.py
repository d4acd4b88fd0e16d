"""Offline phones: when each response was answered, whether it arrived late from a queue, and the refused queued answers

Revision ID: 0013_offline
Revises: 0012_community
Create Date: 2026-12-01 10:48:16.839381

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_offline'
down_revision = '0012_community'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_offline_refusals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('pre', 'post', name='phase', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('client_token', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.Column('answered_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_survey_offline_refusals_person_id_people')),
    sa.ForeignKeyConstraint(['training_id'], ['survey_trainings.id'], name=op.f('fk_survey_offline_refusals_training_id_survey_trainings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_offline_refusals')),
    sa.UniqueConstraint('client_token', name=op.f('uq_survey_offline_refusals_client_token'))
    )
    with op.batch_alter_table('survey_offline_refusals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_offline_refusals_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_offline_refusals_training_id'), ['training_id'], unique=False)

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_late', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_column('is_late')
        batch_op.drop_column('answered_dt')

    with op.batch_alter_table('survey_offline_refusals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_offline_refusals_training_id'))
        batch_op.drop_index(batch_op.f('ix_survey_offline_refusals_person_id'))

    op.drop_table('survey_offline_refusals')
