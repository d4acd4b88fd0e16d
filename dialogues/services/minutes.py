"""Official minutes: header settings, numbering, approval, issued versions, addenda, verification."""
from __future__ import annotations

import hashlib
from contextlib import nullcontext
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app import jobs
from app.extensions import db
from app.models import OrgHeader, Unit, UnitLevel, User, utcnow
from app.official import header_lines
from app.services import ServiceError
from dialogues.models import (Addendum, AnswerOutcome, Dialogue, DialogueStatus, InvalidTransition, MinutesCounter,
                              MinutesIssue, QuestionOrigin)
from dialogues.services._checks import clean_text
from dialogues.services.dialogues import flush_guarded
from dialogues import minutes as minutes_document
from dialogues.storage import file_store, read_stored

STORAGE_NAMESPACE = "minutes"


# --- header settings (read by app.official.header_lines) ---------------------------------

def save_header(unit: Unit, *, parent_body: str, issuing_body: str, number_suffix: str, place_name: str) -> OrgHeader:
    if unit.level not in (UnitLevel.commune, UnitLevel.province):
        raise ServiceError(_("Chỉ xã, phường hoặc tỉnh mới có tiêu đề biên bản riêng."), "unit")
    parent_body = clean_text(parent_body, 200, "parent_body", _("tên cơ quan cấp trên"))
    issuing_body = clean_text(issuing_body, 200, "issuing_body", _("tên cơ quan ban hành"), required=True)
    number_suffix = clean_text(number_suffix, 60, "number_suffix", _("ký hiệu biên bản"), required=True)
    if not re.fullmatch(r"[A-ZĐ0-9][A-ZĐ0-9.-]*", number_suffix):
        raise ServiceError(_("Ký hiệu chỉ gồm chữ in hoa, số, dấu gạch ngang và dấu chấm, ví dụ BB-HLHPN."),
                           "number_suffix")
    place_name = clean_text(place_name, 100, "place_name", _("địa danh"), required=True)
    row = db.session.scalar(sa.select(OrgHeader).where(OrgHeader.unit_id == unit.id))
    if row is None:
        row = OrgHeader(unit=unit)
        db.session.add(row)
    row.parent_body, row.issuing_body = parent_body.upper(), issuing_body.upper()
    row.number_suffix, row.place_name, row.updated_dt = number_suffix, place_name, utcnow()
    db.session.flush()
    return row


# --- numbering ---------------------------------------------------------------------------

def allocate_number(unit_id: int, year: int) -> int:
    """Next minutes number of a unit in a year, taken inside the caller's transaction.

    The UPDATE locks the counter row until commit, so concurrent approvals queue instead of
    sharing a number; a rolled-back approval gives its number back.
    """
    counters = MinutesCounter.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(counters).values(unit_id=unit_id, year=year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["unit_id", "year"]))
    return db.session.execute(
        sa.update(counters).where(counters.c.unit_id == unit_id, counters.c.year == year)
        .values(last_number=counters.c.last_number + 1).returning(counters.c.last_number)).scalar_one()


# --- approval ----------------------------------------------------------------------------

@dataclass
class RecordSummary:
    """What the minutes will say, counted as the minutes and the indicators count it: only
    raised questions appear, an outcome per raised question, commitments of raised questions."""
    attendance_total: int | None
    attendance_women: int | None
    attendance_minority: int | None
    typed: int
    raised: int
    answered_on_spot: int
    accepted: int
    forwarded: int
    noted: int
    commitments: int
    not_raised: int


def record_summary(dialogue: Dialogue) -> RecordSummary:
    raised = [q for q in dialogue.questions if q.is_raised]
    outcomes = [q.answer.outcome for q in raised if q.answer is not None]
    return RecordSummary(
        attendance_total=dialogue.attendance_total, attendance_women=dialogue.attendance_women,
        attendance_minority=dialogue.attendance_minority, typed=len(dialogue.questions), raised=len(raised),
        answered_on_spot=outcomes.count(AnswerOutcome.answered), accepted=outcomes.count(AnswerOutcome.accepted),
        forwarded=outcomes.count(AnswerOutcome.forwarded), noted=outcomes.count(AnswerOutcome.noted),
        commitments=sum(len(q.commitments) for q in raised), not_raised=len(dialogue.questions) - len(raised))


