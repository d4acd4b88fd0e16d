"""Bad input on every survey form: a clear Vietnamese message, nothing stored, never a 500."""
import io

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import Consent, Person, Role
from surveys.models import Answer, Instrument, InstrumentVersion, Participant, Question, Response, Topic, Training

LONG = "x" * 5000
UNPRINTABLE = "không in được ký tự “😀”"  # issue #14: the PDF font cannot draw emoji
MODELS = (Topic, Question, Instrument, InstrumentVersion, Training, Participant, Response, Answer, Person, Consent)


def snapshot():
    return {m.__name__: _db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def trainer(login_as):
    return login_as(Role.trainer, "19")


def assert_refused(client, url, data, message, **kw):
    """The form comes back with ``message`` (WTForms' own checks too, in Vietnamese) and nothing stored."""
    before = snapshot()
    response = client.post(url, data=data, **kw)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400), (response.status_code, page[:300])
    assert message in page, page[:3000]
    assert "Not a valid" not in page
    assert snapshot() == before


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Trường này là bắt buộc"),
    ({"name": LONG}, "Không được dài quá 200"),
    ({"name": "bình đẳng giới"}, "đã có"),
    ({"name": "Bình đẳng giới 😀"}, UNPRINTABLE),
])
def test_topic_form(db, client, trainer, create_topic, data, message):
    create_topic("Bình đẳng giới")
    assert_refused(client, "/surveys/topics/", data, message)


QUESTION = {"text": "Tuổi kết hôn của nữ?", "kind": "single", "options": "16\n18\n20", "correct": "2", "points": "1"}


@pytest.mark.parametrize("change, message", [
    ({"text": ""}, "Trường này là bắt buộc"),
    ({"text": LONG}, "Không được dài quá 1000"),
    ({"kind": "essay"}, "Lựa chọn không hợp lệ"),
    ({"options": "18"}, "từ 2 đến 9 lựa chọn"),
    ({"options": "\n".join(str(i) for i in range(10))}, "từ 2 đến 9 lựa chọn"),
    ({"options": "16\n16\n20"}, "hai lựa chọn giống nhau"),
    ({"correct": ""}, "Vui lòng ghi đáp án đúng"),
    ({"correct": "4"}, "Đáp án 4 không có: câu hỏi chỉ có 3 lựa chọn."),
    ({"correct": "1,2"}, "chỉ có một đáp án đúng"),
    ({"correct": "hai"}, "không phải số thứ tự lựa chọn"),
    ({"points": "0"}, "Điểm phải là số nguyên từ 1 đến 100"),
    ({"points": "abc"}, "Hãy nhập một số nguyên"),
    ({"kind": "likert", "correct": "1"}, "không có đáp án"),
    ({"options": "16\nKhông biết\n20"}, "“Không biết” phải đứng cuối cùng"),
    ({"kind": "text", "options": "a\nb", "correct": ""}, "không có lựa chọn"),
    ({"topic_id": "99999"}, "Lựa chọn không hợp lệ"),
    ({"text": "Tuổi kết hôn của nữ? 😀"}, UNPRINTABLE),
    ({"options": "16\n18 😀\n20"}, UNPRINTABLE),
])
def test_question_form(db, client, trainer, create_topic, change, message):
    topic = create_topic()
    assert_refused(client, "/surveys/questions/new", {**QUESTION, "topic_id": str(topic.id), **change}, message)


def test_question_form_stores_a_valid_question(db, client, trainer, create_topic):
    topic = create_topic()
    response = client.post("/surveys/questions/new", data={**QUESTION, "topic_id": topic.id, "has_dont_know": "y"})
    assert response.status_code == 302
    question = db.session.scalar(sa.select(Question))
    assert (question.options, question.correct, question.has_dont_know) == (["16", "18", "20"], [2], True)


@pytest.mark.parametrize("positions, message", [
    ({}, "cần ít nhất một câu hỏi"),
    ({"pos_{q}": "abc"}, "Thứ tự câu hỏi phải là số từ 1 đến 999"),
    ({"pos_{q}": "0"}, "Thứ tự câu hỏi phải là số từ 1 đến 999"),
    ({"pos_{q}": "1", "title": "Bài A 😀"}, UNPRINTABLE),
])
def test_instrument_form(db, client, trainer, create_topic, units, positions, message):
    from surveys import services

    topic = create_topic()
    question = services.save_question(None, topic=topic, unit=units["19"], user=None, **{
        k: v for k, v in QUESTION.items() if k != "options"}, options=["16", "18", "20"])
    db.session.commit()
    data = {"title": "Bài A", "topic_id": topic.id, **{k.format(q=question.id): v for k, v in positions.items()}}
    assert_refused(client, "/surveys/tests/new", data, message)


