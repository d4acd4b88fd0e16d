"""The writes of the community feature: every screen, the workbook import, the API, the demo and
the tests go through these functions, so the same rules apply on every path. They flush; the
request (or the CLI) commits once. Refusals raise ``app.services.ServiceError``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app import clock, ethnicities
from app.extensions import db
from app.models import Person, Sex, Unit, UnitLevel, User
from app.services import ServiceError
from community.models import CHILD_MAX_AGE as CHILD_MAX, CHILD_MIN_AGE as CHILD_MIN
from community.models import CLUB_MAX_MEMBERS as CLUB_MAX, CLUB_MIN_MEMBERS as CLUB_MIN
from community.models import TEAM_MAX_MEMBERS as TEAM_MAX, TEAM_MIN_MEMBERS as TEAM_MIN
from community.models import (Activity, ActivityForm, ActivityHost, ActivityTopic, Club, ClubFacilitator, ClubGroup,
                              ClubMember, ClubSetting, GroupStatus, HostKind, SupportCount, SupportKind, Team,
                              TeamMember, TeamRole, TrustedAddress)

# The article's topics: the managed list starts with them (``seed_topics``).
ARTICLE_TOPICS = [
    "Định kiến giới, khuôn mẫu giới", "Phòng, chống bạo lực gia đình", "Phòng, chống tảo hôn",
    "Phòng, chống hôn nhân cận huyết thống", "Phòng, chống mua bán người", "Phòng, chống ma túy",
    "Phòng, chống lừa đảo trên không gian mạng", "An toàn giao thông", "Bình đẳng giới trong gia đình",
    "Chăm sóc sức khỏe sinh sản, bà mẹ và trẻ em",
]


def _text(value: str | None, field: str, label: str, max_len: int = 200, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ServiceError(_("Hãy nhập %(what)s.", what=label), field)
    if len(value) > max_len:
        raise ServiceError(_("%(what)s dài quá %(n)d ký tự.", what=label, n=max_len), field)
    return value


def _not_future(day: date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ServiceError(_("Ngày không được sau hôm nay."), field)


def _commune_or_below(unit: Unit) -> None:
    if unit.level not in (UnitLevel.commune, UnitLevel.village):
        raise ServiceError(_("Hãy chọn một xã hoặc một thôn, bản."), "unit_id")


# --- topics --------------------------------------------------------------------------------

def save_topic(topic: ActivityTopic | None, name: str, is_active: bool = True) -> ActivityTopic:
    name = _text(name, "name", _("tên chủ đề"))
    clash = db.session.scalar(sa.select(ActivityTopic.id).where(ActivityTopic.name == name))
    if clash is not None and (topic is None or clash != topic.id):
        raise ServiceError(_("Đã có chủ đề này."), "name")
    if topic is None:
        topic = ActivityTopic(position=(db.session.scalar(sa.select(sa.func.max(ActivityTopic.position))) or 0) + 1)
        db.session.add(topic)
    topic.name, topic.is_active = name, bool(is_active)
    db.session.flush()
    return topic


def seed_topics() -> None:
    known = set(db.session.scalars(sa.select(ActivityTopic.name)))
    for name in ARTICLE_TOPICS:
        if name not in known:
            save_topic(None, name)


# --- teams ---------------------------------------------------------------------------------

def save_team(team: Team | None, *, unit: Unit, name: str, decision_number: str = "", founded_on: date | None = None,
              decision_issuer: str = "") -> Team:
    _commune_or_below(unit)
    _not_future(founded_on, "founded_on")
    if team is None:
        team = Team()
        db.session.add(team)
    team.unit_id, team.unit = unit.id, unit
    team.name = _text(name, "name", _("tên tổ"))
    team.decision_number = _text(decision_number, "decision_number", _("số quyết định"), 60, required=False)
    team.decision_issuer = _text(decision_issuer, "decision_issuer", _("cơ quan ban hành"), required=False)
    team.founded_on = founded_on
    db.session.flush()
    return team


def add_team_member(team: Team, person: Person, role: TeamRole, joined_on: date) -> TeamMember:
    if not team.is_active:
        raise ServiceError(_("Tổ không còn hoạt động."), "person_id")
    _not_future(joined_on, "joined_on")
    if person.erased_dt is not None or not team.unit.contains(person.unit) and not person.unit.contains(team.unit):
        raise ServiceError(_("Người này không thuộc địa bàn của tổ."), "person_id")
    if any(m.person_id == person.id and m.left_on is None for m in team.members):
        raise ServiceError(_("Người này đã là thành viên của tổ."), "person_id")
    member = TeamMember(team=team, person=person, role=role, joined_on=joined_on)
    db.session.add(member)
    db.session.flush()
    return member


def end_membership(member: TeamMember | ClubMember | ClubFacilitator, left_on: date) -> None:
    if member.left_on is not None:
        raise ServiceError(_("Thành viên này đã rời đi."), "left_on")
    if left_on < member.joined_on:
        raise ServiceError(_("Ngày rời phải từ ngày tham gia trở đi."), "left_on")
    member.left_on = left_on
    db.session.flush()


def close_group(group: Team | Club | TrustedAddress, status: GroupStatus, on: date) -> None:
    _not_future(on, "status_date")
    group.close(status, on)
    db.session.flush()


def team_warnings(team: Team, on: date, activities_last_month: int | None) -> list[str]:
    """The programme's guidance (7-10 members, an activity a month): said, never enforced."""
    if not team.is_active:
        return []
    problems = []
    n = len(team.current_members(on))
    if not TEAM_MIN <= n <= TEAM_MAX:
        problems.append(_("Tổ có %(n)d thành viên (hướng dẫn: %(a)d-%(b)d).", n=n, a=TEAM_MIN, b=TEAM_MAX))
    if activities_last_month == 0:
        problems.append(_("Tổ chưa có hoạt động nào trong tháng."))
    return problems


