"""Surveys in a real browser (issue #9): a trainer creates a training on a desktop, builds the roster
and opens the pre test; a respondent answers it on a phone with JavaScript off (light, offline,
no double response on a resubmit); the trainer types a paper questionnaire into the grid with the
keyboard only and reads the plain-language results."""
import itertools
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_TEST = "Kiểm tra kiến thức: bình đẳng giới, bạo lực gia đình, lừa đảo trực tuyến"
PAGE_WEIGHT_LIMIT = 25 * 1024
_runs = itertools.count(1)


def _select_containing(select, text: str) -> None:
    """Choose the first option whose label contains ``text`` (labels carry a level prefix or a version)."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def _add_participant(page, full_name: str, birth_year: str) -> None:
    page.get_by_label("Họ tên").fill(full_name)
    page.get_by_label("Giới tính").select_option(label="Nữ")
    page.get_by_label("Năm sinh").fill(birth_year)
    page.get_by_role("button", name="Thêm vào lớp").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã thêm {full_name}")


def _create_training_with_open_pre_phase(page, login, title: str, names: list[str]) -> str:
    """As the trainer on a desktop: training, roster, pre phase open. Returns the phone link."""
    login(page, "taphuan")
    page.goto("/surveys/")
    page.get_by_role("link", name="Tạo lớp tập huấn").click()
    page.get_by_label("Tên lớp tập huấn").fill(title)
    page.get_by_label("Chủ đề").select_option(label="Bình đẳng giới")
    _select_containing(page.get_by_label("Địa bàn (tỉnh, xã, thôn)"), "Xã Chợ Mới")
    _select_containing(page.get_by_label("Bài kiểm tra trước và sau"), DEMO_TEST)
    page.get_by_label("Ngày bắt đầu").fill("2026-11-20")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    for i, name in enumerate(names):
        _add_participant(page, name, str(1990 + i))
    for name in names:
        expect(page.locator("#roster + .table-wrap").get_by_role("cell", name=name, exact=True)).to_be_visible()

    pre = page.locator("section.phase").filter(has=page.get_by_role("heading", name=re.compile("Trước tập huấn")))
    pre.get_by_role("button", name="Mở khảo sát trên điện thoại").click()
    expect(page.get_by_role("status")).to_contain_text("Đã mở khảo sát trước tập huấn.")
    expect(pre.get_by_text("đang mở")).to_be_visible()
    link = pre.locator("p.link code").inner_text().strip()
    assert re.search(r"/t/[\w-]+$", link), link
    return link


def roster_codes(trainer) -> dict[str, str]:
    """Name -> code, read from the roster table of the training page the trainer is on."""
    codes = {}
    for row in trainer.locator("#roster + .table-wrap tbody tr").all():
        cells = row.locator("td")
        codes[cells.nth(1).inner_text().split(" (")[0].strip()] = cells.nth(0).inner_text().strip()
    return codes


def start_by_code(phone, path: str, code: str) -> None:
    """The shared link's page: type her code, start."""
    phone.goto(path)
    phone.get_by_label("Nhập mã người tham gia").fill(code)
    phone.get_by_role("button", name="Bắt đầu").click()


def agree_if_asked(phone) -> None:
    """The consent screen comes before the first question (issue #15)."""
    if phone.get_by_role("button", name="Tiếp tục").count():
        phone.get_by_label("Tôi đồng ý cho lưu thông tin và câu trả lời của tôi.").check()
        phone.get_by_role("button", name="Tiếp tục").click()


def _pre_count(page, title: str) -> str:
    page.goto("/surveys/?q=" + title)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    return row.get_by_role("cell").nth(5).inner_text().strip()


def answer_every_question(phone) -> None:
    """The ten questions of the demo test: the first option of each, a sentence for the text one."""
    questions = phone.locator("fieldset").filter(has=phone.locator("legend", has_text=re.compile(r"^Câu \d+/\d+")))
    assert questions.count() == 10
    for i in range(questions.count()):
        question = questions.nth(i)
        if question.locator("textarea").count():
            question.locator("textarea").fill("Biết cách nhận ra cuộc gọi lừa đảo.")
        else:
            question.get_by_role("radio").or_(question.get_by_role("checkbox")).first.check()


