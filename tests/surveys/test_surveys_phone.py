"""The public phone form: reachable only by its link while the phase is open, idempotent on
resubmits (also concurrent ones), consent before storing, small and self-contained."""
import os
import re
import threading

import pytest
import sqlalchemy as sa

from app.models import Consent
from concurrency import fire, statuses
from surveys.models import Answer, Phase, Response

ANSWERS = {"Q1": "2", "Q2": "2", "Q3": ["1", "2"], "Q4": "2", "Q5": "4", "Q6": "Gọi 111"}  # 5/5 points


def responses(db):
    return db.session.scalar(sa.select(sa.func.count(Response.id)))


def test_phone_submission_is_stored_and_scored(db, client, create_training, phone):
    training = create_training(people=2, open_phases=[Phase.pre])
    person = training.participants[0].person
    page = phone(training, Phase.pre).submit(person, ANSWERS).get_data(as_text=True)
    assert "Đã ghi nhận câu trả lời" in page
    response = db.session.scalar(sa.select(Response))
    assert (response.person_id, response.phase, response.score, response.max_score) == (person.id, Phase.pre, 5, 5)
    assert response.source.value == "phone"


def test_same_token_resubmitted_five_times_stores_one_response(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = form.token_for(person)
    pages = [form.submit(person, ANSWERS, token=token) for _ in range(5)]
    assert all(p.status_code == 200 and "Đã ghi nhận" in p.get_data(as_text=True) for p in pages)
    assert responses(db) == 1
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 6


def test_concurrent_resubmits_store_one_response(app, db, client, create_training, phone):
    """Five phones (threads, separate clients) send the same form at the same moment."""
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = form.token_for(person)
    barrier = threading.Barrier(5)
    statuses, failures = [], []

    def send():
        own_client = app.test_client()
        barrier.wait()
        try:
            statuses.append(form.submit(person, ANSWERS, token=token, via=own_client).status_code)
        except Exception as exc:  # noqa: BLE001  (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and statuses == [200] * 5
    assert responses(db) == 1


def test_concurrent_forms_of_the_same_person_store_one_response(app, db, client, create_training, phone):
    """Two forms opened (two tokens) and sent at once: unique (training, phase, person) wins."""
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    tokens = [form.token_for(person) for _ in range(4)]
    barrier = threading.Barrier(4)
    statuses = []

    def send(token):
        own_client = app.test_client()
        barrier.wait()
        statuses.append(form.submit(person, ANSWERS, token=token, via=own_client).status_code)

    threads = [threading.Thread(target=send, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 4 and responses(db) == 1


def test_second_form_for_same_person_keeps_the_first_answers(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    first, second = form.token_for(person), form.token_for(person)  # two tabs opened
    form.submit(person, ANSWERS, token=first)
    page = form.submit(person, {"Q1": "1"}, token=second).get_data(as_text=True)
    assert "đã trả lời khảo sát này rồi" in page
    assert db.session.scalar(sa.select(Response.score)) == 5
    assert "đã trả lời khảo sát này rồi" in form.open(person).get_data(as_text=True)


@pytest.mark.parametrize("open_phases, message", [
    ((), "chưa mở"),
    ((Phase.pre,), "đã đóng"),
])
def test_phase_not_open_refuses_answers(db, client, create_training, phone, open_phases, message):
    training = create_training(people=1, open_phases=open_phases)
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = "x" * 22
    if open_phases:
        token = form.token_for(person)
        from surveys import services
        services.set_phase_open(training, Phase.pre, False)
        db.session.commit()
    page = form.submit(person, ANSWERS, token=token).get_data(as_text=True)
    assert message in page and responses(db) == 0
    assert message in client.get(form.url).get_data(as_text=True)


def test_unknown_link_is_404(db, client):
    assert client.get("/t/not-a-real-token").status_code == 404
    assert client.post("/t/not-a-real-token", data={}).status_code == 404


def test_code_not_on_roster_is_refused(db, client, create_training, create_person, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    stranger = create_person("na_nguoc", code="XX-999")
    form = phone(training, Phase.pre)
    response = form.open(stranger)
    assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)
    response = form.submit(stranger, ANSWERS, token="y" * 22)
    assert response.status_code == 404 and responses(db) == 0


def test_start_page_never_lists_the_roster(db, client, create_training, phone):
    """Anyone holding the shared link sees a box for a code, and no name or code of the class."""
    training = create_training(people=3, open_phases=[Phase.pre])
    page = client.get(phone(training, Phase.pre).url).get_data(as_text=True)
    assert 'name="code"' in page and "<select" not in page
    assert not any(p.person.full_name in page or p.person.code in page for p in training.participants)


@pytest.mark.parametrize("answers, message", [
    ({"Q2": "9"}, "Lựa chọn 9 không có"),
    ({"Q1": ["1", "2"]}, "chỉ được chọn một"),
    ({"Q6": "x" * 1001}, "dài quá 1000"),
])
def test_impossible_answers_are_refused_with_a_message(db, client, create_training, phone, answers, message):
    training = create_training(people=1, open_phases=[Phase.pre])
    response = phone(training, Phase.pre).submit(training.participants[0].person, answers)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert responses(db) == 0


def test_without_consent_nothing_is_stored_and_the_page_explains(db, client, create_training, phone):
    training = create_training(people=1, consent=False, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    page = form.open(person).get_data(as_text=True)
    # Asked first, before any question, and nothing chosen for her.
    assert "Câu 1/6" not in page and 'name="consent" value="yes"' in page and "checked" not in page
    response = form.submit(person, ANSWERS)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Cần sự đồng ý" in html
    assert responses(db) == 0 and db.session.scalar(sa.select(sa.func.count(Consent.id))) == 0
    # Her answers travel with the consent screen, so saying yes brings them back on the form.
    assert 'type="hidden" name="Q1" value="2"' in html


def test_consent_ticked_stores_consent_and_response(db, client, create_training, phone):
    training = create_training(people=1, consent=False, open_phases=[Phase.pre])
    person = training.participants[0].person
    phone(training, Phase.pre).submit(person, ANSWERS, consent=True)
    assert responses(db) == 1
    consent = db.session.scalar(sa.select(Consent))
    assert consent.person_id == person.id and consent.purpose == "caunoi" and consent.withdrawn_dt is None


def test_phone_page_is_small_and_self_contained(db, client, create_training, phone):
    training = create_training(people=30, open_phases=[Phase.pre], questions=None)
    form = phone(training, Phase.pre)
    pages = [client.get(form.url), form.open(training.participants[0].person)]
    for page in pages:
        html = page.get_data(as_text=True)
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        assert assets, "the page should load its stylesheet"
        total = len(page.data) + sum(len(client.get(a).data) for a in assets)
        assert total < 25 * 1024, total
        for text in [html] + [client.get(a).get_data(as_text=True) for a in assets]:
            assert not re.search(r"https?://|//[a-z0-9-]+\.[a-z]", text, re.I), "outside reference"
        # One script, our own file (offline use, issue #19), nothing inline (CSP script-src 'self'):
        # the page itself needs no script.
        assert re.fullmatch(r'<script src="/static/js/offline\.js\?v=[0-9a-f]{12}" defer>',
                            "".join(re.findall(r"<script[^>]*>", html)))
        assert "</script>" in html and html.count("<script") == 1 and "onclick=" not in html


def test_one_question_per_screen_works_without_javascript(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre], one_question_per_screen=True)
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = form.token_for(person)
    data = {"p": form.key(person), "client_token": token, "consent": "yes"}
    page = form.open(person).get_data(as_text=True)
    assert "Câu 1/6" in page and "Câu 2/6" not in page
    steps = [("Q1", "2"), ("Q2", "2"), ("Q3", ["1", "2"]), ("Q4", "2"), ("Q5", "4"), ("Q6", "Gọi 111")]
    for step, (key, value) in enumerate(steps, start=1):
        data.update({key: value, "step": str(step), "go": "next" if step < 6 else "submit"})
        response = client.post(form.url, data=data)
        html = response.get_data(as_text=True)
        if step < 6:
            assert f"Câu {step + 1}/6" in html
            # earlier answers travel in hidden fields
            assert f'type="hidden" name="{key}"' in html
    assert "Đã ghi nhận" in html
    assert db.session.scalar(sa.select(Response.score)) == 5


def test_one_question_per_screen_checks_each_answer_before_moving_on(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre], one_question_per_screen=True)
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    response = client.post(form.url, data={"p": form.key(person), "client_token": form.token_for(person),
                                           "step": "2", "go": "next", "Q2": "8"})
    assert response.status_code == 400 and "Lựa chọn 8 không có" in response.get_data(as_text=True)


def test_shuffled_options_are_scored_on_the_canonical_key(db, client, create_training, create_instrument, phone):
    instrument = create_instrument(shuffle_options=True)
    training = create_training(people=1, instrument=instrument, open_phases=[Phase.pre])
    person = training.participants[0].person
    page = phone(training, Phase.pre).open(person).get_data(as_text=True)
    # value="2" is option "111" wherever it is shown
    assert re.search(r'name="Q2" value="2"[^>]*> 111<', page)
    phone(training, Phase.pre).submit(person, {"Q2": "2"})
    assert db.session.scalar(sa.select(Response.score)) == 1


def test_phone_pages_send_the_same_queries_for_a_class_of_3_or_60(db, client, create_training, phone, statements):
    """The form finds the one participant chosen, never the whole roster (a class of 400 made the
    phone form five times slower than the bare baseline in ``make bench``)."""
    sent = {}
    for size in (3, 60):
        training = create_training(people=size, open_phases=[Phase.pre])
        person = training.participants[-1].person
        form = phone(training, Phase.pre)
        db.session.commit()
        token = form.token_for(person)  # warm-up
        opened = statements(lambda: form.open(person))
        submitted = statements(lambda: form.submit(person, ANSWERS, token=token))
        sent[size] = (opened, submitted)
    assert [len(s) for s in sent[3]] == [len(s) for s in sent[60]], sent
    opened, submitted = sent[60]
    assert len(opened) <= 6, opened
    assert sum(s.lstrip().upper().startswith("INSERT INTO SURVEY_ANSWERS") for s in submitted) == 1, submitted


def test_phone_form_numbers_questions_in_the_reader_language(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    page = form.open(person).get_data(as_text=True)
    assert "Câu 1/6." in page and "Câu 6/6." in page
    client.set_cookie("lang", "en")
    page = form.open(person).get_data(as_text=True)
    assert "Question 1/6." in page and "Question 6/6." in page and "Send answers" in page



def test_phone_posts_are_rate_limited_per_link_and_per_address(app, db, client, create_training, phone, monkeypatch):
    """Kept in the database (rate_events), so every worker and host counts the same posts."""
    from datetime import timedelta

    from app.models import RateEvent, utcnow

    monkeypatch.setitem(app.config, "PHONE_POSTS_PER_MINUTE_LINK", 4)
    monkeypatch.setitem(app.config, "PHONE_POSTS_PER_MINUTE_ADDRESS", 3)
    training = create_training(people=1, open_phases=[Phase.pre, Phase.post])
    pre, post = phone(training, Phase.pre), phone(training, Phase.post)
    person = training.participants[0].person
    data = {"p": pre.key(person), "client_token": pre.token_for(person), "go": "submit", **ANSWERS}

    def send(url, address):
        return client.post(url, data=data, environ_base={"REMOTE_ADDR": address})

    assert [send(pre.url, "10.0.0.1").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = send(pre.url, "10.0.0.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert send(post.url, "10.0.0.1").status_code == 429  # the same address, another link
    assert send(pre.url, "10.0.0.2").status_code == 200  # another address: the link's 4th post
    assert send(pre.url, "10.0.0.3").status_code == 429  # the link's limit, whatever the address
    db.session.execute(sa.update(RateEvent).values(created_dt=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    assert send(pre.url, "10.0.0.1").status_code == 200  # a minute later


def test_post_tests_sent_together_are_all_counted_in_the_dashboard_counters(app, db, client, create_training, phone):
    """Eight people send the post-test at the same moment: every matched pair reaches the
    dashboard's counters (``app.indicators.rollups``), each submission stored once. On PostgreSQL
    each request recounts the training's day from the rows it sees: without one recount at a time
    (the advisory lock of ``rollups._lock``) the second writes a counter row the first has just
    written, or counts without the other's pair."""
    from app.indicators import rollups

    people = 8
    training = create_training(people=people, open_phases=[Phase.pre, Phase.post])
    persons = [p.person for p in training.participants]
    pre, post = phone(training, Phase.pre), phone(training, Phase.post)
    for person in persons:
        assert pre.submit(person, ANSWERS).status_code == 200
    tokens = [post.token_for(person) for person in persons]
    results = fire(app, people, lambda client, i: post.submit(persons[i], ANSWERS, token=tokens[i], via=client))
    assert statuses(results) == {200: people}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.phase == Phase.post)) == people
    table = rollups.Rollup
    pairs = sa.select(table.grain, sa.func.sum(table.value)).where(
        table.counter == "surveys.knowledge_pairs").group_by(table.grain)
    assert dict(db.session.execute(pairs).all()) == {"d": people, "m": people, "y": people}
    kept = sorted(db.session.execute(sa.select(table.unit_id, table.grain, table.day, table.counter, table.key,
                                               table.value)).all())
    rollups.rebuild()
    assert sorted(db.session.execute(sa.select(table.unit_id, table.grain, table.day, table.counter, table.key,
                                               table.value)).all()) == kept


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="SQLite writes one transaction at a time (its write lock)")
def test_two_writers_of_one_training_day_recount_it_one_after_the_other(app, db, create_training, phone):
    """Two transactions store a post-test of the same training at once, by any write path (here
    the ORM directly, without the phone form's retry): the second waits for the first to commit
    before it recounts the day (``rollups._lock``), then counts both pairs. Without the lock its
    counter insert meets the first one's row (a unique violation) or it counts one pair only."""
    import time

    from app.indicators import rollups
    from surveys.models import ResponseSource

    training = create_training(people=2, open_phases=[Phase.pre, Phase.post])
    persons = [p.person for p in training.participants]
    form = phone(training, Phase.pre)
    for person in persons:
        assert form.submit(person, ANSWERS).status_code == 200
    ids = dict(training_id=training.id, version_id=training.version_id)
    person_ids = [p.id for p in persons]
    flushed = threading.Barrier(2, timeout=5)
    failures = []

    def write(person_id, first):
        with app.app_context():
            try:
                if not first:
                    flushed.wait()  # the first has flushed (and recounted) and not committed yet
                db.session.add(Response(phase=Phase.post, person_id=person_id, source=ResponseSource.grid,
                                        score=3, max_score=5, **ids))
                db.session.flush()
                if first:
                    flushed.wait()
                    time.sleep(0.5)  # the second flushes now, while this one holds its counters
                db.session.commit()
            except Exception as exc:  # noqa: BLE001  (reported below)
                db.session.rollback()
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(pid, i == 0)) for i, pid in enumerate(person_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    table = rollups.Rollup
    pairs = sa.select(table.grain, sa.func.sum(table.value)).where(
        table.counter == "surveys.knowledge_pairs").group_by(table.grain)
    assert dict(db.session.execute(pairs).all()) == {"d": 2, "m": 2, "y": 2}