# --- clubs ---------------------------------------------------------------------------------

def save_club(club: Club | None, *, unit: Unit, name: str, setting: ClubSetting = ClubSetting.commune,
              school_name: str = "", founded_on: date | None = None) -> Club:
    _commune_or_below(unit)
    _not_future(founded_on, "founded_on")
    if setting is ClubSetting.school and not (school_name or "").strip():
        raise ServiceError(_("Hãy nhập tên trường."), "school_name")
    if club is None:
        club = Club()
        db.session.add(club)
    club.unit_id, club.unit = unit.id, unit
    club.name, club.setting = _text(name, "name", _("tên câu lạc bộ")), setting
    club.school_name = _text(school_name, "school_name", _("tên trường"), required=False)
    club.founded_on = founded_on
    db.session.flush()
    return club


@dataclass
class ChildData:
    full_name: str
    birth_year: int | None
    sex: Sex | None
    guardian_name: str
    guardian_relation: str
    consent_on: date | None
    guardian_consents: bool      # the explicit tick: never pre-ticked
    joined_on: date | None = None
    ethnicity_code: str | None = None
    group: ClubGroup | None = None


def add_club_member(club: Club, data: ChildData, recorded_by: User | None = None) -> ClubMember:
    """A child joins the club: refused without a guardian's consent (name, relation, date and the
    explicit tick). Only name, birth year, sex and (optionally) ethnicity are kept."""
    if not club.is_active:
        raise ServiceError(_("Câu lạc bộ không còn hoạt động."), "full_name")
    if not data.guardian_consents:
        raise ServiceError(_("Chỉ ghi tên trẻ khi cha mẹ hoặc người giám hộ đã đồng ý."), "guardian_consents")
    guardian = _text(data.guardian_name, "guardian_name", _("họ tên cha mẹ hoặc người giám hộ"))
    relation = _text(data.guardian_relation, "guardian_relation", _("quan hệ với trẻ"), 60)
    if data.consent_on is None:
        raise ServiceError(_("Hãy nhập ngày cha mẹ hoặc người giám hộ đồng ý."), "consent_on")
    _not_future(data.consent_on, "consent_on")
    year = clock.today().year
    if data.birth_year is None or not year - 25 <= data.birth_year <= year - 5:
        raise ServiceError(_("Năm sinh không hợp lệ."), "birth_year")
    if data.sex is None:
        raise ServiceError(_("Hãy chọn giới tính."), "sex")
    if data.ethnicity_code and not ethnicities.name_of(data.ethnicity_code):
        raise ServiceError(_("Dân tộc không có trong danh mục."), "ethnicity_code")
    joined = data.joined_on or data.consent_on
    if joined < data.consent_on:
        raise ServiceError(_("Trẻ chỉ tham gia từ ngày có sự đồng ý."), "joined_on")
    member = ClubMember(club=club, full_name=_text(data.full_name, "full_name", _("họ tên trẻ")),
                        birth_year=data.birth_year, sex=data.sex, ethnicity_code=data.ethnicity_code or None,
                        group=data.group, guardian_name=guardian, guardian_relation=relation,
                        consent_on=data.consent_on, joined_on=joined,
                        recorded_by_id=recorded_by.id if recorded_by else None)
    db.session.add(member)
    db.session.flush()
    return member


