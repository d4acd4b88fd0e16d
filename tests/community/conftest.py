"""Factories of the community tests: topics, ``create_team(unit, members=n)``, ``create_club``,
``create_address``, ``child(...)`` data and ``activity(team, ...)``, all through the services."""
from __future__ import annotations

import itertools
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import Sex
from community import services
from community.models import ActivityForm, ActivityHost, ActivityTopic, ClubGroup, HostKind

_seq = itertools.count(1)
DAY = date(2025, 9, 10)


@pytest.fixture
def topics(db):
    services.seed_topics()
    db.session.commit()
    return db.session.scalars(sa.select(ActivityTopic).order_by(ActivityTopic.position)).all()


@pytest.fixture
def create_team(db, units, create_person):
    def create(unit="02020", members: int = 0, women: int | None = None, **kw):
        unit = units[unit] if isinstance(unit, str) else unit
        kw.setdefault("founded_on", date(2024, 1, 5))
        team = services.save_team(None, unit=unit, name=kw.pop("name", f"Tổ {next(_seq)}"), **kw)
        women = members if women is None else women
        for i in range(members):
            person = create_person(unit=unit, sex=Sex.female if i < women else Sex.male)
            services.add_team_member(team, person, services.TeamRole.member, date(2024, 2, 1))
        db.session.commit()
        return team
    return create


def child(**kw) -> services.ChildData:
    values = dict(full_name=f"Em {next(_seq)}", birth_year=2013, sex=Sex.female, guardian_name="Hoàng Thị Mẹ",
                  guardian_relation="mẹ", consent_on=date(2024, 3, 1), guardian_consents=True,
                  group=ClubGroup.girls)
    values.update(kw)
    return services.ChildData(**values)


@pytest.fixture
def create_club(db, units):
    def create(unit="02020", children: int = 0, girls: int | None = None, **kw):
        unit = units[unit] if isinstance(unit, str) else unit
        kw.setdefault("founded_on", date(2024, 1, 5))
        club = services.save_club(None, unit=unit, name=kw.pop("name", f"CLB {next(_seq)}"), **kw)
        girls = children if girls is None else girls
        for i in range(children):
            services.add_club_member(club, child(sex=Sex.female if i < girls else Sex.male))
        db.session.commit()
        return club
    return create


@pytest.fixture
def create_address(db, units):
    def create(unit="ban_ca", **kw):
        unit = units[unit] if isinstance(unit, str) else unit
        kw.setdefault("founded_on", date(2024, 1, 5))
        address = services.save_address(None, unit=unit, name=kw.pop("name", f"Địa chỉ {next(_seq)}"),
                                        host_kind=kw.pop("host_kind", HostKind.household), **kw)
        db.session.commit()
        return address
    return create


@pytest.fixture
def activity(db, topics):
    def create(team=None, held_on=DAY, total=20, women=15, minority=12, children=2, **kw):
        data = services.ActivityData(held_on=held_on, topic_id=topics[0].id, form=ActivityForm.meeting,
                                     participants_total=total, participants_women=women,
                                     participants_minority=minority, participants_children=children,
                                     host=kw.pop("host", ActivityHost.team), team=team, **kw)
        saved = services.save_activity(None, data)
        db.session.commit()
        return saved
    return create
