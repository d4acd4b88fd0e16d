"""JSON API: personal tokens, the write log of the rate limit, and "api" as a response source

Revision ID: 0009_api
Revises: 0008_indicators
Create Date: 2026-11-29 00:46:09.449051

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_api'
down_revision = '0008_indicators'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('creation_token', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('creation_token', name=op.f('uq_api_tokens_creation_token')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('api_writes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_writes_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_writes'))
    )
    with op.batch_alter_table('api_writes', schema=None) as batch_op:
        batch_op.create_index('ix_api_writes_token_dt', ['token_id', 'created_dt'], unique=False)

    _response_sources(SOURCES + ("api",))


# Answers sent through the API are recorded as such (surveys ResponseSource.api).
SOURCES = ("phone", "grid", "workbook")


def _response_sources(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_survey_responses_responsesource'), type_='check')
        batch_op.create_check_constraint(op.f('ck_survey_responses_responsesource'), f"source IN ({listed})")


def downgrade():
    op.execute("UPDATE survey_responses SET source = 'grid' WHERE source = 'api'")
    _response_sources(SOURCES)
    with op.batch_alter_table('api_writes', schema=None) as batch_op:
        batch_op.drop_index('ix_api_writes_token_dt')

    op.drop_table('api_writes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
