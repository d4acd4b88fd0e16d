"""Community models in a real browser (issue #18): the commune officer of Xã Chợ Đồn enters a month
of activities for three of her communication teams on the grid with the keyboard only (no mouse,
no JavaScript), then the province officer sees them in the figures, in the drill-down and in the
period report (PDF)."""
import re
import subprocess
from datetime import date, timedelta
from app import clock

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ENTERED = [("3", 2, "24", "20", "18", "2"), ("11", 3, "31", "25", "22", "0"), ("19", 1, "17", "12", "15", "3")]


def _figure(page, key: str) -> int:
    return int(re.sub(r"\D", "", page.locator(f"#fig-{key}").inner_text()))


def test_commune_officer_enters_a_month_and_the_province_reports_it(new_page, login, tmp_path):
    month = (clock.today().replace(day=1) - timedelta(days=80)).replace(day=1)
    figures_url = f"/community/indicators?unit=19&preset=year&year={month.year}"
    province = new_page("desktop", javascript=False)
    login(province, "tinh")
    province.goto(figures_url)
    before = {k: _figure(province, k) for k in ("activities_held", "activity_participants", "activity_women")}
    assert before["activity_participants"] > 2000  # the demo's article figures

    page = new_page("desktop", javascript=False)
    login(page, "chodon")
    page.goto(f"/community/grid?unit=02020&month={month:%m/%Y}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xã Chợ Đồn")
    # Rows 1-3 come with the commune's first three teams; everything else is typed.
    page.get_by_label("Ngày 1", exact=True).focus()
    for n, (day, topic_steps, total, women, minority, children) in enumerate(ENTERED, start=1):
        keys = page.keyboard
        keys.type(day)
        keys.press("Tab")
        for _ in range(topic_steps):
            keys.press("ArrowDown")
        keys.press("Tab")
        keys.press("ArrowDown")  # the first form: "Sinh hoạt, họp"
        for value in (total, women, minority, children):
            keys.press("Tab")
            keys.type(value)
        if n < len(ENTERED):
            keys.press("Tab")  # the next row's team (already chosen)
            keys.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu 3 hoạt động")
    expect(page.get_by_role("heading", name=re.compile("Đã nhập trong tháng"))).to_be_visible()

    province.goto(figures_url)
    added = sum(int(row[2]) for row in ENTERED)
    assert _figure(province, "activities_held") == before["activities_held"] + 3
    assert _figure(province, "activity_participants") == before["activity_participants"] + added
    assert _figure(province, "activity_women") == before["activity_women"] + sum(int(r[3]) for r in ENTERED)
    province.locator("#fig-activity_participants").press("Enter")
    expect(province.get_by_role("heading", level=1)).to_contain_text(f"{before['activity_participants'] + added:,}"
                                                                      .replace(",", "."))

    province.goto(figures_url)
    with province.expect_download() as download_info:
        province.get_by_role("link", name="Báo cáo kết quả thực hiện Dự án 8 (PDF)").click()
    pdf = tmp_path / "bao-cao.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Tổ truyền thông cộng đồng" in text and "72" in text
    assert f"{before['activity_participants'] + added:,}".replace(",", ".") in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10000
