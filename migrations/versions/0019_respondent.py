"""Respondent's page: a test question may be required on the phone; a training may show the
participant her score and the right answers after the post-test

Revision ID: 0019_respondent
Revises: 0014_audit_unit
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_respondent'
down_revision = '0014_audit_unit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('survey_trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_results_after_post', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('survey_trainings', schema=None) as batch_op:
        batch_op.drop_column('show_results_after_post')
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.drop_column('required')