def withdraw_child_consent(member: ClubMember, on: date) -> None:
    """The guardian withdraws consent: the child leaves the club and the names are blanked; birth
    year, sex and dates stay as anonymous counts for past periods."""
    if not member.has_consent:
        raise ServiceError(_("Sự đồng ý đã được rút trước đó."), "consent")
    on = max(on, member.joined_on)
    member.consent_withdrawn_on = on
    if member.left_on is None:
        member.left_on = on
    member.full_name, member.guardian_name, member.guardian_relation = _("(đã xóa)"), "", ""
    member.ethnicity_code = None
    db.session.flush()


def add_facilitator(club: Club, person: Person, joined_on: date) -> ClubFacilitator:
    if any(f.person_id == person.id and f.left_on is None for f in club.facilitators):
        raise ServiceError(_("Người này đã là người hướng dẫn của câu lạc bộ."), "person_id")
    if person.birth_year and clock.today().year - person.birth_year < 18:
        raise ServiceError(_("Người hướng dẫn phải là người lớn."), "person_id")
    facilitator = ClubFacilitator(club=club, person=person, joined_on=joined_on)
    db.session.add(facilitator)
    db.session.flush()
    return facilitator


def club_warnings(club: Club, on: date) -> list[str]:
    if not club.is_active:
        return []
    members = [m for m in club.members if m.is_member_on(on)]
    problems = []
    if not CLUB_MIN <= len(members) <= CLUB_MAX:
        problems.append(_("Câu lạc bộ có %(n)d thành viên (hướng dẫn: %(a)d-%(b)d).", n=len(members), a=CLUB_MIN,
                          b=CLUB_MAX))
    outside = sum(1 for m in members if not CHILD_MIN <= on.year - m.birth_year <= CHILD_MAX)
    if outside:
        problems.append(_("%(n)d thành viên ngoài độ tuổi 10-16.", n=outside))
    if not any(f.left_on is None for f in club.facilitators):
        problems.append(_("Câu lạc bộ chưa có người hướng dẫn."))
    return problems


# --- trusted addresses ---------------------------------------------------------------------

def save_address(address: TrustedAddress | None, *, unit: Unit, name: str, host_kind: HostKind,
                 contact_name: str = "", contact_phone: str = "", founded_on: date | None = None) -> TrustedAddress:
    _commune_or_below(unit)
    _not_future(founded_on, "founded_on")
    phone = (contact_phone or "").strip()
    if phone and not phone.replace(" ", "").replace("+", "").isdigit():
        raise ServiceError(_("Số điện thoại chỉ gồm chữ số."), "contact_phone")
    if address is None:
        address = TrustedAddress()
        db.session.add(address)
    address.unit_id, address.unit = unit.id, unit
    address.name, address.host_kind = _text(name, "name", _("tên địa chỉ tin cậy")), host_kind
    address.contact_name = _text(contact_name, "contact_name", _("người liên hệ"), required=False)
    address.contact_phone = _text(phone, "contact_phone", _("số điện thoại"), 20, required=False)
    address.founded_on = founded_on
    db.session.flush()
    return address


def record_support(address: TrustedAddress, month: date, kind: SupportKind, count: int) -> SupportCount:
    """Set the number of times ``address`` gave ``kind`` of support in ``month``: a count, never
    a person (the table has no column that could name one)."""
    month = month.replace(day=1)
    if month > clock.today():
        raise ServiceError(_("Tháng không được sau tháng này."), "month")
    if count is None or count < 0 or count > 10000:
        raise ServiceError(_("Số lượt hỗ trợ phải từ 0 đến 10.000."), "count")
    row = db.session.scalar(sa.select(SupportCount).where(SupportCount.address_id == address.id,
                                                          SupportCount.month == month, SupportCount.kind == kind))
    if row is None:
        row = SupportCount(address=address, month=month, kind=kind, count=count)
        db.session.add(row)
    row.count = count
    db.session.flush()
    return row


# --- activities ----------------------------------------------------------------------------