def test_instrument_form_orders_by_the_numbers_typed(db, client, trainer, create_topic, units):
    from surveys import services

    topic = create_topic()
    first, second = (services.save_question(None, topic=topic, unit=units["19"], user=None, text=t, kind="truefalse",
                                            correct=1) for t in ("Câu A", "Câu B"))
    db.session.commit()
    response = client.post("/surveys/tests/new", data={"title": "Bài B", "topic_id": topic.id,
                                                        f"pos_{first.id}": "2", f"pos_{second.id}": "1"})
    assert response.status_code == 302
    assert [it.text for it in db.session.scalar(sa.select(Instrument)).current_version.items] == ["Câu B", "Câu A"]


@pytest.fixture
def training_form(db, create_instrument, units):
    instrument = create_instrument(unit="19")
    return {"title": "Lớp mới", "topic_id": instrument.topic_id, "unit_id": units["02086"].id,
            "instrument_id": instrument.id, "start_date": "2025-10-01", "end_date": "2025-10-02"}


@pytest.mark.parametrize("change, message", [
    ({"title": ""}, "Trường này là bắt buộc"),
    ({"title": LONG}, "Không được dài quá 300"),
    ({"start_date": ""}, "Trường này là bắt buộc"),
    ({"start_date": "31/02/2025"}, "Ngày không hợp lệ"),
    ({"end_date": "2025-09-01"}, "Ngày kết thúc phải sau ngày bắt đầu"),
    ({"venue": LONG}, "Không được dài quá 300"),
    ({"instrument_id": "99999"}, "Lựa chọn không hợp lệ"),
    ({"unit_id": "abc"}, "Lựa chọn không hợp lệ"),
    ({"title": "Lớp mới 😀"}, UNPRINTABLE),
    ({"venue": "Nhà văn hóa 😀"}, UNPRINTABLE),
])
def test_training_form(db, client, trainer, training_form, change, message):
    assert_refused(client, "/surveys/trainings/new", {**training_form, **change}, message)


def test_training_must_be_in_a_province_commune_or_village(db, client, trainer, training_form, units):
    before = snapshot()
    response = client.post("/surveys/trainings/new", data={**training_form, "unit_id": units["VN"].id})
    assert response.status_code == 200 and snapshot() == before


def test_training_form_creates_training_with_two_closed_phases(db, client, trainer, training_form):
    response = client.post("/surveys/trainings/new", data=training_form)
    assert response.status_code == 302
    training = db.session.scalar(sa.select(Training))
    assert [(p.phase.value, p.state.value) for p in training.phases] == [("pre", "draft"), ("post", "draft")]