class PageWeight:
    """Bytes of the documents, stylesheets and scripts a page received since the last reset."""

    KINDS = {"document", "stylesheet", "script"}

    def __init__(self, page):
        self.responses = []
        page.on("response", lambda response: self.responses.append(response))

    def reset(self):
        self.responses.clear()

    def total(self) -> int:
        return sum(len(r.body()) for r in self.responses
                   if r.request.resource_type in self.KINDS and not 300 <= r.status < 400)


def test_respondent_answers_the_pre_test_on_a_phone_without_javascript(new_page, login, outside_requests):
    run = next(_runs)
    title = f"Tập huấn e2e điện thoại {run}"
    respondent, other = f"Hoàng Thị Mai {run}", f"Đinh Thị Lan {run}"
    trainer = new_page("desktop")
    link = _create_training_with_open_pre_phase(trainer, login, title, [respondent, other])
    path = re.sub(r"^https?://[^/]+", "", link)

    code = roster_codes(trainer)[respondent]

    phone = new_page("phone", javascript=False)
    weight = PageWeight(phone)
    phone.goto(path)
    assert weight.total() < PAGE_WEIGHT_LIMIT, f"start page: {weight.total()} bytes"
    # The shared link lists nobody (issue #15): she types her code.
    expect(phone.get_by_text(respondent)).to_have_count(0)
    expect(phone.get_by_text(other)).to_have_count(0)
    phone.screenshot(path="/tmp/caunoi-phone-start.png")
    start_by_code(phone, path, code.lower())
    expect(phone.get_by_text(f"Người trả lời: {respondent}")).to_be_visible()
    assert "?p=" in phone.url  # her typed code opened her own link
    phone.screenshot(path="/tmp/caunoi-phone-consent.png")
    weight.reset()
    agree_if_asked(phone)
    expect(phone.get_by_text("Câu 1/10")).to_be_visible()
    assert weight.total() < PAGE_WEIGHT_LIMIT, f"form page: {weight.total()} bytes"

    answer_every_question(phone)
    weight.reset()
    phone.get_by_role("button", name="Gửi câu trả lời").click()
    expect(phone.get_by_text(f"Đã ghi nhận câu trả lời của {respondent}. Cảm ơn!")).to_be_visible()
    phone.screenshot(path="/tmp/caunoi-phone-done.png", full_page=True)
    assert weight.total() < PAGE_WEIGHT_LIMIT, f"confirmation page: {weight.total()} bytes"
    assert _pre_count(trainer, title) == "1"

    # Sending the same answers again (reloading the confirmation re-posts the form) keeps the one
    # response; the browser's back button asks the server again, which now says she has answered.
    with phone.expect_response(lambda r: r.request.method == "POST" and path in r.url):
        phone.reload()
    expect(phone.locator("p.ok")).to_contain_text(respondent)
    assert _pre_count(trainer, title) == "1"
    phone.go_back()
    expect(phone.get_by_text(f"{respondent} đã trả lời khảo sát này rồi. Câu trả lời trước được giữ nguyên."))\
        .to_be_visible()
    expect(phone.get_by_role("button", name="Gửi câu trả lời")).to_have_count(0)
    assert _pre_count(trainer, title) == "1"
    assert outside_requests == []  # the phone form works offline (the fixture blocks and records the rest)


