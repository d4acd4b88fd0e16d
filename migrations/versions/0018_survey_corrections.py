"""Survey corrections: one active consent per person and purpose, voided responses, archived and
re-scored trainings, and the before/after record of every re-scored response

Revision ID: 0018_survey_corrections
Revises: 0017_entry_verify
Create Date: 2026-12-01 14:10:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0018_survey_corrections'
down_revision = '0017_entry_verify'
branch_labels = None
depends_on = None


def upgrade():
    # Earlier races may have left two active consents for one person and purpose: keep the oldest.
    op.execute("UPDATE consents SET withdrawn_dt = given_dt WHERE withdrawn_dt IS NULL AND id NOT IN "
               "(SELECT min_id FROM (SELECT MIN(id) AS min_id FROM consents WHERE withdrawn_dt IS NULL "
               "GROUP BY person_id, purpose) AS keep)")
    op.create_index('uq_consents_active', 'consents', ['person_id', 'purpose'], unique=True,
                    sqlite_where=sa.text('withdrawn_dt IS NULL'), postgresql_where=sa.text('withdrawn_dt IS NULL'))
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_survey_responses_voided_by_id_users'), 'users',
                                    ['voided_by_id'], ['id'])
    with op.batch_alter_table('survey_trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rescored_dt', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'survey_rescores',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('from_version_id', sa.Integer(), nullable=False),
        sa.Column('to_version_id', sa.Integer(), nullable=False),
        sa.Column('score_before', sa.Integer(), nullable=False),
        sa.Column('max_before', sa.Integer(), nullable=False),
        sa.Column('score_after', sa.Integer(), nullable=False),
        sa.Column('max_after', sa.Integer(), nullable=False),
        sa.Column('rescored_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rescored_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['from_version_id'], ['survey_instrument_versions.id'],
                                name=op.f('fk_survey_rescores_from_version_id_survey_instrument_versions')),
        sa.ForeignKeyConstraint(['to_version_id'], ['survey_instrument_versions.id'],
                                name=op.f('fk_survey_rescores_to_version_id_survey_instrument_versions')),
        sa.ForeignKeyConstraint(['rescored_by_id'], ['users.id'], name=op.f('fk_survey_rescores_rescored_by_id_users')),
        sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], ondelete='CASCADE',
                                name=op.f('fk_survey_rescores_response_id_survey_responses')),
        sa.ForeignKeyConstraint(['training_id'], ['survey_trainings.id'],
                                name=op.f('fk_survey_rescores_training_id_survey_trainings')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_rescores')),
    )
    with op.batch_alter_table('survey_rescores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_rescores_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_rescores_training_id'), ['training_id'], unique=False)


def downgrade():
    op.drop_table('survey_rescores')
    with op.batch_alter_table('survey_trainings', schema=None) as batch_op:
        batch_op.drop_column('rescored_dt')
        batch_op.drop_column('archived_dt')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_responses_voided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('voided_by_id')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_dt')
    op.drop_index('uq_consents_active', table_name='consents')
