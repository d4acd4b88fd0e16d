"""Bad input on the dialogue forms and services: a clear Vietnamese message, nothing stored,
never a 500; and the dialogue form's happy path, "thêm dòng" and resubmission."""
from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa

from app.models import Role
from app.services import ServiceError
from dialogues import services
from dialogues.models import AttendanceGroup, Dialogue, DialogueLeader, DialogueStatusChange

LONG = "x" * 20001


@pytest.mark.parametrize("fields, message", [
    ({"start_time": "10:00", "end_time": "09:30"}, "Giờ kết thúc (09:30) phải sau giờ bắt đầu (10:00)."),
    ({"attendance_total": "10", "attendance_women": "12"},
     "Số nữ tham dự (12) không thể lớn hơn tổng số người tham dự (10)."),
    ({"attendance_total": "10", "attendance_women": "5", "attendance_minority": "11"},
     "Số người dân tộc thiểu số (11) không thể lớn hơn tổng số người tham dự (10)."),
    ({"attendance_total": "", "attendance_women": "3"}, "Vui lòng nhập tổng số người tham dự."),
    ({"leaders-0-name": "Ông A", "leaders-0-agency_id": "999999"}, "Không có cơ quan này"),
    ({"leaders-0-name": "Ông A", "leaders-0-agency_id": "OTHER_COMMUNE"}, "Không có cơ quan này"),
    ({"leaders-0-title": "Chủ tịch"}, "Vui lòng nhập họ tên lãnh đạo."),
    ({"groups-0-label": "Hội viên", "groups-0-count": "60"}, "Số người của nhóm “Hội viên” (60)"),
    ({"title": ""}, "Trường này là bắt buộc."),
    ({"title": "x" * 301}, "Không được dài quá 300 ký tự."),
    ({"conclusions": LONG}, "Không được dài quá 20000 ký tự."),
    ({"held_on": "31/02/2025"}, "Ngày không hợp lệ"),
    ({"held_on": ""}, "Vui lòng nhập ngày đối thoại."),
    ({"start_time": "8 giờ"}, "Giờ không hợp lệ"),
    ({"attendance_total": "nhiều"}, "Hãy nhập một số nguyên."),
    ({"attendance_total": "-5"}, "Hãy nhập một số từ 0 đến 1.000.000."),
    ({"level": "national"}, "Lựa chọn không hợp lệ."),
    ({"level": "province"}, "đối thoại cấp tỉnh do tỉnh tổ chức"),
    ({"unit_id": "OTHER_COMMUNE_UNIT"}, "Vui lòng chọn đơn vị tổ chức trong phạm vi của bạn."),
    ({"unit_id": "abc"}, "Lựa chọn không hợp lệ."),
    ({"venue_unit_id": "NA_NGUOC"}, "Thôn, bản này không thuộc Xã Chợ Đồn."),
])
def test_create_dialogue_refuses_bad_input(client, login_as, db, count, dialogue_form, agencies, units, fields,
                                           message):
    login_as(Role.commune, "02020")
    replace = {"OTHER_COMMUNE": str(agencies["UBND-02086"].id), "OTHER_COMMUNE_UNIT": str(units["02086"].id),
               "NA_NGUOC": str(units["na_nguoc"].id)}
    fields = {k: replace.get(v, v) for k, v in fields.items()}
    response = client.post("/dialogues/new", data=dialogue_form(**fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    for model in (Dialogue, DialogueLeader, AttendanceGroup, DialogueStatusChange):
        assert count(model) == 0


def test_create_dialogue_stores_everything_and_a_resubmit_makes_no_second_record(client, login_as, db, count,
                                                                                 dialogue_form, agencies, units):
    officer = login_as(Role.commune, "02020")
    data = dialogue_form(token="same-form", venue_unit_id=units["ban_ca"].id, **{
        "leaders-0-name": "Hoàng Văn Thắng", "leaders-0-title": "Chủ tịch UBND xã",
        "leaders-0-agency_id": agencies["UBND-02020"].id, "groups-0-label": "Hội viên", "groups-0-count": "30",
        "co_organisers": "UBND xã\n\n  MTTQ xã  "})
    first = client.post("/dialogues/new", data=data)
    second = client.post("/dialogues/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Dialogue) == 1
    dialogue = db.session.scalar(sa.select(Dialogue))
    assert dialogue.venue_unit_id == units["ban_ca"].id and dialogue.co_organisers == "UBND xã\nMTTQ xã"
    assert [(l.name, l.agency_id) for l in dialogue.leaders] == [("Hoàng Văn Thắng", agencies["UBND-02020"].id)]
    assert [(g.label, g.count) for g in dialogue.groups] == [("Hội viên", 30)]
    assert dialogue.history[0].user_id == officer.id


def test_add_row_keeps_what_was_typed_and_stores_nothing(client, login_as, count, dialogue_form):
    login_as(Role.commune, "02020")
    data = dialogue_form(title="Đối thoại về tảo hôn", **{"leaders-0-name": "Bà Ma Thị Hạnh", "add_row": "leaders"})
    page = client.post("/dialogues/new", data=data).get_data(as_text=True)
    assert 'value="Đối thoại về tảo hôn"' in page and 'value="Bà Ma Thị Hạnh"' in page
    assert 'name="leaders-1-name"' in page and 'name="leaders-2-name"' not in page
    assert count(Dialogue) == 0


def test_edit_with_a_stale_revision_is_refused(client, login_as, create_dialogue, dialogue_form, db):
    dialogue = create_dialogue()
    login_as(Role.commune, "02020")
    stale = dialogue_form(dialogue, title="Bản sửa thứ nhất")
    assert client.post(f"/dialogues/{dialogue.id}/edit", data=stale).status_code == 302
    again = client.post(f"/dialogues/{dialogue.id}/edit", data=dict(stale, title="Bản sửa cũ"), follow_redirects=True)
    assert "vừa được lưu ở một lần gửi khác" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).title == "Bản sửa thứ nhất"


def test_edit_cannot_move_a_dialogue_to_another_unit(client, login_as, create_dialogue, dialogue_form, units, db):
    dialogue = create_dialogue()
    login_as(Role.province, "19")
    data = dialogue_form(dialogue, unit_id=units["02086"].id)
    assert client.post(f"/dialogues/{dialogue.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).unit_id == units["02020"].id


def test_held_dialogue_cannot_move_to_a_future_date(create_dialogue, db):
    dialogue = create_dialogue(status="held")
    data = services.DialogueData(title=dialogue.title, level=dialogue.level, unit_id=dialogue.unit_id,
                                 held_on=clock.today() + timedelta(days=1))
    with pytest.raises(ServiceError, match="không thể sau hôm nay"):
        services.update_dialogue(dialogue, data, None)


def test_services_check_the_same_rules_as_the_form(units, db, count):
    data = services.DialogueData(title="Đối thoại", level=services.dialogues.DialogueLevel.commune,
                                 unit_id=units["02020"].id, held_on=clock.today(), attendance_total=5,
                                 attendance_women=6)
    with pytest.raises(ServiceError) as error:
        services.create_dialogue(data, None)
    assert error.value.field == "attendance_women"
    assert count(Dialogue) == 0
