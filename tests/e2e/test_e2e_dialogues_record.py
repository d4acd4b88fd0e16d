"""The record follows the meeting, in a real browser (issue 14). The journey of the issue: a commune
officer records a past meeting in the order the app suggests (new dialogue with a past date ->
"Nhập ý kiến và trả lời" -> two questions answered on the spot -> "Duyệt và khóa biên bản"); the
minutes list both questions and their answers, and the indicators count them. The same for a
dialogue planned for today, whose questions are typed before it is marked held.

Minutes PDFs are rendered to PNG in /tmp/h1/ to be looked at."""
import os
import subprocess
from datetime import date, timedelta
from app import clock

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("E2E_SHOTS", "/tmp/h1")
QUESTIONS = [("Bà Hoàng Thị Lan", "Đề nghị sửa đoạn đường vào bản Khuổi Chủ bị sạt lở sau mưa lũ.",
              "Xã đã bố trí kinh phí, sẽ sửa xong trước ngày 30 tháng 12."),
             ("Bà Triệu Thị Hoa", "Đề nghị mở lớp dạy nghề may công nghiệp cho phụ nữ bản Nà Bưa.",
              "Trung tâm giáo dục nghề nghiệp sẽ mở lớp vào tháng tới, chị em đăng ký tại Hội phụ nữ xã.")]


def _row(page, n: int):
    return page.get_by_role("group", name=f"Ý kiến {n}", exact=True)


def _new_dialogue(page, title: str, held_on: date) -> None:
    page.goto("/dialogues/new")
    page.get_by_label("Tên hội nghị", exact=True).fill(title)
    page.get_by_label("Ngày đối thoại", exact=True).fill(held_on.isoformat())
    page.get_by_label("Giờ bắt đầu", exact=True).fill("08:00")
    page.get_by_label("Giờ kết thúc", exact=True).fill("11:00")
    page.get_by_label("Người chủ trì", exact=True).fill("Hoàng Văn Thắng")
    page.get_by_label("Thư ký", exact=True).fill("Triệu Thị Mai")
    page.get_by_label("Tổng số người tham dự", exact=True).fill("45")
    page.get_by_label("Số nữ", exact=True).fill("40")
    page.get_by_label("Số người dân tộc thiểu số", exact=True).fill("38")
    page.locator("main form button.primary[type=submit]").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def _type_two_answered_questions(page) -> None:
    page.get_by_role("link", name="Nhập ý kiến và trả lời").click()
    for n, (who, content, answer) in enumerate(QUESTIONS, start=1):
        if n > 1:
            page.get_by_role("button", name="Thêm dòng").click()
        row = _row(page, n)
        row.get_by_label("Họ tên hoặc tên nhóm", exact=True).fill(who)
        row.get_by_label("Nội dung ý kiến, kiến nghị", exact=True).fill(content)
        # Not one of the leaders present: typed under "Người trả lời khác…".
        row.locator("details.answerer > summary").click()
        row.get_by_label("Họ tên người trả lời", exact=True).fill("Hoàng Văn Thắng")
        row.get_by_label("Nội dung trả lời", exact=True).fill(answer)
        row.get_by_label("Kết quả tại hội nghị", exact=True).select_option(label="Trả lời tại chỗ")
    page.get_by_role("button", name="Lưu và xem cuộc đối thoại").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu 2 ý kiến.")


def _approve_and_read_minutes(page, tmp_path, name: str) -> str:
    summary = page.locator("dl.record-summary")
    expect(summary).to_contain_text("Ý kiến được nêu tại hội nghị")
    expect(summary.locator("dd").nth(1)).to_have_text("2")  # raised
    expect(summary.locator("dd").nth(2)).to_have_text("2")  # answered on the spot
    page.screenshot(path=f"{SHOTS}/{name}-approve.png", full_page=True)
    # the summary's long labels wrap: nothing pushed off a phone's screen (it was 173 px wider)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.get_by_role("button", name="Duyệt và khóa biên bản").click()
    expect(page.get_by_role("status")).to_contain_text("Đã duyệt biên bản số")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải biên bản (PDF)").click()
    pdf = tmp_path / f"{name}.pdf"
    download_info.value.save_as(pdf)
    os.makedirs(SHOTS, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), f"{SHOTS}/{name}-minutes"], check=True)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def _assert_minutes_list_both(text: str) -> None:
    assert "không có ý kiến, kiến nghị nào" not in text
    assert "Hội nghị đã nghe 2 ý kiến, kiến nghị" in text
    for _who, content, answer in QUESTIONS:
        assert content in text and answer in text


def _figures(page, day: date) -> dict[str, str]:
    page.goto(f"/dialogues/indicators?date_from={day:%d/%m/%Y}&date_to={day:%d/%m/%Y}")
    rows = page.locator("table tbody tr")
    return {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(1).inner_text()
            for i in range(rows.count())}


def test_a_past_meeting_recorded_after_the_fact(new_page, login, tmp_path):
    page = new_page("desktop", javascript=False)
    login(page, "chodon")
    held_on = clock.today() - timedelta(days=1000)  # a day no other demo dialogue of Chợ Đồn has
    _new_dialogue(page, "Đối thoại ghi sau hội nghị: đường và nghề cho phụ nữ", held_on)
    expect(page.locator(".badge.status-held")).to_have_text("Đã tổ chức")  # a past meeting was held
    _type_two_answered_questions(page)
    text = _approve_and_read_minutes(page, tmp_path, "after-the-fact")
    _assert_minutes_list_both(text)
    figures = _figures(page, held_on)
    assert figures["Ý kiến, kiến nghị được nêu"] == "2" and figures["Được trả lời tại chỗ"] == "2"


def test_a_planned_dialogue_marked_held(new_page, login, tmp_path):
    page = new_page("phone", javascript=True)
    login(page, "chodon")
    today = clock.today()
    _new_dialogue(page, "Đối thoại dự kiến hôm nay: đường và nghề cho phụ nữ", today)
    expect(page.locator(".badge.status-planned")).to_have_text("Dự kiến")
    _type_two_answered_questions(page)
    # Marking it held: both were answered, so both are raised and shown as such.
    held = page.locator("fieldset.raised-list")
    expect(held).to_contain_text("đã có trả lời hoặc cam kết")
    expect(held.locator("input[name=raised]")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/planned-held-form.png", full_page=True)
    page.get_by_role("button", name="Ghi nhận đã tổ chức").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận cuộc đối thoại đã tổ chức.")
    text = _approve_and_read_minutes(page, tmp_path, "planned-held")
    _assert_minutes_list_both(text)
    figures = _figures(page, today)
    assert figures["Ý kiến, kiến nghị được nêu"] == "2" and figures["Được trả lời tại chỗ"] == "2"
