"""Answers that waited on an offline phone (issue #19): /t/<token>/sync gives a receipt for every
client token (stored once, whatever the replays), accepts a late answer for the phase it was taken
on while that phase was open, refuses the rest with a reason the trainer sees, and the saved queue
file imports through the training's import form with the same once-only guarantee."""
import io
import json
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.models import Role, utcnow
from surveys import services
from surveys.models import OfflineRefusal, Phase, Response
from tests.surveys.conftest import form_token
from tests.surveys.test_surveys_phone import ANSWERS


def ms(dt: datetime) -> str:
    return str(int(dt.timestamp() * 1000))


def entry(training, person, token, answers=ANSWERS, at=None, version=None, consent=False) -> dict:
    """The fields a queued answer is sent with (as offline.js posts them)."""
    data = {"person": str(person.id), "client_token": token, "go": "submit", **answers,
            "answered_at": ms(at or utcnow()), "version": str(version or training.version_id)}
    if consent:
        data["consent"] = "yes"
    return data


def sync(client, training, phase, data):
    """As offline.js sends it: her own link's key names her (a bare person id is not taken)."""
    from surveys.access import respondent_key

    state = training.phase(phase)
    data = {**data, "p": respondent_key(state, int(data["person"]))}
    return client.post(f"/t/{state.public_token}/sync", data=data)


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_queued_answer_is_stored_once_and_every_replay_gets_the_same_receipt(db, client, create_training):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    training.phase(Phase.pre).opened_dt = utcnow() - timedelta(days=1)
    db.session.commit()
    at = utcnow() - timedelta(hours=2)
    data = entry(training, person, "t" * 22, at=at)
    receipts = [sync(client, training, Phase.pre, data) for _ in range(3)]
    assert [r.status_code for r in receipts] == [200] * 3
    assert [r.get_json() for r in receipts] == [{"receipt": "t" * 22, "status": "stored", "message": None}] * 3
    response = db.session.scalar(sa.select(Response))
    assert count(db, Response) == 1 and response.score == 5 and response.is_late
    assert abs(response.answered_dt - at) < timedelta(seconds=1)


def test_an_answer_taken_before_the_phase_closed_is_accepted_late(db, client, create_training):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    state = training.phase(Phase.pre)
    services.set_phase_open(training, Phase.pre, False)
    state.opened_dt, state.closed_dt = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.session.commit()
    answer = sync(client, training, Phase.pre, entry(training, person, "a" * 22, at=utcnow() - timedelta(days=1, hours=1)))
    assert answer.get_json()["status"] == "stored"
    response = db.session.scalar(sa.select(Response))
    assert (response.phase, response.version_id, response.is_late) == (Phase.pre, training.version_id, True)


@pytest.mark.parametrize("when, reason, message", [
    (lambda opened, closed: closed + timedelta(hours=1), "after_close", "sau khi khảo sát đã đóng"),
    (lambda opened, closed: opened - timedelta(hours=1), "before_open", "sớm hơn lúc khảo sát mở"),
    (lambda opened, closed: utcnow() + timedelta(days=1), "future", "ở tương lai"),
    (lambda opened, closed: utcnow() - timedelta(days=31), "too_old", "quá 30 ngày"),
])
def test_an_answer_outside_the_open_phase_is_refused_with_a_reason_for_the_trainer(
        db, client, login_as, create_training, when, reason, message):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    state = training.phase(Phase.pre)
    services.set_phase_open(training, Phase.pre, False)
    opened, closed = utcnow() - timedelta(days=3), utcnow() - timedelta(days=2)
    if reason == "too_old":
        opened = utcnow() - timedelta(days=40)
    state.opened_dt, state.closed_dt = opened, closed
    db.session.commit()
    data = entry(training, person, "r" * 22, at=when(opened, closed))
    receipts = [sync(client, training, Phase.pre, data).get_json() for _ in range(2)]
    assert receipts[0] == receipts[1] and receipts[0]["status"] == "refused" and message in receipts[0]["message"]
    assert count(db, Response) == 0
    refusal = db.session.scalar(sa.select(OfflineRefusal))
    assert count(db, OfflineRefusal) == 1 and (refusal.reason, refusal.person_id) == (reason, person.id)

    login_as(Role.trainer, "02086")
    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    refused = page.split('id="refused"')[1]
    assert person.full_name in refused and message in refused


@pytest.mark.parametrize("change, reason", [
    (dict(version=999999), "version"),
    (dict(answers={"Q2": "9"}), "invalid"),
    (dict(answers={"Q1": "2"}, consent=False), "consent"),
])
def test_answers_the_server_cannot_take_are_refused_not_lost(db, client, create_training, change, reason):
    training = create_training(people=1, consent=reason != "consent", open_phases=[Phase.pre])
    person = training.participants[0].person
    answer = sync(client, training, Phase.pre, entry(training, person, "v" * 22, **change)).get_json()
    assert answer["status"] == "refused" and answer["receipt"] == "v" * 22
    assert count(db, Response) == 0
    assert db.session.scalar(sa.select(OfflineRefusal.reason)) == reason


