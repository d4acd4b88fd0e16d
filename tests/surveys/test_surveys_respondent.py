"""What a respondent sees on the phone (issue #15): the shared link lists nobody, her own link
is signed, a typed code opens her own link, consent comes first, required questions, the error
page opens on the question, her score after the post-test when the trainer allows it, the
stylesheet cached by a fingerprinted URL; Vietnamese name order everywhere."""
import re

import sqlalchemy as sa

from app.collation import sort_key
from app.models import Consent
from surveys import services
from surveys.models import Phase, QuestionKind, Response
from tests.surveys.conftest import form_token
from tests.surveys.test_surveys_phone import ANSWERS


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_her_own_link_needs_its_signature(db, client, create_training, phone):
    training = create_training(people=2, open_phases=[Phase.pre])
    first, second = (p.person for p in training.participants)
    form = phone(training, Phase.pre)
    good = form.key(first)
    assert first.full_name in form.open(first).get_data(as_text=True)
    # Another person's id under her signature, a bare id, a wrong signature: nobody is shown.
    for key in (f"{second.id}-{good.split('-', 1)[1]}", str(first.id), f"{first.id}-AAAAAAAAAAAAAAAA"):
        page = client.get(form.url, query_string={"p": key})
        html = page.get_data(as_text=True)
        assert page.status_code == 404 and first.full_name not in html and second.full_name not in html
    # The old ?person=<id> no longer picks anyone.
    html = client.get(form.url, query_string={"person": first.id}).get_data(as_text=True)
    assert first.full_name not in html and 'name="code"' in html
    # A post with a bare person id stores nothing.
    response = client.post(form.url, data={"person": first.id, "client_token": "x" * 22, "go": "submit",
                                           "consent": "yes", **ANSWERS})
    assert response.status_code == 404 and count(db, Response) == 0


def test_a_typed_code_opens_her_own_link(db, client, create_training, phone):
    training = create_training(people=2, open_phases=[Phase.pre])
    person = training.participants[1].person
    form = phone(training, Phase.pre)
    response = client.get(form.url, query_string={"code": person.code.lower()})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"?p={form.key(person)}")
    unknown = client.get(form.url, query_string={"code": "KHONG-CO"})
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 404 and "Không tìm thấy mã này" in html and 'value="KHONG-CO"' in html


