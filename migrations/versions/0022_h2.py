"""Voided responses free the person's slot: one LIVE response per person and phase (a partial
unique index) instead of one response of any state

Revision ID: 0022_h2
Revises: 0022_h1
Create Date: 2026-12-01 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_h2'
down_revision = '0022_h1'
branch_labels = None
depends_on = None


# Rows that point at survey_responses with ON DELETE CASCADE. On SQLite, changing a constraint
# means copying the table and dropping the old one, and with foreign keys on (the app's connection
# turns them on) that drop deletes every answer and re-score record: they are kept aside and put back.
DEPENDENT = ('survey_answers', 'survey_rescores')


def _rebuild_responses(change) -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for table in DEPENDENT:
            op.execute(f'CREATE TEMP TABLE keep_{table} AS SELECT * FROM {table}')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        for table in DEPENDENT:
            op.execute(f'INSERT INTO {table} SELECT * FROM keep_{table} WHERE id NOT IN (SELECT id FROM {table})')
            op.execute(f'DROP TABLE keep_{table}')


def upgrade():
    _rebuild_responses(lambda batch_op: batch_op.drop_constraint('uq_survey_responses_training_id', type_='unique'))
    op.create_index('uq_survey_responses_live', 'survey_responses', ['training_id', 'phase', 'person_id'],
                    unique=True, sqlite_where=sa.text('voided_dt IS NULL'),
                    postgresql_where=sa.text('voided_dt IS NULL'))


REPLACED = ("SELECT id FROM survey_responses WHERE voided_dt IS NOT NULL AND EXISTS (SELECT 1 FROM survey_responses s "
            "WHERE s.training_id = survey_responses.training_id AND s.phase = survey_responses.phase "
            "AND s.person_id = survey_responses.person_id AND s.id <> survey_responses.id "
            "AND (s.voided_dt IS NULL OR s.id > survey_responses.id))")


def downgrade():
    # Back to one response of any state: the voided responses that another one replaced are dropped
    # first (with their answers and re-score records), or the old rule could not be created.
    op.execute(f"DELETE FROM survey_answers WHERE response_id IN ({REPLACED})")
    op.execute(f"DELETE FROM survey_rescores WHERE response_id IN ({REPLACED})")
    op.execute(f"DELETE FROM survey_responses WHERE id IN (SELECT id FROM ({REPLACED}) AS replaced)")
    op.drop_index('uq_survey_responses_live', table_name='survey_responses')
    _rebuild_responses(lambda batch_op: batch_op.create_unique_constraint(
        'uq_survey_responses_training_id', ['training_id', 'phase', 'person_id']))