def test_a_second_answer_of_the_same_person_keeps_the_first_and_tells_the_trainer(db, client, create_training,
                                                                                   phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    phone(training, Phase.pre).submit(person, ANSWERS)
    answer = sync(client, training, Phase.pre, entry(training, person, "s" * 22, answers={"Q1": "1"})).get_json()
    assert answer["status"] == "refused" and "câu trả lời trước được giữ nguyên" in answer["message"]
    assert count(db, Response) == 1 and db.session.scalar(sa.select(Response.score)) == 5


def test_a_form_stored_live_then_replayed_from_the_queue_is_not_doubled(db, client, create_training, phone):
    """The post reached the server but its page was lost with the signal: the queue sends it again."""
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = form.token_for(person)
    page = form.submit(person, ANSWERS, token=token).get_data(as_text=True)
    assert f'data-receipt="{token}"' in page
    assert sync(client, training, Phase.pre, entry(training, person, token)).get_json()["status"] == "stored"
    assert count(db, Response) == 1 and count(db, OfflineRefusal) == 0
    assert db.session.scalar(sa.select(Response.is_late)) is False


def test_without_a_client_token_there_is_no_receipt(db, client, create_training):
    training = create_training(people=1, open_phases=[Phase.pre])
    data = entry(training, training.participants[0].person, "short")
    response = sync(client, training, Phase.pre, data)
    assert response.status_code == 400 and "receipt" not in response.get_json()
    assert client.post("/t/not-a-real-token/sync", data=data).status_code == 404


def queue_file(*entries) -> bytes:
    return json.dumps({"format": "caunoi-offline-queue", "saved": 0, "entries": list(entries)}).encode()


def saved(training, phase, person, token, **kw) -> dict:
    """One entry of a saved queue file, as offline.js writes it."""
    data = entry(training, person, token, **kw)
    at, version = data.pop("answered_at"), data.pop("version")
    return {"token": token, "url": f"/t/{training.phase(phase).public_token}", "at": int(at), "version": int(version),
            "name": person.full_name, "fields": [[k, v] for k, vs in data.items() for v in ([vs] if isinstance(vs, str) else vs)]}


def test_a_saved_queue_file_imports_once_through_the_import_form(db, client, login_as, create_training):
    training = create_training(people=3, open_phases=[Phase.pre])
    people = [p.person for p in training.participants]
    state = training.phase(Phase.pre)
    services.set_phase_open(training, Phase.pre, False)
    state.opened_dt, state.closed_dt = utcnow() - timedelta(days=1), utcnow() - timedelta(minutes=30)
    db.session.commit()
    data = queue_file(saved(training, Phase.pre, people[0], "f" * 22, at=utcnow() - timedelta(hours=1)),
                      saved(training, Phase.pre, people[1], "g" * 22, at=utcnow() - timedelta(minutes=50)),
                      saved(training, Phase.pre, people[2], "h" * 22, at=utcnow() - timedelta(minutes=5)))
    login_as(Role.trainer, "02086")
    url = f"/surveys/trainings/{training.id}/import"
    messages = []
    for _ in range(2):
        response = client.post(url, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), "cau-noi-hang-cho.json")}, follow_redirects=True)
        assert response.status_code == 200
        messages.append(re.search(r"Đã nhập hàng chờ[^<]*", response.get_data(as_text=True)).group(0))
    assert "2 câu trả lời mới, 0 đã nhận từ trước, 1 bị từ chối" in messages[0]
    assert "0 câu trả lời mới, 3 đã nhận từ trước, 0 bị từ chối" in messages[1]
    assert count(db, Response) == 2 and count(db, OfflineRefusal) == 1
    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    assert "Gửi muộn từ điện thoại không có mạng: 2 câu trả lời" in page
    assert "Gửi muộn từ điện thoại không có mạng: 0 câu trả lời" in page  # the post phase


def test_a_queue_file_of_another_training_imports_nothing(db, client, login_as, create_training):
    mine, other = create_training(people=1, open_phases=[Phase.pre]), create_training(people=1, open_phases=[Phase.pre])
    data = queue_file(saved(mine, Phase.pre, mine.participants[0].person, "m" * 22),
                      saved(other, Phase.pre, other.participants[0].person, "o" * 22))
    login_as(Role.trainer, "02086")
    for body, message in [(data, "lớp khác"), (b'{"entries": 3}', "không phải là hàng chờ")]:
        page = client.post(f"/surveys/trainings/{mine.id}/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(body), "q.json")}, follow_redirects=True).get_data(as_text=True)
        assert message in page
    assert count(db, Response) == 0 and count(db, OfflineRefusal) == 0


def test_the_offline_copy_of_a_one_question_per_screen_form_holds_every_question(db, client, create_training,
                                                                                  phone):
    training = create_training(people=1, open_phases=[Phase.pre], one_question_per_screen=True)
    person = training.participants[0].person
    url = phone(training, Phase.pre).url
    key = phone(training, Phase.pre).key(person)
    page = client.get(url, query_string={"p": key, "offline": 1}).get_data(as_text=True)
    assert "Câu 1/6" in page and "Câu 6/6" in page and "Gửi câu trả lời" in page
    assert f'data-version="{training.version_id}"' in page and form_token(page)
    assert "Câu 2/6" not in client.get(url, query_string={"p": key}).get_data(as_text=True)


def test_the_service_worker_is_served_under_the_phone_links(db, client):
    response = client.get("/t/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "importScripts('/static/js/offline.js')" in response.get_data(as_text=True)


def test_offline_words_reach_the_script_in_the_reader_language(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    url = phone(training, Phase.pre).url
    assert 'data-waiting="Đã lưu trên máy, chưa gửi ({n})"' in client.get(url).get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert 'data-waiting="Saved on this device, not sent yet ({n})"' in client.get(url).get_data(as_text=True)


def test_answered_time_parsing_refuses_nonsense(db, client, create_training):
    training = create_training(people=1, open_phases=[Phase.pre])
    data = entry(training, training.participants[0].person, "n" * 22)
    data["answered_at"] = "soon"
    assert sync(client, training, Phase.pre, data).get_json()["status"] == "refused"
    assert db.session.scalar(sa.select(OfflineRefusal.reason)) == "no_time"
