"""The scope rule: a user bound to unit U sees U and everything below it; nothing else exists for them."""
import pytest

from app.models import Role


def _targets(units, create_person, create_agency, create_user):
    """One record of each kind in each commune, and the URLs that show them."""
    people = {k: create_person(unit=v) for k, v in {"02020": "ban_ca", "02086": "na_nguoc"}.items()}
    users = {k: create_user(Role.trainer, k) for k in ("02020", "02086")}
    return {
        commune: [
            f"/units/{units[commune].id}",
            f"/units/{units['ban_ca' if commune == '02020' else 'na_nguoc'].id}",
            f"/people/{people[commune].id}",
            f"/people/{people[commune].id}/edit",
        ]
        for commune in ("02020", "02086")
    } | {"users": {k: f"/admin/users/{u.id}/edit" for k, u in users.items()}}


@pytest.fixture
def targets(units, create_person, create_agency, create_user):
    return _targets(units, create_person, create_agency, create_user)


@pytest.mark.parametrize("index", range(4))
def test_commune_officer_sees_own_commune_not_the_other(client, login_as, targets, index):
    login_as(Role.commune, "02020")
    assert client.get(targets["02020"][index]).status_code == 200
    assert client.get(targets["02086"][index]).status_code == 404


@pytest.mark.parametrize("index", range(4))
def test_province_officer_sees_both_communes(client, login_as, targets, index):
    login_as(Role.province, "19")
    assert client.get(targets["02020"][index]).status_code == 200
    assert client.get(targets["02086"][index]).status_code == 200


@pytest.mark.parametrize("index", range(2))
def test_other_province_sees_neither(client, login_as, targets, index):
    login_as(Role.province, "08")
    for commune in ("02020", "02086"):
        assert client.get(targets[commune][index]).status_code == 404


def test_admin_scope_over_users(client, login_as, targets, units):
    login_as(Role.admin, "02020")
    assert client.get(targets["users"]["02020"]).status_code == 200
    assert client.get(targets["users"]["02086"]).status_code == 404


@pytest.mark.parametrize("url", ["/people/", "/people/new", "/admin/users/", "/admin/audit/"])
def test_authority_user_is_refused_people_and_admin(client, login_as, url):
    login_as(Role.authority, "02020")
    assert client.get(url).status_code == 403


def test_authority_user_sees_only_its_agency(client, login_as, create_agency, create_dialogue, units):
    from dialogues.services import QuestionRow

    mine = create_agency("UBND-A", units["02020"], "Ủy ban xã A")
    other = create_agency("UBND-B", units["02020"], "Ủy ban xã B")
    for title, agency in (("Đối thoại gửi xã A", mine), ("Đối thoại gửi xã B", other)):
        create_dialogue("02020", title=title, rows=[QuestionRow(content="Kiến nghị", raiser_name="Bà A",
                                                                agency_id=agency.id)])
    login_as(Role.authority, "02020", agency=mine)
    page = client.get("/dialogues/").get_data(as_text=True)
    assert "Đối thoại gửi xã A" in page and "Đối thoại gửi xã B" not in page


def test_lists_are_filtered_in_sql(client, login_as, create_person):
    create_person(unit="ban_ca", full_name="Triệu Thị Lan")
    create_person(unit="na_nguoc", full_name="Hà Thị Thảo")
    login_as(Role.trainer, "02020")
    page = client.get("/people/").get_data(as_text=True)
    assert "Triệu Thị Lan" in page and "Hà Thị Thảo" not in page


def test_unit_contains_is_the_scope_rule(units):
    assert units["19"].contains(units["ban_ca"])
    assert units["02020"].contains(units["02020"])
    assert not units["02020"].contains(units["02086"])
    assert not units["ban_ca"].contains(units["02020"])


@pytest.mark.parametrize("url", ["/home", "/people/", "/units/", "/surveys/", "/dialogues/", "/admin/users/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
