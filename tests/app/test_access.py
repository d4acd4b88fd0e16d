"""The access layer of the core: one unit loader for every "unit named in a parameter", and one
lookup for person codes typed into forms, both limited to the user's scope."""
import pytest
from werkzeug.exceptions import NotFound

from app.access import OFFICER_ROLES, PEOPLE_ROLES
from app.indicators.access import DASHBOARD_ROLES
from app.auth import unit_in_scope, unit_in_scope_or_404
from app.models import Role
from app.services import erase_person, people_by_codes, unknown_codes_message


def test_role_sets_are_named_once():
    assert set(OFFICER_ROLES) == {Role.province, Role.commune} == set(DASHBOARD_ROLES)
    assert Role.trainer in PEOPLE_ROLES and Role.authority not in PEOPLE_ROLES


def test_unit_loader_finds_units_in_scope_by_id_or_code(app, units, create_user):
    officer = create_user(Role.province, "19")
    with app.test_request_context():
        assert unit_in_scope_or_404(None, officer) is units["19"]  # nothing named: the user's own unit
        assert unit_in_scope_or_404("", officer) is units["19"]
        assert unit_in_scope_or_404(units["02086"].id, officer) is units["02086"]
        assert unit_in_scope_or_404(" 02020 ", officer) is units["02020"]


@pytest.mark.parametrize("named", ["other province by id", "other province by code", "unknown id", "unknown code",
                                   "parent by id", "huge id", "negative id"])
def test_unit_loader_404s_on_unknown_and_out_of_scope_alike(app, units, create_user, named):
    officer = create_user(Role.commune, "02020")
    value = {"other province by id": units["08"].id, "other province by code": "08", "unknown id": 999999,
             "unknown code": "99999", "parent by id": units["19"].id, "huge id": 2**63, "negative id": -1}[named]
    with app.test_request_context():
        assert unit_in_scope(value, officer) is None
        with pytest.raises(NotFound):
            unit_in_scope_or_404(value, officer)


def test_scope_loader_404s_over_http(client, login_as, units):
    login_as(Role.commune, "02020")
    assert client.get(f"/units/{units['02020'].id}").status_code == 200
    assert client.get(f"/units/{units['08'].id}").status_code == 404
    assert client.get("/units/999999").status_code == 404
    assert client.get("/surveys/", query_string={"unit_id": units["08"].id}).status_code == 404
    assert client.get("/surveys/", query_string={"unit_id": units["02020"].id}).status_code == 200


def test_person_codes_resolve_within_scope_only(app, db, units, create_user, create_person):
    officer = create_user(Role.commune, "02020")
    mine = create_person("ban_ca", code="MINE-1")
    create_person("08", code="FAR-1")  # another province
    erased = create_person("ban_ca", code="GONE-1")
    erase_person(erased)
    db.session.commit()
    found, unknown = people_by_codes(["MINE-1", "FAR-1", "NOPE-1", " MINE-1 ", erased.code, ""], officer)
    assert found == {"MINE-1": mine}
    assert unknown == ["FAR-1", "NOPE-1", erased.code]
    assert people_by_codes(["MINE-1"], officer, within=units["02086"]) == ({}, ["MINE-1"])
    with app.test_request_context():
        assert unknown_codes_message(["FAR-1"]) == "Không có người tham gia mã “FAR-1” trong phạm vi của bạn."

