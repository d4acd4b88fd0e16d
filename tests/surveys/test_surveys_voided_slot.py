"""A voided response frees the person's place for the phase (#15): the grid, the phone form and
the workbook import all store a new response for her; the voided one stays in the history, and
restoring it is refused while the new one stands."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db as _db
from app.models import Role
from app.services import ServiceError
from surveys import services
from surveys.models import Phase, Response, ResponseSource

PRE = {"Q1": "2", "Q2": "1", "Q3": "1", "Q4": "2", "Q5": "3"}
FULL = {"Q1": "2", "Q2": "2", "Q3": "1,2", "Q4": "2", "Q5": "4", "Q6": "Thêm về luật"}


def _answer(training, person, phase, raw, source=ResponseSource.grid):
    answers, errors = services.parse_answers(training.version.items, raw)
    assert not errors
    return services.save_response(training, phase, person, answers, source=source)


def _rows(person, phase=Phase.pre):
    return _db.session.execute(sa.select(Response.id, Response.voided_dt.is_not(None), Response.score)
                               .where(Response.person_id == person.id, Response.phase == phase)
                               .order_by(Response.id)).all()


def test_after_a_void_the_service_stores_a_new_response_and_restore_is_refused(db, create_training):
    training = create_training(people=1)
    person = training.participants[0].person
    old, created = _answer(training, person, Phase.pre, {})
    assert created
    services.void_response(old, "Phiếu trống", None)
    db.session.commit()
    assert services.find_response(training, Phase.pre, person) is None
    new, created = _answer(training, person, Phase.pre, PRE)
    db.session.commit()
    assert created and new.id != old.id
    assert [(v, s) for _i, v, s in _rows(person)] == [(True, 0), (False, new.score)]
    assert services.find_response(training, Phase.pre, person).id == new.id
    with pytest.raises(ServiceError, match="đã có câu trả lời mới"):
        services.restore_response(old)
    db.session.rollback()
    # once the new one is voided in turn, the old one comes back
    services.void_response(new, "Nhầm người", None)
    services.restore_response(old)
    db.session.commit()
    assert services.find_response(training, Phase.pre, person).id == old.id


def test_the_database_allows_one_live_response_only(db, create_training):
    training = create_training(people=1)
    person = training.participants[0].person
    old, _c = _answer(training, person, Phase.pre, PRE)
    services.void_response(old, "Sai", None)
    _answer(training, person, Phase.pre, PRE)
    db.session.commit()
    _db.session.add(Response(training_id=training.id, phase=Phase.pre, person_id=person.id,
                             version_id=training.version_id, source=ResponseSource.grid))
    with pytest.raises(sa.exc.IntegrityError):
        _db.session.flush()
    db.session.rollback()
    assert len(_rows(person)) == 2


def test_the_grid_offers_the_voided_persons_row_again_and_restore_tells_why_not(db, client, login_as,
                                                                                 create_training):
    training = create_training(people=2)
    people = sorted((p.person for p in training.participants), key=lambda p: (p.full_name, p.code))
    for person in people:
        _answer(training, person, Phase.pre, FULL)
    old = services.find_response(training, Phase.pre, people[0])
    services.void_response(old, "Nhầm người trùng tên", None)
    db.session.commit()
    login_as(Role.trainer, "02086")
    url = f"/surveys/trainings/{training.id}/pre/grid"
    # the grid goes to her: she is the one without a (live) response
    page = client.get(url)
    assert page.status_code == 200 and "Đang xem, chưa sửa" not in page.get_data(as_text=True)
    assert 'name="Q1"' in page.get_data(as_text=True)
    assert "Câu trả lời trước của " + people[0].full_name + " đã bị hủy ngày" in page.get_data(as_text=True)
    assert "(Nhầm người trùng tên): phiếu nhập ở đây là câu trả lời mới" in page.get_data(as_text=True)
    saved = client.post(url, data={"person": people[0].id, **PRE, "incomplete": "1"})
    assert saved.status_code == 302
    assert [v for _i, v, _s in _rows(people[0])] == [True, False]
    refused = client.post(f"/surveys/trainings/{training.id}/responses/{old.id}/restore", follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "Không khôi phục được" in html and "câu trả lời mới" in html
    _db.session.expire_all()
    assert _db.session.get(Response, old.id).voided_dt is not None


def test_the_phone_form_takes_her_answers_again_after_a_void(db, client, create_training, phone):
    training = create_training(people=1, open_phases=[Phase.pre])
    person = training.participants[0].person
    form = phone(training, Phase.pre)
    form.submit(person, {"Q1": "1"})
    first = _db.session.scalar(sa.select(Response))
    assert "đã trả lời khảo sát này rồi" in form.open(person).get_data(as_text=True)
    services.void_response(first, "Điền thử", None)
    db.session.commit()
    assert "đã trả lời khảo sát này rồi" not in form.open(person).get_data(as_text=True)
    page = form.submit(person, {"Q1": "2", "Q2": "2", "Q3": ["1", "2"], "Q4": "2", "Q5": "4", "Q6": "Gọi 111"})
    assert "Đã ghi nhận câu trả lời" in page.get_data(as_text=True)
    assert [(v, s) for _i, v, s in _rows(person)] == [(True, 0), (False, 5)]


def test_an_import_after_a_void_stores_new_answers_but_not_the_voided_ones_again(db, create_training):
    training = create_training(people=2)
    a, b = (p.person for p in training.participants)
    _answer(training, a, Phase.pre, PRE)
    _answer(training, b, Phase.pre, PRE)
    db.session.commit()
    exported = services.export_workbook(training)
    voided = services.find_response(training, Phase.pre, a)
    services.void_response(voided, "Sai người", None)
    db.session.commit()
    # the same file again: her voided answers are not brought back
    report = {}
    services.import_workbook(exported, user=None, training=training, report=report)
    db.session.commit()
    assert (report["responses"], report["voided"]) == (0, 1)
    assert services.find_response(training, Phase.pre, a) is None
    # the file with her right answers: stored as her new response
    book = load_workbook(io.BytesIO(exported))
    sheet = book["Trước tập huấn"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == a.code:
            row[header.index("Q1")].value = 1
    out = io.BytesIO()
    book.save(out)
    report = {}
    services.import_workbook(out.getvalue(), user=None, training=training, report=report)
    db.session.commit()
    assert (report["responses"], report["voided"]) == (1, 0)
    assert [v for _i, v, _s in _rows(a)] == [True, False]


def test_migration_0022_keeps_every_answer_both_ways(db, create_training):
    """On SQLite the migration copies survey_responses to change its unique rule: with foreign keys
    on, dropping the old table would delete every answer (ON DELETE CASCADE). Down and up again on
    the test database, with answers, a re-score record and a voided response replaced by a live one."""
    from flask_migrate import downgrade, upgrade

    from surveys.models import Answer, Rescore

    training = create_training(people=2)
    a, b = (p.person for p in training.participants)
    replaced, _c = _answer(training, a, Phase.pre, PRE)
    services.void_response(replaced, "Sai", None)
    live, _c = _answer(training, a, Phase.pre, FULL)
    kept, _c = _answer(training, b, Phase.pre, PRE)
    _db.session.add(Rescore(training_id=training.id, response_id=kept.id, from_version_id=training.version_id,
                            to_version_id=training.version_id, score_before=1, max_before=9, score_after=2,
                            max_after=9, rescored_dt=kept.submitted_dt))
    db.session.commit()

    ids = {"replaced": replaced.id, "live": live.id, "kept": kept.id}

    def answers() -> dict[int, int]:
        return {i: _db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.response_id == i))
                for i in (ids["live"], ids["kept"])}
    before = answers()
    assert all(before.values())
    _db.session.remove()
    try:
        downgrade(revision="0022_h1")
        # the old rule allows one response of any state: the replaced voided one went, nothing else
        assert _db.session.get(Response, ids["replaced"]) is None
        assert answers() == before
        _db.session.remove()
    finally:
        upgrade()  # the session's database goes back to the head whatever happened
    assert answers() == before
    assert _db.session.scalar(sa.select(sa.func.count(Rescore.id))) == 1
    _db.session.remove()