@pytest.mark.parametrize("data, message", [
    ({}, "Nhập mã của người đã có, hoặc họ tên của người mới."),
    ({"code": "KHONG-CO"}, "Không có người tham gia mã “KHONG-CO” trong phạm vi của bạn."),
    ({"full_name": "Bàn Thị Sinh", "birth_year": "abc"}, "Hãy nhập một số nguyên"),
    ({"full_name": "Bàn Thị Sinh", "birth_year": "1800"}, "Năm sinh không hợp lệ"),
    ({"full_name": LONG}, "Không được dài quá 200"),
    ({"full_name": "Bàn Thị Sinh", "code": "có dấu"}, "Mã người tham gia chỉ gồm chữ không dấu"),
    ({"full_name": "Bàn Thị Sinh 😀"}, UNPRINTABLE),
])
def test_add_participant_form(db, client, trainer, create_training, data, message):
    training = create_training(people=0)
    before = snapshot()
    response = client.post(f"/surveys/trainings/{training.id}/participants", data=data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_add_participant_twice_is_refused(db, client, trainer, create_training):
    training = create_training(people=1)
    person = training.participants[0].person
    before = snapshot()
    page = client.post(f"/surveys/trainings/{training.id}/participants", data={"code": person.code},
                       follow_redirects=True).get_data(as_text=True)
    assert "đã có trong danh sách lớp" in page and snapshot() == before


def test_add_participant_matches_an_existing_person(db, client, trainer, create_training, create_person, units):
    existing = create_person("na_nguoc", full_name="Lương Thị Dung", birth_year=1999)
    training = create_training(people=0)
    client.post(f"/surveys/trainings/{training.id}/participants",
                data={"full_name": "lương  thị dung", "birth_year": "1999", "unit_id": units["na_nguoc"].id})
    assert [p.person_id for p in db.session.get(Training, training.id).participants] == [existing.id]
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 1


def test_add_new_participant_with_consent(db, client, trainer, create_training, units):
    training = create_training(people=0)
    client.post(f"/surveys/trainings/{training.id}/participants",
                data={"full_name": "Giàng Thị Mỷ", "sex": "F", "birth_year": "1996", "ethnicity_code": "08",
                      "unit_id": units["na_nguoc"].id, "consent": "y"})
    person = db.session.scalar(sa.select(Person))
    assert person.full_name == "Giàng Thị Mỷ" and person.has_consent("caunoi")
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 1


@pytest.mark.parametrize("answers, message", [
    ({"Q2": "7"}, "Lựa chọn 7 không có: câu này chỉ có 5 lựa chọn (1 đến 5)."),
    ({"Q1": "3"}, "Lựa chọn 3 không có: câu này chỉ có 2 lựa chọn (1 đến 2)."),
    ({"Q1": "1,2"}, "Câu này chỉ được chọn một lựa chọn."),
    ({"Q4": "a"}, "“a” không phải số thứ tự lựa chọn"),
    ({"Q5": "6"}, "Lựa chọn 6 không có"),
    ({"Q6": LONG}, "Câu trả lời dài quá 1000 ký tự."),
])
def test_grid_refuses_impossible_values(db, client, trainer, create_training, answers, message):
    training = create_training(people=1)
    person = training.participants[0].person
    assert_refused(client, f"/surveys/trainings/{training.id}/pre/grid", {"person": person.id, **answers}, message)


def test_grid_without_consent_stores_nothing(db, client, trainer, create_training):
    training = create_training(people=1, consent=False)
    person = training.participants[0].person
    url = f"/surveys/trainings/{training.id}/pre/grid"
    assert_refused(client, url, {"person": person.id, "Q1": "2", "incomplete": "1"}, "chưa đồng ý cho lưu thông tin")
    assert client.post(url, data={"person": person.id, "Q1": "2", "consent": "1", "incomplete": "1"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_grid_correction_replaces_the_answers(db, client, trainer, create_training):
    training = create_training(people=2)
    first = sorted((p.person for p in training.participants), key=lambda p: p.full_name)[0]
    url = f"/surveys/trainings/{training.id}/post/grid"
    response = client.post(url, data={"person": first.id, "Q1": "1", "Q3": "1,2", "incomplete": "1"})
    assert response.status_code == 302 and "person=" in response.headers["Location"]
    # a stored response is changed only on an explicit confirmation (issue #15)
    refused = client.post(url, data={"person": first.id, "Q1": "2", "Q3": "1,2", "incomplete": "1", "edit": "1"})
    assert refused.status_code == 200 and "đánh dấu ô xác nhận" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(Response.score)) == 2
    client.post(url, data={"person": first.id, "Q1": "2", "Q3": "1,2", "incomplete": "1", "edit": "1",
                           "confirm_replace": "1"})
    assert db.session.scalar(sa.select(Response.score)) == 3
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
    page = client.get(url, query_string={"person": first.id, "edit": "1"}).get_data(as_text=True)
    assert 'value="1,2"' in page


def test_grid_for_a_person_not_on_the_roster_is_404(db, client, trainer, create_training, create_person):
    training = create_training(people=1)
    stranger = create_person("na_nguoc")
    url = f"/surveys/trainings/{training.id}/pre/grid"
    assert client.post(url, data={"person": stranger.id, "Q1": "1"}).status_code == 404
    assert client.get(f"/surveys/trainings/{training.id}/during/grid").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({}, "Tệp rỗng."),
    ({"file": (io.BytesIO(b"not excel"), "a.xlsx")}, "không phải là tệp Excel"),
])
def test_import_forms_refuse_missing_or_bad_files(db, client, trainer, create_training, units, data, message):
    training = create_training(people=1)
    for url in (f"/surveys/trainings/{training.id}/import", f"/surveys/trainings/{training.id}/participants/import"):
        before = snapshot()
        response = client.post(url, data=dict(data), content_type="multipart/form-data")
        assert response.status_code == 200 and message in response.get_data(as_text=True)
        assert snapshot() == before
        data = {k: (io.BytesIO(b"not excel"), "a.xlsx") for k in data}
    before = snapshot()
    response = client.post("/surveys/trainings/import", content_type="multipart/form-data",
                           data={"unit_id": units["02086"].id})
    assert response.status_code == 200 and "Tệp rỗng." in response.get_data(as_text=True)
    assert snapshot() == before


def test_removing_a_participant_with_answers_is_refused(db, client, trainer, create_training):
    from surveys import services
    from surveys.models import Phase, ResponseSource

    training = create_training(people=1)
    person = training.participants[0].person
    services.save_response(training, Phase.pre, person, [], source=ResponseSource.grid)
    db.session.commit()
    page = client.post(f"/surveys/trainings/{training.id}/participants/{person.id}/remove",
                       follow_redirects=True).get_data(as_text=True)
    assert "đã có câu trả lời nên không xóa" in page
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 1
