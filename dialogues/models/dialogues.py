"""A policy dialogue: the meeting record, who led and attended it, and its status history.

The status is a small state machine kept on the model: planned -> held -> approved. Approving the
minutes locks the record (see ``dialogues.models.lock``); corrections then go into addenda.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models import Agency, Person, Unit, User, UTCDateTime, enum_column, utcnow
from app.services import ServiceError


class DialogueLevel(enum.Enum):
    commune = "commune"
    village_cluster = "village_cluster"  # several villages of one commune meet together
    province = "province"


class DialogueStatus(enum.Enum):
    planned = "planned"
    held = "held"
    approved = "approved"  # minutes approved: the record is locked


# Beside the enum (not in dialogues.labels, which re-exports it): the state machine's refusals name
# the statuses, and a model module must not import the labels module that imports the models.
STATUS_LABELS = {
    DialogueStatus.planned: _l("Dự kiến"),
    DialogueStatus.held: _l("Đã tổ chức"),
    DialogueStatus.approved: _l("Biên bản đã duyệt"),
}

# Which status may follow which; anything else is refused by ``Dialogue._move_to``.
NEXT_STATUSES = {
    DialogueStatus.planned: {DialogueStatus.held},
    DialogueStatus.held: {DialogueStatus.approved},
    DialogueStatus.approved: set(),
}


class LockedError(ServiceError):
    """An edit reached a dialogue whose minutes are approved."""


LOCK_TRIGGER_MARKER = "dialogue locked"  # the error text of the triggers of migration 0015_dialogue_lock


def lock_refusal_message() -> str:
    """What the user reads when the database's lock triggers refused a write (the ORM's checks
    passed: the minutes were approved meanwhile, or a bulk write skipped them)."""
    return _("Biên bản đã duyệt và khóa: hồ sơ cuộc đối thoại (ý kiến, trả lời, cam kết, thành phần) không "
             "thể thay đổi nữa; không có gì được lưu. Muốn sửa, hãy thêm phụ lục đính chính.")


class InvalidTransition(ServiceError):
    """A status change the state machine does not allow."""


class Dialogue(db.Model):
    __tablename__ = "dialogues"
    __auditable__ = True
    __table_args__ = (
        # One number per issuing unit and year, even if the counter were bypassed.
        sa.UniqueConstraint("unit_id", "minutes_year", "minutes_number", name="uq_dialogues_minutes_number"),
        sa.CheckConstraint("attendance_total >= 0", name="attendance_total"),
        sa.CheckConstraint("attendance_women >= 0 AND attendance_women <= attendance_total", name="attendance_women"),
        sa.CheckConstraint("attendance_minority >= 0 AND attendance_minority <= attendance_total",
                           name="attendance_minority"),
        sa.CheckConstraint("end_time > start_time", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    level: Mapped[DialogueLevel] = mapped_column(enum_column(DialogueLevel))
    # The organising unit (a commune, or the province); scope checks use it.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # The village where the meeting took place, when it was held in one.
    venue_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    held_on: Mapped[date] = mapped_column(index=True)
    # Local wall-clock times of the meeting, as written in the minutes.
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    organiser: Mapped[str] = mapped_column(sa.String(300), default="")
    co_organisers: Mapped[str] = mapped_column(sa.Text, default="")
    topics: Mapped[str] = mapped_column(sa.Text, default="")
    chair_name: Mapped[str] = mapped_column(sa.String(200), default="")
    chair_position: Mapped[str] = mapped_column(sa.String(200), default="")
    secretary_name: Mapped[str] = mapped_column(sa.String(200), default="")
    secretary_position: Mapped[str] = mapped_column(sa.String(200), default="")
    attendance_total: Mapped[int | None]
    attendance_women: Mapped[int | None]
    attendance_minority: Mapped[int | None]
    conclusions: Mapped[str] = mapped_column(sa.Text, default="")
    # "Nơi nhận" of the minutes, one recipient per line.
    recipients: Mapped[str] = mapped_column(sa.Text, default="")

    status: Mapped[DialogueStatus] = mapped_column(enum_column(DialogueStatus), default=DialogueStatus.planned,
                                                   index=True)
    minutes_year: Mapped[int | None]
    minutes_number: Mapped[int | None]
    minutes_number_text: Mapped[str | None] = mapped_column(sa.String(80))
    # Header lines frozen at approval, so every re-issued version carries the same heading.
    minutes_header: Mapped[dict | None] = mapped_column(sa.JSON)
    approved_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    # Hidden form token: a resubmitted "create" form finds the dialogue it already made.
    creation_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic lock: a stale form (another tab, a double submit) cannot overwrite newer data.
    revision: Mapped[int] = mapped_column(default=1)
    # The entry screen's own counter (questions, answers, commitments), so that saving the record
    # form and saving the entry screen do not refuse each other. Bumped by a compare-and-set UPDATE
    # (``services.questions.save_question_rows``), which leaves ``revision`` alone.
    entry_revision: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": revision}

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    venue_unit: Mapped[Unit | None] = relationship(foreign_keys=[venue_unit_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    leaders: Mapped[list[DialogueLeader]] = relationship(
        back_populates="dialogue", order_by="DialogueLeader.position", cascade="all, delete-orphan")
    groups: Mapped[list[AttendanceGroup]] = relationship(
        back_populates="dialogue", order_by="AttendanceGroup.position", cascade="all, delete-orphan")

    @property
    def groups_by_kind(self) -> list[tuple[str, int, list]]:
        """The attendance groups counted together by kind (see ``groups_by_kind``)."""
        return groups_by_kind(self.groups)

    attendees: Mapped[list[DialogueAttendee]] = relationship(back_populates="dialogue", cascade="all, delete-orphan")
    questions: Mapped[list["DialogueQuestion"]] = relationship(  # noqa: F821
        back_populates="dialogue", order_by="DialogueQuestion.number", cascade="all, delete-orphan")
    history: Mapped[list[DialogueStatusChange]] = relationship(
        back_populates="dialogue", order_by="DialogueStatusChange.id", cascade="all, delete-orphan")
    issues: Mapped[list["MinutesIssue"]] = relationship(  # noqa: F821
        back_populates="dialogue", order_by="MinutesIssue.version")
    addenda: Mapped[list["Addendum"]] = relationship(  # noqa: F821
        back_populates="dialogue", order_by="Addendum.id")

    def __repr__(self) -> str:
        return f"<Dialogue {self.id} {self.held_on} {self.status.value}>"

    # --- state -------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.status is DialogueStatus.approved

    def ensure_editable(self) -> None:
        """Refuse any edit once the minutes are approved; corrections go into addenda."""
        if self.is_locked:
            raise LockedError(_("Biên bản đã được duyệt nên hồ sơ đối thoại đã khóa. "
                                "Muốn sửa, hãy thêm phụ lục đính chính."))

    def can_move_to(self, status: DialogueStatus) -> bool:
        return status in NEXT_STATUSES[self.status]

    def _move_to(self, status: DialogueStatus, user: User | None, note: str = "") -> DialogueStatusChange:
        if not self.can_move_to(status):
            raise InvalidTransition(_("Không thể chuyển trạng thái từ “%(a)s” sang “%(b)s”.",
                                      a=status_label(self.status), b=status_label(status)))
        change = DialogueStatusChange(status=status, user=user, note=(note or "").strip())
        # Append first: loading the history may autoflush, and the lock guard must see the
        # status change together with the fields that come with it.
        self.history.append(change)
        self.status = status
        self.updated_dt = utcnow()
        return change

    def record_creation(self, user: User | None) -> None:
        """The first history row: who planned the dialogue and when."""
        self.history.append(DialogueStatusChange(status=self.status, user=user, note=""))

    def mark_held(self, user: User | None, note: str = "", today: date | None = None) -> DialogueStatusChange:
        if self.status is DialogueStatus.planned and self.held_on > (today or clock.today()):
            raise InvalidTransition(_("Chưa đến ngày đối thoại (%(d)s) nên chưa thể ghi nhận đã tổ chức.",
                                      d=self.held_on.strftime("%d/%m/%Y")))
        return self._move_to(DialogueStatus.held, user, note)

    def approve(self, user: User | None, *, year: int, number: int, number_text: str, header: dict,
                note: str = "") -> DialogueStatusChange:
        """Approve the minutes under an allocated number; from now on the record is locked."""
        if not self.can_move_to(DialogueStatus.approved):
            return self._move_to(DialogueStatus.approved, user, note)  # raises with the reason
        self.minutes_year, self.minutes_number, self.minutes_number_text = year, number, number_text
        self.minutes_header = header
        self.approved_dt, self.approved_by = utcnow(), user
        return self._move_to(DialogueStatus.approved, user, note)

    @property
    def attendance_men(self) -> int | None:
        if self.attendance_total is None or self.attendance_women is None:
            return None
        return self.attendance_total - self.attendance_women

    @property
    def attendance_kinh(self) -> int | None:
        if self.attendance_total is None or self.attendance_minority is None:
            return None
        return self.attendance_total - self.attendance_minority

    @property
    def current_issue(self):
        return self.issues[-1] if self.issues else None


def status_label(status: DialogueStatus) -> str:
    return str(STATUS_LABELS[status])


class DialogueLeader(db.Model):
    """A Party committee or People's Committee leader present at the dialogue."""

    __tablename__ = "dialogue_leaders"
    __auditable__ = True
    __lock_parent__ = ("dialogue", "dialogue_id")  # see dialogues.models.lock

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # order of listing
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200), default="")  # "Chủ tịch UBND xã"
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))

    dialogue: Mapped[Dialogue] = relationship(back_populates="leaders")
    agency: Mapped[Agency | None] = relationship()



