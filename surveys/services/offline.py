"""Answers that waited on an offline phone: the queue of the phone form (sent by its script when
the signal returns) and the saved-queue file a trainer imports.

Every queued answer gets a receipt for its client token, whatever becomes of it: stored as a
response (for the phase and test version it was answered on, when it was taken while the phase
was open, by the phone's clock checked for sanity), or refused with a reason the trainer sees on
the training page. A replay of the same token gets the same receipt and changes nothing, so the
phone may send again until it hears back, and a file may be imported twice.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.locking import take_write_lock
from app.models import Person, User, utcnow
from app.services import ServiceError
from surveys.models import OfflineRefusal, PhaseState, Response, ResponseSource, Training, TrainingPhase
from surveys.services.responses import CLIENT_TOKEN_RE, parse_answers, save_response

# A phone's clock may be a little off; beyond that its time is not believed.
CLOCK_SKEW = timedelta(minutes=10)
# Answers taken longer ago than this are refused: the class and its trainer have moved on.
LATE_WINDOW = timedelta(days=30)
QUEUE_FORMAT = "caunoi-offline-queue"
MAX_FILE_ENTRIES = 2000

REASONS = {
    "not_open": _l("Khảo sát chưa mở."),
    "after_close": _l("Câu trả lời được ghi sau khi khảo sát đã đóng."),
    "before_open": _l("Giờ ghi câu trả lời sớm hơn lúc khảo sát mở."),
    "future": _l("Giờ ghi câu trả lời ở tương lai: đồng hồ của điện thoại bị sai."),
    "too_old": _l("Câu trả lời được ghi quá 30 ngày trước khi gửi đến."),
    "no_time": _l("Không rõ câu trả lời được ghi lúc nào."),
    "version": _l("Bài kiểm tra của lớp đã đổi sau khi câu trả lời được ghi."),
    "roster": _l("Người này không có trong danh sách lớp."),
    "already": _l("Người này đã có câu trả lời cho khảo sát này; câu trả lời trước được giữ nguyên."),
    "invalid": _l("Câu trả lời không hợp lệ."),
    "consent": _l("Người trả lời chưa đồng ý cho lưu thông tin."),
}


@dataclass(frozen=True)
class Receipt:
    """What the server tells the phone about one queued answer: the phone drops it on any receipt."""
    token: str
    stored: bool
    is_new: bool  # this call stored or refused it (False: a replay of a token already answered)
    reason: str | None = None

    def as_json(self) -> dict:
        return {"receipt": self.token, "status": "stored" if self.stored else "refused",
                "message": str(REASONS[self.reason]) if self.reason else None}


_TOKEN_SEEN = sa.union_all(
    sa.select(sa.literal(True).label("stored"), sa.null().label("reason"))
    .where(Response.client_token == sa.bindparam("token")),
    sa.select(sa.literal(False), OfflineRefusal.reason).where(OfflineRefusal.client_token == sa.bindparam("token")))


def _seen(token: str) -> Receipt | None:
    row = db.session.execute(_TOKEN_SEEN, {"token": token}).first()
    return Receipt(token, bool(row.stored), False, row.reason) if row else None


def _answered_dt(raw: str | None) -> datetime | None:
    """The phone's time of answering, sent as milliseconds since 1970 (JavaScript's Date.now())."""
    try:
        return datetime.fromtimestamp(int(raw) / 1000, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _time_problem(phase: TrainingPhase, answered: datetime | None) -> str | None:
    if answered is None:
        return "no_time"
    now = utcnow()
    if answered > now + CLOCK_SKEW:
        return "future"
    if answered < now - LATE_WINDOW:
        return "too_old"
    if phase.state is PhaseState.draft or phase.opened_dt is None:
        return "not_open"
    if answered < phase.opened_dt - CLOCK_SKEW:
        return "before_open"
    if phase.state is PhaseState.closed and answered > phase.closed_dt + CLOCK_SKEW:
        return "after_close"
    return None


def _first(fields: dict, key: str) -> str | None:
    values = fields.get(key) or [None]
    return values[0]


def receive_queued(phase: TrainingPhase, fields: dict[str, list[str]], *, user: User | None = None) -> Receipt:
    """Store (or refuse, with a reason kept for the trainer) one answer from a phone's queue.

    ``fields`` are the phone form's fields as posted (name -> values) plus ``answered_at`` (the
    phone's Date.now()) and ``version`` (the test version the form showed). Raises ServiceError
    only when there is no usable client token, i.e. nothing a receipt could name.
    """
    token = (_first(fields, "client_token") or "")[:64]
    if not CLIENT_TOKEN_RE.fullmatch(token):
        raise ServiceError(_("Biểu mẫu không hợp lệ. Vui lòng tải lại trang."), "client_token")
    take_write_lock()
    if (seen := _seen(token)) is not None:
        return seen
    training: Training = phase.training
    person_id = _int(_first(fields, "person"))
    if person_id is None and _first(fields, "p"):  # her own link's key (forms since issue #15)
        from surveys.access import person_id_from_key

        person_id = person_id_from_key(phase, _first(fields, "p"))
    person = db.session.get(Person, person_id) if person_id is not None else None
    answered = _answered_dt(_first(fields, "answered_at"))

    def refuse(reason: str, detail: str | None = None) -> Receipt:
        return _refuse(phase, person, token, answered, reason, detail)

    if person is None or person.erased_dt is not None:
        return refuse("roster")
    if (problem := _time_problem(phase, answered)) is not None:
        return refuse(problem)
    if _int(_first(fields, "version")) != training.version_id:
        return refuse("version")
    answers, errors = parse_answers(training.version.items,
                                    {k: [v[:2000] for v in vs] for k, vs in fields.items()})
    if errors:
        return refuse("invalid", next(iter(errors.values())))
    try:
        response, created = save_response(training, phase.phase, person, answers, source=ResponseSource.phone,
                                          user=user, client_token=token,
                                          consent_given=_first(fields, "consent") == "yes")
    except ServiceError as exc:
        return refuse({"consent": "consent", "person": "roster"}.get(exc.field, "invalid"), exc.message)
    if not created:
        if response.client_token == token:  # a concurrent replay stored it first
            return Receipt(token, True, False)
        return refuse("already")
    response.answered_dt, response.is_late = answered, True
    return Receipt(token, True, True)


def _int(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if -2**31 <= value < 2**31 else None


def _refuse(phase: TrainingPhase, person: Person | None, token: str, answered: datetime | None, reason: str,
            detail: str | None) -> Receipt:
    try:
        with db.session.begin_nested():
            db.session.add(OfflineRefusal(training_id=phase.training_id, phase=phase.phase, client_token=token,
                                          person_id=person.id if person else None, reason=reason,
                                          detail=(detail or "")[:300] or None, answered_dt=answered))
    except IntegrityError:  # a concurrent replay refused it first
        return _seen(token) or Receipt(token, False, False, reason)
    return Receipt(token, False, True, reason)


@dataclass(frozen=True)
class QueueImport:
    stored: int  # new responses
    refused: int  # newly refused (listed on the training page)
    seen: int  # already received before (from the phone or an earlier import): nothing changed


def import_queue_file(training: Training, data: bytes, *, user: User) -> QueueImport:
    """A queue saved on a phone that never got signal again, imported by the trainer: every entry
    goes through :func:`receive_queued`, so importing twice (or after the phone did send) stores once.
    Entries for another training's form refuse the whole file before anything is written."""
    try:
        doc = json.loads(data.decode("utf-8"))
        entries = doc["entries"] if doc.get("format") == QUEUE_FORMAT else None
        if not isinstance(entries, list):
            raise ValueError
        parsed = [(str(e["url"]).rstrip("/").rsplit("/", 1)[-1], _fields(e)) for e in entries[:MAX_FILE_ENTRIES + 1]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise ServiceError(_("Tệp không phải là hàng chờ câu trả lời đã lưu từ điện thoại."), "file") from None
    if len(parsed) > MAX_FILE_ENTRIES:
        raise ServiceError(_("Tệp có quá %(n)d câu trả lời.", n=MAX_FILE_ENTRIES), "file")
    phases = {p.public_token: p for p in training.phases}
    if any(token not in phases for token, _fields_ in parsed):
        raise ServiceError(_("Tệp có câu trả lời của lớp khác: không nhập gì. Hãy nhập tệp vào đúng lớp."), "file")
    receipts = [receive_queued(phases[token], fields, user=user) for token, fields in parsed]
    return QueueImport(stored=sum(r.is_new and r.stored for r in receipts),
                       refused=sum(r.is_new and not r.stored for r in receipts),
                       seen=sum(not r.is_new for r in receipts))


def _fields(entry: dict) -> dict[str, list[str]]:
    """The form fields of a saved entry ([name, value] pairs), with its time and version."""
    fields: dict[str, list[str]] = {}
    for name, value in entry["fields"]:
        fields.setdefault(str(name)[:40], []).append(str(value))
    fields["answered_at"] = [str(entry["at"])]
    fields["version"] = [str(entry.get("version", ""))]
    return fields


def offline_counts(training: Training) -> dict:
    """Per phase: answers that arrived late from offline phones, and the refused ones (newest first)."""
    late = dict(db.session.execute(
        sa.select(Response.phase, sa.func.count(Response.id))
        .where(Response.training_id == training.id, Response.is_late).group_by(Response.phase)).all())
    refused = db.session.scalars(
        sa.select(OfflineRefusal).where(OfflineRefusal.training_id == training.id)
        .options(sa.orm.joinedload(OfflineRefusal.person))
        .order_by(OfflineRefusal.received_dt.desc(), OfflineRefusal.id.desc())).all()
    return {"late": late, "refused": refused}
