"""The key of a worker-made document (app.jobs.document_key) follows the records that document
reads, declared by its view (``jobs.in_worker(stamp=...)``), not every write of the database: a
colleague's login or another commune's record leaves the job as it is (a resubmit finds it), a
change of the document's own records makes a new one. Trainings, dialogues, the dashboard."""
from __future__ import annotations

import sqlalchemy as sa

from app import jobs, services as core
from app.models import Role
from factories import work
from surveys import services as surveys_services
from surveys.models import Phase, ResponseSource


def _location(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def _jobs(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(jobs.Job.id)))


def _colleague_logs_in(app, create_user, test_password, unit: str) -> None:
    """A real login: it writes her last_login_dt, so the global stamp (and an audit row) moves."""
    colleague = create_user(Role.commune, unit)
    before = jobs.data_stamp()
    assert app.test_client().post("/login", data={"username": colleague.username,
                                                  "password": test_password}).status_code == 302
    assert jobs.data_stamp() != before  # what made a second job before the stamps were per document


def test_a_training_document_keeps_its_job_through_unrelated_writes(app, db, client, login_as, create_user,
                                                                    test_password, create_training, create_person,
                                                                    stored_queue):
    training = create_training(people=2, open_phases=[Phase.pre])  # in 02086
    elsewhere = create_training(unit="02020", people=1)
    login_as(Role.commune, "02086")
    url = f"/surveys/trainings/{training.id}/results.pdf"
    first = _location(client, url)
    assert work(stored_queue) == 1  # made, its export log written: no change of the document

    _colleague_logs_in(app, create_user, test_password, "02086")  # a colleague of the same commune
    surveys_services.add_participant(elsewhere, create_person(unit="ban_ca"))  # another commune's class
    db.session.commit()
    person = elsewhere.participants[0].person
    core.save_person(person, full_name="Tên khác ở xã khác", unit=person.unit)
    db.session.commit()
    assert _location(client, url) == first and _jobs(db) == 1
    assert work(stored_queue) == 0


def test_a_change_of_the_training_makes_a_new_job(db, client, login_as, create_training, create_person,
                                                  stored_queue):
    training = create_training(people=2, open_phases=[Phase.pre])
    officer = login_as(Role.commune, "02086")
    url = f"/surveys/trainings/{training.id}/results.xlsx"
    seen = [_location(client, url)]

    def changed() -> bool:
        db.session.commit()
        seen.append(_location(client, url))
        return seen[-1] not in seen[:-1]

    first, second = sorted(training.participants, key=lambda p: p.id)
    surveys_services.save_response(training, Phase.pre, first.person, [], source=ResponseSource.grid, user=officer)
    assert changed()  # a response recorded
    core.save_person(second.person, full_name="Học viên Đổi Tên", unit=second.person.unit)  # her village's record
    assert changed()
    surveys_services.add_participant(training, create_person(unit="na_nguoc"), officer)
    assert changed()
    surveys_services.remove_participant(training, second.person)
    assert changed()
    training.title = "Tập huấn đổi tên"
    assert changed()
    training.unit.parent.name = "Tỉnh Thái Nguyên mới"  # the header names the province's union
    assert changed()
    assert _jobs(db) == 7


def test_a_dialogue_document_follows_its_dialogue(app, db, client, login_as, create_user, test_password,
                                                  create_dialogue, stored_queue, quick_pdf):
    dialogue = create_dialogue("02020", status="held", questions=2, commitments=1)
    other = create_dialogue("02086", status="held", questions=1, commitments=1)
    login_as(Role.commune, "02020")
    url = f"/dialogues/{dialogue.id}/minutes.pdf"
    first = _location(client, url)
    _colleague_logs_in(app, create_user, test_password, "02020")
    other.title = "Đối thoại của xã khác"
    db.session.commit()
    assert _location(client, url) == first and _jobs(db) == 1

    question = dialogue.questions[0]
    question.content = "Nội dung ý kiến đã sửa"
    db.session.commit()
    second = _location(client, url)
    assert second != first
    commitment = next(c for q in dialogue.questions for c in q.commitments)
    commitment.description = "Cam kết đã sửa"
    db.session.commit()
    third = _location(client, url)
    assert third not in (first, second) and _jobs(db) == 3


def test_the_dashboard_report_follows_its_subtree(app, db, client, login_as, create_user, test_password,
                                                  create_training, create_instrument, create_person, stored_queue):
    login_as(Role.province, "19")
    commune, province = "/indicators/report.pdf?unit=02086", "/indicators/report.pdf?unit=19"
    first = {url: _location(client, url) for url in (commune, province)}  # (a province's: read another way)
    _colleague_logs_in(app, create_user, test_password, "02086")
    create_training(unit="08", people=[create_person("08")], instrument=create_instrument(unit="08"))  # elsewhere
    assert {url: _location(client, url) for url in (commune, province)} == first and _jobs(db) == 2
    create_training(unit="02020", people=1)  # another commune of the province
    assert _location(client, commune) == first[commune]
    assert _location(client, province) != first[province]
    create_training(unit="02086", people=1)  # a class in the commune counts
    assert _location(client, commune) != first[commune] and _jobs(db) == 4


def test_every_worker_document_declares_what_it_reads(app):
    """A view marked ``jobs.in_worker`` without a stamp would fall back to every record (any login
    makes it a new job): each of the app's declares its own."""
    marked = {name: view.job_stamp for name, view in app.view_functions.items() if hasattr(view, "job_stamp")}
    assert len(marked) >= 10
    assert [name for name, stamp in marked.items() if stamp is None] == []


def test_a_stamp_is_one_statement(db, create_training, create_dialogue, statements):
    from dialogues.stamps import dialogue_stamp
    from surveys.stamps import training_stamp

    training = create_training(people=3, open_phases=[Phase.pre])
    dialogue = create_dialogue("02020", status="held", questions=2, commitments=1)
    for parts in (training_stamp(training.id), dialogue_stamp(dialogue.id), [jobs.subtree_changes(training.unit)],
                  [jobs.subtree_changes(training.unit.parent)]):
        sent = statements(lambda: jobs.records_stamp(parts))
        assert len(sent) == 1 and sent[0].lstrip().upper().startswith("SELECT")


def test_an_edited_test_not_yet_answered_makes_a_new_paper_questionnaire(db, client, login_as, create_training,
                                                                        stored_queue):
    """A version no response points at is edited in place: its items are deleted and written again
    (on SQLite with the same ids when they were the last ones)."""
    from surveys.services.instruments import update_instrument

    training = create_training(people=2, open_phases=[Phase.pre])
    login_as(Role.commune, "02086")
    url = f"/surveys/trainings/{training.id}/pre/paper.pdf"
    first = _location(client, url)
    instrument = training.version.instrument
    contents = [item.content() | {"question_id": item.question_id, "required": item.required}
                for item in training.version.items]
    contents[0] = contents[0] | {"text": contents[0]["text"].replace("riêng", "chung")}  # same length, same ids
    assert update_instrument(instrument, title=instrument.title, topic=instrument.topic, user=None,
                             contents=contents, shuffle_options=instrument.shuffle_options) == training.version
    db.session.commit()
    assert _location(client, url) != first
