"""Commitments made at a dialogue: who will do what by when, and their follow-up.

They are created with the minutes; following them up (status updates, extensions) is the
tracking feature's job, so ``status`` and ``deadline`` stay writable after the minutes lock
while what was promised (agency, description, original deadline) does not.

Follow-up is a state machine on the model: open -> in progress -> resolved | partly resolved |
not feasible (with the reason) | forwarded (to another agency, which gets a linked commitment of
its own); a closed commitment may be reopened with a reason. A deadline extension is an event of
its own, so ``original_deadline`` stays on record. Every change appends a ``CommitmentEvent``
(who, their agency, when, from and to values); events and evidence files are never changed or
deleted. Overdue is computed from the current deadline and the local date, never stored.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from itertools import chain

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import event, inspect
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Agency, Role, User, UTCDateTime, enum_column, utcnow
from app.services import ServiceError
from app import clock
from dialogues.models.dialogues import DialogueStatus, InvalidTransition
from dialogues.models.questions import DialogueQuestion


class CommitmentStatus(enum.Enum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    partly_resolved = "partly_resolved"
    not_feasible = "not_feasible"
    forwarded = "forwarded"


# Beside the enum, as dialogues.models.dialogues.STATUS_LABELS (dialogues.labels re-exports it).
COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.open: _l("Chưa thực hiện"),
    CommitmentStatus.in_progress: _l("Đang thực hiện"),
    CommitmentStatus.resolved: _l("Đã giải quyết"),
    CommitmentStatus.partly_resolved: _l("Giải quyết một phần"),
    CommitmentStatus.not_feasible: _l("Không thể thực hiện"),
    CommitmentStatus.forwarded: _l("Đã chuyển cấp trên"),
}
# A forwarded petition (``is_petition``) is a letter an agency answers, not a promise it carries out.
PETITION_STATUS_LABELS = {
    CommitmentStatus.open: _l("Đã nhận văn bản"),
    CommitmentStatus.in_progress: _l("Đang xem xét, giải quyết"),
    CommitmentStatus.resolved: _l("Đã trả lời/giải quyết"),
    CommitmentStatus.partly_resolved: _l("Giải quyết một phần"),
    CommitmentStatus.not_feasible: _l("Không thể giải quyết (có lý do)"),
    CommitmentStatus.forwarded: _l("Chuyển tiếp cơ quan khác"),
}

# Still to be done: these count as overdue once past the deadline. Every other status is an outcome.
OPEN_STATUSES = frozenset({CommitmentStatus.open, CommitmentStatus.in_progress})
CLOSED_STATUSES = frozenset(CommitmentStatus) - OPEN_STATUSES
# Which status may follow which by an ordinary update; leaving a closed status takes ``reopen``.
NEXT_STATUSES = {
    CommitmentStatus.open: {CommitmentStatus.in_progress, CommitmentStatus.not_feasible, CommitmentStatus.forwarded},
    CommitmentStatus.in_progress: {CommitmentStatus.resolved, CommitmentStatus.partly_resolved,
                                   CommitmentStatus.not_feasible, CommitmentStatus.forwarded},
    **{status: set() for status in CLOSED_STATUSES},
}
MAX_DEADLINE_YEARS = 10
# An agency may extend its own deadline at most MAX_EXTENSIONS times and never beyond
# EXTENSION_MONTHS after the deadline promised at the meeting; beyond that only a union officer
# (any role but authority) may grant the extension: the union accepts it, on the record.
MAX_EXTENSIONS = 2
EXTENSION_MONTHS = 6
REOPENED_STATUS = CommitmentStatus.open


class Commitment(db.Model):
    __tablename__ = "commitments"
    __auditable__ = True
    __lock_parent__ = ("question", "question_id")  # see dialogues.models.lock
    # Columns follow-up may change after the minutes are approved (see dialogues.models.lock).
    # What follow-up may change after approval; a petition's forwarding letter (number, date) is
    # follow-up data too: it is often sent days after the meeting (``record_letter``).
    __tracking_columns__ = frozenset({"status", "deadline", "updated_dt", "closed_on", "letter_number", "letter_date"})

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogue_questions.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(default=0)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    responsible_person: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text)
    # ``deadline`` may be extended during follow-up; ``original_deadline`` keeps what was promised.
    deadline: Mapped[date] = mapped_column(index=True)
    original_deadline: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(enum_column(CommitmentStatus), default=CommitmentStatus.open,
                                                     index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Local date the current outcome was reached (None while open); set and cleared by the
    # transitions below, used for "days to resolve" and "resolved on time".
    closed_on: Mapped[date | None]
    # Set on the commitment another agency forwarded here (same question, new owner).
    forwarded_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    # A petition forwarded in writing at the meeting (answer outcome ``forwarded``), followed like
    # a commitment of the receiving agency: the forwarding letter's number and date. Not among the
    # question's minuted commitments, not counted as "committed" (see follow_up.indicators).
    is_petition: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), index=True)
    letter_number: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    letter_date: Mapped[date | None]

    question: Mapped[DialogueQuestion] = relationship(back_populates="commitments")
    agency: Mapped[Agency] = relationship()
    forwarded_from: Mapped[Commitment | None] = relationship(remote_side=[id], back_populates="forwards")
    forwards: Mapped[list[Commitment]] = relationship(back_populates="forwarded_from", order_by="Commitment.id")
    events: Mapped[list[CommitmentEvent]] = relationship(
        back_populates="commitment", foreign_keys="CommitmentEvent.commitment_id", order_by="CommitmentEvent.id")
    attachments: Mapped[list[CommitmentAttachment]] = relationship(
        back_populates="commitment", order_by="CommitmentAttachment.id")

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.status.value}>"

    @property
    def forwarded_to(self) -> Commitment | None:
        """The linked commitment at the agency this one was last forwarded to."""
        return self.forwards[-1] if self.forwards else None

    # --- computed state ------------------------------------------------------------------

    @hybrid_property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @is_closed.inplace.expression
    @classmethod
    def _is_closed_expression(cls):
        return cls.status.in_(CLOSED_STATUSES)

    @hybrid_method
    def overdue_on(self, day: date) -> bool:
        """Past the current deadline on ``day`` and still not done (an extension moves the deadline)."""
        return self.status in OPEN_STATUSES and self.deadline < day

    @overdue_on.inplace.expression
    @classmethod
    def _overdue_on_expression(cls, day: date):
        return sa.and_(cls.status.in_(OPEN_STATUSES), cls.deadline < day)

    @hybrid_property
    def is_overdue(self) -> bool:
        return self.overdue_on(clock.today())

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls):
        return cls.overdue_on(clock.today())

    @hybrid_method
    def due_within(self, day: date, days: int) -> bool:
        """Still open with a deadline from ``day`` to ``day + days`` inclusive."""
        return self.status in OPEN_STATUSES and day <= self.deadline <= day + timedelta(days=days)

    @due_within.inplace.expression
    @classmethod
    def _due_within_expression(cls, day: date, days: int):
        return sa.and_(cls.status.in_(OPEN_STATUSES), cls.deadline.between(day, day + timedelta(days=days)))

    @property
    def can_reopen(self) -> bool:
        """Closed, and not still being handled by an agency it was forwarded to."""
        return self.is_closed and all(copy.is_closed for copy in self.forwards)

    @property
    def is_extended(self) -> bool:
        return self.deadline != self.original_deadline

    @property
    def extension_count(self) -> int:
        return sum(1 for e in self.events if e.kind is CommitmentEventKind.extension)

    @property
    def extension_limit(self) -> date:
        """The latest deadline the agency may set itself: EXTENSION_MONTHS after the original one."""
        return _months_after(self.original_deadline, EXTENSION_MONTHS)

    # --- transitions -----------------------------------------------------------------------
    # Each one checks everything before changing anything, raises a translated ServiceError
    # naming the form field, and appends one event per change.

    def ensure_trackable(self) -> None:
        """Follow-up starts once the minutes are approved: before that the promise may still change."""
        if self.question.dialogue.status is not DialogueStatus.approved:
            raise InvalidTransition(_("Biên bản cuộc đối thoại chưa được duyệt nên chưa thể cập nhật cam kết này."),
                                    "status")

    def can_move_to(self, status: CommitmentStatus) -> bool:
        return status in NEXT_STATUSES[self.status]

    def _check_move(self, status: CommitmentStatus) -> None:
        a, b = status_label(self.status, self.is_petition), status_label(status, self.is_petition)
        if status is self.status:
            raise InvalidTransition(_("Cam kết đang ở trạng thái “%(a)s” rồi.", a=a), "status")
        if self.can_move_to(status):
            return
        if self.is_closed:
            raise InvalidTransition(_("Cam kết đã kết thúc (“%(a)s”). Muốn chuyển sang “%(b)s”, hãy mở lại cam kết "
                                      "và ghi lý do.", a=a, b=b), "status")
        if self.status is CommitmentStatus.open:
            raise InvalidTransition(_("Không thể chuyển cam kết từ “%(a)s” sang “%(b)s”: hãy chuyển sang "
                                      "“%(c)s” trước.", a=a, b=b,
                                      c=status_label(CommitmentStatus.in_progress, self.is_petition)),
                                    "status")
        raise InvalidTransition(_("Không thể chuyển cam kết từ “%(a)s” sang “%(b)s”.", a=a, b=b), "status")

    def move_to(self, status: CommitmentStatus, actor: User | None, note: str = "",
                token: str | None = None) -> CommitmentEvent:
        """Start work, or record an outcome. Not feasible needs the reason in ``note``;
        forwarding needs the receiving agency (see ``forward``)."""
        self.ensure_trackable()
        if status is CommitmentStatus.forwarded:
            raise InvalidTransition(_("Để chuyển cho cơ quan khác, hãy chọn cơ quan nhận chuyển."), "agency_id")
        self._check_move(status)
        note = (note or "").strip()
        if status is CommitmentStatus.not_feasible and not note:
            raise ServiceError(_("Hãy ghi rõ lý do không thể thực hiện cam kết."), "note")
        if status in (CommitmentStatus.resolved, CommitmentStatus.partly_resolved) and not note:
            raise ServiceError(_("Hãy ghi kết quả đã làm được (việc gì, ở đâu, cho bao nhiêu người) trước khi "
                                 "đánh dấu đã giải quyết."), "note")
        return self._set_status(status, actor, CommitmentEventKind.status, note, token)

    def forward(self, agency: Agency | None, actor: User | None, note: str = "", deadline: date | None = None,
                token: str | None = None) -> Commitment:
        """Hand the commitment to another agency: this one closes as forwarded and a linked
        commitment, owned by ``agency``, carries the work on. Returns the new commitment."""
        self.ensure_trackable()
        if agency is None:
            raise ServiceError(_("Hãy chọn cơ quan nhận chuyển."), "agency_id")
        if agency.id == self.agency_id:
            raise ServiceError(_("Cơ quan nhận chuyển phải khác cơ quan đang chịu trách nhiệm (%(a)s).",
                                 a=agency.name), "agency_id")
        if not agency.is_active:
            raise ServiceError(_("Cơ quan %(a)s không còn hoạt động.", a=agency.name), "agency_id")
        self._check_move(CommitmentStatus.forwarded)
        today = clock.today()
        deadline = deadline or max(self.deadline, today)
        _check_new_deadline(deadline, today, "deadline")
        # No autoflush until the copy, the status change and the forward event are all in place:
        # the lock guard lets a new commitment into approved minutes only as such a forward.
        with db.session.no_autoflush:
            copy = Commitment(question_id=self.question_id, position=self.position, agency=agency,
                              description=self.description, deadline=deadline, original_deadline=deadline,
                              status=CommitmentStatus.open, is_petition=self.is_petition,
                              letter_number=self.letter_number, letter_date=self.letter_date)
            # Same question, but not among the question's minuted commitments: set without the backref.
            set_committed_value(copy, "question", self.question)
            self.forwards.append(copy)  # joins the session through self
            note = (note or "").strip()
            self._set_status(CommitmentStatus.forwarded, actor, CommitmentEventKind.forward, note, token,
                             agency_from_id=self.agency_id, agency_to=agency, linked_commitment=copy)
            copy._record(CommitmentEventKind.received, actor, note, agency_from_id=self.agency_id, agency_to=agency,
                         linked_commitment=self, status_to=CommitmentStatus.open, deadline_to=deadline)
        return copy

    def reopen(self, actor: User | None, reason: str, token: str | None = None) -> CommitmentEvent:
        """Take a closed commitment up again (the union found it was not really done, say)."""
        self.ensure_trackable()
        if not self.is_closed:
            raise InvalidTransition(_("Cam kết chưa kết thúc nên không cần mở lại."), "reason")
        reason = (reason or "").strip()
        if not reason:
            raise ServiceError(_("Hãy ghi lý do mở lại cam kết."), "reason")
        if not self.can_reopen:
            pending = [c for c in self.forwards if not c.is_closed]
            raise InvalidTransition(_("Cam kết đã chuyển cho %(a)s và đang được xử lý ở đó; chỉ mở lại khi cơ quan "
                                      "nhận đã kết thúc.", a=pending[-1].agency.name), "reason")
        return self._set_status(REOPENED_STATUS, actor, CommitmentEventKind.reopen, reason, token)

    def extend_deadline(self, new_deadline: date | None, actor: User | None, reason: str,
                        token: str | None = None) -> CommitmentEvent:
        """Lawful extension: a new date with its reason. ``original_deadline`` keeps the promise."""
        self.ensure_trackable()
        if self.is_closed:
            raise InvalidTransition(_("Cam kết đã kết thúc nên không gia hạn được."), "deadline")
        if new_deadline is None:
            raise ServiceError(_("Hãy nhập thời hạn mới."), "deadline")
        if new_deadline <= self.deadline:
            raise ServiceError(_("Thời hạn mới phải sau thời hạn hiện tại (%(d)s).",
                                 d=self.deadline.strftime("%d/%m/%Y")), "deadline")
        _check_new_deadline(new_deadline, clock.today(), "deadline")
        reason = (reason or "").strip()
        if not reason:
            raise ServiceError(_("Hãy ghi lý do gia hạn (căn cứ, văn bản cho phép gia hạn)."), "reason")
        if actor is not None and actor.role is Role.authority:
            if self.extension_count >= MAX_EXTENSIONS:
                raise ServiceError(_("Cam kết đã được gia hạn %(n)d lần; gia hạn thêm cần Hội Liên hiệp Phụ nữ "
                                     "chấp thuận (cán bộ Hội ghi gia hạn).", n=self.extension_count), "deadline")
            if new_deadline > self.extension_limit:
                raise ServiceError(_("Cơ quan chỉ được gia hạn đến %(d)s (%(m)d tháng sau thời hạn cam kết ban "
                                     "đầu); gia hạn xa hơn cần Hội Liên hiệp Phụ nữ chấp thuận.",
                                     d=self.extension_limit.strftime("%d/%m/%Y"), m=EXTENSION_MONTHS), "deadline")
        old = self.deadline
        self.deadline, self.updated_dt = new_deadline, utcnow()
        return self._record(CommitmentEventKind.extension, actor, reason, token, deadline_from=old,
                            deadline_to=new_deadline)

    def record_letter(self, number: str, letter_date: date | None, deadline: date | None, actor: User | None,
                      note: str = "", token: str | None = None) -> CommitmentEvent:
        """The forwarding letter of a petition, sent after the meeting: its number and date, and the
        reply deadline it gives the agency (blank: unchanged). Written by the forwarding union, not by
        the agency; one history entry says what changed (``original_deadline`` keeps the first)."""
        if not self.is_petition:
            raise ServiceError(_("Chỉ kiến nghị chuyển bằng văn bản mới có văn bản chuyển."), "letter_number")
        if actor is not None and actor.role is Role.authority:
            raise ServiceError(_("Văn bản chuyển do Hội Liên hiệp Phụ nữ ghi; cơ quan nhận không sửa được."),
                               "letter_number")
        self.ensure_trackable()
        today, held_on = clock.today(), self.question.dialogue.held_on
        number = " ".join((number or "").split())
        if len(number) > 100:
            raise ServiceError(_("Số văn bản không được dài quá %(n)d ký tự.", n=100), "letter_number")
        if letter_date is not None and not held_on <= letter_date <= today:
            raise ServiceError(_("Ngày văn bản chuyển phải từ ngày đối thoại (%(a)s) đến hôm nay (%(b)s).",
                                 a=held_on.strftime("%d/%m/%Y"), b=today.strftime("%d/%m/%Y")), "letter_date")
        deadline = deadline or self.deadline
        if deadline != self.deadline:
            if self.is_closed:
                raise InvalidTransition(_("Kiến nghị đã có kết quả nên không đổi thời hạn được."), "deadline")
            _check_new_deadline(deadline, today, "deadline")
            if letter_date is not None and deadline < letter_date:
                raise ServiceError(_("Thời hạn trả lời không thể trước ngày văn bản chuyển."), "deadline")
        changes = []
        if number != self.letter_number:
            changes.append(_("số văn bản: %(a)s → %(b)s", a=self.letter_number or "—", b=number or "—"))
        if letter_date != self.letter_date:
            changes.append(_("ngày văn bản: %(a)s → %(b)s", a=_dmy(self.letter_date), b=_dmy(letter_date)))
        if deadline != self.deadline:
            changes.append(_("thời hạn trả lời: %(a)s → %(b)s", a=_dmy(self.deadline), b=_dmy(deadline)))
        if not changes:
            raise ServiceError(_("Văn bản chuyển không có gì thay đổi."), "letter_number")
        old_deadline = self.deadline
        self.letter_number, self.letter_date, self.deadline, self.updated_dt = number, letter_date, deadline, utcnow()
        text = _("Cập nhật văn bản chuyển: %(c)s.", c="; ".join(changes)) + (f"\n{note.strip()}" if note.strip() else "")
        values = {"deadline_from": old_deadline, "deadline_to": deadline} if deadline != old_deadline else {}
        return self._record(CommitmentEventKind.note, actor, text, token, **values)

    def add_note(self, note: str, actor: User | None, token: str | None = None) -> CommitmentEvent:
        self.ensure_trackable()
        note = (note or "").strip()
        if not note:
            raise ServiceError(_("Hãy nhập nội dung ghi chú."), "note")
        return self._record(CommitmentEventKind.note, actor, note, token)

    def attach(self, attachment: CommitmentAttachment, actor: User | None, note: str = "",
               token: str | None = None) -> CommitmentEvent:
        """Record an evidence file (already checked and stored) on the timeline."""
        self.ensure_trackable()
        self.attachments.append(attachment)
        return self._record(CommitmentEventKind.attachment, actor, (note or "").strip(), token, attachment=attachment)

    def withdraw_attachment(self, attachment: CommitmentAttachment, actor: User | None, reason: str,
                            token: str | None = None) -> CommitmentEvent:
        """Withdraw evidence attached by mistake: the file and its line stay in the history, marked
        withdrawn with the reason; it no longer counts as evidence."""
        reason = (reason or "").strip()
        if attachment.commitment_id != self.id:
            raise ServiceError(_("Tệp này không thuộc cam kết này."), "attachment")
        if attachment.is_withdrawn:
            raise ServiceError(_("Tệp “%(name)s” đã được rút trước đó.", name=attachment.filename), "attachment")
        if not reason:
            raise ServiceError(_("Hãy ghi lý do rút tệp minh chứng (ví dụ: đính kèm nhầm tệp)."), "reason")
        attachment.withdrawal = AttachmentWithdrawal(reason=reason, user=actor)
        return self._record(CommitmentEventKind.note, actor, _("Rút minh chứng “%(name)s”: %(reason)s",
                                                               name=attachment.filename, reason=reason), token)

    def _set_status(self, status: CommitmentStatus, actor: User | None, kind: CommitmentEventKind, note: str,
                    token: str | None, **values) -> CommitmentEvent:
        old = self.status
        self.status, self.updated_dt = status, utcnow()
        self.closed_on = clock.today() if status in CLOSED_STATUSES else None
        return self._record(kind, actor, note, token, status_from=old, status_to=status, **values)

    def _record(self, kind: CommitmentEventKind, actor: User | None, note: str = "", token: str | None = None,
                **values) -> CommitmentEvent:
        entry = CommitmentEvent(kind=kind, user=actor, actor_agency_id=actor.agency_id if actor else None,
                                note=note, token=token, **values)
        self.events.append(entry)
        return entry


def _months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
               next_month - timedelta(days=1))


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _check_new_deadline(deadline: date, today: date, field: str) -> None:
    if deadline < today:
        raise ServiceError(_("Thời hạn (%(d)s) không thể trước hôm nay.", d=deadline.strftime("%d/%m/%Y")), field)
    if deadline.year > today.year + MAX_DEADLINE_YEARS:
        raise ServiceError(_("Thời hạn không hợp lệ."), field)


def status_labels(petition: bool = False) -> dict:
    """The status labels of a forwarded petition, or of a commitment."""
    return PETITION_STATUS_LABELS if petition else COMMITMENT_STATUS_LABELS


def status_label(status: CommitmentStatus, petition: bool = False) -> str:
    return str(status_labels(petition)[status])


def _status_type(name: str):
    """The status type under its own name: two CHECK constraints on one table need two names."""
    column_type = enum_column(CommitmentStatus)
    column_type.name = name
    return column_type


class CommitmentEventKind(enum.Enum):
    status = "status"          # work started, or an outcome recorded
    forward = "forward"        # handed to another agency (status forwarded, a linked commitment there)
    received = "received"      # first event of a forwarded commitment, at the receiving agency
    reopen = "reopen"          # a closed commitment taken up again, with the reason
    extension = "extension"    # deadline moved, with the reason
    note = "note"
    attachment = "attachment"  # an evidence file added


class CommitmentEvent(db.Model):
    """One line of a commitment's timeline. Append-only: never updated, never deleted."""

    __tablename__ = "commitment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    kind: Mapped[CommitmentEventKind] = mapped_column(enum_column(CommitmentEventKind))
    status_from: Mapped[CommitmentStatus | None] = mapped_column(_status_type("status_from"))
    status_to: Mapped[CommitmentStatus | None] = mapped_column(_status_type("status_to"))
    deadline_from: Mapped[date | None]
    deadline_to: Mapped[date | None]
    agency_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    agency_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    # The other end of a forward: the new commitment (on ``forward``) or the original (on ``received``).
    linked_commitment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitments.id"))
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitment_attachments.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Who: the user, and the agency they acted for (None for union officers and the system).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Hidden form token: a resubmitted form finds the event it already made.
    token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    commitment: Mapped[Commitment] = relationship(back_populates="events", foreign_keys=[commitment_id])
    linked_commitment: Mapped[Commitment | None] = relationship(foreign_keys=[linked_commitment_id])
    agency_to: Mapped[Agency | None] = relationship(foreign_keys=[agency_to_id])
    agency_from: Mapped[Agency | None] = relationship(foreign_keys=[agency_from_id])
    actor_agency: Mapped[Agency | None] = relationship(foreign_keys=[actor_agency_id])
    user: Mapped[User | None] = relationship()
    attachment: Mapped[CommitmentAttachment | None] = relationship()

    def __repr__(self) -> str:
        return f"<CommitmentEvent {self.commitment_id} {self.kind.value}>"


