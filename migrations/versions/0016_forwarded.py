"""Dialogues III: a question raised again links to the earlier one ("nhắc lại"); a petition
forwarded in writing at the meeting is followed as a commitment of the receiving agency, with the
forwarding letter's number and date

Revision ID: 0016_forwarded
Revises: 0014_audit_unit
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_forwarded'
down_revision = '0014_audit_unit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dialogue_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeat_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dialogue_questions_repeat_of_id'), ['repeat_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dialogue_questions_repeat_of_id_dialogue_questions'),
                                    'dialogue_questions', ['repeat_of_id'], ['id'], ondelete='SET NULL')


    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_petition', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('letter_number', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_date', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_commitments_is_petition'), ['is_petition'], unique=False)


def downgrade():
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_is_petition'))
        batch_op.drop_column('letter_date')
        batch_op.drop_column('letter_number')
        batch_op.drop_column('is_petition')
    with op.batch_alter_table('dialogue_questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dialogue_questions_repeat_of_id_dialogue_questions'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dialogue_questions_repeat_of_id'))
        batch_op.drop_column('repeat_of_id')
