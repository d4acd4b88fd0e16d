"""security II: revocable sessions (session version, remember-me tokens), local topics and categories, rate events

Revision ID: 0010_security
Revises: 0009_api
Create Date: 2026-12-01 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_security'
down_revision = '0009_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    op.create_table('remember_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_remember_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remember_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_remember_tokens_token_hash'))
    )
    with op.batch_alter_table('remember_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remember_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('rate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=120), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_events'))
    )
    with op.batch_alter_table('rate_events', schema=None) as batch_op:
        batch_op.create_index('ix_rate_events_bucket_dt', ['bucket', 'created_dt'], unique=False)

    for table in ('survey_topics', 'question_categories'):  # no unit: the national list
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_unit_id'), ['unit_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_unit_id_units'), 'units', ['unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('rate_events', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_events_bucket_dt')
    op.drop_table('rate_events')
    for table in ('question_categories', 'survey_topics'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_unit_id_units'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_unit_id'))
            batch_op.drop_column('unit_id')
    with op.batch_alter_table('remember_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remember_tokens_user_id'))
    op.drop_table('remember_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
