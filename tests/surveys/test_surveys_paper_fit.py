"""Paper that fits: a questionnaire of up to 12 questions is one A4 page per person with the
consent and signature on it; "only those without a response"; the answer-sheet layout (one shared
question booklet, then small answer sheets with each person's code and QR, several to a page).
Page counts come from pdfinfo, words from pdftotext, both on the real PDF."""
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from app import jobs
from app.models import Role
from surveys import services
from surveys.models import Phase, ResponseSource
from surveys.views.collect import answer_sheets_per_page
from tests.surveys.conftest import SAMPLE_QUESTIONS
from tests.surveys.test_jobs import immediate_queue  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")

# Twelve questions as a real pre-test has them: the six sample ones (true/false, four options with
# "Không biết", multiple choice, a five-point agreement scale, free text) twice.
TWELVE = SAMPLE_QUESTIONS * 2


def pages(data: bytes, tmp_path, name="phieu.pdf") -> int:
    path = tmp_path / name
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(data: bytes, tmp_path, name="phieu.pdf") -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")[:-1]


def answer(training, phase, person):
    services.save_response(training, phase, person, [], source=ResponseSource.grid)


def test_twelve_questions_for_five_people_is_five_pages_each_with_its_consent(
        db, client, login_as, create_training, create_person, tmp_path):
    people = [create_person("na_nguoc", full_name=name) for name in
              ("Đặng Thị Liên", "Nguyễn Thị Bích", "Hoàng Thị Hà", "Lò Thị Ỏn", "Vi Thị Ngọc Ánh")]
    training = create_training(people=people, questions=TWELVE, title="Tập huấn phòng, chống mua bán người")
    login_as(Role.trainer, "02086")
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf").data
    assert pages(data, tmp_path) == 5
    texts = page_texts(data, tmp_path)
    for person, text in zip(sorted(people, key=lambda p: p.name_key), texts):
        assert person.full_name in text and person.code in text
        assert "Câu 1." in text and "Câu 12." in text  # every question on her one page ...
        assert "Tôi đồng ý cho Hội Liên hiệp Phụ nữ" in text and "Ký tên (hoặc điểm chỉ)" in text  # ... and consent


def test_more_questions_than_fit_flow_onto_a_second_page_with_the_consent_last(
        db, client, login_as, create_training, tmp_path):
    training = create_training(people=2, questions=SAMPLE_QUESTIONS * 4)
    login_as(Role.trainer, "02086")
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf").data
    texts = page_texts(data, tmp_path)
    assert len(texts) == 4 and all("Câu 24." not in t for t in (texts[0], texts[2]))
    assert "Ký tên" in texts[1] and "Ký tên" in texts[3] and "Học viên 02" in texts[2]


def page_text(path, number: int) -> str:
    """pdftotext of one page (-f N -l N), as a reader sees that sheet of paper."""
    return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
                          capture_output=True, check=True, text=True).stdout


