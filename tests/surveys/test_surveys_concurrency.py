"""50 phones at once: every submission stored exactly once, on SQLite and PostgreSQL alike."""
import sqlalchemy as sa

from concurrency import fire, statuses
from surveys.models import Answer, Phase, Response
from test_surveys_phone import ANSWERS

N = 50


def test_fifty_phones_submitting_at_once_are_all_stored_once(app, db, client, create_training, phone):
    training = create_training(people=N, open_phases=[Phase.pre])
    people = [p.person for p in training.participants]
    form = phone(training, Phase.pre)
    tokens = [form.token_for(person) for person in people]

    results = fire(app, N, lambda c, i: form.submit(people[i], ANSWERS, token=tokens[i], via=c))

    assert statuses(results) == {200: N}
    per_person = db.session.execute(
        sa.select(Response.person_id, sa.func.count(Response.id)).where(Response.training_id == training.id)
        .group_by(Response.person_id)).all()
    assert len(per_person) == N and all(count == 1 for _, count in per_person)
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == N * len(ANSWERS)


def test_fifty_replays_of_one_submission_store_one_response(app, db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    token = form.token_for(person)

    results = fire(app, N, lambda c, i: form.submit(person, ANSWERS, token=token, via=c))

    assert statuses(results) == {200: N}
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == len(ANSWERS)


def _consents(db, person):
    from app.models import Consent

    return db.session.scalar(sa.select(sa.func.count(Consent.id)).where(Consent.person_id == person.id))


def test_concurrent_forms_of_one_person_giving_consent_store_one_response_and_one_consent(
        app, db, client, create_training, phone):
    """8 forms of the same person (8 tokens) sent at once, each giving consent: the consent is
    written in the response's savepoint, and active consents are unique per person and purpose."""
    training = create_training(people=1, consent=False, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    tokens = [form.token_for(person) for _ in range(8)]

    results = fire(app, 8, lambda c, i: form.submit(person, ANSWERS, token=tokens[i], consent=True, via=c))

    assert statuses(results) == {200: 8}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
    assert _consents(db, person) == 1


def test_pre_and_post_of_one_person_at_once_store_both_with_one_consent(app, db, client, create_training, phone):
    training = create_training(people=1, consent=False, open_phases=[Phase.pre, Phase.post])
    person = training.participants[0].person
    forms = [phone(training, Phase.pre), phone(training, Phase.post)] * 3
    tokens = [f.token_for(person) for f in forms]

    results = fire(app, 6, lambda c, i: forms[i].submit(person, ANSWERS, token=tokens[i], consent=True, via=c))

    assert statuses(results) == {200: 6}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 2
    assert _consents(db, person) == 1


def test_a_second_active_consent_is_refused_by_the_database(db, create_person):
    from sqlalchemy.exc import IntegrityError

    from app.models import Consent
    from app.services import give_consent, withdraw_consent

    person = create_person()
    give_consent(person, "caunoi")
    db.session.commit()
    db.session.add(Consent(person_id=person.id, purpose="caunoi"))
    try:
        db.session.flush()
        raise AssertionError("a second active consent was stored")
    except IntegrityError:
        db.session.rollback()
    withdraw_consent(person, "caunoi")
    give_consent(person, "caunoi")  # after a withdrawal, consenting again is allowed
    db.session.commit()
    assert _consents(db, person) == 2