def contradictions(dialogue: Dialogue) -> list[str]:
    """Where the record contradicts itself; the minutes would then say something other than what
    was typed, so approval is refused until it is put right."""
    found = []
    questions = dialogue.questions
    if questions and not any(q.is_raised for q in questions):
        found.append(_("đã nhập %(n)d ý kiến nhưng không ý kiến nào được ghi là đã nêu tại hội nghị, nên biên bản "
                       "sẽ ghi “không có ý kiến, kiến nghị nào”: hãy đánh dấu các ý kiến đã nêu trên màn hình nhập "
                       "ý kiến", n=len(questions)))
    for question in questions:
        if question.is_raised:
            continue
        if question.has_meeting_record:
            found.append(_("ý kiến số %(n)d đã có trả lời hoặc cam kết nhưng được ghi là chưa nêu tại hội nghị",
                           n=question.number))
        elif question.origin is QuestionOrigin.on_day:
            found.append(_("ý kiến số %(n)d nêu trực tiếp tại hội nghị nhưng được ghi là chưa nêu", n=question.number))
    return found


def approval_problems(dialogue: Dialogue) -> list[str]:
    """What must be filled in or put right before the minutes can be approved (empty when ready)."""
    problems = contradictions(dialogue)
    if not (dialogue.start_time and dialogue.end_time):
        problems.append(_("chưa có giờ bắt đầu và giờ kết thúc"))
    if not dialogue.chair_name:
        problems.append(_("chưa có tên người chủ trì"))
    if not dialogue.secretary_name:
        problems.append(_("chưa có tên thư ký"))
    if None in (dialogue.attendance_total, dialogue.attendance_women, dialogue.attendance_minority):
        problems.append(_("chưa có số người tham dự (tổng số, nữ, dân tộc thiểu số)"))
    for question in dialogue.questions:
        if not question.is_raised:
            continue
        if question.answer is None:
            problems.append(_("ý kiến số %(n)d chưa có kết quả trả lời", n=question.number))
        elif question.answer.outcome is AnswerOutcome.accepted and not question.commitments:
            problems.append(_("ý kiến số %(n)d được tiếp thu nhưng chưa có cam kết", n=question.number))
    return problems


def approve_minutes(dialogue: Dialogue, actor: User | None, note: str = "", *, in_worker: bool = False):
    """Approve the minutes: number them, lock the record and issue the first PDF version.

    The PDF is rendered here (the CLI, the demo, tests) or, with ``in_worker``, by the job worker
    once this transaction commits (the web page: the approval's transaction holds the counter
    and the write lock for milliseconds, not for a render). Returns the issue, or the job."""
    if not dialogue.can_move_to(DialogueStatus.approved):
        if dialogue.is_locked:
            raise InvalidTransition(_("Biên bản này đã được duyệt."), "approve")
        raise InvalidTransition(_("Hãy ghi nhận cuộc đối thoại đã tổ chức trước khi duyệt biên bản."), "approve")
    note = clean_text(note, 2000, "note", _("ghi chú"))
    problems = approval_problems(dialogue)
    if problems:
        raise ServiceError(_("Chưa thể duyệt biên bản: %(list)s.", list="; ".join(problems)), "approve")
    header = header_lines(dialogue.unit)
    year = dialogue.held_on.year
    number = allocate_number(dialogue.unit_id, year)
    with db.session.no_autoflush:  # the status and the number reach the database together
        dialogue.approve(actor, year=year, number=number, number_text=f"{number:02d}/{header['number_suffix']}",
                         header=header, note=note)
    flush_guarded()
    return queue_issue(dialogue, actor, 1) if in_worker else issue_minutes(dialogue, actor, 1)


def wanted_version(dialogue: Dialogue) -> int:
    """The version approved minutes should be at: the first, plus one per addendum (each
    addendum issues one version, and version v shows the first v - 1 addenda)."""
    return 1 + (db.session.scalar(sa.select(sa.func.count(Addendum.id)).where(Addendum.dialogue_id == dialogue.id))
                or 0)


