"""The roster and interchange workbook (issue #15): the untouched blank template imports (nothing
to store, said so), a roster typed into it is stored, and a file's problems come in one list: its
own (rows, dates) and the database's (topic, village, date range) together."""
import io

import sqlalchemy as sa

from app.models import Role
from surveys import services
from surveys.models import Participant, Training

from test_surveys_workbook import counts, refused, sheets, xlsx, trainer  # noqa: F401  (trainer: fixture)


def blank_with(participants: list[list]) -> bytes:
    """The blank template (as downloaded) with rows typed into its participants sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(services.blank_template()))
    for row in participants:
        wb["Người tham gia"].append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, url: str, data: bytes):
    return client.post(url, content_type="multipart/form-data", data={"file": (io.BytesIO(data), "mau.xlsx")},
                       follow_redirects=True)


def test_the_untouched_blank_template_imports_and_says_nothing_was_stored(db, client, login_as, create_training):
    training = create_training(people=2)
    login_as(Role.trainer, "02086")
    before = counts()
    page = upload(client, f"/surveys/trainings/{training.id}/import", services.blank_template()).get_data(as_text=True)
    assert "Tệp chưa có người nào và câu trả lời nào (như tệp mẫu trống) nên chưa lưu gì." in page
    assert "chưa có câu hỏi nào" not in page
    page = upload(client, f"/surveys/trainings/{training.id}/participants/import",
                  services.blank_template()).get_data(as_text=True)
    assert "Trang “Người tham gia” (“participants”) của tệp chưa có người nào (như tệp mẫu trống) nên chưa lưu gì." in page
    assert counts() == before


def test_a_roster_typed_into_the_blank_template_is_stored(db, client, login_as, create_training):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    rows = [["", "Hà Thị Thảo", "Nữ", 1990, "Tày", "Nà Nguộc", "đồng ý"],
            ["", "Ma Văn Tuấn", "Nam", 1987, "Tày", "", "không"]]
    page = upload(client, f"/surveys/trainings/{training.id}/import", blank_with(rows)).get_data(as_text=True)
    assert "Đã nhập từ tệp: 2 người mới vào danh sách lớp, 0 câu trả lời mới" in page
    people = sorted((p.person.full_name, p.person.unit.name, bool(p.person.code)) for p in
                    db.session.scalars(sa.select(Participant).where(Participant.training_id == training.id)))
    assert people == [("Hà Thị Thảo", "Nà Nguộc", True), ("Ma Văn Tuấn", "Xã Chợ Mới", True)]
    # the same file through the roster import adds nobody twice
    page = upload(client, f"/surveys/trainings/{training.id}/participants/import", blank_with(rows)).get_data(as_text=True)
    assert "Đã thêm 0 người vào danh sách lớp." in page
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 2


def test_a_blank_template_cannot_make_a_new_training_and_says_all_that_is_missing(db, trainer, units):
    problems = refused(services.blank_template(), trainer, units["02086"])
    assert problems == ["Trang “Lớp tập huấn”, dòng 1, cột title (B): chưa điền.",
                        "Trang “Lớp tập huấn”, dòng 2, cột topic (B): chưa điền.",
                        "Trang “Lớp tập huấn”, dòng 3, cột start_date (B): chưa điền.",
                        "Trang “Câu hỏi”: chưa có câu hỏi nào."]


def test_every_problem_of_a_file_comes_at_once_topic_village_dates_and_rows(db, trainer, units):
    book = sheets()
    book["training"] = [["title", "Tập huấn"], ["topic", "Chủ đề lạ"], ["start_date", "1999-12-31"],
                        ["end_date", "1999-12-01"], ["venue", ""]]
    book["participants"] = [list(r) for r in book["participants"]]
    book["participants"][1][5] = "Bản Lạ"          # a village the database does not know
    book["participants"][2][3] = "abc"             # a birth year the file itself gets wrong
    book["participants"][3][5] = "Bản Không Có"    # both on one row: its village is still checked
    book["participants"][3][2] = "X"
    book["pre"] = [list(r) for r in book["pre"]]
    book["pre"][1][3] = "9"                         # an answer out of range
    problems = refused(xlsx(book), trainer, units["02086"])
    assert problems == [
        "Trang “training”, dòng 2, cột topic (B): chưa có chủ đề “Chủ đề lạ” trong danh sách chủ đề.",
        "Trang “training”, dòng 3, cột start_date (B): " + _date_message("1999-12-31"),
        "Trang “training”, dòng 4, cột end_date (B): Ngày kết thúc phải sau ngày bắt đầu.",
        "Trang “training”, dòng 4, cột end_date (B): " + _date_message("1999-12-01"),
        "Trang “participants”, dòng 2, cột village (F): không có thôn, bản “Bản Lạ” trong Xã Chợ Mới.",
        "Trang “participants”, dòng 3, cột birth_year (D): “abc” không phải là số.",
        "Trang “participants”, dòng 4, cột sex (C): giới tính ghi Nữ hoặc Nam (F hoặc M), không phải “X”.",
        "Trang “participants”, dòng 4, cột village (F): không có thôn, bản “Bản Không Có” trong Xã Chợ Mới.",
        "Trang “pre”, dòng 2, cột Q3 (D): Lựa chọn 9 không có: câu này chỉ có 3 lựa chọn (1 đến 3).",
    ]
    assert db.session.scalar(sa.select(sa.func.count(Training.id))) == 0


def _date_message(value: str) -> str:
    from datetime import date

    from surveys.services.trainings import training_date_problem

    return training_date_problem(date.fromisoformat(value))


def test_a_roster_file_lists_its_own_and_the_database_problems_together(db, client, login_as, create_training):
    training = create_training(people=0)
    login_as(Role.trainer, "02086")
    rows = [["", "Hà Thị Thảo", "F", "năm chín mươi", "Tày", "", "yes"],
            ["", "Ma Văn Tuấn", "M", 1987, "Tày", "Bản Lạ", "yes"]]
    response = client.post(f"/surveys/trainings/{training.id}/participants/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(blank_with(rows)), "ds.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "(2 lỗi)" in page
    assert "“năm chín mươi” không phải là số" in page and "không có thôn, bản “Bản Lạ”" in page
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0
