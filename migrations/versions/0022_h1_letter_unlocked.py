"""A forwarded petition's letter (number, date) stays writable after approval: it is follow-up data
that often arrives days after the meeting. The lock trigger on commitment updates (migration
0015_dialogue_lock) is made again with ``letter_number`` and ``letter_date`` among the follow-up
columns, as ``Commitment.__tracking_columns__`` has them.

Revision ID: 0022_h1
Revises: 0022_attendance_groups
Create Date: 2026-12-01 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_h1'
down_revision = '0022_attendance_groups'
branch_labels = None
depends_on = None

MESSAGE = "dialogue locked: the minutes are approved, the record cannot change (add an addendum)"
TRACKING = ("status", "deadline", "updated_dt", "closed_on")
LETTER = ("letter_number", "letter_date")


def upgrade():
    _commitments_update_trigger(TRACKING + LETTER)


def downgrade():
    _commitments_update_trigger(TRACKING)


def _commitments_update_trigger(free) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS lock_commitments_upd ON commitments")
        tracking = " - ".join(f"'{c}'" for c in free)
        op.execute("CREATE TRIGGER lock_commitments_upd BEFORE UPDATE ON commitments FOR EACH ROW "
                   "WHEN ((dialogue_question_is_locked(OLD.question_id) OR dialogue_question_is_locked(NEW.question_id)) "
                   f"AND (to_jsonb(OLD) - {tracking}) IS DISTINCT FROM (to_jsonb(NEW) - {tracking})) "
                   "EXECUTE FUNCTION dialogue_lock_refuse()")
        return
    locked_q = ("EXISTS (SELECT 1 FROM dialogue_questions q JOIN dialogues d ON d.id = q.dialogue_id "
                "WHERE q.id = {0} AND d.status = 'approved')").format
    columns = [row[1] for row in op.get_bind().execute(sa.text("PRAGMA table_info(commitments)"))]
    changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns if c not in free)
    op.execute("DROP TRIGGER IF EXISTS lock_commitments_upd")
    op.execute(f"CREATE TRIGGER lock_commitments_upd BEFORE UPDATE ON commitments FOR EACH ROW "
               f"WHEN ({locked_q('OLD.question_id')} OR {locked_q('NEW.question_id')}) AND ({changed}) "
               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
