"""A test with responses is frozen: editing it makes a new version; old responses keep theirs,
trainings without responses follow the new version."""
import sqlalchemy as sa

from app.models import Role
from surveys import services
from surveys.models import Phase, Question, Response, ResponseSource


def answer_all(training, person, raw):
    answers, errors = services.parse_answers(training.version.items, raw)
    assert not errors
    services.save_response(training, Phase.pre, person, answers, source=ResponseSource.grid)


def test_editing_an_unanswered_test_changes_it_in_place(db, create_instrument):
    instrument = create_instrument()
    version = instrument.current_version
    contents = [it.content() for it in version.items][:3]
    result = services.update_instrument(instrument, title=instrument.title, topic=instrument.topic, user=None,
                                        contents=contents)
    db.session.commit()
    assert result is version and len(instrument.versions) == 1 and len(version.items) == 3


def test_editing_an_answered_test_makes_a_new_version(db, create_training, create_instrument):
    instrument = create_instrument()
    answered = create_training(people=1, instrument=instrument)
    waiting = create_training(people=1, instrument=instrument)
    old = instrument.current_version
    answer_all(answered, answered.participants[0].person, {"Q1": "2", "Q2": "2"})
    db.session.commit()
    assert old.is_frozen

    contents = [it.content() for it in old.items]
    contents[0] = {**contents[0], "correct": [1]}  # the key of Q1 changes
    new = services.update_instrument(instrument, title="Bài đã sửa", topic=instrument.topic, user=None,
                                     contents=contents)
    db.session.commit()
    assert new.number == 2 and new is not old and len(instrument.versions) == 2
    # Only the key changed: the answered training adopts the fix and is re-scored (issue #15).
    assert answered.version is new and waiting.version is new and answered.rescored_dt is not None
    response = db.session.scalar(sa.select(Response))
    assert response.version_id == new.id and response.score == 1  # Q1 "2" is now wrong
    assert [it.correct for it in old.items][0] == [2]  # the old version is kept as it was


def test_changing_a_question_keeps_answered_trainings_on_their_version(db, create_training, create_instrument):
    instrument = create_instrument()
    answered = create_training(people=1, instrument=instrument)
    old = instrument.current_version
    answer_all(answered, answered.participants[0].person, {"Q1": "2", "Q2": "2"})
    db.session.commit()
    contents = [it.content() for it in old.items]
    contents[1] = {**contents[1], "text": contents[1]["text"] + " (sửa)"}
    new = services.update_instrument(instrument, title="Bài đã sửa", topic=instrument.topic, user=None,
                                     contents=contents)
    db.session.commit()
    assert new is not old and answered.version is old and answered.rescored_dt is None
    response = db.session.scalar(sa.select(Response))
    assert response.version_id == old.id and response.score == 2


def test_saving_without_changes_keeps_the_version(db, create_training):
    training = create_training(people=1)
    answer_all(training, training.participants[0].person, {"Q1": "2"})
    db.session.commit()
    instrument = training.version.instrument
    same = services.update_instrument(instrument, title="Tên mới", topic=instrument.topic, user=None,
                                      contents=[{**it.content(), "question_id": it.question_id}
                                                for it in training.version.items])
    assert same is training.version and len(instrument.versions) == 1


def test_bank_edit_does_not_change_an_existing_test(db, create_topic, units):
    topic = create_topic()
    question = services.save_question(None, topic=topic, unit=units["19"], user=None, text="Câu gốc",
                                      kind="truefalse", correct=1)
    instrument = services.create_instrument(title="Bài", topic=topic, unit=units["19"], user=None,
                                            contents=services.question_contents([question]))
    services.save_question(question, topic=topic, unit=units["19"], user=None, text="Câu đã sửa",
                           kind="truefalse", correct=2)
    db.session.commit()
    item = instrument.current_version.items[0]
    assert (item.text, item.correct, item.question_id) == ("Câu gốc", [1], question.id)


def test_web_edit_of_a_frozen_test_reports_the_new_version(db, client, login_as, create_training):
    training = create_training(people=1)
    answer_all(training, training.participants[0].person, {"Q1": "2"})
    db.session.commit()
    instrument = training.version.instrument
    # put the bank questions behind the items, so the picker can rebuild the test
    for item in training.version.items:
        question = Question(topic=instrument.topic, unit=instrument.unit, **item.content())
        db.session.add(question)
        db.session.flush()
        item.question_id = question.id
    db.session.commit()
    login_as(Role.province, "19")
    ids = [it.question_id for it in training.version.items]
    data = {"title": instrument.title, "topic_id": instrument.topic_id, **{f"pos_{q}": str(i) for i, q in
                                                                            enumerate(ids[:2], start=1)}}
    page = client.post(f"/surveys/tests/{instrument.id}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "đã tạo phiên bản 2" in page
    db.session.expire_all()
    assert len(instrument.versions) == 2 and len(instrument.current_version.items) == 2
    assert len(training.version.items) == 6
