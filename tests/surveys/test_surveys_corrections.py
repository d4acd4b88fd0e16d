"""Surveys III (#15): imports know their training, province trainings, voided responses,
re-scoring after an answer-key fix, and the grid that never overwrites silently."""
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db as _db
from app.models import Role
from surveys import services
from surveys.models import Phase, Training
from surveys.services.workbook import WorkbookError
from test_surveys_workbook import counts, sheets, xlsx


@pytest.fixture
def trainer(db, units, create_user, create_topic):
    create_topic("Lừa đảo trực tuyến")
    return create_user(Role.trainer, "02086")


def _identity(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data))["Lớp tập huấn"]
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True)}


# --- imports know where they belong --------------------------------------------------------

def test_an_export_carries_its_training_id_version_and_checksum(db, trainer, units):
    training = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    rows = _identity(services.export_workbook(training, user=trainer))
    assert rows["training_id"] == str(training.id) and rows["test_version"] == str(training.version_id)
    assert re.fullmatch(r"[0-9a-f]{16}", rows["checksum"])
    template = _identity(services.export_workbook(training, with_answers=False, user=trainer))
    assert template["training_id"] == str(training.id)


def test_the_export_of_one_training_is_refused_by_another_with_nothing_stored(db, trainer, units):
    first = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    # the other training uses the very same test: only the identity rows tell them apart
    second = services.save_training(None, title="Lớp khác", topic=first.topic, unit=units["na_nguoc"],
                                    instrument=first.version.instrument, start_date=date(2025, 10, 6), user=trainer)
    db.session.commit()
    exported = services.export_workbook(first, user=trainer)
    before = counts()
    with pytest.raises(services.ForeignWorkbook) as refused:
        services.import_workbook(exported, user=trainer, training=second)
    db.session.rollback()
    assert counts() == before
    assert f"“{first.title}” (số {first.id})" in refused.value.message
    assert "tạo lớp mới từ tệp này" in refused.value.message


def test_a_typed_over_identity_is_refused(db, trainer, units):
    first = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    book = load_workbook(io.BytesIO(services.export_workbook(first, user=trainer)))
    for row in book["Lớp tập huấn"].iter_rows():
        if row[0].value == "training_id":
            row[1].value = str(first.id + 1)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as refused:
        services.import_workbook(out.getvalue(), user=trainer, training=first)
    assert "mã kiểm tra không khớp" in str(refused.value.problems[0])