def issue_minutes(dialogue: Dialogue, actor: User | None, version: int) -> MinutesIssue:
    """Issued version ``version`` of approved minutes: rendered, stored and recorded unless it was
    already (a retried or repeated job issues nothing twice); missing earlier versions first."""
    if not dialogue.is_locked:
        raise ServiceError(_("Chỉ phát hành biên bản đã được duyệt."), "approve")
    # Serialise versions of one dialogue (PostgreSQL row lock; SQLite has one writer, and the unique
    # (dialogue, version) refuses a second copy of a version rendered at the same time).
    db.session.execute(sa.select(Dialogue.id).where(Dialogue.id == dialogue.id).with_for_update())
    latest = db.session.scalar(sa.select(sa.func.max(MinutesIssue.version))
                               .where(MinutesIssue.dialogue_id == dialogue.id)) or 0
    for missing in range(latest + 1, version + 1):
        _issue_version(dialogue, actor, missing)
    return db.session.scalar(sa.select(MinutesIssue).where(MinutesIssue.dialogue_id == dialogue.id,
                                                           MinutesIssue.version == version))


def _issue_version(dialogue: Dialogue, actor: User | None, version: int) -> MinutesIssue:
    code = new_verify_code()
    pdf = minutes_document.render_minutes(dialogue, version=version, verify_code=code)
    key, digest = file_store().put(pdf, STORAGE_NAMESPACE)
    issue = MinutesIssue(dialogue=dialogue, version=version, sha256=digest, size_bytes=len(pdf), storage_key=key,
                         issued_by=actor, issued_dt=utcnow(), verify_code=code)
    db.session.add(issue)
    db.session.flush()
    return issue


# --- issuing in the job worker -----------------------------------------------------------

ISSUE_JOB = "issue_minutes"


def issue_job_key(dialogue_id: int, version: int) -> str:
    """One job per issued version: a resent approval or addendum finds it, never a second render."""
    return f"minutes-issue-{dialogue_id}-v{version}"


def issue_job(dialogue: Dialogue, version: int) -> jobs.Job | None:
    return db.session.scalar(sa.select(jobs.Job).where(jobs.Job.key == issue_job_key(dialogue.id, version)))


def queue_issue(dialogue: Dialogue, actor: User | None, version: int) -> jobs.Job:
    """The job that issues ``version`` once this transaction commits (the same job if queued already)."""
    from flask import has_request_context, request

    # the host the approver used, for the QR's check address when PUBLIC_URL is not set (the
    # worker has no request of its own to take it from)
    base_url = request.host_url if has_request_context() else ""
    return jobs.submit(ISSUE_JOB, {"dialogue_id": dialogue.id, "version": version, "base_url": base_url},
                       issue_job_key(dialogue.id, version), actor)


def _make_issue(job: jobs.Job, progress):
    """Job kind "issue_minutes": issue the version, then hand its stored bytes to the job's page."""
    from app.official import content_disposition
    from app.services import log_export

    dialogue = db.session.get(Dialogue, job.params["dialogue_id"])
    if dialogue is None or not dialogue.is_locked:
        raise jobs.Refused(404)
    actor = db.session.get(User, job.user_id) if job.user_id else None
    progress(0, 1)
    base_url = job.params.get("base_url")
    with current_app.test_request_context("/", base_url=base_url) if base_url else nullcontext():
        issue = issue_minutes(dialogue, actor, job.params["version"])
    if actor is not None:  # the approver gets a file that names every petitioner: logged like a download
        log_export(actor, "dialogue_minutes_pdf", "Dialogue", dialogue.id, has_names=True)
    db.session.commit()
    headers = {"Content-Disposition": content_disposition(issue.filename, inline=True),
               "Cache-Control": "private, no-store", "Pragma": "no-cache"}
    return read_issue(issue), issue.filename, "application/pdf", headers


jobs.register(ISSUE_JOB, _make_issue)


def read_issue(issue: MinutesIssue) -> bytes:
    return read_stored(issue)


# --- addenda -----------------------------------------------------------------------------

