"""Scope: trainings are managed only inside the user's unit subtree (out of scope = 404), lists
are filtered in SQL, authority users have no access, shared tests are visible downwards only."""
import pytest
import sqlalchemy as sa

from app.models import Role
from surveys.models import Phase

GET_ROUTES = ["/surveys/trainings/{id}", "/surveys/trainings/{id}/edit", "/surveys/trainings/{id}/pre/grid",
              "/surveys/trainings/{id}/post/qr.png", "/surveys/trainings/{id}/pre/paper.pdf",
              "/surveys/trainings/{id}/workbook.xlsx", "/surveys/trainings/{id}/workbook.xlsx?template=1"]
POST_ROUTES = ["/surveys/trainings/{id}/pre/open", "/surveys/trainings/{id}/participants",
               "/surveys/trainings/{id}/participants/import", "/surveys/trainings/{id}/import",
               "/surveys/trainings/{id}/participants/{person}/remove"]


@pytest.fixture
def trainings(db, create_training, create_instrument):
    instrument = create_instrument(unit="19")
    return {"02020": create_training("02020", people=1, instrument=instrument, title="Lớp Chợ Đồn"),
            "02086": create_training("02086", people=1, instrument=instrument, title="Lớp Chợ Mới")}


def url(route, training):
    return route.format(id=training.id, person=training.participants[0].person_id)


def request(client, route, training):
    target = url(route, training)
    return client.post(target, data={}) if route in POST_ROUTES else client.get(target)


@pytest.mark.parametrize("route", GET_ROUTES + POST_ROUTES)
def test_commune_officer_gets_404_on_the_other_commune(client, login_as, trainings, route):
    login_as(Role.commune, "02020")
    assert request(client, route, trainings["02086"]).status_code == 404
    assert request(client, route, trainings["02020"]).status_code in (200, 302, 400)


@pytest.mark.parametrize("route", GET_ROUTES)
def test_province_officer_sees_both_communes(client, login_as, trainings, route):
    login_as(Role.province, "19")
    for training in trainings.values():
        assert request(client, route, training).status_code == 200


@pytest.mark.parametrize("route", GET_ROUTES + POST_ROUTES)
def test_other_province_gets_404(client, login_as, trainings, route):
    login_as(Role.trainer, "08")
    for training in trainings.values():
        assert request(client, route, training).status_code == 404


@pytest.mark.parametrize("route", GET_ROUTES + POST_ROUTES + [
    "/surveys/", "/surveys/trainings/new", "/surveys/trainings/import", "/surveys/questions/",
    "/surveys/questions/new", "/surveys/tests/", "/surveys/tests/new", "/surveys/topics/",
    "/surveys/workbook-template.xlsx"])
def test_authority_user_has_no_access(client, login_as, trainings, route):
    login_as(Role.authority, "02086")
    status = request(client, route, trainings["02086"]).status_code
    assert status in (403, 404)


def test_anonymous_user_is_sent_to_login(client, trainings):
    response = client.get(f"/surveys/trainings/{trainings['02086'].id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_training_list_is_filtered_by_scope(client, login_as, trainings):
    login_as(Role.trainer, "02020")
    page = client.get("/surveys/").get_data(as_text=True)
    assert "Lớp Chợ Đồn" in page and "Lớp Chợ Mới" not in page
    login_as(Role.province, "19")
    page = client.get("/surveys/").get_data(as_text=True)
    assert "Lớp Chợ Đồn" in page and "Lớp Chợ Mới" in page


def test_commune_test_is_hidden_from_the_other_commune_but_province_test_is_shared(
        client, login_as, create_instrument):
    own = create_instrument(unit="02086", title="Bài của Chợ Mới")
    shared = create_instrument(unit="19", title="Bài của tỉnh")
    login_as(Role.commune, "02020")
    assert client.get(f"/surveys/tests/{own.id}").status_code == 404
    assert client.get(f"/surveys/tests/{shared.id}").status_code == 200
    assert client.get(f"/surveys/tests/{shared.id}/edit").status_code == 403
    page = client.get("/surveys/tests/").get_data(as_text=True)
    assert "Bài của tỉnh" in page and "Bài của Chợ Mới" not in page
    login_as(Role.province, "19")
    assert client.get(f"/surveys/tests/{own.id}/edit").status_code == 200


def test_training_cannot_be_placed_outside_scope(client, login_as, db, create_instrument, units):
    from surveys.models import Training

    instrument = create_instrument(unit="19")
    login_as(Role.commune, "02020")
    response = client.post("/surveys/trainings/new", data={
        "title": "Lớp lạc chỗ", "topic_id": instrument.topic_id, "unit_id": units["02086"].id,
        "instrument_id": instrument.id, "start_date": "2025-10-01"})
    assert response.status_code in (200, 404)
    assert db.session.query(Training).count() == 0


def test_phase_links_are_per_training_and_phase(trainings):
    tokens = {p.public_token for t in trainings.values() for p in t.phases}
    assert len(tokens) == 4 and all(len(t) >= 11 for t in tokens)
    assert {p.phase for p in trainings["02086"].phases} == {Phase.pre, Phase.post}


def test_national_topics_are_changed_only_by_administrators(client, login_as, db, create_topic):
    from surveys.models import Topic

    national = create_topic("Phòng chống bạo lực gia đình")
    login_as(Role.trainer, "02086")
    assert client.get(f"/surveys/topics/{national.id}/edit").status_code == 403
    assert client.post(f"/surveys/topics/{national.id}/edit", data={"name": "Đổi tên", "is_active": ""}).status_code == 403
    assert client.post("/surveys/topics/", data={"name": "Nghề dệt thổ cẩm", "is_active": "y"}).status_code == 302
    local = db.session.scalar(sa.select(Topic).where(Topic.name == "Nghề dệt thổ cẩm"))
    assert local.unit.code == "02086"
    assert client.post(f"/surveys/topics/{local.id}/edit", data={"name": "Dệt thổ cẩm", "is_active": "y"}).status_code == 302
    login_as(Role.province, "19")  # above the commune: sees and may edit its topic
    assert "Dệt thổ cẩm" in client.get("/surveys/topics/").get_data(as_text=True)
    login_as(Role.trainer, "02020")  # a neighbouring commune does not see it
    page = client.get("/surveys/topics/").get_data(as_text=True)
    assert "Dệt thổ cẩm" not in page and "Phòng chống bạo lực gia đình" in page
    assert client.get(f"/surveys/topics/{local.id}/edit").status_code == 404
    login_as(Role.admin, "VN")
    assert client.post(f"/surveys/topics/{national.id}/edit",
                       data={"name": "Phòng, chống bạo lực gia đình", "is_active": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, national.id).name == "Phòng, chống bạo lực gia đình"
