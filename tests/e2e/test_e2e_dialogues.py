"""Dialogues in a real browser (issue #9): the commune officer of Xã Chợ Mới records the planned
Nà Nguộc dialogue on the entry screen without JavaScript ("Thêm dòng" and "Thêm cam kết" are round
trips that must keep what was typed), marks it held, approves the minutes and downloads the PDF; the authority user of UBND xã Chợ Đồn
opens its workspace, resolves one of its agency's commitments with a note and sees it on the timeline.

The demo has one planned dialogue and the server serves the whole session, so this flow runs once
per session (each ``make e2e`` starts a fresh server)."""
import subprocess
from datetime import date, timedelta
from app import clock

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NA_NGUOC = "Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ thôn Nà Nguộc"
NEW_QUESTION = "Đề nghị xã hỗ trợ vốn vay ưu đãi để chị em Nà Nguộc phát triển chăn nuôi lợn đen."
ON_DAY_QUESTION = "Đường vào thôn sạt lở sau mưa lũ; đề nghị xã sửa lại trước mùa thu hoạch."
COMMITMENT = "Khảo sát, lập dự toán sửa đoạn đường sạt lở vào thôn Nà Nguộc."


def _row(page, n: int):
    return page.get_by_role("group", name=f"Ý kiến {n}", exact=True)


def _open(row, summary: str) -> None:
    """Open a collapsed part of an entry row (a click on its summary) unless it is open already."""
    details = row.locator("details", has=row.page.locator("summary", has_text=summary))
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()