def add_addendum(dialogue: Dialogue, text: str, actor: User | None, token: str | None = None,
                 written_on: date | None = None, *, in_worker: bool = False) -> Addendum:
    """Record a dated correction to approved minutes and issue a new version that shows it (here,
    or with ``in_worker`` by the job worker after the commit, as on approval).
    A resubmitted form (same ``token``) returns the addendum it already made."""
    token = (token or "").strip()[:64] or None
    if token:
        existing = db.session.scalar(sa.select(Addendum).where(Addendum.token == token))
        if existing is not None:
            return existing
    if not dialogue.is_locked:
        raise ServiceError(_("Biên bản chưa được duyệt: hãy sửa trực tiếp hồ sơ thay vì thêm phụ lục."), "text")
    text = clean_text(text, 5000, "text", _("nội dung đính chính"), required=True)
    written_on = written_on or clock.today()
    if not dialogue.held_on <= written_on <= clock.today():
        raise ServiceError(_("Ngày đính chính phải từ ngày đối thoại đến hôm nay."), "written_on")
    # Addenda of one dialogue one at a time: each counts the versions it wants (PostgreSQL row lock).
    db.session.execute(sa.select(Dialogue.id).where(Dialogue.id == dialogue.id).with_for_update())
    addendum = Addendum(dialogue=dialogue, text=text, written_on=written_on, created_by=actor, token=token)
    db.session.add(addendum)
    db.session.flush()
    version = wanted_version(dialogue)
    if in_worker:
        queue_issue(dialogue, actor, version)
    else:
        issue_minutes(dialogue, actor, version)
    return addendum


# --- verification ------------------------------------------------------------------------

# No 0/O, 1/I/L: a code read off paper and typed again must not be ambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_verify_code() -> str:
    """A random short code printed on an issued PDF: "K7QF2-M9XHD" (50 bits; it tells nothing)."""
    import secrets

    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        code = f"{raw[:5]}-{raw[5:]}"
        if db.session.scalar(sa.select(MinutesIssue.id).where(MinutesIssue.verify_code == code)) is None:
            return code


def normalise_code(text: str) -> str:
    """What was typed or scanned, as stored: upper case, no spaces, the dash put back."""
    raw = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == CODE_LENGTH else raw


def normalise_hash(text: str) -> str:
    """A pasted SHA-256 with its spaces, line breaks and case removed."""
    return re.sub(r"\s+", "", text or "").lower()


@dataclass
class PublicCheck:
    """What the public check page may say about an issued version: no content, only the facts."""
    number: str
    issued_on: date
    issuer: str
    version: int
    latest_version: int
    intact: bool

    @property
    def is_current(self) -> bool:
        return self.version == self.latest_version


def public_check(*, code: str = "", digest: str = "") -> PublicCheck | None:
    """The issued version a code or a file's SHA-256 names (any unit: the page needs no login), or None."""
    where = (MinutesIssue.verify_code == normalise_code(code)) if code else (MinutesIssue.sha256 == digest)
    issue = db.session.scalar(sa.select(MinutesIssue).where(where).order_by(MinutesIssue.id).limit(1))
    if issue is None:
        return None
    latest = db.session.scalar(sa.select(sa.func.max(MinutesIssue.version))
                               .where(MinutesIssue.dialogue_id == issue.dialogue_id))
    header = issue.dialogue.minutes_header or {}
    return PublicCheck(number=issue.dialogue.minutes_number_text or "", issued_on=issue.issued_dt.astimezone(clock.local_zone()).date(),
                       issuer=header.get("issuing_body") or issue.dialogue.unit.name, version=issue.version,
                       latest_version=latest, intact=file_store().is_intact(issue.storage_key, issue.sha256))

@dataclass
class Verification:
    sha256: str
    matches: list[tuple[MinutesIssue, bool]]  # (issued version, stored copy still intact)

    @property
    def is_genuine(self) -> bool:
        return bool(self.matches)


def verify_copy(data: bytes, visible) -> Verification:
    """Look a copy up by its SHA-256 among issued minutes the user may see (``visible`` is
    an SQL filter on dialogues)."""
    return verification_by_hash(hashlib.sha256(data).hexdigest(), visible)


def verification_by_hash(digest: str, visible) -> Verification:
    issues = db.session.scalars(sa.select(MinutesIssue).join(MinutesIssue.dialogue)
                                .where(MinutesIssue.sha256 == digest.lower(), visible)
                                .order_by(MinutesIssue.id)).all()
    store = file_store()
    return Verification(digest, [(issue, store.is_intact(issue.storage_key, issue.sha256)) for issue in issues])