@dataclass
class ActivityData:
    held_on: date | None
    topic_id: int | None
    form: ActivityForm | None
    participants_total: int | None
    participants_women: int = 0
    participants_minority: int = 0
    participants_children: int = 0
    host: ActivityHost = ActivityHost.team
    team: Team | None = None
    club: Club | None = None
    address: TrustedAddress | None = None
    unit: Unit | None = None          # for the union's own activities
    note: str = ""
    training_id: int | None = None
    dialogue_id: int | None = None


def check_activity(data: ActivityData) -> list[tuple[str, str]]:
    """Every problem of one activity as (field, message); empty when it can be saved."""
    problems = []
    holder = {ActivityHost.team: data.team, ActivityHost.club: data.club, ActivityHost.address: data.address,
              ActivityHost.union: data.unit}[data.host]
    if holder is None:
        problems.append(("host", _("Hãy chọn tổ, câu lạc bộ hoặc địa chỉ tổ chức hoạt động.")))
    elif data.host is not ActivityHost.union and data.held_on and (
            holder.founded_on and data.held_on < holder.founded_on
            or not holder.is_active and holder.status_date and data.held_on > holder.status_date):
        problems.append(("held_on", _("Ngày hoạt động nằm ngoài thời gian hoạt động của “%(n)s”.", n=holder.name)))
    if data.held_on is None:
        problems.append(("held_on", _("Hãy nhập ngày theo dạng ngày/tháng/năm.")))
    elif data.held_on > clock.today():
        problems.append(("held_on", _("Ngày không được sau hôm nay.")))
    topic = db.session.get(ActivityTopic, data.topic_id) if data.topic_id else None
    if topic is None or not topic.is_active:
        problems.append(("topic_id", _("Hãy chọn chủ đề trong danh sách.")))
    if data.form is None:
        problems.append(("form", _("Hãy chọn hình thức.")))
    total = data.participants_total
    if total is None or total < 0 or total > 100000:
        problems.append(("participants_total", _("Số lượt người phải từ 0 đến 100.000.")))
    else:
        for field, value, label in (("participants_women", data.participants_women, _("nữ")),
                                    ("participants_minority", data.participants_minority, _("DTTS")),
                                    ("participants_children", data.participants_children, _("trẻ em"))):
            if value is None or value < 0 or value > total:
                problems.append((field, _("Số %(what)s phải từ 0 đến tổng số lượt người.", what=label)))
    if len(data.note or "") > 300:
        problems.append(("note", _("Ghi chú dài quá %(n)d ký tự.", n=300)))
    return problems


def save_activity(activity: Activity | None, data: ActivityData, user: User | None = None) -> Activity:
    problems = check_activity(data)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field)
    holder = {ActivityHost.team: data.team, ActivityHost.club: data.club, ActivityHost.address: data.address,
              ActivityHost.union: data.unit}[data.host]
    unit = holder if data.host is ActivityHost.union else holder.unit
    if activity is None:
        activity = Activity(created_by_id=user.id if user else None)
        db.session.add(activity)
    activity.unit = unit
    activity.host = data.host
    activity.team, activity.club, activity.address = data.team, data.club, data.address
    activity.held_on, activity.topic_id, activity.form = data.held_on, data.topic_id, data.form
    activity.participants_total = data.participants_total
    activity.participants_women = data.participants_women or 0
    activity.participants_minority = data.participants_minority or 0
    activity.participants_children = data.participants_children or 0
    activity.note = " ".join((data.note or "").split())
    activity.training_id, activity.dialogue_id = data.training_id, data.dialogue_id
    db.session.flush()
    return activity


def delete_activity(activity: Activity) -> None:
    """An activity entered by mistake is removed (the audit log keeps what it said)."""
    db.session.delete(activity)
    db.session.flush()


class GridError(ServiceError):
    """The grid or workbook was refused as a whole; ``problems`` are (row, field, message)."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        super().__init__(_("Có %(n)d lỗi, chưa lưu dòng nào.", n=len(problems)), "rows")


def save_activity_rows(rows: list[tuple[int, ActivityData]], user: User | None = None) -> list[Activity]:
    """All the rows or none: every row is checked first, every problem reported with its row."""
    problems = [(number, field, message) for number, data in rows for field, message in check_activity(data)]
    if problems:
        raise GridError(problems)
    return [save_activity(None, data, user) for _number, data in rows]