def test_consent_is_asked_first_and_a_no_stores_nothing(db, client, create_training, phone):
    training = create_training(people=1, consent=False, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    key = form.key(person)
    first = client.get(form.url, query_string={"p": key}).get_data(as_text=True)
    assert 'method="get"' in first and "Câu 1/6" not in first and "client_token" not in first
    page = client.get(form.url, query_string={"p": key, "consent": ""})
    assert page.status_code == 400 and "Vui lòng chọn" in page.get_data(as_text=True)
    page = client.get(form.url, query_string={"p": key, "consent": "no"})
    assert "không có thông tin nào được lưu" in page.get_data(as_text=True)
    assert count(db, Response) == 0 and count(db, Consent) == 0
    page = client.get(form.url, query_string={"p": key, "consent": "yes"}).get_data(as_text=True)
    assert "Câu 1/6" in page and 'type="hidden" name="consent" value="yes"' in page
    assert count(db, Consent) == 0  # nothing stored before her answers are sent
    base = {"p": key, "client_token": form_token(page)}
    # Sent without her yes (a hand-made post): the consent screen, as a post carrying the answers.
    refused = client.post(form.url, data={**base, "go": "submit", **ANSWERS}).get_data(as_text=True)
    assert 'method="post"' in refused and 'type="hidden" name="Q1" value="2"' in refused
    again = client.post(form.url, data={**base, "go": "consent", "consent": "yes", **ANSWERS}).get_data(as_text=True)
    assert re.search(r'name="Q1" value="2" checked', again) and count(db, Response) == 0
    client.post(form.url, data={**base, "go": "submit", "consent": "yes", **ANSWERS})
    assert count(db, Response) == 1 and count(db, Consent) == 1


def test_the_offline_copy_asks_consent_above_the_questions(db, client, create_training, phone):
    training = create_training(people=1, consent=False, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    page = client.get(form.url, query_string={"p": form.key(person), "offline": 1}).get_data(as_text=True)
    assert page.index('name="consent"') < page.index("Câu 1/6")


def _required_training(create_instrument, create_training, one_per_screen=False):
    instrument = create_instrument()
    for item in instrument.current_version.items:
        item.required = item.position == 4
    return create_training(people=1, instrument=instrument, open_phases=[Phase.pre],
                           one_question_per_screen=one_per_screen)


def test_a_required_question_left_blank_is_refused_and_the_page_opens_on_it(db, client, create_training,
                                                                            create_instrument, phone):
    training = _required_training(create_instrument, create_training)
    person = training.participants[0].person
    answers = {k: v for k, v in ANSWERS.items() if k != "Q4"}
    response = phone(training, Phase.pre).submit(person, answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Câu này cần trả lời." in html and count(db, Response) == 0
    assert '<a href="#Q4">' in html and '<fieldset id="Q4" class="bad">' in html
    assert len(re.findall(r"autofocus", html)) == 1 and re.search(r'name="Q4" value="\d"[^>]*autofocus', html)
    # Her other answers are still there; a blank optional question is fine.
    assert re.search(r'name="Q2" value="2" checked', html)
    del answers["Q5"]
    assert phone(training, Phase.pre).submit(person, {**answers, "Q4": "2"}).status_code == 200
    assert count(db, Response) == 1


def test_one_question_per_screen_does_not_move_past_a_blank_required_question(db, client, create_training,
                                                                              create_instrument, phone):
    training = _required_training(create_instrument, create_training, one_per_screen=True)
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    response = client.post(form.url, data={"p": form.key(person), "client_token": form.token_for(person),
                                           "step": "4", "go": "next", "consent": "yes"})
    assert response.status_code == 400 and "Câu này cần trả lời." in response.get_data(as_text=True)


def test_the_test_builder_marks_a_question_required_and_refuses_two_at_one_position(db, client, login_as, units,
                                                                                   create_topic):
    from surveys.models import Instrument, Question

    login_as("trainer", "02086")
    topic = create_topic()
    ids = []
    for text in ("Câu một?", "Câu hai?"):
        ids.append(services.save_question(None, text=text, kind=QuestionKind.truefalse, correct=[1], topic=topic,
                                          unit=units["02086"], user=None).id)
    db.session.commit()
    data = {"title": "Bài có câu bắt buộc", "topic_id": topic.id, f"pos_{ids[0]}": "1", f"pos_{ids[1]}": "1"}
    page = client.post("/surveys/tests/new", data=data)
    assert page.status_code == 200 and "Hai câu hỏi cùng thứ tự 1" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Instrument.id))) == 0
    data.update({f"pos_{ids[1]}": "2", f"req_{ids[1]}": "1"})
    assert client.post("/surveys/tests/new", data=data).status_code == 302
    items = db.session.scalar(sa.select(Instrument)).current_version.items
    assert [(it.question_id, it.required) for it in items] == [(ids[0], False), (ids[1], True)]
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 2


def test_likert_and_true_false_are_never_shuffled(db, client, create_training, create_instrument, phone):
    instrument = create_instrument(shuffle_options=True)
    training = create_training(people=1, instrument=instrument, open_phases=[Phase.pre])
    for item in instrument.current_version.items:
        if item.kind in (QuestionKind.likert, QuestionKind.truefalse):
            for seed in range(20):
                assert services.display_order(item, f"s{seed}", True)[:len(item.options)] == \
                    list(range(1, len(item.options) + 1))


def test_her_score_and_the_right_answers_after_the_post_test_only_when_allowed(db, client, create_training, phone):
    training = create_training(people=2, open_phases=[Phase.pre, Phase.post])
    first, second = (p.person for p in training.participants)
    wrong = {**ANSWERS, "Q2": "1"}  # 4/5
    page = phone(training, Phase.post).submit(first, wrong).get_data(as_text=True)
    assert "Kết quả của chị/anh" not in page and "Người tiếp theo" in page
    training.show_results_after_post = True
    db.session.commit()
    page = phone(training, Phase.pre).submit(second, wrong).get_data(as_text=True)
    assert "Kết quả của chị/anh" not in page  # never after the pre-test
    page = phone(training, Phase.post).submit(second, wrong).get_data(as_text=True)
    assert "Kết quả của chị/anh: 4/5 điểm" in page
    assert re.search(r"Đáp án đúng:\s*<b>111</b>", page)
    # Opening her link again shows the same page, nothing more is stored.
    again = phone(training, Phase.post).open(second).get_data(as_text=True)
    assert "4/5 điểm" in again and count(db, Response) == 3


