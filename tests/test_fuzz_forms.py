"""Fuzzing every form: random and hostile input never gives a 5xx, never comes back unescaped, and
a refused submission stores nothing (see tests/fuzzing.py for the generator and the checks).

FORMS has one entry per endpoint that accepts POST; a new one without an entry fails
``test_every_form_route_has_an_entry``. To add a feature form, add one line: who posts it, its URL
(built from fixtures), and a valid value for each field.
"""
import pytest

from fuzzing import FormRoute, fuzz_form

from app.models import Role

A, P, C, T = Role.admin, Role.province, Role.commune, Role.trainer


def village_id(f):
    return f("units")["ban_ca"].id


def person_url(suffix=""):
    return lambda f: f"/people/{f('create_person')().id}{suffix}"


PERSON = {"full_name": "Lò Thị Ánh", "code": "CD-901", "sex": "F", "birth_year": "1990", "ethnicity_code": "02",
          "unit_id": village_id, "phone": "0912 345 678"}
USER = {"username": "lo.thi.anh", "full_name": "Lò Thị Ánh", "email": "anh@example.vn", "role": "commune",
        "unit_code": "02020", "agency_code": "", "password": "abc12345", "is_active": "y"}

FORMS = {
    "auth.login": FormRoute(None, "", lambda f: "/login",
                            {"username": lambda f: f("create_user")(T, "02020").username,
                             "password": lambda f: f("test_password"), "remember": "y"},
                            writes_on_error=("login_attempts",)),
    "auth.change_password_view": FormRoute(T, "02020", lambda f: "/account/password",
                                           {"old_password": lambda f: f("test_password"), "new_password": "newpass123",
                                            "confirm": "newpass123"}),
    "admin.create_user": FormRoute(A, "19", lambda f: "/admin/users/new", USER),
    "admin.edit_user": FormRoute(A, "19", lambda f: f"/admin/users/{f('create_user')(T, '02020').id}/edit", USER),
    "admin.create_agency": FormRoute(P, "19", lambda f: "/admin/agencies/new",
                                     {"code": "UBND-X", "name": "Ủy ban nhân dân", "unit_code": "02020"}),
    "core.create_person": FormRoute(C, "02020", lambda f: "/people/new", {**PERSON, "consent": "y"}),
    "core.edit_person": FormRoute(C, "02020", person_url("/edit"), PERSON),
    "core.create_village": FormRoute(C, "02020", lambda f: f"/units/{f('units')['02020'].id}/villages",
                                     {"name": "Nà Pài", "division_type": "bản"}),
    "core.update_consent": FormRoute(T, "02020", person_url("/consent"),
                                     {"action": "give", "guardian_name": "Lò Văn Páo"}),
    "core.erase_person": FormRoute(C, "02020", person_url("/erase"), {"confirm": "yes"}),
}

# POST endpoints with no user input to fuzz.
NO_INPUT = {"auth.logout", "core.set_language"}


def test_every_form_route_has_an_entry(app):
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    missing = posting - NO_INPUT - set(FORMS)
    assert not missing, f"form routes without a fuzzing entry: {sorted(missing)}"
    assert not set(FORMS) - posting, f"entries for routes that no longer take POST: {sorted(set(FORMS) - posting)}"


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_fuzz_form(endpoint, client, db, units, request):
    fuzz_form(FORMS[endpoint], client, request.getfixturevalue)


@pytest.mark.parametrize("url", ["/people/?q=a%00b", "/units/{commune}?q=%00", "/admin/users/?q=%00",
                                 "/admin/audit/?type=%00"])
def test_nul_in_a_query_string_is_ignored(url, client, login_as, units):
    login_as(Role.admin, "VN")
    response = client.get(url.format(commune=units["02020"].id))
    assert response.status_code == 200
