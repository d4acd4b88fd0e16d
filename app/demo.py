"""Demo data built from the seed article: Thái Nguyên, Xã Chợ Đồn (Bản Ca), Xã Chợ Mới (Nà Nguộc).

Idempotent: running it again adds only what is missing. Feature packages append their own demo
loaders to ``app.extensions["caunoi_demo"]``; each receives the dict returned by ``load_core``.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app import ethnicities, services
from app.extensions import db
from app.models import Agency, Person, Role, Sex, Unit, User

DEMO_PASSWORD = "demo1234"

USERS = [
    # username, role, unit code, agency code, full name
    ("admin", Role.admin, "VN", None, "Quản trị hệ thống"),
    ("tinh", Role.province, "19", None, "Hoàng Thị Thu (Hội LHPN tỉnh)"),
    ("chodon", Role.commune, "02020", None, "Nông Thị Hà (Hội LHPN xã Chợ Đồn)"),
    ("chomoi", Role.commune, "02086", None, "Lý Thị Mai (Hội LHPN xã Chợ Mới)"),
    ("taphuan", Role.trainer, "19", None, "Ma Thị Hương (tập huấn viên)"),
    ("ubnd_chodon", Role.authority, "02020", "UBND-02020", "Văn phòng UBND xã Chợ Đồn"),
]
AGENCIES = [
    ("UBND-02020", "Ủy ban nhân dân xã Chợ Đồn", "02020"),
    ("VHXH-02020", "Phòng Văn hóa - Xã hội xã Chợ Đồn", "02020"),
    ("UBND-02086", "Ủy ban nhân dân xã Chợ Mới", "02086"),
    ("SYT-19", "Sở Y tế tỉnh Thái Nguyên", "19"),
]
VILLAGES = [("02020", "Bản Ca", "bản"), ("02086", "Nà Nguộc", "thôn")]
PEOPLE = [
    # code, name, sex, birth year, ethnicity name, village name
    ("CD-001", "Triệu Thị Lan", Sex.female, 1988, "Dao", "Bản Ca"),
    ("CD-002", "Hoàng Thị Nga", Sex.female, 1992, "Tày", "Bản Ca"),
    ("CD-003", "Bàn Thị Sinh", Sex.female, 1979, "Dao", "Bản Ca"),
    ("CD-004", "Nông Văn Phúc", Sex.male, 1985, "Tày", "Bản Ca"),
    ("CD-005", "Lục Thị Hoa", Sex.female, 2001, "Nùng", "Bản Ca"),
    ("CD-006", "Giàng Thị Mỷ", Sex.female, 1996, "Mông", "Bản Ca"),
    ("CM-001", "Hà Thị Thảo", Sex.female, 1990, "Tày", "Nà Nguộc"),
    ("CM-002", "Đặng Thị Liên", Sex.female, 1983, "Dao", "Nà Nguộc"),
    ("CM-003", "Nguyễn Thị Bích", Sex.female, 1975, "Kinh", "Nà Nguộc"),
    ("CM-004", "Lương Thị Dung", Sex.female, 1999, "Nùng", "Nà Nguộc"),
    ("CM-005", "Ma Văn Tuấn", Sex.male, 1987, "Tày", "Nà Nguộc"),
    ("CM-006", "Sùng Thị Pà", Sex.female, 2003, "Mông", "Nà Nguộc"),
]


def is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def load_core() -> dict:
    if db.session.scalar(sa.select(Unit.id).where(Unit.code == "02020")) is None:
        services.load_official_units()
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(["VN", "19", "02020", "02086"])))}
    villages = {}
    for commune_code, name, kind in VILLAGES:
        commune = units[commune_code]
        village = db.session.scalar(sa.select(Unit).where(Unit.parent_id == commune.id, Unit.name == name))
        villages[name] = village or services.create_unit(commune, name, kind)
    agencies = {}
    for code, name, unit_code in AGENCIES:
        agencies[code] = db.session.scalar(sa.select(Agency).where(Agency.code == code)) or \
            services.create_agency(code, name, units[unit_code])
    users = {}
    for username, role, unit_code, agency_code, full_name in USERS:
        users[username] = db.session.scalar(sa.select(User).where(User.username == username)) or \
            services.create_user(username, DEMO_PASSWORD, role, units[unit_code],
                                 agencies.get(agency_code), full_name)
    people = {}
    for code, name, sex, year, ethnicity, village in PEOPLE:
        person = db.session.scalar(sa.select(Person).where(Person.code == code))
        if person is None:
            person = services.save_person(None, full_name=name, unit=villages[village], sex=sex, birth_year=year,
                                          ethnicity_code=ethnicities.code_for_name(ethnicity), code=code)
            services.give_consent(person, "caunoi", users["taphuan"])
        people[code] = person
    return {"units": units, "villages": villages, "agencies": agencies, "users": users, "people": people}


def load_all() -> dict:
    ctx = load_core()
    for loader in current_app.extensions.get("caunoi_demo", []):
        loader(ctx)
    db.session.flush()
    return ctx
