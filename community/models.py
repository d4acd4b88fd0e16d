"""Project 8's three pillar models and their activities.

- ``Team``: a community communication team (Tổ truyền thông cộng đồng) of a village or commune,
  set up by a People's Committee decision; its members are people (``app.models.Person``).
- ``Club``: a Leaders of Change club (CLB Thủ lĩnh của sự thay đổi) of a commune or school; its
  members are children, stored with minimal data and only with a guardian's consent.
- ``TrustedAddress``: a trusted address (Địa chỉ tin cậy); the support it gives is recorded as
  counts per kind and month (``SupportCount``), never with anyone's identity.
- ``Activity``: one communication activity of a team, club, trusted address or the union itself,
  its participants as counts ("lượt"), never names.

Every record belongs to a unit (``unit_id``), so scope and aggregates use the unit paths.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Person, Sex, Unit, User, UTCDateTime, enum_column, utcnow

# Guidance of the programme: shown as warnings, never enforced.
TEAM_MIN_MEMBERS, TEAM_MAX_MEMBERS = 7, 10
CLUB_MIN_MEMBERS, CLUB_MAX_MEMBERS = 15, 30
CHILD_MIN_AGE, CHILD_MAX_AGE = 10, 16


class GroupStatus(enum.Enum):
    active = "active"
    merged = "merged"
    dissolved = "dissolved"


class TeamRole(enum.Enum):
    leader = "leader"      # tổ trưởng
    deputy = "deputy"      # tổ phó
    member = "member"      # thành viên


class ClubSetting(enum.Enum):
    commune = "commune"
    school = "school"


class ClubGroup(enum.Enum):
    boys = "boys"
    girls = "girls"


class HostKind(enum.Enum):
    household = "household"
    person = "person"
    organisation = "organisation"


class SupportKind(enum.Enum):
    shelter = "shelter"            # tạm lánh
    counselling = "counselling"    # tư vấn
    referral = "referral"          # kết nối, chuyển gửi dịch vụ
    other = "other"


class ActivityHost(enum.Enum):
    team = "team"
    club = "club"
    address = "address"
    union = "union"


class ActivityForm(enum.Enum):
    meeting = "meeting"            # sinh hoạt, họp
    loudspeaker = "loudspeaker"    # loa truyền thanh
    home_visit = "home_visit"      # thăm hộ gia đình
    online_group = "online_group"  # nhóm Zalo, Facebook


class _GroupState:
    """Status machine shared by teams, clubs and trusted addresses: active until merged or
    dissolved (with the date); a closed group cannot be closed again."""

    status: GroupStatus
    status_date: date | None

    @property
    def is_active(self) -> bool:
        return self.status is GroupStatus.active

    def close(self, status: GroupStatus, on: date) -> None:
        from flask_babel import gettext as _
        from app.services import ServiceError

        if status is GroupStatus.active or not self.is_active:
            raise ServiceError(_("Chỉ có thể sáp nhập hoặc giải thể một đơn vị đang hoạt động."), "status")
        if self.founded_on and on < self.founded_on:
            raise ServiceError(_("Ngày không được trước ngày thành lập."), "status_date")
        self.status, self.status_date = status, on


class Team(_GroupState, db.Model):
    __tablename__ = "community_teams"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)  # village or commune
    name: Mapped[str] = mapped_column(sa.String(200))
    decision_number: Mapped[str] = mapped_column(sa.String(60), default="")
    founded_on: Mapped[date | None]                                              # date of the decision
    decision_issuer: Mapped[str] = mapped_column(sa.String(200), default="")     # UBND xã ...
    status: Mapped[GroupStatus] = mapped_column(enum_column(GroupStatus), default=GroupStatus.active)
    status_date: Mapped[date | None]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", order_by="TeamMember.id")

    def current_members(self, on: date) -> list[TeamMember]:
        return [m for m in self.members if m.is_member_on(on)]

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class TeamMember(db.Model):
    __tablename__ = "community_team_members"
    __auditable__ = True
    __table_args__ = (sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("community_teams.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole), default=TeamRole.member)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    def is_member_on(self, on: date) -> bool:
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)


class Club(_GroupState, db.Model):
    __tablename__ = "community_clubs"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    setting: Mapped[ClubSetting] = mapped_column(enum_column(ClubSetting), default=ClubSetting.commune)
    school_name: Mapped[str] = mapped_column(sa.String(200), default="")
    founded_on: Mapped[date | None]
    status: Mapped[GroupStatus] = mapped_column(enum_column(GroupStatus), default=GroupStatus.active)
    status_date: Mapped[date | None]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    members: Mapped[list[ClubMember]] = relationship(back_populates="club", order_by="ClubMember.id")
    facilitators: Mapped[list[ClubFacilitator]] = relationship(back_populates="club",
                                                               order_by="ClubFacilitator.id")


class ClubMember(db.Model):
    """A child member: name, birth year, sex, optional ethnicity; nothing else. Stored only with a
    guardian's consent (``guardian_*``, ``consent_on``); withdrawing it ends the membership and
    blanks the names, so the club's past counts stay."""

    __tablename__ = "community_club_members"
    __auditable__ = True
    __table_args__ = (
        sa.CheckConstraint("guardian_name <> '' OR consent_withdrawn_on IS NOT NULL", name="guardian_consent"),
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(sa.ForeignKey("community_clubs.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    birth_year: Mapped[int]
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, 1))
    ethnicity_code: Mapped[str | None] = mapped_column(sa.String(10))
    group: Mapped[ClubGroup | None] = mapped_column(enum_column(ClubGroup))
    guardian_name: Mapped[str] = mapped_column(sa.String(200))
    guardian_relation: Mapped[str] = mapped_column(sa.String(60))
    consent_on: Mapped[date]
    consent_withdrawn_on: Mapped[date | None]
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    club: Mapped[Club] = relationship(back_populates="members")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def has_consent(self) -> bool:
        return self.consent_withdrawn_on is None

    def is_member_on(self, on: date) -> bool:
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)


