"""A service error undoes its own writes (a SAVEPOINT around the call, app.services.service_call)
and lands on the form field it names (app.forms.show_service_error); no view writes a rollback.
Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""
import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from wtforms import FieldList, FormField, StringField

from app import services
from app.forms import PlainForm, show_service_error
from app.models import Agency, Consent, Person, Role, Unit, User
from app.services import ServiceError, service_call


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_refused_call_undoes_only_its_own_writes(app, db, units):
    with app.test_request_context("/", method="POST"):
        before = services.create_unit(units["02020"], "Thôn Trước", "thôn")  # the request's earlier write
        with service_call() as call:
            services.create_unit(units["02020"], "Thôn Dở Dang", "thôn")
            raise ServiceError("Quy tắc bị vi phạm sau khi đã ghi.", "name")
        assert not call.ok and call.error.field == "name"
        assert get_flashed_messages(category_filter=["error"]) == ["Quy tắc bị vi phạm sau khi đã ghi."]
        db.session.commit()
    db.session.expire_all()
    names = set(db.session.scalars(sa.select(Unit.name).where(Unit.parent_id == units["02020"].id)))
    assert before.name in names and "Thôn Dở Dang" not in names


def test_a_failed_insert_leaves_the_session_usable(app, db, units):
    """The unique constraint refuses a duplicate (the race add_unique covers): the savepoint is undone
    and the rest of the request still writes and commits."""
    services.create_agency("UBND-X", "Ủy ban", units["02020"])
    db.session.commit()
    with app.test_request_context("/", method="POST"):
        with service_call(show=False) as call:
            services.add_unique(Agency(code="UBND-X", name="Trùng", unit=units["02020"]), "Đã có mã.", "code")
        assert call.error.message == "Đã có mã."
        services.create_agency("UBND-Y", "Cơ quan khác", units["02020"])
        db.session.commit()
    assert sorted(db.session.scalars(sa.select(Agency.code))) == ["UBND-X", "UBND-Y"]


def test_other_exceptions_undo_the_block_and_propagate(app, db, units):
    with app.test_request_context("/", method="POST"):
        with pytest.raises(KeyError):
            with service_call():
                services.create_unit(units["02020"], "Thôn Lỗi", "thôn")
                raise KeyError("bug")
        db.session.commit()
    assert db.session.scalar(sa.select(Unit.id).where(Unit.name == "Thôn Lỗi")) is None


class RowForm(PlainForm):
    content = StringField()


class EntryForm(PlainForm):
    unit_code = StringField()
    title = StringField()
    rows = FieldList(FormField(RowForm), min_entries=2)


@pytest.mark.parametrize(("field", "fields", "default", "target"), [
    ("title", None, None, "title"),
    ("unit", {"unit": "unit_code"}, None, "unit_code"),       # a service's name mapped onto the form's
    ("rows-1-content", None, None, "rows-1-content"),         # a nested row, by its full name
    ("nowhere", None, "title", "title"),                      # the form's default field
    (None, None, "title", "title"),
])
def test_the_error_goes_on_the_field_it_names(app, field, fields, default, target):
    with app.test_request_context("/"):
        form = EntryForm()
        show_service_error(form, ServiceError("Sai rồi.", field), default, fields=fields)
        shown = {f.name: list(f.errors) for f in form if f.errors}
        shown |= {f.name: list(f.errors) for entry in form.rows for f in entry.form if f.errors}
        assert shown == {target: ["Sai rồi."]}
        assert get_flashed_messages() == []


def test_an_error_without_a_field_is_flashed(app):
    with app.test_request_context("/"):
        form = EntryForm()
        show_service_error(form, ServiceError("Không lưu được.", "nowhere"))
        assert not form.errors and get_flashed_messages(category_filter=["error"]) == ["Không lưu được."]


# --- real views ----------------------------------------------------------------------------

def test_person_saved_then_consent_refused_leaves_no_person(client, login_as, db, units, monkeypatch):
    """save_person writes the person, then recording the consent fails: the form comes back with
    what was typed and neither row is stored."""
    login_as(Role.commune, "02020")

    def refuse(*_args, **_kw):
        raise ServiceError("Không ghi được sự đồng ý.", "consent")

    monkeypatch.setattr(services, "give_consent", refuse)
    people = count(db, Person)
    response = client.post("/people/new", data={"full_name": "Lò Thị Ánh", "unit_id": str(units["ban_ca"].id),
                                                "birth_year": "1990", "consent": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Không ghi được sự đồng ý." in page
    assert 'value="Lò Thị Ánh"' in page and 'value="1990"' in page
    assert count(db, Person) == people and count(db, Consent) == 0


def test_admin_user_creation_refused_stores_nothing_and_keeps_the_typing(client, login_as, db, units):
    login_as(Role.admin, "19")
    users = count(db, User)
    response = client.post("/admin/users/new", data={
        "username": "can.bo.moi", "full_name": "Nông Thị Hoa", "role": "commune", "unit_code": "02020",
        "password": "12345678", "is_active": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Mật khẩu phải có cả chữ và số." in page
    assert 'value="can.bo.moi"' in page and 'value="Nông Thị Hoa"' in page
    assert count(db, User) == users


def test_admin_cannot_lock_themself_out(client, login_as, db):
    admin = login_as(Role.admin, "19")
    response = client.post(f"/admin/users/{admin.id}/edit", data={
        "username": admin.username, "full_name": "Tên mới", "role": "commune", "unit_code": "19",
        "password": "matkhau-moi-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Bạn không thể tự khóa hoặc bỏ quyền quản trị của mình." in page
    db.session.expire_all()
    stored = db.session.get(User, admin.id)
    assert stored.role is Role.admin and stored.is_active_account and stored.full_name != "Tên mới"
    assert stored.check_password("secret123")


def test_update_user_refuses_self_lockout_and_checks_the_password(db, create_user, units):
    admin = create_user(Role.admin, "19")
    with pytest.raises(ServiceError, match="tự khóa"):
        services.update_user(admin, role=Role.admin, unit=units["19"], agency=None, full_name="", email=None,
                             is_active=False, actor=admin)
    other = create_user(Role.trainer, "02020")
    with pytest.raises(ServiceError) as refused:
        services.update_user(other, role=Role.trainer, unit=units["02020"], agency=None, full_name="Mới",
                             email=None, is_active=True, actor=admin, password="short")
    assert refused.value.field == "password"
    services.update_user(other, role=Role.trainer, unit=units["02020"], agency=None, full_name="Mới",
                         email=None, is_active=True, actor=admin, password="matkhau-moi-1")
    assert other.check_password("matkhau-moi-1")


def test_language_link_sets_the_cookie_and_only_a_post_writes_the_profile(client, login_as, db):
    user = login_as(Role.commune, "02020")
    response = client.get("/lang/en?next=/home")
    assert response.status_code == 302 and "lang=en" in response.headers["Set-Cookie"]
    db.session.expire_all()
    assert db.session.get(User, user.id).locale != "en"  # a GET wrote nothing
    response = client.post("/lang/en?next=/home")
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    page = client.get("/home").get_data(as_text=True)
    assert 'action="/lang/vi?next=' in page and 'method="post"' in page  # the header switch is a form