def test_every_page_of_a_long_questionnaire_carries_her_name_and_code(
        db, client, login_as, create_training, create_person, tmp_path):
    people = [create_person("na_nguoc", full_name=name) for name in ("Đặng Thị Liên", "Nguyễn Thị Bích")]
    training = create_training(people=people, questions=SAMPLE_QUESTIONS * 6)  # 36 questions: 3 pages each
    login_as(Role.trainer, "02086")
    path = tmp_path / "long.pdf"
    path.write_bytes(client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf").data)
    assert pages(path.read_bytes(), tmp_path, "count.pdf") == 6
    for first, person in zip((1, 4), sorted(people, key=lambda p: p.name_key)):
        other = next(p for p in people if p is not person)
        for number in (first, first + 1, first + 2):
            text = page_text(path, number)
            assert person.full_name in text and person.code in text, number
            assert other.full_name not in text and other.code not in text, number
        assert page_text(path, first).count(person.code) == 1  # her first page: the name box only
        assert "(tiếp) Họ tên: " + person.full_name in page_text(path, first + 1)  # later pages: the header


def test_a_blank_long_questionnaire_asks_for_the_name_on_every_page(db, client, login_as, create_training, tmp_path):
    training = create_training(people=0, questions=SAMPLE_QUESTIONS * 4)
    login_as(Role.trainer, "02086")
    path = tmp_path / "blank.pdf"
    path.write_bytes(client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf").data)
    assert pages(path.read_bytes(), tmp_path, "count.pdf") == 2
    assert "Họ tên: ……" in page_text(path, 1) and "Họ tên: ……" in page_text(path, 2)


def test_only_those_without_a_response(db, client, login_as, create_training, tmp_path):
    training = create_training(people=4, questions=TWELVE)
    done = sorted(training.participants, key=lambda p: p.person.name_key)
    answer(training, Phase.pre, done[0].person)
    answer(training, Phase.pre, done[2].person)
    answer(training, Phase.post, done[1].person)  # the post-test does not count for the pre-test
    db.session.commit()
    login_as(Role.trainer, "02086")
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf?todo=1").data
    text = "".join(page_texts(data, tmp_path))
    assert pages(data, tmp_path) == 2
    assert "Học viên 02" in text and "Học viên 04" in text
    assert "Học viên 01" not in text and "Học viên 03" not in text
    everyone = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf").data
    assert pages(everyone, tmp_path, "all.pdf") == 4


def test_answer_sheets_share_one_booklet_and_fit_three_to_a_page(db, client, login_as, create_training, tmp_path):
    training = create_training(people=7, questions=TWELVE, title="Tập huấn kỹ năng sống an toàn")
    login_as(Role.trainer, "02086")
    assert answer_sheets_per_page(training.version.items) == 3
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf?layout=answers").data
    texts = page_texts(data, tmp_path)
    booklet, sheets = texts[0], texts[1:]
    assert "Tổng đài điện thoại quốc gia bảo vệ trẻ em" in booklet and "Hoàn toàn không đồng ý" in booklet
    assert "Học viên" not in booklet and booklet.count("Câu 12.") == 1  # the questions once, nobody's name
    assert len(sheets) == 3  # 7 answer sheets, 3 to a page
    codes = sorted(p.person.code for p in training.participants)
    assert all("Tổng đài" not in t for t in sheets)  # answer sheets carry no question text
    joined = "".join(sheets)
    assert sorted(re.findall(r"Mã: (\S+)", joined)) == codes
    assert joined.count("PHIẾU TRẢ LỜI") == 7 and joined.count("Ký tên") == 7


def test_answer_sheets_mark_the_multi_choice_questions(db, client, login_as, create_training, tmp_path):
    training = create_training(people=2, questions=TWELVE)  # questions 3 and 9 are multiple choice
    login_as(Role.trainer, "02086")
    multi = {it.position for it in training.version.items if it.kind.value == "multi"}
    assert multi == {3, 9}
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf?layout=answers").data
    booklet, sheet = page_texts(data, tmp_path)
    # each answer line: the question number, its option numbers, "(chọn nhiều đáp án)" on the multi ones
    lines = dict(re.findall(r"Câu (\d+):([^C]*)", sheet))
    assert len(lines) == 12 and {int(n) for n, rest in lines.items() if "(chọn nhiều đáp án)" in rest} == multi
    assert sheet.count("(chọn nhiều đáp án)") == 2 * len(multi)  # both answer sheets
    marked = {int(n) for n in re.findall(r"Câu (\d+)\.[^\n]*\(chọn nhiều đáp án\)", booklet)}
    assert marked == multi and "Câu có ghi “chọn nhiều đáp án” được khoanh nhiều số" in booklet
    full = "".join(page_texts(client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf").data, tmp_path, "q.pdf"))
    assert {int(n) for n in re.findall(r"Câu (\d+)\.[^\n]*\(chọn nhiều đáp án\)", full)} == multi


def test_answer_sheet_qr_holds_her_own_signed_link(db, client, login_as, create_training, monkeypatch, tmp_path):
    from surveys import qr
    from surveys.access import respondent_key

    drawn = []
    real = qr.qr_data_uri
    monkeypatch.setattr(qr, "qr_data_uri", lambda url, *a: drawn.append(url) or real(url, *a))
    training = create_training(people=2, questions=TWELVE)
    state = training.phase(Phase.pre)
    login_as(Role.trainer, "02086")
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf?layout=answers").data
    assert pages(data, tmp_path) == 2
    keys = sorted(respondent_key(state, p.person.id) for p in training.participants)
    assert sorted(url.split("?p=")[1] for url in drawn) == keys
    assert all(url.startswith(f"http://localhost/t/{state.public_token}?p=") for url in drawn)


def test_the_job_prints_the_chosen_layout_for_those_without_a_response(
        db, client, login_as, create_training, immediate_queue, tmp_path):  # noqa: F811
    training = create_training(people=5, questions=TWELVE)
    first = sorted(training.participants, key=lambda p: p.person.name_key)[0].person
    answer(training, Phase.pre, first)
    db.session.commit()
    login_as(Role.commune, "02086")
    response = client.post(f"/surveys/trainings/{training.id}/pre/paper",
                           data={"job_key": "a" * 24, "todo": "1", "layout": "answers"})
    assert response.status_code == 303
    job = db.session.scalar(sa.select(jobs.Job))
    assert job.state == "done" and (job.params["todo"], job.params["layout"]) == (True, "answers")
    data = client.get(f"/jobs/{job.id}/file").data
    texts = page_texts(data, tmp_path)
    assert len(texts) == 3  # the booklet, then 4 answer sheets: 3 + 1
    assert "Học viên 01" not in "".join(texts) and "".join(texts).count("PHIẾU TRẢ LỜI") == 4


def test_the_job_prints_her_name_on_every_page_too(
        db, client, login_as, create_training, immediate_queue, tmp_path):  # noqa: F811
    training = create_training(people=2, questions=SAMPLE_QUESTIONS * 4)
    login_as(Role.commune, "02086")
    client.post(f"/surveys/trainings/{training.id}/pre/paper", data={"job_key": "b" * 24})
    job = db.session.scalar(sa.select(jobs.Job))
    path = tmp_path / "job.pdf"
    path.write_bytes(client.get(f"/jobs/{job.id}/file").data)
    people = sorted((p.person for p in training.participants), key=lambda p: p.name_key)
    assert [people[0].code in page_text(path, n) for n in (1, 2, 3, 4)] == [True, True, False, False]
    assert [people[1].code in page_text(path, n) for n in (1, 2, 3, 4)] == [False, False, True, True]


def test_unknown_layout_falls_back_to_one_questionnaire_each(db, client, login_as, create_training, tmp_path):
    training = create_training(people=2, questions=TWELVE)
    login_as(Role.trainer, "02086")
    data = client.get(f"/surveys/trainings/{training.id}/pre/paper.pdf?layout=x&todo=maybe").data
    assert pages(data, tmp_path) == 2
