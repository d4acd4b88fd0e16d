"""Issue #14 in a real browser: a keyboard-only user records 12 questions with 5 commitments on the
entry screen without the mouse (the script adds rows without a round trip, Enter never submits, the
answerer comes from the leaders present, the last commitment's agency is offered on the next), then
an error lands on the first wrong row with a linked summary. Screenshots go to /tmp/h3/.

The dialogue is created through the record form first (that part may use the mouse: it is not the
screen under test)."""
import os
import re
from datetime import date, timedelta
from app import clock
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("H3_SHOTS", "/tmp/h3"))
LEADER = ("Hoàng Văn Thắng", "Chủ tịch UBND xã")
QUESTIONS, COMMITMENTS = 12, 5


def _focused(page) -> str:
    return page.evaluate("document.activeElement && (document.activeElement.name || document.activeElement.textContent.trim())")


def _tab_to(page, pattern: str, limit: int = 40) -> None:
    """Press Tab (only the keyboard) until the focused control's name matches ``pattern``."""
    for _ in range(limit):
        if re.search(pattern, _focused(page) or ""):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {pattern!r} (focus on {_focused(page)!r})")


def _new_dialogue(page, title: str) -> str:
    page.goto("/dialogues/new")
    page.get_by_label("Tên hội nghị").fill(title)
    page.get_by_label("Ngày đối thoại").fill((clock.today() - timedelta(days=1)).isoformat())
    page.fill("[name=leaders-0-name]", LEADER[0])
    page.fill("[name=leaders-0-title]", LEADER[1])
    page.locator("[name=leaders-0-agency_id]").select_option(index=1)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url.rstrip("/")


