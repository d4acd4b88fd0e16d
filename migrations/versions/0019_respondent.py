"""Vietnamese name order (people.name_key); respondent page: a test question may be required on the phone; a training may show the
participant her score and the right answers after the post-test

Revision ID: 0019_respondent
Revises: 0018_survey_corrections
Create Date: 2026-12-01 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_respondent'
down_revision = '0018_survey_corrections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=1200), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_people_name_key'), ['name_key'], unique=False)
    # Every stored name gets its Vietnamese sort key (app.collation), as new ones do on save.
    from app.collation import sort_key

    bind = op.get_bind()
    people = sa.table('people', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                      sa.column('name_key', sa.String))
    for person_id, full_name in bind.execute(sa.select(people.c.id, people.c.full_name)).all():
        bind.execute(people.update().where(people.c.id == person_id).values(name_key=sort_key(full_name)))
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('survey_trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_results_after_post', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_name_key'))
        batch_op.drop_column('name_key')
    with op.batch_alter_table('survey_trainings', schema=None) as batch_op:
        batch_op.drop_column('show_results_after_post')
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.drop_column('required')
