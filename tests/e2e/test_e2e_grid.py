"""The paper grid in a real browser (issue #15): a class of 10 typed in with JavaScript on a
desktop (1366x768) and without JavaScript on a phone (390x844). "Save and next" walks the roster
and, after the last person, returns to the list; a stored response opens read-only; a form with
blanks is refused until marked incomplete; re-typing a multiple-choice answer replaces it.
Screenshots go to $E2E_SHOTS (default /tmp/h4)."""
import itertools
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD, LOCAL_HOSTS
from test_e2e_surveys import DEMO_TEST, _select_containing

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/h4"))
_runs = itertools.count(1)


@pytest.fixture
def sized_page(browser, live_server, outside_requests):
    contexts = []

    def make(width: int, height: int, javascript: bool = True):
        context = browser.new_context(base_url=live_server, locale="vi-VN", java_script_enabled=javascript,
                                      viewport={"width": width, "height": height},
                                      **({"is_mobile": True, "has_touch": True} if width < 500 else {}))
        context.set_default_timeout(15_000)

        def guard(route):
            if re.match(r"https?://([^/:]+)", route.request.url).group(1) in LOCAL_HOSTS:
                route.continue_()
            else:
                outside_requests.append(route.request.url)
                route.abort("blockedbyclient")
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


def _login(page):
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill("taphuan")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/home")


def _training_with_class_of_ten(page, title: str) -> list[str]:
    page.goto("/surveys/trainings/new")
    page.get_by_label("Tên lớp tập huấn").fill(title)
    page.get_by_label("Chủ đề").select_option(label="Bình đẳng giới")
    _select_containing(page.get_by_label("Địa bàn (tỉnh, xã, thôn)"), "Xã Chợ Mới")
    _select_containing(page.get_by_label("Bài kiểm tra trước và sau"), DEMO_TEST)
    page.get_by_label("Ngày bắt đầu").fill("2026-11-20")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    names = [f"Học viên {title[-6:]} {i:02d}" for i in range(1, 11)]
    for i, name in enumerate(names):
        page.get_by_label("Họ tên").fill(name)
        page.get_by_label("Năm sinh").fill(str(1980 + i))
        page.get_by_label("Người này đồng ý cho lưu thông tin cá nhân để theo dõi tập huấn").check()
        page.get_by_role("button", name="Thêm vào lớp").click()
        expect(page.get_by_role("status")).to_contain_text(f"Đã thêm {name}")
    return names


def test_a_class_of_ten_typed_in_with_javascript_at_1366(sized_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    run = next(_runs)
    page = sized_page(1366, 768)
    _login(page)
    title = f"Lớp lưới JS {run} {os.getpid() % 1000000:06d}"
    names = _training_with_class_of_ten(page, title)
    training_url = page.url.split("#")[0]
    page.goto(training_url + "/pre/grid")
    for n, name in enumerate(names):
        expect(page.get_by_role("heading", level=2)).to_contain_text(name)
        answers = page.locator("form.grid input[name^=Q]")
        expect(answers.first).to_be_focused()
        for i in range(answers.count()):
            answer = answers.nth(i)
            if answer.get_attribute("data-max") is None:
                page.keyboard.type("Biết gọi 111")
                page.keyboard.press("Enter")  # Enter on the last answer saves
                break
            if answer.get_attribute("data-multi") == "1":
                page.keyboard.press("3")
                page.keyboard.press("1")
                expect(answer).to_have_value("1,3")
                if n == 0:  # going back and re-typing replaces the answer, never adds to it
                    answer.blur()
                    answer.focus()
                    page.keyboard.press("2")
                    expect(answer).to_have_value("2")
                page.keyboard.press("Enter")
            else:
                page.keyboard.press("1")
        if n == 0:
            page.screenshot(path=str(SHOTS / "grid-js-1366-saved-first.png"), full_page=False)
    # after the last person: back on the training page, the list
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status").filter(has_text="Đã nhập xong")).to_be_visible()
    page.screenshot(path=str(SHOTS / "grid-js-1366-done.png"), full_page=False)
    # the last person opens read-only, with void and move; editing asks for a confirmation
    row = page.locator("#roster + .table-wrap tbody tr").filter(has_text=names[-1])
    row.locator("td.num a").first.click()
    expect(page.locator("p.banner")).to_contain_text("Đang xem, chưa sửa")
    expect(page.locator("form.grid")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "grid-js-1366-readonly.png"), full_page=True)
    page.get_by_role("link", name="Sửa câu trả lời này").click()
    expect(page.locator(".banner.warning")).to_be_visible()
    page.locator("form.grid input[name=Q1]").fill("2")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("đánh dấu ô xác nhận để thay câu trả lời cũ").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "grid-js-1366-confirm.png"), full_page=True)
    page.get_by_label(re.compile("Tôi xác nhận thay câu trả lời đã lưu")).check()
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("status").filter(has_text="Đã sửa câu trả lời")).to_be_visible()


def test_a_class_of_ten_typed_in_without_javascript_at_390(sized_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    run = next(_runs)
    setup = sized_page(1366, 768)
    _login(setup)
    title = f"Lớp lưới không JS {run} {os.getpid() % 1000000:06d}"
    names = _training_with_class_of_ten(setup, title)
    training_url = setup.url.split("#")[0]
    page = sized_page(390, 844, javascript=False)
    _login(page)
    page.goto(training_url + "/post/grid")
    hint = page.locator("form.grid p.hint")
    expect(hint).to_contain_text("Enter sẽ gửi cả phiếu ngay")
    page.screenshot(path=str(SHOTS / "grid-nojs-390-start.png"), full_page=False)
    # Enter after the first answer sends the form: refused, nothing stored, what was typed kept
    first = page.locator("form.grid input[name=Q1]")
    first.fill("1")
    first.press("Enter")
    expect(page.locator("#incomplete-field .error")).to_contain_text("câu để trống")
    expect(page.locator("form.grid input[name=Q1]")).to_have_value("1")
    page.locator("#incomplete-field").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "grid-nojs-390-blanks.png"), full_page=False)
    for n, name in enumerate(names):
        expect(page.get_by_role("heading", level=2)).to_contain_text(name)
        answers = page.locator("form.grid input[name^=Q]")
        for i in range(answers.count()):
            answer = answers.nth(i)
            if answer.get_attribute("data-max") is None:
                answer.fill("Biết gọi 111")
            elif answer.get_attribute("data-multi") == "1":
                answer.fill("1,3")
            else:
                answer.fill("2")
        answers.nth(0).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status").filter(has_text="Đã nhập xong")).to_be_visible()
    page.screenshot(path=str(SHOTS / "grid-nojs-390-done.png"), full_page=False)
    row = page.locator("#roster + .table-wrap tbody tr").filter(has_text=names[0])
    expect(row.locator("td.num").nth(1)).to_have_text(re.compile(r"^\d+/\d+$"))