def test_phone_css_is_fingerprinted_and_cached_for_a_year(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    html = phone(training, Phase.pre).open(training.participants[0].person).get_data(as_text=True)
    url = re.search(r'href="(/static/css/phone\.css\?v=[0-9a-f]{12})"', html).group(1)
    cached = client.get(url)
    assert cached.status_code == 200 and "max-age=31536000" in cached.headers["Cache-Control"]
    assert "max-age=31536000" not in client.get("/static/css/phone.css?v=000000000000").headers.get("Cache-Control", "")
    assert "max-age=31536000" not in client.get("/static/css/phone.css").headers.get("Cache-Control", "")


def test_sync_takes_her_key_not_a_bare_person_id(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    fields = {"client_token": "q" * 22, "go": "submit", **ANSWERS, "answered_at": "1", "version": training.version_id}
    refused = client.post(form.url + "/sync", data={**fields, "person": person.id})
    assert refused.status_code == 400 and "receipt" not in refused.get_json() and count(db, Response) == 0
    assert client.post(form.url + "/sync", data={**fields, "p": form.key(person)}).get_json()["receipt"] == "q" * 22


def test_personal_links_page_lists_each_persons_link_and_only_those_left(db, client, login_as, create_training, phone):
    training = create_training(people=3, open_phases=[Phase.pre])
    people = [p.person for p in training.participants]
    form = phone(training, Phase.pre)
    form.submit(people[0], ANSWERS)
    login_as("trainer", "02086")
    html = client.get(f"/surveys/trainings/{training.id}/pre/links").get_data(as_text=True)
    assert all(f"?p={form.key(p)}" in html for p in people)
    left = client.get(f"/surveys/trainings/{training.id}/pre/links", query_string={"todo": 1}).get_data(as_text=True)
    assert people[0].full_name not in left and all(f"?p={form.key(p)}" in left for p in people[1:])


def test_vietnamese_order_of_names():
    names = ["Đặng Thị Lan", "Hoàng Thị Mai", "Hà Thị Thu", "Dương Văn An", "Ân", "Anh", "Ăn", "Em", "Ê"]
    assert sorted(names, key=sort_key) == ["Anh", "Ăn", "Ân", "Dương Văn An", "Đặng Thị Lan", "Em", "Ê",
                                           "Hà Thị Thu", "Hoàng Thị Mai"]


def test_rosters_sort_in_vietnamese_order_in_sql_and_namesakes_are_told_apart(db, client, login_as, units,
                                                                              create_training, create_person):
    names = ["Hoàng Thị Mai", "Đặng Thị Lan", "Hà Thị Thu", "Dương Văn An", "Hà Thị Thu"]
    people = [create_person(units["na_nguoc"], full_name=n, birth_year=1970 + i) for i, n in enumerate(names)]
    training = create_training(people=people)
    login_as("trainer", "02086")
    html = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    roster = html[html.index('id="roster"'):]
    order = [roster.index(p.code) for p in people]
    # Dương < Đặng < Hà (1972) = Hà (1974) < Hoàng
    assert order[3] < order[1] < min(order[2], order[4]) and max(order[2], order[4]) < order[0]
    assert "sinh năm 1972" in roster and "sinh năm 1974" in roster and "sinh năm 1970" not in roster
    from app.models import Person

    assert [p.full_name for p in db.session.scalars(sa.select(Person).where(Person.id.in_([p.id for p in people]))
                                                    .order_by(Person.name_key))] == \
        ["Dương Văn An", "Đặng Thị Lan", "Hà Thị Thu", "Hà Thị Thu", "Hoàng Thị Mai"]


def test_results_page_shows_the_pre_test_diagnosis_before_the_post_test(db, client, login_as, create_training, phone):
    training = create_training(people=4, open_phases=[Phase.pre])
    people = [p.person for p in training.participants]
    form = phone(training, Phase.pre)
    for i, person in enumerate(people):  # Q2 right for one of four, Q1 right for all
        form.submit(person, {**ANSWERS, "Q2": "2" if i == 0 else "3" if i == 1 else "5"})
    login_as("trainer", "02086")
    html = client.get(f"/surveys/trainings/{training.id}/results").get_data(as_text=True)
    section = html[html.index('id="diagnosis-h"'):]
    section = section[:section.index("</section>")]
    rows = re.findall(r"<tr><td>(\d+)</td>.*?</tr>", section, re.S)
    assert rows[0] == "2" and set(rows) == {"1", "2", "3", "4"}  # worst first; no likert, no text
    assert "25%" in section and "Cần nhấn mạnh" in section and "50%" in section  # 2 of 4 chose “Không biết”