def test_web_cross_training_import_offers_a_new_training_from_the_file(db, client, login_as, create_topic, units):
    create_topic("Lừa đảo trực tuyến")
    user = login_as(Role.commune, "02086")
    first = services.import_workbook(xlsx(sheets()), user=user, unit=units["02086"])
    second = services.save_training(None, title="Lớp khác", topic=first.topic, unit=units["02086"],
                                    instrument=first.version.instrument, start_date=date(2025, 10, 6))
    db.session.commit()
    exported = services.export_workbook(first)
    db.session.commit()
    before = counts()
    page = client.post(f"/surveys/trainings/{second.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(exported), "lop.xlsx")})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "Tệp của lớp khác, chưa lưu gì" in html and "Tạo lớp mới từ tệp này" in html
    assert counts() == before
    stash = re.search(r'name="stash" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {"stash": stash, "unit_id": units["02086"].id}
    if token:
        data["csrf_token"] = token.group(1)
    created = client.post("/surveys/trainings/import", data=data)
    assert created.status_code == 302
    new = db.session.scalar(sa.select(Training).order_by(Training.id.desc()))
    assert new.id not in (first.id, second.id)
    assert counts()["Response"] == before["Response"] + 5
    # the kept file is used once only
    again = client.post("/surveys/trainings/import", data=data)
    assert again.status_code == 200 and "hết hạn giữ tạm" in again.get_data(as_text=True)


# --- province trainings ---------------------------------------------------------------------

def test_a_training_of_trainers_belongs_to_the_province(db, units, create_user, create_instrument, client, login_as):
    instrument = create_instrument()
    training = services.save_training(None, title="Tập huấn cán bộ nguồn", topic=instrument.topic, unit=units["19"],
                                      instrument=instrument, start_date=date(2025, 9, 1))
    db.session.commit()
    assert training.unit.level.value == "province"
    with pytest.raises(services.trainings.ServiceError):
        services.save_training(None, title="Quốc gia", topic=instrument.topic, unit=units["VN"],
                               instrument=instrument, start_date=date(2025, 9, 1))
    login_as(Role.province, "19")
    page = client.get("/surveys/trainings/new").get_data(as_text=True)
    assert f'value="{units["19"].id}"' in page


# --- void, restore, re-score ----------------------------------------------------------------

PRE = {"Q1": "2", "Q2": "1", "Q3": "1", "Q4": "2", "Q5": "3"}
POST = {"Q1": "2", "Q2": "2", "Q3": "1,2", "Q4": "2", "Q5": "5"}


def _answer(training, person, phase, raw):
    from surveys.models import ResponseSource

    answers, errors = services.parse_answers(training.version.items, raw)
    assert not errors
    return services.save_response(training, phase, person, answers, source=ResponseSource.grid)[0]


def figures(training, units) -> dict:
    """Every statistic a response feeds: the training's results (page, report, API, CLI), the
    training page's table and counts, pooled results, the dashboard's pairs and the export."""
    from app.indicators.periods import Period
    from surveys.analytics.pooled import Selection, load_pooled_results
    from surveys.analytics.results import load_training_results
    from surveys.indicators import TrainingIndicators
    from surveys.results import score_table, training_counts

    results = load_training_results(training).to_json()
    pooled = load_pooled_results(Selection(units["19"]))
    table = [(r["person"].code, r["pre"] and r["pre"].score, r["post"] and r["post"].score) for r in score_table(training)]
    root = units["19"]
    dashboard = TrainingIndicators().compute(root, Period.year(2025), date(2025, 12, 31), {
        u.id: root.path for u in [root, units["02020"], units["02086"], units["na_nguoc"], units["ban_ca"]]}).total
    book = load_workbook(io.BytesIO(services.export_workbook(training)))
    exported = {s: [r for r in book[s].iter_rows(values_only=True)] for s in ("Trước tập huấn", "Sau tập huấn")}
    _db.session.commit()  # the export log row
    return {"results": results, "pooled": (pooled.n_pre, pooled.n_post, pooled.n_matched, pooled.summary),
            "table": table, "counts": training_counts([training.id]), "dashboard": dashboard, "export": exported}


def test_a_voided_response_leaves_every_statistic_as_if_it_never_existed(db, units, create_training, client,
                                                                          login_as):
    training = create_training(people=6)
    people = [p.person for p in training.participants]
    for i, person in enumerate(people[:5]):
        _answer(training, person, Phase.pre, {**PRE, "Q2": str(1 + i % 2)})
        _answer(training, person, Phase.post, POST)
    db.session.commit()
    without = figures(training, units)

    # a blank paper row saved as 0/5 before, a full post: a "+5" gain that never happened
    blank_pre = _answer(training, people[5], Phase.pre, {})
    wrong_post = _answer(training, people[5], Phase.post, POST)
    db.session.commit()
    with_them = figures(training, units)
    assert with_them != without

    login_as(Role.trainer, "02086")
    for response in (blank_pre, wrong_post):
        page = client.post(f"/surveys/trainings/{training.id}/responses/{response.id}/void",
                           data={"reason": "Phiếu trống, nhập nhầm"})
        assert page.status_code == 302
    db.session.expire_all()
    assert figures(training, units) == without
    page = client.get(f"/surveys/trainings/{training.id}").get_data(as_text=True)
    assert "Câu trả lời đã hủy" in page and "Phiếu trống, nhập nhầm" in page
    # a void without a reason is refused
    refused = client.post(f"/surveys/trainings/{training.id}/responses/{blank_pre.id}/void", data={"reason": " "},
                          follow_redirects=True)
    assert "lý do" in refused.get_data(as_text=True)

    for response in (blank_pre, wrong_post):
        assert client.post(f"/surveys/trainings/{training.id}/responses/{response.id}/restore").status_code == 302
    db.session.expire_all()
    assert figures(training, units) == with_them
    from app.models import AuditLog
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.object_type == "Response", AuditLog.after["voided_dt"].is_not(None))) >= 1


def test_a_response_moves_to_the_right_namesake(db, units, create_training, create_person):
    training = create_training(people=2)
    wrong, right = [p.person for p in training.participants]
    response = _answer(training, wrong, Phase.pre, PRE)
    db.session.commit()
    services.move_response(response, right, None)
    db.session.commit()
    assert services.find_response(training, Phase.pre, right).id == response.id
    assert services.find_response(training, Phase.pre, wrong) is None
    with pytest.raises(services.trainings.ServiceError):  # she has one now
        services.move_response(_answer(training, wrong, Phase.pre, PRE), right, None)