class ClubFacilitator(db.Model):
    """An adult who runs the club's sessions."""

    __tablename__ = "community_club_facilitators"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(sa.ForeignKey("community_clubs.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    club: Mapped[Club] = relationship(back_populates="facilitators")
    person: Mapped[Person] = relationship()


class TrustedAddress(_GroupState, db.Model):
    __tablename__ = "community_addresses"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)   # the village
    name: Mapped[str] = mapped_column(sa.String(200))
    host_kind: Mapped[HostKind] = mapped_column(enum_column(HostKind))
    # Who to call: shown only to the roles that refer people (community.access.CONTACT_ROLES).
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    founded_on: Mapped[date | None]
    status: Mapped[GroupStatus] = mapped_column(enum_column(GroupStatus), default=GroupStatus.active)
    status_date: Mapped[date | None]
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    support: Mapped[list[SupportCount]] = relationship(back_populates="address", order_by="SupportCount.month")


class SupportCount(db.Model):
    """How many times the address gave one kind of support in one month. Deliberately no column
    for who was helped: the table cannot hold an identity."""

    __tablename__ = "community_support_counts"
    __auditable__ = True
    __table_args__ = (
        sa.UniqueConstraint("address_id", "month", "kind", name="uq_community_support_counts_month_kind"),
        sa.CheckConstraint("count >= 0", name="count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(sa.ForeignKey("community_addresses.id"), index=True)
    month: Mapped[date]                   # first day of the month
    kind: Mapped[SupportKind] = mapped_column(enum_column(SupportKind))
    count: Mapped[int]

    address: Mapped[TrustedAddress] = relationship(back_populates="support")


class ActivityTopic(db.Model):
    """The managed list of communication topics (seeded with the article's)."""

    __tablename__ = "community_topics"
    __auditable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Activity(db.Model):
    __tablename__ = "community_activities"
    __auditable__ = True
    __table_args__ = (
        sa.CheckConstraint("participants_total >= 0 AND participants_women >= 0 AND participants_minority >= 0 "
                           "AND participants_children >= 0", name="counts"),
        sa.CheckConstraint("participants_women <= participants_total AND participants_minority <= "
                           "participants_total AND participants_children <= participants_total", name="parts"),
        sa.CheckConstraint("(host = 'team') = (team_id IS NOT NULL) AND (host = 'club') = (club_id IS NOT NULL) "
                           "AND (host = 'address') = (address_id IS NOT NULL)", name="one_host"),
        sa.Index("ix_community_activities_unit_held", "unit_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The host's unit (the union's own unit for its activities): scope and aggregates read it.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    host: Mapped[ActivityHost] = mapped_column(enum_column(ActivityHost))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community_teams.id"), index=True)
    club_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community_clubs.id"), index=True)
    address_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community_addresses.id"), index=True)
    held_on: Mapped[date]
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("community_topics.id"), index=True)
    form: Mapped[ActivityForm] = mapped_column(enum_column(ActivityForm))
    participants_total: Mapped[int] = mapped_column(default=0)      # lượt người
    participants_women: Mapped[int] = mapped_column(default=0)
    participants_minority: Mapped[int] = mapped_column(default=0)
    participants_children: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    training_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_trainings.id"))
    dialogue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dialogues.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    team: Mapped[Team | None] = relationship()
    club: Mapped[Club | None] = relationship()
    address: Mapped[TrustedAddress | None] = relationship()
    topic: Mapped[ActivityTopic] = relationship()

    @property
    def host_name(self) -> str:
        holder = self.team or self.club or self.address
        return holder.name if holder else self.unit.name