def test_keyboard_only_user_records_12_questions_with_5_commitments(new_page, login):
    page = new_page("desktop")
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "chodon")
    url = _new_dialogue(page, "Đối thoại nhập bằng bàn phím")
    page.goto(url + "/questions")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entry-empty-1366.png"), full_page=True)
    expect(page.locator("[name=questions-0-raiser_name]")).to_be_focused()  # the page starts on the new row
    deadline = clock.today() + timedelta(days=30)
    for n in range(1, QUESTIONS + 1):
        i = n - 1
        _tab_to(page, rf"^questions-{i}-raiser_name$")
        page.keyboard.type(f"Hội viên số {n}")
        page.keyboard.press("Enter")  # Enter moves on, never submits
        assert _focused(page) != f"questions-{i}-raiser_name" and "/questions" in page.url
        _tab_to(page, rf"^questions-{i}-content$")
        page.keyboard.type(f"Ý kiến số {n}: đề nghị xã hỗ trợ vốn vay cho chị em.")
        _tab_to(page, rf"^questions-{i}-answerer_pick$")
        page.keyboard.press("ArrowDown")  # the first leader present: name, position, agency filled in
        expect(page.locator(f"[name=questions-{i}-answerer_name]")).to_have_value(LEADER[0])
        expect(page.locator(f"[name=questions-{i}-answerer_title]")).to_have_value(LEADER[1])
        page.keyboard.press("Tab")  # the outcome
        page.keyboard.press("ArrowDown")  # Trả lời tại chỗ
        if n <= COMMITMENTS:
            page.keyboard.press("ArrowDown")  # Tiếp thu, có cam kết
        _tab_to(page, rf"^questions-{i}-answer$")
        page.keyboard.type("Xã tiếp thu và trả lời tại hội nghị.")
        if n <= COMMITMENTS:
            _tab_to(page, "^add_commitment$")
            page.keyboard.press("Enter")  # a commitment row, without a round trip
            agency = page.locator(f"[name=questions-{i}-commitments-0-agency_id]")
            expect(agency).to_be_focused()
            if n == 1:
                page.keyboard.press("ArrowDown")
            else:  # the agency of the last commitment is offered
                expect(agency).not_to_have_value("")
            _tab_to(page, rf"^questions-{i}-commitments-0-deadline$")
            # Chromium's date box here takes month, day, year (its own order, not the page's)
            page.keyboard.type(deadline.strftime("%m%d%Y"))
            expect(page.locator(f"[name=questions-{i}-commitments-0-deadline]")).to_have_value(deadline.isoformat())
            _tab_to(page, rf"^questions-{i}-commitments-0-description$")
            page.keyboard.type(f"Thực hiện kiến nghị số {n}")
        if n < QUESTIONS:
            _tab_to(page, "^add_row$")
            page.keyboard.press("Enter")  # a new row, without a round trip
            expect(page.locator(f"[name=questions-{n}-raiser_name]")).to_be_focused()
    page.screenshot(path=str(SHOTS / "entry-12-typed-1366.png"), full_page=True)
    _tab_to(page, "^Lưu$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Đã lưu {QUESTIONS} ý kiến.")
    saved = page.locator(".q-list li")
    expect(saved).to_have_count(QUESTIONS)
    expect(page.locator(".q-list li", has_text="1 cam kết")).to_have_count(COMMITMENTS)
    page.screenshot(path=str(SHOTS / "entry-12-saved-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "entry-12-saved-390.png"), full_page=False)
    page.goto(url)
    expect(page.get_by_text("Thực hiện kiến nghị số 5")).to_be_visible()


def test_errors_are_listed_and_the_page_lands_on_the_first_wrong_row(new_page, login):
    page = new_page("phone")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "chodon")
    url = _new_dialogue(page, "Đối thoại có dòng sai")
    page.goto(url + "/questions")
    page.fill("[name=questions-0-raiser_name]", "Bà Lan")
    page.fill("[name=questions-0-content]", "Ý kiến có câu trả lời nhưng chưa chọn kết quả")
    page.fill("[name=questions-0-answer]", "Đã trả lời")
    page.get_by_role("button", name="Thêm dòng").click()
    page.fill("[name=questions-1-raiser_name]", "")
    page.fill("[name=questions-1-content]", "Ý kiến không có tên người nêu")
    page.get_by_role("button", name="Lưu", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a")).to_have_count(2)  # every wrong row at once
    expect(page.locator("[name=questions-0-outcome]")).to_be_focused()
    expect(page.locator("[name=questions-1-content]")).to_have_value("Ý kiến không có tên người nêu")
    page.screenshot(path=str(SHOTS / "entry-errors-390.png"), full_page=True)
    summary.locator("a").nth(1).click()
    assert page.url.endswith("#questions-1-raiser_name")


_UNDER_BAR = """() => { const e = document.activeElement, bar = document.querySelector('.sticky-actions');
  if (!e || e === document.body || bar.contains(e)) return null;
  const r = e.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return r.bottom > b.top && r.top < b.bottom ? e.name || e.textContent.trim() : null; }"""


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)])
def test_the_sticky_action_bar_never_covers_the_field_in_use(new_page, login, width, height):
    """Tabbing through a row and following the error summary's links: the focused control and an
    error's target are never under the sticky "Thêm dòng / Lưu" bar (three lines tall on a phone)."""
    page = new_page("phone" if width < 600 else "desktop")
    page.set_viewport_size({"width": width, "height": height})
    login(page, "chodon")
    url = _new_dialogue(page, f"Đối thoại thanh nút {width}")
    page.goto(url + "/questions")
    page.locator("[name=questions-0-number]").focus()
    covered = []
    for _ in range(25):
        page.keyboard.press("Tab")
        if name := page.evaluate(_UNDER_BAR):
            covered.append(name)
    assert covered == []
    page.fill("[name=questions-0-content]", "Ý kiến không có tên người nêu")
    page.get_by_role("button", name="Thêm dòng").click()
    page.fill("[name=questions-1-content]", "Ý kiến thứ hai cũng không có tên")
    page.get_by_role("button", name="Lưu", exact=True).click()
    links = page.locator(".error-summary a")
    expect(links).to_have_count(2)
    for k in range(2):
        target = links.nth(k).get_attribute("href")[1:]
        links.nth(k).click()
        box = page.locator(f"#{target}").bounding_box()
        bar = page.locator(".sticky-actions").bounding_box()
        label = page.locator(f"label[for={target}]").bounding_box()
        assert box["y"] + box["height"] <= bar["y"] and label["y"] >= 0, (target, box, bar, label)
    page.screenshot(path=str(SHOTS / f"entry-error-target-{width}.png"))


def test_without_javascript_rows_are_added_by_the_server(new_page, login):
    page = new_page("desktop", javascript=False)
    login(page, "chodon")
    url = _new_dialogue(page, "Đối thoại không có JavaScript")
    page.goto(url + "/questions")
    page.fill("[name=questions-0-raiser_name]", "Bà Nga")
    page.fill("[name=questions-0-content]", "Ý kiến gõ trước khi thêm cam kết")
    page.get_by_role("button", name="Thêm cam kết").click()
    expect(page.locator("[name=questions-0-content]")).to_have_value("Ý kiến gõ trước khi thêm cam kết")
    expect(page.locator("[name=questions-0-commitments-0-description]")).to_be_visible()
    expect(page.get_by_role("button", name="Bỏ dòng này")).to_be_hidden()  # a script-only control stays hidden
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(SHOTS / "entry-nojs-1366.png"), full_page=True)
