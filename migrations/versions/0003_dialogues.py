"""dialogues: dialogues, questions, answers, commitments, minutes (headers, counters, issues, addenda)

Also fills the default question categories (the list stays editable in the app).

Revision ID: 0003_dialogues
Revises: 0002_surveys
Create Date: 2026-11-29 00:04:42.193718

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_dialogues'
down_revision = '0002_surveys'
branch_labels = None
depends_on = None


# Stable codes with their Vietnamese names; see dialogues/services/categories.py.
DEFAULT_CATEGORIES = [
    ("land", "Đất đai"),
    ("credit", "Vốn vay, tín dụng"),
    ("livelihood", "Sinh kế, việc làm"),
    ("health", "Y tế, chăm sóc sức khỏe"),
    ("education", "Giáo dục"),
    ("domestic_violence", "Bạo lực gia đình"),
    ("child_marriage", "Tảo hôn, hôn nhân cận huyết thống"),
    ("infrastructure", "Hạ tầng, giao thông, nước sạch"),
    ("social_policy", "Chính sách xã hội"),
    ("security", "An ninh, trật tự, lừa đảo"),
    ("other", "Khác"),
]


def upgrade():
    categories = op.create_table('question_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_question_categories_code')),
    sa.UniqueConstraint('name', name=op.f('uq_question_categories_name'))
    )
    op.create_table('minutes_counters',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_minutes_counters_unit_id_units')),
    sa.PrimaryKeyConstraint('unit_id', 'year', name=op.f('pk_minutes_counters'))
    )
    op.create_table('minutes_headers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('parent_body', sa.String(length=200), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('number_suffix', sa.String(length=60), nullable=False),
    sa.Column('place_name', sa.String(length=100), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_minutes_headers_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_headers')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_minutes_headers_unit_id'))
    )
    op.create_table('dialogues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('level', sa.Enum('commune', 'village_cluster', 'province', name='dialoguelevel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('venue_unit_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('organiser', sa.String(length=300), nullable=False),
    sa.Column('co_organisers', sa.Text(), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('chair_name', sa.String(length=200), nullable=False),
    sa.Column('chair_position', sa.String(length=200), nullable=False),
    sa.Column('secretary_name', sa.String(length=200), nullable=False),
    sa.Column('secretary_position', sa.String(length=200), nullable=False),
    sa.Column('attendance_total', sa.Integer(), nullable=True),
    sa.Column('attendance_women', sa.Integer(), nullable=True),
    sa.Column('attendance_minority', sa.Integer(), nullable=True),
    sa.Column('conclusions', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'held', 'approved', name='dialoguestatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('minutes_year', sa.Integer(), nullable=True),
    sa.Column('minutes_number', sa.Integer(), nullable=True),
    sa.Column('minutes_number_text', sa.String(length=80), nullable=True),
    sa.Column('minutes_header', sa.JSON(), nullable=True),
    sa.Column('approved_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('creation_token', sa.String(length=64), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.CheckConstraint('attendance_minority >= 0 AND attendance_minority <= attendance_total', name=op.f('ck_dialogues_attendance_minority')),
    sa.CheckConstraint('attendance_total >= 0', name=op.f('ck_dialogues_attendance_total')),
    sa.CheckConstraint('attendance_women >= 0 AND attendance_women <= attendance_total', name=op.f('ck_dialogues_attendance_women')),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_dialogues_end_after_start')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_dialogues_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_dialogues_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_dialogues_unit_id_units')),
    sa.ForeignKeyConstraint(['venue_unit_id'], ['units.id'], name=op.f('fk_dialogues_venue_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogues')),
    sa.UniqueConstraint('creation_token', name=op.f('uq_dialogues_creation_token')),
    sa.UniqueConstraint('unit_id', 'minutes_year', 'minutes_number', name='uq_dialogues_minutes_number')
    )
    with op.batch_alter_table('dialogues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogues_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogues_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogues_unit_id'), ['unit_id'], unique=False)

    op.create_table('dialogue_attendance_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_dialogue_attendance_groups_count')),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_dialogue_attendance_groups_dialogue_id_dialogues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_attendance_groups'))
    )
    with op.batch_alter_table('dialogue_attendance_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_attendance_groups_dialogue_id'), ['dialogue_id'], unique=False)

    op.create_table('dialogue_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_dialogue_attendees_dialogue_id_dialogues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_dialogue_attendees_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_attendees')),
    sa.UniqueConstraint('dialogue_id', 'person_id', name='uq_dialogue_attendees_person')
    )
    with op.batch_alter_table('dialogue_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_attendees_dialogue_id'), ['dialogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogue_attendees_person_id'), ['person_id'], unique=False)

    op.create_table('dialogue_leaders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dialogue_leaders_agency_id_agencies')),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_dialogue_leaders_dialogue_id_dialogues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_leaders'))
    )
    with op.batch_alter_table('dialogue_leaders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_leaders_dialogue_id'), ['dialogue_id'], unique=False)

    op.create_table('dialogue_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('origin', sa.Enum('collected', 'on_day', name='questionorigin', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('is_raised', sa.Boolean(), nullable=False),
    sa.Column('raiser_kind', sa.Enum('person', 'group', 'anonymous', name='raiserkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('raiser_name', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('raiser_sex', sa.Enum('F', 'M', 'O', name='sex', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('raiser_ethnicity_system', sa.String(length=20), nullable=True),
    sa.Column('raiser_ethnicity_code', sa.String(length=10), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_dialogue_questions_number')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dialogue_questions_agency_id_agencies')),
    sa.ForeignKeyConstraint(['category_id'], ['question_categories.id'], name=op.f('fk_dialogue_questions_category_id_question_categories')),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_dialogue_questions_dialogue_id_dialogues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_dialogue_questions_person_id_people')),
    sa.ForeignKeyConstraint(['village_id'], ['units.id'], name=op.f('fk_dialogue_questions_village_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_questions')),
    sa.UniqueConstraint('dialogue_id', 'number', name='uq_dialogue_questions_number')
    )
    with op.batch_alter_table('dialogue_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_questions_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogue_questions_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogue_questions_dialogue_id'), ['dialogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogue_questions_person_id'), ['person_id'], unique=False)

    op.create_table('dialogue_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'held', 'approved', name='dialoguestatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_dialogue_status_changes_dialogue_id_dialogues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dialogue_status_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_status_changes'))
    )
    with op.batch_alter_table('dialogue_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_status_changes_dialogue_id'), ['dialogue_id'], unique=False)

    op.create_table('minutes_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_minutes_addenda_created_by_id_users')),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_minutes_addenda_dialogue_id_dialogues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_addenda')),
    sa.UniqueConstraint('token', name=op.f('uq_minutes_addenda_token'))
    )
    with op.batch_alter_table('minutes_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_addenda_dialogue_id'), ['dialogue_id'], unique=False)

    op.create_table('minutes_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dialogue_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('issued_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], name=op.f('fk_minutes_issues_dialogue_id_dialogues')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_minutes_issues_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_issues')),
    sa.UniqueConstraint('dialogue_id', 'version', name='uq_minutes_issues_version')
    )
    with op.batch_alter_table('minutes_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_issues_dialogue_id'), ['dialogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_minutes_issues_sha256'), ['sha256'], unique=False)

    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('responsible_person', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('original_deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'resolved', 'partly_resolved', 'not_feasible', 'forwarded', name='commitmentstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_commitments_agency_id_agencies')),
    sa.ForeignKeyConstraint(['question_id'], ['dialogue_questions.id'], name=op.f('fk_commitments_question_id_dialogue_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_status'), ['status'], unique=False)

    op.create_table('dialogue_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('answerer_name', sa.String(length=200), nullable=False),
    sa.Column('answerer_title', sa.String(length=200), nullable=False),
    sa.Column('answerer_agency_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('answered', 'accepted', 'forwarded', 'noted', name='answeroutcome', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('forwarded_agency_id', sa.Integer(), nullable=True),
    sa.Column('forward_document', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['answerer_agency_id'], ['agencies.id'], name=op.f('fk_dialogue_answers_answerer_agency_id_agencies')),
    sa.ForeignKeyConstraint(['forwarded_agency_id'], ['agencies.id'], name=op.f('fk_dialogue_answers_forwarded_agency_id_agencies')),
    sa.ForeignKeyConstraint(['question_id'], ['dialogue_questions.id'], name=op.f('fk_dialogue_answers_question_id_dialogue_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_answers')),
    sa.UniqueConstraint('question_id', name=op.f('uq_dialogue_answers_question_id'))
    )
    with op.batch_alter_table('dialogue_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_answers_forwarded_agency_id'), ['forwarded_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogue_answers_outcome'), ['outcome'], unique=False)

    op.bulk_insert(categories, [{"code": code, "name": name, "position": i * 10, "is_active": True}
                                for i, (code, name) in enumerate(DEFAULT_CATEGORIES)])


def downgrade():
    with op.batch_alter_table('dialogue_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_answers_outcome'))
        batch_op.drop_index(batch_op.f('ix_dialogue_answers_forwarded_agency_id'))

    op.drop_table('dialogue_answers')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_status'))
        batch_op.drop_index(batch_op.f('ix_commitments_question_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_deadline'))
        batch_op.drop_index(batch_op.f('ix_commitments_agency_id'))

    op.drop_table('commitments')
    with op.batch_alter_table('minutes_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_issues_sha256'))
        batch_op.drop_index(batch_op.f('ix_minutes_issues_dialogue_id'))

    op.drop_table('minutes_issues')
    with op.batch_alter_table('minutes_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_addenda_dialogue_id'))

    op.drop_table('minutes_addenda')
    with op.batch_alter_table('dialogue_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_status_changes_dialogue_id'))

    op.drop_table('dialogue_status_changes')
    with op.batch_alter_table('dialogue_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_questions_person_id'))
        batch_op.drop_index(batch_op.f('ix_dialogue_questions_dialogue_id'))
        batch_op.drop_index(batch_op.f('ix_dialogue_questions_category_id'))
        batch_op.drop_index(batch_op.f('ix_dialogue_questions_agency_id'))

    op.drop_table('dialogue_questions')
    with op.batch_alter_table('dialogue_leaders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_leaders_dialogue_id'))

    op.drop_table('dialogue_leaders')
    with op.batch_alter_table('dialogue_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_attendees_person_id'))
        batch_op.drop_index(batch_op.f('ix_dialogue_attendees_dialogue_id'))

    op.drop_table('dialogue_attendees')
    with op.batch_alter_table('dialogue_attendance_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_attendance_groups_dialogue_id'))

    op.drop_table('dialogue_attendance_groups')
    with op.batch_alter_table('dialogues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogues_unit_id'))
        batch_op.drop_index(batch_op.f('ix_dialogues_status'))
        batch_op.drop_index(batch_op.f('ix_dialogues_held_on'))

    op.drop_table('dialogues')
    op.drop_table('minutes_headers')
    op.drop_table('minutes_counters')
    op.drop_table('question_categories')
