"""The core flow in a real browser, on a phone (with and without JavaScript) and on a desktop: log in, see one's commune, add a
participant through the form and find them in the list; switch the language and back; and nothing
the pages load comes from outside 127.0.0.1."""
import itertools
import re

import pytest
from playwright.sync_api import Error as PlaywrightError, expect

pytestmark = pytest.mark.e2e
_names = itertools.count(1)


@pytest.fixture(params=["page_phone", "page_phone_nojs", "page_desktop"], ids=["phone", "phone-nojs", "desktop"])
def page(request):
    return request.getfixturevalue(request.param)


def test_login_page_is_vietnamese(page):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page).to_have_title("Đăng nhập · Cầu Nối")


def test_commune_officer_logs_in_and_adds_a_participant(page, login):
    login(page, "chodon")
    expect(page.get_by_text("Xã Chợ Đồn").first).to_be_visible()

    page.get_by_role("link", name="Người tham gia", exact=True).click()
    page.get_by_role("link", name="Thêm người").click()
    name = f"Lò Thị Ánh {next(_names)}"
    page.get_by_label("Họ tên").fill(name)
    page.get_by_label("Giới tính").select_option(label="Nữ")
    page.get_by_label("Năm sinh").fill("1994")
    page.get_by_label("Dân tộc").select_option(label="Tày")
    page.get_by_label("Nơi ở (xã, thôn)").select_option(label="— Bản Ca")
    page.get_by_label("Người này đồng ý").check()
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("status")).to_contain_text(f"Đã thêm {name}.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    page.get_by_role("link", name="Người tham gia", exact=True).click()
    # The demo commune holds hundreds of people (its communication teams): she is found by name.
    page.get_by_role("searchbox", name="Tìm kiếm").fill(name)
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_role("link", name=name)).to_be_visible()


def test_refused_form_keeps_the_input_and_says_why(page, login):
    login(page, "chodon")
    page.goto("/people/new")
    page.get_by_label("Năm sinh").fill("1800")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Trường này là bắt buộc.")).to_be_visible()
    expect(page.get_by_text("Năm sinh không hợp lệ.")).to_be_visible()
    expect(page.get_by_label("Năm sinh")).to_have_value("1800")


def test_language_switch_to_english_and_back(page, login):
    login(page, "chodon")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_role("link", name="Participants", exact=True)).to_be_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("link", name="Người tham gia", exact=True)).to_be_visible()


def test_phone_layout_has_no_sideways_scrolling(page_phone, login):
    login(page_phone, "chodon")
    for path in ("/home", "/people/", "/people/new"):
        page_phone.goto(path)
        overflow = page_phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"


def test_requests_to_other_hosts_are_blocked_and_reported(new_page, outside_requests):
    page = new_page("desktop")
    with pytest.raises(PlaywrightError):
        page.goto("http://example.org/x")
    assert outside_requests == ["http://example.org/x"]
    outside_requests.clear()  # the guard worked; the fixture would otherwise fail this test
