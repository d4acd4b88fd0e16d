"""The commune runs its own list of local agencies (Công an xã, Trạm Y tế xã ...); the province's
departments stay with the province; local agencies are listed before province ones in every picker."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Agency, Role
from dialogues.views._helpers import agency_choices


def test_commune_officer_adds_and_edits_an_agency_of_her_commune(client, login_as, units):
    login_as(Role.commune, "02020")
    # whatever unit is posted, the new agency belongs to the officer's commune
    response = client.post("/admin/agencies/new", data={"code": "CA-02020", "name": "Công an xã Chợ Đồn",
                                                       "unit_code": "19"})
    assert response.status_code == 302
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "CA-02020"))
    assert agency.unit_id == units["02020"].id
    response = client.post(f"/admin/agencies/{agency.id}/edit", data={"name": "Công an xã Chợ Đồn (mới)"})
    assert response.status_code == 302
    db.session.refresh(agency)
    assert agency.name == "Công an xã Chợ Đồn (mới)" and not agency.is_active  # unticked: retired


def test_commune_officer_cannot_edit_province_or_other_commune_agencies(client, login_as, agencies):
    login_as(Role.commune, "02020")
    for code in ("SYT-19", "UBND-02086"):
        assert client.get(f"/admin/agencies/{agencies[code].id}/edit").status_code == 404
        assert client.post(f"/admin/agencies/{agencies[code].id}/edit", data={"name": "X"}).status_code == 404
    db.session.refresh(agencies["SYT-19"])
    assert agencies["SYT-19"].name == "Sở Y tế tỉnh Thái Nguyên"
    page = client.get("/admin/agencies/").get_data(as_text=True)
    assert f"/admin/agencies/{agencies['SYT-19'].id}/edit" not in page  # listed, not editable
    assert f"/admin/agencies/{agencies['VHXH-02020'].id}/edit" in page


def test_province_officer_edits_a_department_and_a_blank_name_is_refused(client, login_as, agencies):
    login_as(Role.province, "19")
    page = client.post(f"/admin/agencies/{agencies['SYT-19'].id}/edit", data={"name": "  ", "is_active": "y"})
    assert page.status_code == 200 and "Trường này là bắt buộc." in page.get_data(as_text=True)
    db.session.refresh(agencies["SYT-19"])
    assert agencies["SYT-19"].name == "Sở Y tế tỉnh Thái Nguyên"


def test_local_agencies_come_first_in_every_picker(app, db, units, agencies, client, login_as, create_dialogue):
    with app.test_request_context():
        names = [name for _id, name in agency_choices(units["02020"])]
    assert names.index("Sở Y tế tỉnh Thái Nguyên") > names.index("Ủy ban nhân dân xã Chợ Đồn")
    assert names[-1] == "Sở Y tế tỉnh Thái Nguyên"
    login_as(Role.commune, "02020")
    dialogue = create_dialogue(status="held")
    page = client.get(f"/dialogues/{dialogue.id}/questions").get_data(as_text=True)
    options = re.search(r'name="questions-0-agency_id">(.*?)</select>', page, re.S)[1]
    assert options.index("Chợ Đồn") < options.index("Sở Y tế")
