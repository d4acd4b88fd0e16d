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
