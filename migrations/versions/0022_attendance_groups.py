"""Attendance groups from a fixed list: dialogue_attendance_groups.kind (hội viên, người có uy tín,
cán bộ ...), the free-text label kept as its detail; existing labels mapped to a kind by keyword,
unknown ones to "other" ("Khác")

Revision ID: 0022_attendance_groups
Revises: 0021_jobs2
"""
import importlib.util
import unicodedata
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_attendance_groups'
down_revision = '0021_jobs2'
branch_labels = None
depends_on = None

# A copy of dialogues.models.dialogues.GROUP_KEYWORDS as it was when these rows were mapped.
KEYWORDS = (
    ("prestige", ("uy tin", "gia lang", "truong ban", "truong thon", "chuc sac")),
    ("team", ("to truyen thong", "cau lac bo", "clb", "nhom")),
    ("cadre", ("can bo", "cong chuc", "lanh dao")),
    ("mass_org", ("mat tran", "doan the", "doan thanh nien", "hoi nong dan", "cuu chien binh")),
    ("member", ("hoi vien", "phu nu", "chi hoi")),
)


def kind_of(label):
    text = unicodedata.normalize("NFD", (label or "").replace("Đ", "d").replace("đ", "d").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return next((kind for kind, words in KEYWORDS if any(w in text for w in words)), "other")


def _lock():
    spec = importlib.util.spec_from_file_location("dialogue_lock_0015", Path(__file__).with_name("0015_dialogue_lock.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    # A plain ADD COLUMN: no table rebuild on SQLite, so the lock triggers stay.
    op.add_column("dialogue_attendance_groups",
                  sa.Column("kind", sa.String(length=20), nullable=False, server_default="other"))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, label FROM dialogue_attendance_groups")).all()
    mapped = [{"id": i, "kind": kind_of(label)} for i, label in rows if kind_of(label) != "other"]
    if mapped:
        # Approved minutes are locked by triggers (0015_dialogue_lock): lift them for this one
        # mapping of a new column (the typed labels are not changed), then put them back.
        lock = _lock()
        lock.downgrade()
        bind.execute(sa.text("UPDATE dialogue_attendance_groups SET kind = :kind WHERE id = :id"), mapped)
        lock.install()


def downgrade():
    with op.batch_alter_table("dialogue_attendance_groups") as batch:
        batch.drop_column("kind")
    # The drop rebuilds the table on SQLite and loses its triggers: put the lock back.
    lock = _lock()
    lock.downgrade()
    lock.install()
