"""Bad input on every core form: a clear Vietnamese error, nothing stored, never a 500."""
import pytest
import sqlalchemy as sa

from app import services
from app.models import Agency, Person, Role, Unit, User

LONG = "x" * 5000


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("data, message", [
    ({"username": "", "password": "abc12345", "role": "commune", "unit_code": "02020"}, "Trường này là bắt buộc"),
    ({"username": LONG, "password": "abc12345", "role": "commune", "unit_code": "02020"}, "Không được dài quá 50"),
    ({"username": "Bad Name!", "password": "abc12345", "role": "commune", "unit_code": "02020"}, "Tên đăng nhập gồm"),
    ({"username": "newuser", "password": "abc12345", "role": "commune", "unit_code": "99999"}, "Không có đơn vị hành chính mã"),
    ({"username": "newuser", "password": "abc12345", "role": "wizard", "unit_code": "02020"}, "Lựa chọn không hợp lệ"),
    ({"username": "newuser", "password": "short", "role": "commune", "unit_code": "02020"}, "ít nhất 8 ký tự"),
    ({"username": "newuser", "password": "abc12345", "role": "authority", "unit_code": "02020"}, "phải thuộc một cơ quan"),
    ({"username": "newuser", "password": "abc12345", "role": "commune", "unit_code": "02020",
      "agency_code": "NOPE"}, "Không có cơ quan mã"),
    ({"username": "newuser", "password": "abc12345", "role": "commune", "unit_code": "02020",
      "email": "not-an-email"}, "Địa chỉ thư không hợp lệ"),
])
def test_create_user_refuses_bad_input(client, login_as, db, data, message):
    admin = login_as(Role.admin, "VN")
    before = count(db, User)
    response = client.post("/admin/users/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "Not a valid" not in page
    assert count(db, User) == before
    assert admin


def test_duplicate_username_is_refused(client, login_as, db, create_user):
    login_as(Role.admin, "VN")
    existing = create_user(Role.trainer, "02020")
    before = count(db, User)
    response = client.post("/admin/users/new", data={"username": existing.username, "password": "abc12345",
                                                     "role": "trainer", "unit_code": "02020"})
    assert "đã có người dùng" in response.get_data(as_text=True)
    assert count(db, User) == before


def test_create_user_stores_a_bound_user(client, login_as, db, create_agency, units):
    login_as(Role.admin, "VN")
    agency = create_agency("UBND-X", units["02020"])
    response = client.post("/admin/users/new", data={
        "username": "ubnd_x", "password": "abc12345", "role": "authority", "unit_code": "02020",
        "agency_code": "UBND-X", "is_active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "ubnd_x"))
    assert user.unit.code == "02020" and user.agency_id == agency.id and user.check_password("abc12345")


def test_admin_cannot_bind_users_outside_own_scope(client, login_as, db):
    login_as(Role.admin, "19")
    response = client.post("/admin/users/new", data={"username": "far", "password": "abc12345",
                                                     "role": "commune", "unit_code": "08"})
    assert "Không có đơn vị hành chính mã" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "far")) is None


def test_deactivated_user_cannot_log_in(client, login_as, db, create_user):
    login_as(Role.admin, "VN")
    user = create_user(Role.trainer, "02020")
    response = client.post(f"/admin/users/{user.id}/edit", data={
        "username": user.username, "role": "trainer", "unit_code": "02020"})  # is_active unticked
    assert response.status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": "secret123"})
    assert response.status_code == 200
    assert "không đúng" in response.get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"code": "", "name": "Ủy ban", "unit_code": "02020"}, "Trường này là bắt buộc"),
    ({"code": "UB 1", "name": "Ủy ban", "unit_code": "02020"}, "Mã cơ quan chỉ gồm"),
    ({"code": "UB1", "name": LONG, "unit_code": "02020"}, "Không được dài quá 300"),
    ({"code": "UB1", "name": "Ủy ban", "unit_code": "abc"}, "Không có đơn vị hành chính mã"),
    ({"code": "UB1", "name": "Ủy ban 🏛", "unit_code": "02020"}, "không in được ký tự “🏛”"),
])
def test_create_agency_refuses_bad_input(client, login_as, db, data, message):
    login_as(Role.province, "19")
    response = client.post("/admin/agencies/new", data=data)
    assert message in response.get_data(as_text=True)
    assert count(db, Agency) == 0


def test_duplicate_agency_code_is_refused(client, login_as, db, create_agency, units):
    create_agency("UB1", units["02020"])
    login_as(Role.province, "19")
    response = client.post("/admin/agencies/new", data={"code": "UB1", "name": "Khác", "unit_code": "02020"})
    assert "đã tồn tại" in response.get_data(as_text=True)
    assert count(db, Agency) == 1