def test_delete_a_training_without_responses_archive_one_with(db, units, create_training):
    empty, used = create_training(people=2), create_training(people=2)
    _answer(used, used.participants[0].person, Phase.pre, PRE)
    db.session.commit()
    services.delete_training(empty)
    db.session.commit()
    assert db.session.get(Training, empty.id) is None
    with pytest.raises(services.trainings.ServiceError, match="lưu trữ"):
        services.delete_training(used)
    services.set_archived(used, True)
    db.session.commit()
    assert used.archived_dt is not None


def test_rescoring_after_a_key_fix_gives_the_figures_of_a_fresh_import_with_the_right_key(
        db, units, create_training, create_instrument, client, login_as):
    from test_surveys_workbook import sheets, xlsx  # noqa: F401

    from surveys.analytics.results import load_training_results
    # This folder's conftest by its path: under xdist a plain "conftest" may be another folder's.
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("surveys_conftest", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    SAMPLE_QUESTIONS = module.SAMPLE_QUESTIONS

    wrong_key = [dict(q) for q in SAMPLE_QUESTIONS]
    wrong_key[3] = {**wrong_key[3], "correct": [1]}  # "18" is right, the test said "16"
    training = create_training(people=6, questions=wrong_key)
    right = create_training(people=0, questions=SAMPLE_QUESTIONS)
    for i, participant in enumerate(training.participants):
        services.add_participant(right, participant.person)
        for phase, raw in ((Phase.pre, {**PRE, "Q4": str(1 + i % 2)}), (Phase.post, POST)):
            _answer(training, participant.person, phase, raw)
            _answer(right, participant.person, phase, raw)
    db.session.commit()
    before = load_training_results(training).to_json()
    expected = load_training_results(right).to_json()
    assert before["summary"] != expected["summary"]

    instrument = training.version.instrument
    contents = [{**it.content(), "question_id": it.question_id} for it in training.version.items]
    contents[3]["correct"] = [2]
    services.update_instrument(instrument, title=instrument.title, topic=instrument.topic, user=None,
                               contents=contents)
    db.session.commit()
    db.session.expire_all()
    after = load_training_results(training).to_json()
    strip = lambda j: {k: v for k, v in j.items() if k not in ("training_id", "title")}  # noqa: E731
    assert strip(after) == strip(expected)
    assert training.rescored_dt is not None
    from surveys.models import Rescore
    rescores = db.session.scalars(sa.select(Rescore)).all()
    assert len(rescores) == 12 and any(r.score_before != r.score_after for r in rescores)
    login_as(Role.trainer, "02086")
    from app import clock
    stamp = clock.today().strftime("%d/%m/%Y")
    for url in (f"/surveys/trainings/{training.id}", f"/surveys/trainings/{training.id}/results"):
        assert f"Chấm lại ngày {stamp}" in client.get(url).get_data(as_text=True), url


# --- the grid never overwrites silently --------------------------------------------------------

FULL = {"Q1": "2", "Q2": "2", "Q3": "1,2", "Q4": "2", "Q5": "4", "Q6": "Thêm về luật"}


@pytest.fixture
def grid(db, client, login_as, create_training):
    training = create_training(people=3)
    login_as(Role.trainer, "02086")
    people = sorted((p.person for p in training.participants), key=lambda p: (p.full_name, p.code))
    return training, people, f"/surveys/trainings/{training.id}/pre/grid"


def _responses():
    from surveys.models import Response

    return _db.session.scalar(sa.select(sa.func.count(Response.id)))


def test_after_the_last_person_the_grid_returns_to_the_list_and_stores_nothing_unconfirmed(db, client, grid):
    training, people, url = grid
    for i, person in enumerate(people):
        saved = client.post(url, data={"person": person.id, **FULL})
        assert saved.status_code == 302
        location = saved.headers["Location"]
        if i < len(people) - 1:
            assert f"person={people[i + 1].id}" in location
    assert location.endswith(f"/surveys/trainings/{training.id}")  # the list, not the last person
    assert _responses() == 3
    # the grid without a person: everyone has answered, back to the list
    assert client.get(url).headers["Location"].endswith("#roster")
    # the last person opens read-only; digits posted at her store nothing without the confirmation
    page = client.get(url, query_string={"person": people[-1].id}).get_data(as_text=True)
    assert "Đang xem, chưa sửa" in page and 'name="Q1"' not in page
    changed = {**FULL, "Q1": "1"}
    refused = client.post(url, data={"person": people[-1].id, "edit": "1", **changed})
    assert refused.status_code == 200 and "đánh dấu ô xác nhận" in refused.get_data(as_text=True)
    from surveys.models import Response
    stored = _db.session.scalar(sa.select(Response).where(Response.person_id == people[-1].id))
    assert stored.score == 5 and stored.updated_dt is None
    # confirmed: replaced, and the change is in the audit log
    assert client.post(url, data={"person": people[-1].id, "edit": "1", "confirm_replace": "1", **changed}).status_code == 302
    _db.session.expire_all()
    assert stored.score == 4 and stored.updated_dt is not None
    from app.models import AuditLog
    assert _db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(
        AuditLog.object_type == "Response", AuditLog.object_id == stored.id, AuditLog.action == "update")) >= 1