def test_trainer_types_a_paper_questionnaire_in_the_grid_and_reads_the_results(new_page, login):
    run = next(_runs)
    title = f"Tập huấn e2e phiếu giấy {run}"
    first, second = f"Lường Thị Hoa {run}", f"Ma Thị Nga {run}"
    page = new_page("desktop")
    _create_training_with_open_pre_phase(page, login, title, [first, second])

    pre = page.locator("section.phase").filter(has=page.get_by_role("heading", name=re.compile("Trước tập huấn")))
    pre.get_by_role("link", name="Nhập nhanh phiếu giấy").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(first)  # the first without answers, by name
    answers = page.locator("form.grid input[name^=Q]")
    assert answers.count() == 10
    expect(answers.first).to_be_focused()

    # Keyboard only: a number fills a one-answer question and moves on; multi-answer questions collect
    # numbers until Enter; the short text is typed then Enter; the consent box is ticked with the keyboard.
    for i in range(answers.count()):
        answer = answers.nth(i)
        expect(answer).to_be_focused()
        if answer.get_attribute("data-max") is None:
            page.keyboard.type("Cách nhận ra lừa đảo")
            page.keyboard.press("Tab")
            break
        if answer.get_attribute("data-multi") == "1":
            page.keyboard.press("1")
            page.keyboard.press("3")
            expect(answer).to_have_value("1,3")
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("1")
            expect(answer).to_have_value("1")
    consent = page.get_by_label("Người này đã đồng ý cho lưu thông tin (ký trên phiếu giấy)")
    expect(consent).to_be_focused()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # Enter on the last answer saves

    expect(page.get_by_role("status")).to_contain_text(f"Đã lưu câu trả lời của {first}.")
    expect(page.get_by_role("heading", level=2)).to_contain_text(second)
    roster = page.get_by_role("navigation", name="Danh sách lớp")
    expect(roster.get_by_role("listitem").filter(has_text=first)).to_contain_text("✓")

    page.get_by_role("link", name=title).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=first, exact=True))
    expect(row.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^\d+/\d+$"))
    page.get_by_role("link", name="Kết quả trước/sau tập huấn, báo cáo").click()
    reading = page.get_by_role("region", name="Tóm lại")
    expect(reading).to_be_visible()
    expect(reading.get_by_role("listitem").first).not_to_be_empty()


def test_respondent_opens_her_own_link_from_the_printed_slips(new_page, login):
    """Issue #15: the trainer prints each person's own link and QR; the phone opens hers, asks the
    consent first, then the questions; the done page offers the next person the code box."""
    run = next(_runs)
    title = f"Tập huấn e2e đường dẫn riêng {run}"
    names = [f"Hà Thị Thu {run}", f"Đặng Thị Lan {run}", f"Dương Thị Hoa {run}"]
    trainer = new_page("desktop")
    _create_training_with_open_pre_phase(trainer, login, title, names)
    # Vietnamese order on the roster: Dương < Đặng < Hà.
    assert list(roster_codes(trainer)) == [names[2], names[1], names[0]]
    pre = trainer.locator("section.phase").filter(has=trainer.get_by_role("heading", name=re.compile("Trước tập huấn")))
    pre.get_by_role("link", name="Đường dẫn và mã QR riêng của từng người (để in)").click()
    slip = trainer.locator(".slips li").filter(has_text=names[0])
    expect(trainer.locator(".slips li")).to_have_count(3)
    expect(slip.locator("svg")).to_be_visible()
    trainer.screenshot(path="/tmp/caunoi-personal-links.png", full_page=True)
    link = re.sub(r"^https?://[^/]+", "", slip.locator("code").inner_text().strip())
    assert "?p=" in link

    phone = new_page("phone", javascript=False)
    phone.goto(link)
    expect(phone.get_by_text(f"Người trả lời: {names[0]}")).to_be_visible()
    agree_if_asked(phone)
    answer_every_question(phone)
    phone.get_by_role("button", name="Gửi câu trả lời").click()
    expect(phone.get_by_text(f"Đã ghi nhận câu trả lời của {names[0]}. Cảm ơn!")).to_be_visible()
    phone.get_by_role("link", name="Người tiếp theo").click()
    expect(phone.get_by_label("Nhập mã người tham gia")).to_be_visible()
    expect(phone.get_by_text(names[1])).to_have_count(0)
    assert _pre_count(trainer, title) == "1"