@pytest.mark.parametrize("data, message", [
    ({"full_name": "", "unit_id": "UNIT"}, "Trường này là bắt buộc"),
    ({"full_name": LONG, "unit_id": "UNIT"}, "Không được dài quá 200"),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "birth_year": "abc"}, "Hãy nhập một số nguyên"),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "birth_year": "1988.5"}, "Hãy nhập một số nguyên"),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "birth_year": "1800"}, "Năm sinh không hợp lệ"),
    ({"full_name": "Lò Thị Ánh", "unit_id": "OTHER"}, 'class="error"'),
    ({"full_name": "Lò Thị Ánh", "unit_id": "999999"}, 'class="error"'),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "phone": "call me"}, "Số điện thoại không hợp lệ"),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "ethnicity_code": "99"}, 'class="error"'),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "sex": "X"}, 'class="error"'),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "sex": " "}, 'class="error"'),
    ({"full_name": "Lò Thị Ánh", "unit_id": "UNIT", "ethnicity_code": " "}, 'class="error"'),
    ({"full_name": "Lò Thị Ánh 😀", "unit_id": "UNIT"}, "không in được ký tự “😀”"),
])
def test_create_person_refuses_bad_input(client, login_as, db, units, data, message):
    login_as(Role.commune, "02020")
    ids = {"UNIT": str(units["ban_ca"].id), "OTHER": str(units["na_nguoc"].id)}
    data = {k: ids.get(v, v) for k, v in data.items()}
    response = client.post("/people/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "Not a valid" not in page  # WTForms' own messages come in Vietnamese too
    assert count(db, Person) == 0


def test_wtforms_messages_follow_the_language(client, login_as, db, units):
    """The same built-in check answers in English for a user who chose English."""
    login_as(Role.commune, "02020")
    client.set_cookie("lang", "en")
    page = client.post("/people/new", data={"full_name": "Lò Thị Ánh", "unit_id": str(units["ban_ca"].id),
                                            "birth_year": "1988.5"}).get_data(as_text=True)
    assert "Please enter a whole number." in page
    assert "Hãy nhập một số nguyên" not in page
    assert count(db, Person) == 0


def test_create_person_with_consent(client, login_as, db, units):
    login_as(Role.trainer, "02020")
    response = client.post("/people/new", data={"full_name": "  Lò  Thị Ánh ", "unit_id": units["ban_ca"].id,
                                                 "sex": "F", "birth_year": "1990", "ethnicity_code": "02",
                                                 "consent": "y"})
    assert response.status_code == 302
    person = db.session.scalar(sa.select(Person))
    assert person.full_name == "Lò Thị Ánh" and person.ethnicity_name == "Tày"
    assert services.is_opaque_code(person.code) and person.has_consent("caunoi")


def test_consent_is_never_pre_ticked(client, login_as):
    login_as(Role.trainer, "02020")
    page = client.get("/people/new").get_data(as_text=True)
    assert 'name="consent"' in page and "checked" not in page.split('name="consent"')[1].split(">")[0]


def test_consent_withdrawal_keeps_the_record(client, login_as, db, create_person):
    person = create_person()
    login_as(Role.trainer, "02020")
    client.post(f"/people/{person.id}/consent", data={"action": "give"})
    client.post(f"/people/{person.id}/consent", data={"action": "withdraw"})
    db.session.expire_all()
    assert len(person.consents) == 1 and person.consents[0].withdrawn_dt is not None
    assert not person.has_consent("caunoi")


def test_authority_does_not_see_ethnicity_field(client, login_as):
    login_as(Role.commune, "02020")
    assert 'name="ethnicity_code"' in client.get("/people/new").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Trường này là bắt buộc"),
    ({"name": "Bản Ca"}, "đã có trong"),
    ({"name": LONG}, "Không được dài quá 200"),
])
def test_add_village_refuses_bad_input(client, login_as, db, units, data, message):
    login_as(Role.commune, "02020")
    before = count(db, Unit)
    response = client.post(f"/units/{units['02020'].id}/villages", data=dict(data, division_type="thôn"),
                           follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert count(db, Unit) == before


def test_add_village_gets_a_code_under_its_commune(client, login_as, db, units):
    login_as(Role.commune, "02020")
    client.post(f"/units/{units['02020'].id}/villages", data={"name": "Nà Pài", "division_type": "bản"})
    village = db.session.scalar(sa.select(Unit).where(Unit.name == "Nà Pài"))
    assert village.code.startswith("02020-") and village.parent_id == units["02020"].id
    assert units["02020"].contains(village)


def test_change_password(client, login_as, db):
    user = login_as(Role.trainer, "02020")
    bad = client.post("/account/password", data={"old_password": "wrong-one1", "new_password": "newpass123",
                                                  "confirm": "newpass123"})
    assert "Mật khẩu hiện tại không đúng" in bad.get_data(as_text=True)
    weak = client.post("/account/password", data={"old_password": "secret123", "new_password": "12345678",
                                                   "confirm": "12345678"})
    assert "cả chữ và số" in weak.get_data(as_text=True)
    ok = client.post("/account/password", data={"old_password": "secret123", "new_password": "newpass123",
                                                 "confirm": "newpass123"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("newpass123")


def test_a_password_may_hold_any_character(client, login_as, db):
    """Passwords never reach a document: the official-text rule leaves them alone (issue #14)."""
    login_as(Role.admin, "19")
    response = client.post("/admin/users/new", data={"username": "mai", "password": "mật-khẩu-🔑-2025",
                                                     "role": "commune", "unit_code": "02020"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(sa.select(User).where(User.username == "mai")) is not None