def test_a_form_with_blanks_is_saved_only_when_marked_incomplete(db, client, grid):
    training, people, url = grid
    partial = {"person": people[0].id, "Q1": "2"}  # Enter on the first answer without JavaScript
    refused = client.post(url, data=partial)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Còn 5 câu để trống (câu 2, 3, 4, 5, 6)" in html
    assert 'value="2"' in html  # what was typed is kept
    assert _responses() == 0
    assert client.post(url, data={**partial, "incomplete": "1"}).status_code == 302
    assert _responses() == 1


def test_the_no_js_hint_tells_the_truth_about_enter(db, client, grid):
    training, people, url = grid
    page = client.get(url).get_data(as_text=True)
    hint = re.search(r'<p class="hint" data-js-hint="[^"]*">([^<]*)</p>', page).group(1)
    assert "Enter sẽ gửi cả phiếu ngay" in hint and "Phiếu chưa đủ" in hint


# --- the roster workbook and dates ------------------------------------------------------------------

def test_the_roster_workbook_takes_vietnamese_headers_and_values_and_makes_missing_codes(db, units, create_training):
    from app.models import Person, Sex

    training = create_training(people=0)
    book = {"participants": [["Mã", "Họ và tên", "Giới tính", "Năm sinh", "Dân tộc", "Thôn, bản", "Đồng ý"],
                             ["", "Hoàng Thị Lan", "Nữ", 1991, "Tày", "Nà Nguộc", "đồng ý"],
                             ["", "Nông Văn Bình", "Nam", 1985, "", "", "có"],
                             ["NN-77", "Đặng Thị Mai", "nữ", 2001, "Dao", "", "không"]]}
    added = services.import_roster(xlsx(book), training=training, user=None)
    db.session.commit()
    assert added == 3
    people = {p.full_name: p for p in db.session.scalars(sa.select(Person))}
    lan, binh = people["Hoàng Thị Lan"], people["Nông Văn Bình"]
    assert lan.sex is Sex.female and binh.sex is Sex.male and people["Đặng Thị Mai"].code == "NN-77"
    assert lan.code and binh.code and lan.code != binh.code  # made on import
    assert lan.has_consent("caunoi") and not people["Đặng Thị Mai"].has_consent("caunoi")
    assert binh.unit.id == units["02086"].id  # blank village: the commune itself


def test_a_refused_reimport_says_which_answer_differs_and_a_success_counts(db, client, login_as, create_topic, units):
    create_topic("Lừa đảo trực tuyến")
    login_as(Role.commune, "02086")
    created = client.post("/surveys/trainings/import", content_type="multipart/form-data",
                          data={"unit_id": units["02086"].id, "file": (io.BytesIO(xlsx(sheets())), "lop.xlsx")},
                          follow_redirects=True)
    assert "Đã nhập lớp tập huấn từ tệp: 3 người, 5 câu trả lời." in created.get_data(as_text=True)


@pytest.mark.parametrize("start, ok", [(date(1999, 12, 31), False), (date(2000, 1, 1), True),
                                       (date(2205, 1, 1), False)])
def test_training_dates_outside_2000_to_next_year_are_refused(db, units, create_instrument, start, ok):
    from app.services import ServiceError

    instrument = create_instrument()
    make = lambda: services.save_training(None, title="Lớp", topic=instrument.topic, unit=units["02086"],  # noqa: E731
                                          instrument=instrument, start_date=start)
    if ok:
        assert make().start_date == start
    else:
        with pytest.raises(ServiceError, match="Ngày phải trong khoảng năm 2000"):
            make()