def _select_containing(select, text: str) -> None:
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def test_commune_officer_records_approves_and_downloads_the_minutes(new_page, login, tmp_path):
    page = new_page("desktop", javascript=False)
    login(page, "chomoi")
    page.goto("/dialogues/")
    page.get_by_role("link", name=NA_NGUOC).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NA_NGUOC)

    # The minutes need the day (today: the meeting has taken place), the end time and the attendance.
    page.get_by_role("link", name="Sửa thông tin").click()
    page.get_by_label("Ngày đối thoại").fill(clock.today().isoformat())
    page.get_by_label("Giờ kết thúc").fill("16:30")
    page.get_by_label("Tổng số người tham dự").fill("46")
    page.get_by_label("Số nữ").fill("39")
    page.get_by_label("Số người dân tộc thiểu số").fill("31")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NA_NGUOC)

    page.get_by_role("link", name="Nhập ý kiến và trả lời").click()
    saved = page.locator(".q-list li")
    expect(saved).to_have_count(3)  # the three collected beforehand, listed compactly
    saved.first.get_by_role("link", name="Sửa").click()  # only that row becomes a form row
    first = _row(page, 1)
    _open(first, "Nguồn, mã người tham gia")
    first.get_by_label("Đã nêu tại hội nghị", exact=True).check()
    _open(first, "Người trả lời khác")
    first.get_by_label("Họ tên người trả lời", exact=True).fill("Đinh Văn Lực")
    first.get_by_label("Nội dung trả lời", exact=True).fill("Xã đã đăng ký lớp may với Trung tâm giáo dục nghề nghiệp huyện.")
    first.get_by_label("Kết quả tại hội nghị", exact=True).select_option(label="Trả lời tại chỗ")

    page.get_by_role("button", name="Thêm dòng").click()  # a round trip: nothing typed is lost
    expect(_row(page, 4)).to_be_visible()
    _row(page, 4).get_by_label("Họ tên hoặc tên nhóm", exact=True).fill("Triệu Thị Dung")
    _row(page, 4).get_by_label("Nội dung ý kiến, kiến nghị", exact=True).fill(NEW_QUESTION)
    page.get_by_role("button", name="Thêm dòng").click()
    expect(_row(page, 5)).to_be_visible()
    expect(_row(page, 4).get_by_label("Nội dung ý kiến, kiến nghị", exact=True)).to_have_value(NEW_QUESTION)
    expect(first.get_by_label("Đã nêu tại hội nghị", exact=True)).to_be_checked()
    expect(first.get_by_label("Kết quả tại hội nghị", exact=True)).to_have_value("answered")

    fifth = _row(page, 5)
    _open(fifth, "Nguồn, mã người tham gia")
    fifth.get_by_label("Nguồn", exact=True).select_option(label="Nêu tại hội nghị")
    fifth.get_by_label("Đã nêu tại hội nghị", exact=True).check()
    fifth.get_by_label("Người nêu", exact=True).select_option(label="Nhóm, chi hội")
    fifth.get_by_label("Họ tên hoặc tên nhóm", exact=True).fill("Chi hội phụ nữ thôn Nà Nguộc")
    fifth.get_by_label("Nội dung ý kiến, kiến nghị", exact=True).fill(ON_DAY_QUESTION)
    fifth.get_by_label("Nội dung trả lời", exact=True).fill("Xã tiếp thu, giao công chức địa chính khảo sát trong tháng.")
    fifth.get_by_label("Kết quả tại hội nghị", exact=True).select_option(label="Tiếp thu, có cam kết")
    fifth.get_by_role("button", name="Thêm cam kết").click()
    fifth = _row(page, 5)
    expect(fifth.get_by_label("Nội dung ý kiến, kiến nghị", exact=True)).to_have_value(ON_DAY_QUESTION)
    expect(fifth.get_by_label("Người nêu", exact=True)).to_have_value("group")
    _select_containing(fifth.get_by_label("Cơ quan thực hiện", exact=True), "Chợ Mới")
    fifth.get_by_label("Nội dung cam kết", exact=True).fill(COMMITMENT)
    fifth.get_by_label("Thời hạn", exact=True).fill((clock.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Lưu và xem cuộc đối thoại").click()

    expect(page.get_by_role("status")).to_contain_text("Đã lưu 3 ý kiến.")  # the edited row and two new ones
    expect(page.locator("p.content", has_text=NEW_QUESTION)).to_be_visible()  # (also listed in the held form)
    expect(page.get_by_role("cell", name=COMMITMENT)).to_be_visible()

    page.get_by_role("button", name="Ghi nhận đã tổ chức").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận cuộc đối thoại đã tổ chức.")
    page.get_by_role("button", name="Duyệt và khóa biên bản").click()
    expect(page.get_by_role("status")).to_contain_text("Đã duyệt biên bản số")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải biên bản (PDF)").click()
    pdf = tmp_path / "bien-ban.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "BIÊN BẢN" in text
    assert "Đường vào thôn sạt lở" in " ".join(text.split())  # the question raised on the day


def test_authority_resolves_a_commitment_of_its_agency_from_its_workspace(new_page, login):
    page = new_page("phone", javascript=False)
    login(page, "ubnd_chodon")
    page.get_by_role("link", name="Đối thoại", exact=True).click()
    page.get_by_role("navigation", name="Đối thoại").get_by_role("link", name="Theo dõi cam kết").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cam kết của")

    unfinished = page.get_by_role("row").filter(has_text="Chưa thực hiện").or_(
        page.get_by_role("row").filter(has_text="Đang thực hiện"))
    link = unfinished.first.get_by_role("link").first
    description = link.inner_text().strip()
    link.click()
    note = "Đã sửa xong bể nước tập trung của thôn, nghiệm thu ngày hôm nay."
    page.get_by_label("Trạng thái mới").select_option(label="Đã giải quyết")
    page.get_by_label("Nội dung cập nhật").fill(note)
    page.get_by_role("button", name="Lưu cập nhật").click()

    expect(page.get_by_role("status")).to_contain_text("Đã cập nhật cam kết.")
    latest = page.locator("ol.timeline > li").first
    expect(latest).to_contain_text("→ Đã giải quyết")
    expect(latest).to_contain_text(note)
    expect(latest).to_contain_text("(Ủy ban nhân dân xã Chợ Đồn)")  # who: the user of that agency

    page.get_by_role("link", name="Theo dõi cam kết").first.click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=description, exact=True))
    expect(row).to_contain_text("Đã giải quyết")
