"""Demo data reproducing the seed article: in communes of the former Bắc Kạn (now Thái Nguyên,
code 19), 72 communication teams with 720 members, 25 Leaders of Change clubs with 350 child
members, trusted addresses with monthly support counts, and team activities this year reaching
more than 2,000 participant-times; with this year's targets. Idempotent (skipped once teams exist)."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app import clock, ethnicities, services as core
from app.extensions import db
from app.indicators.models import Indicator
from app.indicators.services import save_targets
from app.models import Sex, Unit
from community import services
from community.models import ActivityForm, ActivityHost, ActivityTopic, ClubGroup, HostKind, SupportKind, Team, TeamRole

TEAMS_PER_COMMUNE, MEMBERS_PER_TEAM, CLUBS, CHILDREN_PER_CLUB = 9, 10, 25, 14
FOUNDED = date(2022, 3, 15)
FAMILY = ["Hoàng", "Nông", "Triệu", "Bàn", "Lý", "Ma", "Hà", "Đặng", "Lương", "Dương"]
GIVEN_F = ["Thị Lan", "Thị Nga", "Thị Sinh", "Thị Mỷ", "Thị Thảo", "Thị Liên", "Thị Hoa", "Thị Mai", "Thị Hạnh"]
GIVEN_M = ["Văn Phúc", "Văn Tuấn", "Văn Hùng", "Văn Sơn", "Văn Minh"]
ETHNIC = ["Tày", "Dao", "Nùng", "Mông", "Kinh"]
# Community targets for this year (indicator definitions keyed by the community figures).
TARGETS = [("DA8-TTCD", "Số tổ truyền thông cộng đồng", "tổ", "teams_active", 72),
           ("DA8-TTCD-TV", "Số thành viên tổ truyền thông cộng đồng", "người", "team_members", 720),
           ("DA8-CLB", "Số CLB Thủ lĩnh của sự thay đổi", "CLB", "clubs_active", 25),
           ("DA8-CLB-TV", "Số thành viên CLB Thủ lĩnh của sự thay đổi", "trẻ em", "club_members", 350),
           ("DA8-DCTC", "Số địa chỉ tin cậy", "địa chỉ", "addresses_active", 16),
           ("DA8-TT-LUOT", "Số lượt người được truyền thông", "lượt người", "activity_participants", 2000)]


def demo_communes() -> list[Unit]:
    """Chợ Đồn, Chợ Mới and six more communes of the former Bắc Kạn (codes 01834-02299)."""
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "19"))
    others = db.session.scalars(sa.select(Unit).where(
        Unit.parent_id == province.id, Unit.code.between("01834", "02299"),
        Unit.code.not_in(["02020", "02086"])).order_by(Unit.code).limit(6)).all()
    first = db.session.scalars(sa.select(Unit).where(Unit.code.in_(["02020", "02086"])).order_by(Unit.code)).all()
    return [*first, *others]


def load_demo(ctx: dict) -> None:
    services.seed_topics()
    if db.session.scalar(sa.select(Team.id).limit(1)) is not None:
        return
    today = clock.today()
    communes = demo_communes()
    topics = db.session.scalars(sa.select(ActivityTopic.id).order_by(ActivityTopic.position)).all()
    n = 0
    for c_index, commune in enumerate(communes):
        for t in range(TEAMS_PER_COMMUNE):
            team = services.save_team(None, unit=commune, name=f"Tổ truyền thông cộng đồng thôn {t + 1}",
                                      decision_number=f"{30 + t}/QĐ-UBND", founded_on=FOUNDED,
                                      decision_issuer=f"UBND {commune.name}")
            for m in range(MEMBERS_PER_TEAM):
                n += 1
                female = m < 8
                person = core.save_person(
                    None, unit=commune, code=f"TT{commune.code}-{t + 1:02d}{m + 1:02d}",
                    full_name=f"{FAMILY[n % len(FAMILY)]} {(GIVEN_F if female else GIVEN_M)[n % 5]}",
                    sex=Sex.female if female else Sex.male, birth_year=1965 + n % 35,
                    ethnicity_code=ethnicities.code_for_name(ETHNIC[n % len(ETHNIC)]))
                role = TeamRole.leader if m == 0 else TeamRole.deputy if m == 1 else TeamRole.member
                services.add_team_member(team, person, role, FOUNDED)
            day = max(date(today.year, 1, 1), today - timedelta(days=(c_index * TEAMS_PER_COMMUNE + t) * 4))
            total = 25 + (c_index + t) % 11
            services.save_activity(None, services.ActivityData(
                held_on=day, topic_id=topics[(c_index + t) % len(topics)], form=list(ActivityForm)[t % 4],
                participants_total=total, participants_women=total - 6, participants_minority=total - 4,
                participants_children=3, host=ActivityHost.team, team=team))
        for a in range(2):
            address = services.save_address(None, unit=commune, name=f"Địa chỉ tin cậy thôn {a + 1}",
                                            host_kind=HostKind.household, contact_name=f"Hộ bà {FAMILY[a]} Thị Hoa",
                                            contact_phone="0912000" + f"{c_index * 2 + a:03d}", founded_on=FOUNDED)
            services.record_support(address, today.replace(day=1), SupportKind.counselling, 2 + a)
            services.record_support(address, today.replace(day=1), SupportKind.shelter, 1)
    for k in range(CLUBS):
        commune = communes[k % len(communes)]
        club = services.save_club(None, unit=commune, name=f"CLB Thủ lĩnh của sự thay đổi số {k // len(communes) + 1}",
                                  founded_on=FOUNDED)
        for i in range(CHILDREN_PER_CLUB):
            girl = i % 2 == 0
            services.add_club_member(club, services.ChildData(
                full_name=f"{FAMILY[(k + i) % len(FAMILY)]} {'Thị' if girl else 'Văn'} Em {i + 1}",
                birth_year=today.year - 11 - i % 5, sex=Sex.female if girl else Sex.male,
                guardian_name=f"{FAMILY[(k + i) % len(FAMILY)]} Thị Mẹ", guardian_relation="mẹ",
                consent_on=FOUNDED, guardian_consents=True, joined_on=FOUNDED,
                ethnicity_code=ethnicities.code_for_name(ETHNIC[i % len(ETHNIC)]),
                group=ClubGroup.girls if girl else ClubGroup.boys))
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "19"))
    values = {}
    for position, (code, name, measure, figure, target) in enumerate(TARGETS, start=100):
        indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == code))
        if indicator is None:  # the core's definitions know only its own figures: added as data
            indicator = Indicator(code=code, name=name, unit_of_measure=measure, figure=figure, position=position)
            db.session.add(indicator)
            db.session.flush()
        values[indicator.id] = float(target)
    save_targets(province, today.year, values, None)
    db.session.flush()