# The fixed list of attendance groups, so that groups count together on the dashboard and in the
# minutes however their detail is typed ("Hội viên, phụ nữ các bản", "Hội viên phụ nữ các chi hội").
GROUP_KINDS = {
    "member": _l("Hội viên, phụ nữ"),
    "prestige": _l("Người có uy tín"),
    "cadre": _l("Cán bộ, công chức"),
    "mass_org": _l("Đại diện Mặt trận, đoàn thể"),
    "team": _l("Tổ truyền thông, câu lạc bộ"),
    "other": _l("Khác"),
}
# The kind of a free-text label, by keyword (the first kind with a keyword in the label; accents
# ignored); the migration 0022_attendance_groups keeps its own copy for the rows it mapped.
GROUP_KEYWORDS = (
    ("prestige", ("uy tin", "gia lang", "truong ban", "truong thon", "chuc sac")),
    ("team", ("to truyen thong", "cau lac bo", "clb", "nhom")),
    ("cadre", ("can bo", "cong chuc", "lanh dao")),
    ("mass_org", ("mat tran", "doan the", "doan thanh nien", "hoi nong dan", "cuu chien binh")),
    ("member", ("hoi vien", "phu nu", "chi hoi")),
)


def _fold(text: str) -> str:
    """Lower case without accents ("Đ" as "d"), for keyword matching."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d").lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def group_kind_of(label: str) -> str:
    text = _fold(label or "")
    return next((kind for kind, words in GROUP_KEYWORDS if any(w in text for w in words)), "other")


def groups_by_kind(groups) -> list[tuple[str, int, list]]:
    """Attendance groups counted together by kind, in the order first written: (kind label,
    people, [(detail, people), ...] — the rows as typed, those with a detail)."""
    kinds: dict[str, list] = {}
    for g in groups:
        entry = kinds.setdefault(g.kind, [g.kind_label, 0, []])
        entry[1] += g.count
        if g.label:
            entry[2].append((g.label, g.count))
    return [tuple(v) for v in kinds.values()]


class AttendanceGroup(db.Model):
    """Attendance by group: a kind from ``GROUP_KINDS`` and the detail as written ("Hội viên, phụ
    nữ các bản: 52", "Người có uy tín, trưởng bản: 6")."""

    __tablename__ = "dialogue_attendance_groups"
    __auditable__ = True
    __lock_parent__ = ("dialogue", "dialogue_id")  # see dialogues.models.lock
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(20), default="other", server_default="other")
    label: Mapped[str] = mapped_column(sa.String(200))  # the detail, free text (may be empty)
    count: Mapped[int]

    dialogue: Mapped[Dialogue] = relationship(back_populates="groups")

    @property
    def kind_label(self) -> str:
        return str(GROUP_KINDS.get(self.kind, GROUP_KINDS["other"]))



class DialogueAttendee(db.Model):
    """A named attendee from the people register (the roster is optional)."""

    __tablename__ = "dialogue_attendees"
    __auditable__ = True
    __lock_parent__ = ("dialogue", "dialogue_id")  # see dialogues.models.lock
    __table_args__ = (sa.UniqueConstraint("dialogue_id", "person_id", name="uq_dialogue_attendees_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)

    dialogue: Mapped[Dialogue] = relationship(back_populates="attendees")
    person: Mapped[Person] = relationship()



class DialogueStatusChange(db.Model):
    """One row per status transition: the new status, who made it, when, and why."""

    __tablename__ = "dialogue_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    status: Mapped[DialogueStatus] = mapped_column(enum_column(DialogueStatus))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    dialogue: Mapped[Dialogue] = relationship(back_populates="history")
    user: Mapped[User | None] = relationship()

    def __init__(self, **kw):
        kw.setdefault("created_dt", utcnow())  # known before the flush, so approve() can copy it
        super().__init__(**kw)
