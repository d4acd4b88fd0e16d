"""The lock on approved minutes below the ORM: database triggers refuse any change to the rows of an
approved dialogue, whatever writes them (a script, a bulk UPDATE, raw SQL)

What stays writable after approval, as in ``dialogues.models.lock``: a dialogue's ``revision``;
the follow-up columns of a commitment (status, deadline, updated_dt, closed_on); a new commitment
only as a forwarded copy (same question, its source closed as forwarded; on PostgreSQL, at commit,
a forward event of the source must point at it); and the follow-up tables, which are not locked
(commitment_events, commitment_attachments, reminder_log, outbox, minutes_issues, minutes_addenda,
minutes_counters). One "approved" status row may be added (the approval itself).

SQLite lists the compared columns from the table as it is when this runs; a later
``batch_alter_table`` on one of these tables recreates it without its triggers, so a later
migration that does so must call ``install()`` again.

Revision ID: 0015_dialogue_lock
Revises: 0016_forwarded
Create Date: 2026-12-01 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_dialogue_lock'
down_revision = '0016_forwarded'
branch_labels = None
depends_on = None

MESSAGE = "dialogue locked: the minutes are approved, the record cannot change (add an addendum)"
# Tables hanging from a dialogue by dialogue_id, and from a question by question_id.
BY_DIALOGUE = ("dialogue_questions", "dialogue_leaders", "dialogue_attendance_groups", "dialogue_attendees")
BY_QUESTION = ("dialogue_answers",)
TRACKING = ("status", "deadline", "updated_dt", "closed_on")  # Commitment.__tracking_columns__
DIALOGUE_FREE = ("revision",)
TRIGGERS = (
    [("dialogues", "upd"), ("dialogues", "del"), ("dialogue_status_changes", "ins"),
     ("dialogue_status_changes", "upd"), ("dialogue_status_changes", "del"),
     ("commitments", "ins"), ("commitments", "upd"), ("commitments", "del")]
    + [(t, op_) for t in BY_DIALOGUE + BY_QUESTION for op_ in ("ins", "upd", "del")]
)


def upgrade():
    install()


def install():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade():
    bind = op.get_bind()
    for table, kind in TRIGGERS:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS lock_{table}_{kind} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS lock_{table}_{kind}")
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS lock_commitments_forward_event ON commitments")
        for fn in ("dialogue_lock_refuse()", "dialogue_lock_forward_event()", "dialogue_is_approved(integer)",
                   "dialogue_question_is_locked(integer)", "dialogue_has_approval_row(integer)",
                   "dialogue_forward_source_ok(integer, integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")


# --- PostgreSQL --------------------------------------------------------------------------

def _postgresql():
    op.execute("""
CREATE OR REPLACE FUNCTION dialogue_is_approved(did integer) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM dialogues WHERE id = did AND status = 'approved') $$""")
    op.execute("""
CREATE OR REPLACE FUNCTION dialogue_question_is_locked(qid integer) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM dialogue_questions q JOIN dialogues d ON d.id = q.dialogue_id
                 WHERE q.id = qid AND d.status = 'approved') $$""")
    op.execute("""
CREATE OR REPLACE FUNCTION dialogue_has_approval_row(did integer) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM dialogue_status_changes WHERE dialogue_id = did AND status = 'approved') $$""")
    op.execute("""