def test_birth_years_outside_1900_to_this_year_are_refused(db, units, create_training):
    from app import clock
    from app.services import ServiceError

    for year in (1899, clock.today().year + 1):
        with pytest.raises(ServiceError, match="Năm sinh phải từ 1900"):
            services.find_or_create_person(user=None, unit=units["na_nguoc"], full_name="Lò Thị Xuân", birth_year=year)
    book = {"participants": [["code", "full_name", "sex", "birth_year", "ethnicity", "village", "consent"],
                             ["X-1", "Lò Thị Xuân", "Nữ", 1899, "", "", "yes"]]}
    with pytest.raises(WorkbookError, match="năm sinh phải từ 1900"):
        services.import_roster(xlsx(book), training=create_training(people=0), user=None)


def test_the_roster_form_keeps_what_was_typed_with_the_error_beside_its_field(db, client, login_as, create_training):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    page = client.post(f"/surveys/trainings/{training.id}/participants",
                       data={"full_name": "Triệu Thị Hằng", "birth_year": "1899", "code": "TH-01"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Triệu Thị Hằng"' in html and 'value="TH-01"' in html and 'value="1899"' in html
    field = re.search(r'<div class="field[^"]*has-error[^"]*">.*?</div>', html, re.S).group(0)
    assert 'name="birth_year"' in field and "Năm sinh" in field
    assert 'action="/surveys/trainings/%d/participants#add-person"' % training.id in html


def test_a_province_training_workbook_finds_villages_in_its_communes(db, units, create_user, create_topic):
    """A province training (training of trainers): the village column names villages of the
    province's communes (not communes taken for villages), a commune for someone registered at
    commune level, blank for the province level; a village name borne in two communes needs its
    commune, and the export writes it so."""
    from app import services as core
    from app.models import Person

    create_topic("Lừa đảo trực tuyến")
    officer = create_user(Role.province, "19")
    training = services.import_workbook(xlsx(sheets()), user=officer, unit=units["19"])
    db.session.commit()
    assert training.unit.level.value == "province"
    home = {p.person.code: p.person.unit.name for p in training.participants}
    assert home == {"NN-01": "Nà Nguộc", "NN-02": "Nà Nguộc", "NN-03": "Thái Nguyên"}

    core.create_unit(units["02020"], "Nà Nguộc", "thôn")  # now borne in two communes
    db.session.commit()
    roster = sheets()["participants"][:1] + [
        ["TT-01", "Đinh Thị Hoa", "F", 1980, "Tày", "Bản Ca", "yes"],
        ["TT-02", "Ma Thị Lan", "F", 1982, "Tày", "Xã Chợ Đồn", "yes"],
        ["TT-03", "Lý Thị Nga", "F", 1984, "Dao", "Nà Nguộc", "yes"]]
    with pytest.raises(WorkbookError) as refused:
        services.import_roster(xlsx({"participants": roster}), training=training, user=officer)
    assert [str(p) for p in refused.value.problems] == [
        "Trang “participants”, dòng 4, cột village (F): có nhiều thôn, bản “Nà Nguộc” (Xã Chợ Đồn, Xã Chợ Mới): "
        "ghi thêm tên xã, ví dụ “Nà Nguộc, Xã Chợ Đồn”."]
    db.session.rollback()
    roster[3][5] = "Nà Nguộc, Xã Chợ Đồn"
    assert services.import_roster(xlsx({"participants": roster}), training=training, user=officer) == 3
    db.session.commit()
    placed = {p.code: (p.unit.name, p.unit.parent.name) for p in _db.session.scalars(
        sa.select(Person).where(Person.code.like("TT-%")))}
    assert placed == {"TT-01": ("Bản Ca", "Xã Chợ Đồn"), "TT-02": ("Xã Chợ Đồn", "Thái Nguyên"),
                      "TT-03": ("Nà Nguộc", "Xã Chợ Đồn")}
    # the export writes what reads back: the commune beside a village name borne twice
    book = load_workbook(io.BytesIO(services.export_workbook(training)))
    village = {row[0]: row[5] for row in book["Người tham gia"].iter_rows(min_row=2, values_only=True)}
    assert village == {"NN-01": "Nà Nguộc, Xã Chợ Mới", "NN-02": "Nà Nguộc, Xã Chợ Mới", "NN-03": None,
                       "TT-01": "Bản Ca", "TT-02": "Xã Chợ Đồn", "TT-03": "Nà Nguộc, Xã Chợ Đồn"}
    with pytest.raises(WorkbookError, match="không có thôn, bản hay xã “Bản Lạ” trong Thái Nguyên"):
        services.import_roster(xlsx({"participants": roster[:1] + [["TT-09", "A", "F", 1990, "", "Bản Lạ", "yes"]]}),
                               training=training, user=officer)