class CommitmentAttachment(db.Model):
    """An evidence file (PDF, image, office document) whose type was checked from its bytes.
    The bytes live in the file store; the row keeps the key and the SHA-256."""

    __tablename__ = "commitment_attachments"
    # The same file twice on one commitment is a resubmitted form, not new evidence.
    __table_args__ = (sa.UniqueConstraint("commitment_id", "sha256", name="uq_commitment_attachments_sha256"),
                      sa.CheckConstraint("size_bytes > 0", name="size_bytes"))

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))  # as the uploader named it (no path)
    file_type: Mapped[str] = mapped_column(sa.String(10))  # detected from the content: pdf, png, docx...
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()
    withdrawal: Mapped["AttachmentWithdrawal | None"] = relationship(back_populates="attachment", uselist=False)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawal is not None


class AttachmentWithdrawal(db.Model):
    """An evidence file attached by mistake, withdrawn: the file and its timeline line stay (never
    deleted), it no longer counts as evidence and shows as withdrawn, with the reason."""

    __tablename__ = "commitment_attachment_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment_attachments.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attachment: Mapped[CommitmentAttachment] = relationship(back_populates="withdrawal")
    user: Mapped[User | None] = relationship()


class PermanentRecordError(RuntimeError):
    """Code tried to change or delete a timeline entry or an evidence file."""


@event.listens_for(Session, "before_flush")
def refuse_changes_to_the_timeline(session: Session, flush_context, instances) -> None:
    for obj in chain(session.dirty, session.deleted):
        if not isinstance(obj, (CommitmentEvent, CommitmentAttachment, AttachmentWithdrawal)):
            continue
        if obj in session.deleted:
            raise PermanentRecordError(f"{type(obj).__name__} rows are never deleted")
        state = inspect(obj)
        changed = [a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()]
        if changed:
            raise PermanentRecordError(f"{type(obj).__name__} rows are never changed ({', '.join(changed)})")