CREATE OR REPLACE FUNCTION dialogue_forward_source_ok(source_id integer, qid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT source_id IS NOT NULL AND EXISTS (SELECT 1 FROM commitments
                                           WHERE id = source_id AND question_id = qid AND status = 'forwarded') $$""")
    op.execute(f"""
CREATE OR REPLACE FUNCTION dialogue_lock_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$""")
    op.execute(f"""
CREATE OR REPLACE FUNCTION dialogue_lock_forward_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF dialogue_question_is_locked(NEW.question_id) AND NOT EXISTS (
      SELECT 1 FROM commitment_events WHERE commitment_id = NEW.forwarded_from_id
      AND linked_commitment_id = NEW.id AND kind = 'forward') THEN
    RAISE EXCEPTION '{MESSAGE} (a forwarded copy without its forward event)' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$""")

    def trigger(table, kind, when):
        event = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}[kind]
        op.execute(f"CREATE TRIGGER lock_{table}_{kind} BEFORE {event} ON {table} FOR EACH ROW "
                   f"WHEN ({when}) EXECUTE FUNCTION dialogue_lock_refuse()")

    free = " - ".join(f"'{c}'" for c in DIALOGUE_FREE)
    trigger("dialogues", "upd", f"OLD.status = 'approved' AND (to_jsonb(OLD) - {free}) IS DISTINCT FROM "
                                f"(to_jsonb(NEW) - {free})")
    trigger("dialogues", "del", "OLD.status = 'approved'")
    for table in BY_DIALOGUE:
        trigger(table, "ins", "dialogue_is_approved(NEW.dialogue_id)")
        trigger(table, "upd", "dialogue_is_approved(OLD.dialogue_id) OR dialogue_is_approved(NEW.dialogue_id)")
        trigger(table, "del", "dialogue_is_approved(OLD.dialogue_id)")
    for table in BY_QUESTION:
        trigger(table, "ins", "dialogue_question_is_locked(NEW.question_id)")
        trigger(table, "upd", "dialogue_question_is_locked(OLD.question_id) OR "
                              "dialogue_question_is_locked(NEW.question_id)")
        trigger(table, "del", "dialogue_question_is_locked(OLD.question_id)")
    trigger("dialogue_status_changes", "ins", "dialogue_is_approved(NEW.dialogue_id) AND "
                                              "(NEW.status <> 'approved' OR dialogue_has_approval_row(NEW.dialogue_id))")
    trigger("dialogue_status_changes", "upd", "dialogue_is_approved(OLD.dialogue_id)")
    trigger("dialogue_status_changes", "del", "dialogue_is_approved(OLD.dialogue_id)")
    tracking = " - ".join(f"'{c}'" for c in TRACKING)
    trigger("commitments", "ins", "dialogue_question_is_locked(NEW.question_id) AND "
                                  "NOT dialogue_forward_source_ok(NEW.forwarded_from_id, NEW.question_id)")
    trigger("commitments", "upd", f"(dialogue_question_is_locked(OLD.question_id) OR "
                                  f"dialogue_question_is_locked(NEW.question_id)) AND "
                                  f"(to_jsonb(OLD) - {tracking}) IS DISTINCT FROM (to_jsonb(NEW) - {tracking})")
    trigger("commitments", "del", "dialogue_question_is_locked(OLD.question_id)")
    op.execute("CREATE CONSTRAINT TRIGGER lock_commitments_forward_event AFTER INSERT ON commitments "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.forwarded_from_id IS NOT NULL) "
               "EXECUTE FUNCTION dialogue_lock_forward_event()")


# --- SQLite ------------------------------------------------------------------------------

def _columns(table: str) -> list[str]:
    return [row[1] for row in op.get_bind().execute(sa.text(f"PRAGMA table_info({table})"))]


def _changed(table: str, free) -> str:
    return " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in _columns(table) if c not in free)


def _sqlite():
    approved = "EXISTS (SELECT 1 FROM dialogues WHERE id = {0} AND status = 'approved')".format
    locked_q = ("EXISTS (SELECT 1 FROM dialogue_questions q JOIN dialogues d ON d.id = q.dialogue_id "
                "WHERE q.id = {0} AND d.status = 'approved')").format

    def trigger(table, kind, when):
        event = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}[kind]
        op.execute(f"CREATE TRIGGER lock_{table}_{kind} BEFORE {event} ON {table} FOR EACH ROW "
                   f"WHEN {when} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")

    trigger("dialogues", "upd", f"OLD.status = 'approved' AND ({_changed('dialogues', DIALOGUE_FREE)})")
    trigger("dialogues", "del", "OLD.status = 'approved'")
    for table in BY_DIALOGUE:
        trigger(table, "ins", approved("NEW.dialogue_id"))
        trigger(table, "upd", f"({approved('OLD.dialogue_id')} OR {approved('NEW.dialogue_id')})")
        trigger(table, "del", approved("OLD.dialogue_id"))
    for table in BY_QUESTION:
        trigger(table, "ins", locked_q("NEW.question_id"))
        trigger(table, "upd", f"({locked_q('OLD.question_id')} OR {locked_q('NEW.question_id')})")
        trigger(table, "del", locked_q("OLD.question_id"))
    trigger("dialogue_status_changes", "ins",
            f"{approved('NEW.dialogue_id')} AND (NEW.status <> 'approved' OR EXISTS (SELECT 1 FROM "
            f"dialogue_status_changes WHERE dialogue_id = NEW.dialogue_id AND status = 'approved'))")
    trigger("dialogue_status_changes", "upd", approved("OLD.dialogue_id"))
    trigger("dialogue_status_changes", "del", approved("OLD.dialogue_id"))
    trigger("commitments", "ins",
            f"{locked_q('NEW.question_id')} AND NOT (NEW.forwarded_from_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
            f"commitments WHERE id = NEW.forwarded_from_id AND question_id = NEW.question_id AND "
            f"status = 'forwarded'))")
    trigger("commitments", "upd", f"({locked_q('OLD.question_id')} OR {locked_q('NEW.question_id')}) AND "
                                  f"({_changed('commitments', TRACKING)})")
    trigger("commitments", "del", locked_q("OLD.question_id"))
