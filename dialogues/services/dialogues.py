"""Writes on a dialogue record: create, edit, roster, status changes.

Every function validates all its input before touching the session, then flushes; the
request or CLI command commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.extensions import db
from app.models import Person, Unit, UnitLevel, User, utcnow
from app.services import ServiceError, people_by_codes, unknown_codes_message
from dialogues.models.dialogues import group_kind_of
from dialogues.models import (GROUP_KINDS, AttendanceGroup, Dialogue, DialogueAttendee, DialogueLeader, DialogueLevel,
                              DialogueStatus)
from dialogues.services._checks import agency_for, check_count, clean_lines, clean_text, village_for

MAX_ROWS = 60  # leaders or attendance groups on one dialogue


@dataclass
class LeaderData:
    name: str = ""
    title: str = ""
    agency_id: int | None = None

    def is_blank(self) -> bool:
        return not (self.name or "").strip() and not (self.title or "").strip() and self.agency_id is None


@dataclass
class GroupData:
    label: str = ""  # the detail, as written
    count: int | None = None
    kind: str | None = None  # a key of GROUP_KINDS; None or "": by keyword from the label

    def is_blank(self) -> bool:
        return not (self.label or "").strip() and self.count is None and not self.kind


@dataclass
class DialogueData:
    title: str
    level: DialogueLevel
    unit_id: int | None
    held_on: date | None
    venue_unit_id: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    venue: str = ""
    organiser: str = ""
    co_organisers: str = ""
    topics: str = ""
    chair_name: str = ""
    chair_position: str = ""
    secretary_name: str = ""
    secretary_position: str = ""
    attendance_total: int | None = None
    attendance_women: int | None = None
    attendance_minority: int | None = None
    conclusions: str = ""
    recipients: str = ""
    leaders: list[LeaderData] = field(default_factory=list)
    groups: list[GroupData] = field(default_factory=list)


# Which unit level organises which dialogue level.
UNIT_LEVEL_OF = {
    DialogueLevel.commune: UnitLevel.commune,
    DialogueLevel.village_cluster: UnitLevel.commune,
    DialogueLevel.province: UnitLevel.province,
}


def _organising_unit(data: DialogueData, actor: User | None) -> Unit:
    unit = db.session.get(Unit, data.unit_id) if data.unit_id is not None else None
    if unit is None or (actor is not None and not actor.can_see_unit(unit)):
        raise ServiceError(_("Vui lòng chọn đơn vị tổ chức trong phạm vi của bạn."), "unit_id")
    if unit.level is not UNIT_LEVEL_OF[data.level]:
        raise ServiceError(_("Đối thoại cấp xã hoặc cụm thôn do một xã tổ chức; đối thoại cấp tỉnh do tỉnh tổ chức."),
                           "level")
    return unit


def _checked(data: DialogueData, unit: Unit, status: DialogueStatus) -> dict:
    """Validate every field of ``data``; return the cleaned values (nothing is written here)."""
    values = {
        "title": clean_text(data.title, 300, "title", _("tiêu đề"), required=True),
        "venue": clean_text(data.venue, 300, "venue", _("địa điểm")),
        "organiser": clean_text(data.organiser, 300, "organiser", _("đơn vị tổ chức")),
        "co_organisers": clean_lines(data.co_organisers, 2000, "co_organisers", _("đơn vị phối hợp")),
        "topics": clean_lines(data.topics, 4000, "topics", _("chủ đề")),
        "chair_name": clean_text(data.chair_name, 200, "chair_name", _("tên người chủ trì")),
        "chair_position": clean_text(data.chair_position, 200, "chair_position", _("chức vụ người chủ trì")),
        "secretary_name": clean_text(data.secretary_name, 200, "secretary_name", _("tên thư ký")),
        "secretary_position": clean_text(data.secretary_position, 200, "secretary_position", _("chức vụ thư ký")),
        "conclusions": clean_text(data.conclusions, 20000, "conclusions", _("kết luận")),
        "recipients": clean_lines(data.recipients, 2000, "recipients", _("nơi nhận")),
        "level": data.level,
    }
    if data.held_on is None:
        raise ServiceError(_("Vui lòng nhập ngày đối thoại."), "held_on")
    if not date(2000, 1, 1) <= data.held_on <= date(clock.today().year + 5, 12, 31):
        raise ServiceError(_("Ngày đối thoại không hợp lệ."), "held_on")
    if status is not DialogueStatus.planned and data.held_on > clock.today():
        raise ServiceError(_("Đối thoại đã tổ chức nên ngày đối thoại không thể sau hôm nay."), "held_on")
    if data.start_time and data.end_time and data.end_time <= data.start_time:
        raise ServiceError(_("Giờ kết thúc (%(end)s) phải sau giờ bắt đầu (%(start)s).",
                             end=data.end_time.strftime("%H:%M"), start=data.start_time.strftime("%H:%M")),
                           "end_time")
    total = check_count(data.attendance_total, "attendance_total", _("tổng số người tham dự"))
    women = check_count(data.attendance_women, "attendance_women", _("số nữ tham dự"))
    minority = check_count(data.attendance_minority, "attendance_minority", _("số người dân tộc thiểu số"))
    if (women is not None or minority is not None) and total is None:
        raise ServiceError(_("Vui lòng nhập tổng số người tham dự."), "attendance_total")
    if women is not None and women > total:
        raise ServiceError(_("Số nữ tham dự (%(n)d) không thể lớn hơn tổng số người tham dự (%(total)d).",
                             n=women, total=total), "attendance_women")
    if minority is not None and minority > total:
        raise ServiceError(_("Số người dân tộc thiểu số (%(n)d) không thể lớn hơn tổng số người tham dự (%(total)d).",
                             n=minority, total=total), "attendance_minority")
    values.update(held_on=data.held_on, start_time=data.start_time, end_time=data.end_time,
                  attendance_total=total, attendance_women=women, attendance_minority=minority,
                  venue_unit=village_for(data.venue_unit_id, unit, "venue_unit_id"))

    leaders = [(i, row) for i, row in enumerate(data.leaders) if not row.is_blank()]
    groups = [(i, row) for i, row in enumerate(data.groups) if not row.is_blank()]
    if len(leaders) > MAX_ROWS or len(groups) > MAX_ROWS:
        raise ServiceError(_("Tối đa %(n)d dòng.", n=MAX_ROWS), "leaders")
    values["leaders"] = [
        dict(name=clean_text(row.name, 200, f"leaders-{i}-name", _("họ tên lãnh đạo"), required=True),
             title=clean_text(row.title, 200, f"leaders-{i}-title", _("chức vụ")),
             agency=agency_for(row.agency_id, unit, f"leaders-{i}-agency_id"))
        for i, row in leaders]
    values["groups"] = []
    for i, row in groups:
        if row.kind and row.kind not in GROUP_KINDS:
            raise ServiceError(_("Thành phần không hợp lệ."), f"groups-{i}-kind")
        # "Khác" needs its detail; a listed kind may go without one.
        label = clean_text(row.label, 200, f"groups-{i}-label", _("chi tiết thành phần"),
                           required=not row.kind or row.kind == "other")
        kind = row.kind or group_kind_of(label)
        count = check_count(row.count, f"groups-{i}-count", _("số người của nhóm"), required=True)
        if total is not None and count > total:
            raise ServiceError(_("Số người của nhóm “%(label)s” (%(n)d) không thể lớn hơn tổng số người tham dự "
                                 "(%(total)d).", label=label or GROUP_KINDS[kind], n=count, total=total),
                               f"groups-{i}-count")
        values["groups"].append(dict(kind=kind, label=label, count=count))
    return values


def _apply(dialogue: Dialogue, values: dict) -> None:
    rows = {"leaders": (values.pop("leaders"), DialogueLeader), "groups": (values.pop("groups"), AttendanceGroup)}
    for key, value in values.items():
        setattr(dialogue, key, value)
    for attr, (wanted, model) in rows.items():
        sync_rows(getattr(dialogue, attr), wanted, model)


def sync_rows(existing: list, wanted: list[dict], model) -> None:
    """Make an ordered child collection match ``wanted``, updating rows in place (no churn in
    the audit log when nothing changed)."""
    for position, values in enumerate(wanted):
        if position < len(existing):
            row = existing[position]
        else:
            row = model()
            existing.append(row)
        for key, value in dict(values, position=position).items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    del existing[len(wanted):]


def create_dialogue(data: DialogueData, actor: User | None, token: str | None = None) -> Dialogue:
    """Plan a new dialogue. A resubmitted form (same ``token``) returns the dialogue it made."""
    token = (token or "").strip()[:64] or None
    if token:
        existing = db.session.scalar(sa.select(Dialogue).where(Dialogue.creation_token == token))
        if existing is not None:
            return existing
    unit = _organising_unit(data, actor)
    # Recording after the fact is a first-class path: a meeting whose day has passed was held, so
    # its rows are raised on the day (a planned record would store them as "collected, not raised").
    status = DialogueStatus.held if data.held_on is not None and data.held_on < clock.today() \
        else DialogueStatus.planned
    values = _checked(data, unit, status)
    dialogue = Dialogue(unit=unit, status=status, creation_token=token, created_by=actor)
    _apply(dialogue, values)
    dialogue.record_creation(actor)
    try:
        with db.session.begin_nested():
            db.session.add(dialogue)
            db.session.flush()
    except IntegrityError:
        # The same form arrived twice at once and the other request stored it first: undo this
        # insert only (the savepoint) and answer with the stored one.
        existing = db.session.scalar(sa.select(Dialogue).where(Dialogue.creation_token == token)) if token else None
        if existing is None:
            raise
        return existing
    return dialogue


def check_revision(dialogue: Dialogue, expected: int | None) -> None:
    if expected is not None and expected != dialogue.revision:
        raise ServiceError(_("Hồ sơ này vừa được lưu ở một lần gửi khác (có thể do bấm Lưu hai lần hoặc "
                             "người khác đang sửa). Dưới đây là dữ liệu mới nhất; hãy xem lại rồi sửa tiếp."),
                           "revision")


def flush_guarded() -> None:
    """Flush; a concurrent save of the same dialogue (revision changed meanwhile) becomes a message."""
    try:
        db.session.flush()
    except StaleDataError:
        raise ServiceError(_("Hồ sơ này vừa được người khác lưu. Vui lòng tải lại trang."), "revision") from None


def update_dialogue(dialogue: Dialogue, data: DialogueData, actor: User | None,
                    expected_revision: int | None = None) -> Dialogue:
    """Edit a dialogue that is not locked. The organising unit does not change after creation."""
    dialogue.ensure_editable()
    check_revision(dialogue, expected_revision)
    if UNIT_LEVEL_OF[data.level] is not dialogue.unit.level:
        raise ServiceError(_("Đối thoại cấp xã hoặc cụm thôn do một xã tổ chức; đối thoại cấp tỉnh do tỉnh tổ chức."),
                           "level")
    values = _checked(data, dialogue.unit, dialogue.status)
    _apply(dialogue, values)
    dialogue.updated_dt = utcnow()
    flush_guarded()
    return dialogue


# --- roster ------------------------------------------------------------------------------

def add_attendees(dialogue: Dialogue, person_ids: list[int], codes: list[str] = (), user: User | None = None) -> int:
    """Add people of the organising unit to the roster, ticked (ids) or typed (codes, looked up in
    the user's scope); returns how many were new."""
    dialogue.ensure_editable()
    ids = set(person_ids)
    if codes:
        found, unknown = people_by_codes(codes, user, within=dialogue.unit)
        if unknown:
            raise ServiceError(unknown_codes_message(unknown), "person_codes")
        ids.update(p.id for p in found.values())
    if not ids:
        return 0
    people = db.session.scalars(sa.select(Person).where(
        Person.id.in_(ids), Person.erased_dt.is_(None), dialogue.unit.subtree_filter(Person.unit_id))).all()
    if len(people) != len(ids):
        raise ServiceError(_("Có người không thuộc %(unit)s hoặc không còn trong danh sách.",
                             unit=dialogue.unit.name), "person_ids")
    present = set(db.session.scalars(sa.select(DialogueAttendee.person_id).where(
        DialogueAttendee.dialogue_id == dialogue.id)))
    new = [p for p in people if p.id not in present]
    for person in new:
        dialogue.attendees.append(DialogueAttendee(person=person))
    db.session.flush()
    return len(new)


def remove_attendee(dialogue: Dialogue, person_id: int) -> None:
    dialogue.ensure_editable()
    for attendee in list(dialogue.attendees):
        if attendee.person_id == person_id:
            dialogue.attendees.remove(attendee)
    db.session.flush()


# --- status ------------------------------------------------------------------------------

def mark_held(dialogue: Dialogue, actor: User | None, note: str = "", raised_ids=None) -> None:
    """The meeting took place. Questions with an answer, outcome or commitment were raised; of the
    others, those in ``raised_ids`` were raised and the rest not (``None`` leaves them as they are:
    the CLI and imports, which confirm nothing)."""
    note = clean_text(note, 2000, "note", _("ghi chú"))
    dialogue.mark_held(actor, note)
    chosen = {int(i) for i in raised_ids} if raised_ids is not None else None
    for question in dialogue.questions:
        if question.has_meeting_record:
            raised = True
        elif chosen is not None:
            raised = question.id in chosen
        else:
            continue
        if question.is_raised != raised:
            question.is_raised = raised
    flush_guarded()
