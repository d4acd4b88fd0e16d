"""The test builder: the bank filtered by topic and by text (tones and case ignored) without
hiding a question of the test, and a test duplicated into an unused copy."""
import re

import sqlalchemy as sa

from app.collation import fold, matches
from app.models import Role
from surveys import services
from surveys.models import Instrument, InstrumentVersion, Question, Training


def bank(db, units, create_topic):
    """Two topics of the province's bank: violence (2 questions) and fraud (2 questions)."""
    violence, fraud = create_topic("Phòng chống bạo lực gia đình"), create_topic("Lừa đảo trực tuyến")
    made = {}
    for topic, text in ((violence, "Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà."),
                        (violence, "Tổng đài bảo vệ trẻ em là số nào?"),
                        (fraud, "Dấu hiệu của tin nhắn LỪA ĐẢO là gì?"),
                        (fraud, "Có nên cho người lạ mã OTP không?")):
        made[text] = services.save_question(None, topic=topic, unit=units["19"], user=None, text=text,
                                            kind="truefalse", correct="1")
    db.session.commit()
    return violence, fraud, made

def picker_rows(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="pos_(\d+)"', page)]

def test_fold_ignores_tones_marks_and_case():
    assert fold("  Đặng Thị   HOÀNG ") == "dang thi hoang"
    assert matches("lua dao", "Dấu hiệu LỪA ĐẢO") and matches("Lừa", "lua") and matches("", "bất kỳ")
    assert not matches("lua dao otp", "Dấu hiệu lừa đảo")  # every word must be there

def test_builder_filters_the_bank_by_text_and_topic(db, client, login_as, units, create_topic):
    violence, fraud, made = bank(db, units, create_topic)
    login_as(Role.province, "19")
    everything = client.get("/surveys/tests/new").get_data(as_text=True)
    assert set(picker_rows(everything)) == {q.id for q in made.values()}

    page = client.get("/surveys/tests/new?q=lua+dao").get_data(as_text=True)
    assert picker_rows(page) == [made["Dấu hiệu của tin nhắn LỪA ĐẢO là gì?"].id]
    assert "Đang hiện 1 trong 4 câu hỏi của ngân hàng." in page

    page = client.get(f"/surveys/tests/new?topic={violence.id}").get_data(as_text=True)
    assert set(picker_rows(page)) == {made["Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà."].id,
                                      made["Tổng đài bảo vệ trẻ em là số nào?"].id}
    page = client.get(f"/surveys/tests/new?topic={violence.id}&q=otp").get_data(as_text=True)
    assert picker_rows(page) == [] and "Không có câu hỏi nào khớp bộ lọc." in page


def test_the_question_bank_list_searches_without_tones_or_case(db, client, login_as, units, create_topic, app,
                                                               monkeypatch):
    violence, fraud, made = bank(db, units, create_topic)
    login_as(Role.province, "19")
    monkeypatch.setitem(app.config, "PER_PAGE", 1)  # the search runs before the paging (put back after)

    def listed(query: str) -> list[int]:
        ids, page_no = [], 1
        while True:
            page = client.get("/surveys/questions/", query_string={"q": query, "page": page_no}).get_data(as_text=True)
            found = [int(n) for n in re.findall(r'/surveys/questions/(\d+)/edit', page)]
            if not found:
                return ids
            ids, page_no = ids + found, page_no + 1

    assert listed("lua dao") == [made["Dấu hiệu của tin nhắn LỪA ĐẢO là gì?"].id]
    assert listed("LỪA đảo") == [made["Dấu hiệu của tin nhắn LỪA ĐẢO là gì?"].id]
    assert listed("bao luc gia dinh") == [made["Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà."].id]
    assert sorted(listed("la")) == sorted([made["Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà."].id,
                                           made["Tổng đài bảo vệ trẻ em là số nào?"].id,
                                           made["Dấu hiệu của tin nhắn LỪA ĐẢO là gì?"].id,
                                           made["Có nên cho người lạ mã OTP không?"].id])
    assert listed("otp vay von") == []
    page = client.get("/surveys/questions/", query_string={"q": "lua", "topic": violence.id}).get_data(as_text=True)
    assert "Dấu hiệu của tin nhắn" not in page


def test_a_filter_never_hides_or_drops_a_question_of_the_test(db, client, login_as, units, create_topic):
    violence, fraud, made = bank(db, units, create_topic)
    login_as(Role.province, "19")
    otp, child = made["Có nên cho người lạ mã OTP không?"], made["Tổng đài bảo vệ trẻ em là số nào?"]
    response = client.post("/surveys/tests/new", data={"title": "Bài trước", "topic_id": fraud.id,
                                                       f"pos_{otp.id}": "1", f"pos_{child.id}": "2"})
    instrument = db.session.scalar(sa.select(Instrument).where(Instrument.title == "Bài trước"))
    assert response.status_code == 302 and len(instrument.current_version.items) == 2

    url = f"/surveys/tests/{instrument.id}/edit?topic={violence.id}&q=bao+luc"
    page = client.get(url).get_data(as_text=True)
    # the filter's match, and the two questions of the test although they do not match it
    assert set(picker_rows(page)) == {otp.id, child.id, made["Bạo lực gia đình chỉ là chuyện riêng của mỗi nhà."].id}
    # saving from the filtered page (the form posts to the same address) keeps both questions
    response = client.post(url, data={"title": "Bài trước", "topic_id": fraud.id,
                                      f"pos_{otp.id}": "2", f"pos_{child.id}": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [it.question_id for it in instrument.current_version.items] == [child.id, otp.id]
    # an error keeps the filter and what was typed
    page = client.post(url, data={"title": "", "topic_id": fraud.id, f"pos_{otp.id}": "7"}).get_data(as_text=True)
    assert 'name="pos_%d" value="7"' % otp.id in page and 'value="bao luc"' in page

def test_duplicate_copies_questions_key_points_into_an_unused_test(db, client, login_as, create_training):
    training = create_training(people=1)
    original = training.version.instrument
    original.shuffle_options = True
    original.current_version.items[1].required = True
    db.session.commit()
    login_as(Role.province, "19")
    page = client.get(f"/surveys/tests/{original.id}").get_data(as_text=True)
    assert "Nhân bản bài kiểm tra" in page

    response = client.post(f"/surveys/tests/{original.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(sa.select(Instrument).where(Instrument.id != original.id))
    assert response.headers["Location"].endswith(f"/surveys/tests/{copy.id}")
    assert copy.title == f"{original.title} (bản sao)"
    assert (copy.unit_id, copy.topic_id, copy.shuffle_options) == (original.unit_id, original.topic_id, True)
    assert [(it.position, it.content(), it.question_id, it.required) for it in copy.current_version.items] == \
        [(it.position, it.content(), it.question_id, it.required) for it in original.current_version.items]
    assert len(copy.current_version.items) == 6
    assert copy.current_version.max_score == original.current_version.max_score == 5
    # no training uses the copy; the original keeps its training
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Training).join(InstrumentVersion)
                             .where(InstrumentVersion.instrument_id == copy.id)) == 0
    assert training.version.instrument_id == original.id
    assert "Đã nhân bản thành" in client.get(response.headers["Location"]).get_data(as_text=True)

def test_duplicate_of_a_long_name_stays_within_300_characters(db, create_instrument):
    original = create_instrument(title=("Bài kiểm tra " + "rất dài " * 40)[:300].strip())
    assert len(original.title) == 300
    copy = services.duplicate_instrument(original, None)
    assert len(copy.title) <= 300 and copy.title.endswith("… (bản sao)")

def test_duplicate_needs_edit_rights_and_scope(db, client, login_as, create_instrument, units):
    national = create_instrument(unit="VN")
    login_as(Role.commune, "02020")
    assert client.post(f"/surveys/tests/{national.id}/duplicate").status_code == 403  # usable, not editable
    far = create_instrument(unit="08")
    assert client.post(f"/surveys/tests/{far.id}/duplicate").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Instrument)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
