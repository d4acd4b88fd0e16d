"""The rules of each community model, through the services (both databases)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Sex
from app.services import ServiceError
from community import services
from community.models import (Activity, ActivityForm, ActivityHost, ClubMember, GroupStatus, SupportCount,
                              SupportKind, TeamRole)
from tests.community.conftest import child


def test_child_member_refused_without_guardian_consent(db, create_club):
    club = create_club()
    with pytest.raises(ServiceError) as refused:
        services.add_club_member(club, child(guardian_consents=False))
    assert refused.value.field == "guardian_consents"
    for missing in ({"guardian_name": ""}, {"guardian_relation": " "}, {"consent_on": None}):
        with pytest.raises(ServiceError):
            services.add_club_member(club, child(**missing))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClubMember)) == 0


def test_child_member_keeps_only_minimal_data_and_consent_can_be_withdrawn(db, create_club):
    club = create_club()
    member = services.add_club_member(club, child(full_name="Triệu Thị Em", ethnicity_code="09"))
    db.session.commit()
    columns = set(ClubMember.__table__.columns.keys())
    assert not columns & {"phone", "address", "school_class", "person_id"}
    services.withdraw_child_consent(member, date(2025, 5, 1))
    db.session.commit()
    db.session.refresh(member)
    assert member.full_name == "(đã xóa)" and member.guardian_name == "" and member.ethnicity_code is None
    assert member.left_on == date(2025, 5, 1) and not member.has_consent
    assert member.is_member_on(date(2025, 4, 30)) and not member.is_member_on(date(2025, 5, 1))
    with pytest.raises(ServiceError):
        services.withdraw_child_consent(member, date(2025, 6, 1))


def test_database_refuses_a_child_without_a_guardian(db, create_club):
    club = create_club()
    db.session.add(ClubMember(club_id=club.id, full_name="X", birth_year=2013, sex=Sex.male, guardian_name="",
                              guardian_relation="", consent_on=date(2024, 1, 1), joined_on=date(2024, 1, 1)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_support_is_stored_as_counts_without_identities(db, create_address):
    address = create_address()
    services.record_support(address, date(2025, 3, 17), SupportKind.shelter, 2)
    services.record_support(address, date(2025, 3, 2), SupportKind.shelter, 3)  # same month: replaced
    services.record_support(address, date(2025, 3, 2), SupportKind.counselling, 1)
    db.session.commit()
    rows = db.session.execute(sa.select(SupportCount.month, SupportCount.kind, SupportCount.count)
                              .order_by(SupportCount.kind)).all()
    assert rows == [(date(2025, 3, 1), SupportKind.counselling, 1), (date(2025, 3, 1), SupportKind.shelter, 3)]
    assert set(SupportCount.__table__.columns.keys()) == {"id", "address_id", "month", "kind", "count"}
    with pytest.raises(ServiceError):
        services.record_support(address, date(2025, 3, 1), SupportKind.other, -1)


def test_team_guidance_warns_but_never_refuses(db, create_team, create_person):
    small = create_team(members=3)
    assert any("7-10" in w for w in services.team_warnings(small, date(2025, 9, 1), 0))
    assert any("hoạt động" in w for w in services.team_warnings(small, date(2025, 9, 1), 0))
    big = create_team(members=11)
    assert len(big.current_members(date(2025, 9, 1))) == 11
    good = create_team(members=8)
    assert services.team_warnings(good, date(2025, 9, 1), 1) == []


def test_team_member_rules_and_status(db, create_team, create_person, units):
    team = create_team(members=1)
    person = team.members[0].person
    with pytest.raises(ServiceError):
        services.add_team_member(team, person, TeamRole.leader, date(2024, 3, 1))
    far = create_person(unit="na_nguoc")
    with pytest.raises(ServiceError):
        services.add_team_member(team, far, TeamRole.member, date(2024, 3, 1))
    services.end_membership(team.members[0], date(2025, 1, 1))
    services.close_group(team, GroupStatus.merged, date(2025, 2, 1))
    db.session.commit()
    assert team.status is GroupStatus.merged and team.status_date == date(2025, 2, 1)
    with pytest.raises(ServiceError):
        services.close_group(team, GroupStatus.dissolved, date(2025, 3, 1))
    with pytest.raises(ServiceError):
        services.add_team_member(team, create_person(), TeamRole.member, date(2025, 3, 1))


def test_activity_counts_are_checked(db, create_team, activity, topics):
    team = create_team(members=7)
    saved = activity(team, total=30, women=20, minority=25, children=5)
    assert saved.unit_id == team.unit_id and saved.host is ActivityHost.team
    bad = services.ActivityData(held_on=date(2025, 9, 1), topic_id=topics[0].id, form=ActivityForm.loudspeaker,
                                participants_total=10, participants_women=11, host=ActivityHost.team, team=team)
    fields = {f for f, _m in services.check_activity(bad)}
    assert fields == {"participants_women"}
    before = services.ActivityData(held_on=date(2023, 1, 1), topic_id=None, form=None, participants_total=None,
                                   host=ActivityHost.team, team=team)
    assert {f for f, _m in services.check_activity(before)} == {"held_on", "topic_id", "form", "participants_total"}


def test_activity_rows_are_all_or_nothing(db, create_team, topics):
    team = create_team(members=7)
    good = services.ActivityData(held_on=date(2025, 9, 3), topic_id=topics[1].id, form=ActivityForm.meeting,
                                 participants_total=12, host=ActivityHost.team, team=team)
    bad = services.ActivityData(held_on=date(2025, 9, 4), topic_id=topics[1].id, form=ActivityForm.meeting,
                                participants_total=-2, host=ActivityHost.team, team=team)
    with pytest.raises(services.GridError) as refused:
        services.save_activity_rows([(1, good), (2, bad), (3, bad)])
    assert [p[0] for p in refused.value.problems] == [2, 3]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_changes_are_audited(db, create_team):
    team = create_team(members=1)
    kinds = set(db.session.scalars(sa.select(AuditLog.object_type)))
    assert {"Team", "TeamMember"} <= kinds and team.id
