"""The phone form without signal (issue #19), in Chromium: a form opened once with signal keeps
working offline, answers wait on the phone (also across closing the page and a new version of the
service worker), are sent when the signal returns and stored exactly once; an answer for a phase
closed meanwhile is accepted when taken before the close, refused with a reason on the trainer's
page when taken after; a saved queue file imports once. Service workers need a secure context:
http://127.0.0.1 is one."""
import itertools
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveys.services.offline import CLOCK_SKEW
from tests.e2e.test_e2e_surveys import _create_training_with_open_pre_phase, _pre_count, agree_if_asked, \
    answer_every_question, roster_codes, start_by_code

pytestmark = pytest.mark.e2e
WORKER = Path(__file__).resolve().parents[2] / "app/static/js/sw.js"

_runs = itertools.count(1)
WAITING = "Đã lưu trên máy, chưa gửi ({n})"
SCREENSHOTS = "/tmp/caunoi-offline"
CODES: dict[str, str] = {}  # name -> participant code, of every class made here


def _class(new_page, login, kind: str, size: int = 3):
    run = next(_runs)
    title = f"Tập huấn e2e không có mạng {kind} {run}"
    names = [f"{n} {kind} {run}" for n in ("Lò Thị Xuân", "Vi Thị Hằng", "Nông Thị Thu")[:size]]
    trainer = new_page("desktop")
    link = _create_training_with_open_pre_phase(trainer, login, title, names)
    CODES.update(roster_codes(trainer))
    return trainer, title, names, re.sub(r"^https?://[^/]+", "", link)


def _open_with_signal(page, path: str, names: list[str]) -> None:
    """Each person opens her own form once with signal on this (shared) phone by typing her code
    (the start page lists nobody), until the service worker controls the page and every form is
    kept, under her link and under her code."""
    kept = """async n => {
        const keys = await (await caches.open('caunoi-t')).keys();
        return keys.filter(r => r.url.includes('?p=')).length === n && keys.filter(r => r.url.includes('?code=')).length === n;
    }"""
    for i, name in enumerate(names, start=1):
        start_by_code(page, path, CODES[name])
        expect(page.get_by_text(f"Người trả lời: {name}")).to_be_visible()
        _until(page, kept, i, f"the form of {name} was not kept for offline use")  # before leaving her page
    page.wait_for_function("() => !!navigator.serviceWorker.controller")


def _phone_with_kept_forms(new_page, path: str, names: list[str]):
    phone = new_page("phone")
    _open_with_signal(phone, path, names)
    return phone, phone.context


def _until(page, js: str, arg=None, failure: str = "") -> None:
    """Poll an async expression (page.evaluate awaits its promise; wait_for_function does not)."""
    deadline = time.monotonic() + 10
    while not page.evaluate(js, arg):
        assert time.monotonic() < deadline, failure
        page.wait_for_timeout(100)


def _answer(page, path: str, name: str) -> None:
    """Type her code on the start page, agree, answer every question and send."""
    start_by_code(page, path, CODES[name])
    expect(page.get_by_text(f"Người trả lời: {name}")).to_be_visible()
    answer_every_question(page)
    consent = page.get_by_label("Tôi đồng ý cho lưu thông tin và câu trả lời của tôi.")
    if consent.count():
        consent.check()
    page.get_by_role("button", name="Gửi câu trả lời").click()


def _answer_offline(page, path: str, names: list[str], already: int = 0, screenshot: str | None = None) -> None:
    for i, name in enumerate(names, start=already + 1):
        _answer(page, path, name)
        expect(page.get_by_text(f"Câu trả lời của {name} đã được lưu trên máy này")).to_be_visible()
        expect(page.locator("#offline")).to_contain_text(WAITING.format(n=i))
        if screenshot:
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=f"{SCREENSHOTS}-{screenshot}-{i}.png")
        page.get_by_role("link", name="Người tiếp theo").click()
        expect(page.locator("#offline")).to_contain_text(WAITING.format(n=i))


def _late_count(trainer, title: str) -> str:
    trainer.goto("/surveys/?q=" + title)
    trainer.get_by_role("link", name=title, exact=True).click()
    pre = trainer.locator("section.phase").filter(has=trainer.get_by_role("heading", name=re.compile("Trước tập huấn")))
    return pre.locator("p.late").inner_text()


def test_three_answers_taken_offline_survive_closing_the_page_and_are_stored_once(new_page, login):
    trainer, title, names, path = _class(new_page, login, "ba người")
    phone, context = _phone_with_kept_forms(new_page, path, names)

    context.set_offline(True)
    _answer_offline(phone, path, names, screenshot="saved")
    phone.close()

    phone = context.new_page()
    phone.goto(path)  # without signal: the kept start page
    waiting = phone.locator("#offline")
    expect(waiting).to_contain_text(WAITING.format(n=3))
    expect(waiting.get_by_role("button", name="Lưu hàng chờ ra tệp")).to_be_visible()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.screenshot(path=f"{SCREENSHOTS}-waiting.png")
    assert _pre_count(trainer, title) == "0"

    context.set_offline(False)  # the `online` event sends the queue
    expect(waiting).to_be_hidden()
    assert _pre_count(trainer, title) == "3"
    phone.reload()  # a page open sends again whatever waits: nothing does, nothing doubles
    expect(waiting).to_be_hidden()
    assert _pre_count(trainer, title) == "3"
    assert _late_count(trainer, title) == "Gửi muộn từ điện thoại không có mạng: 3 câu trả lời"


def test_waiting_answers_and_kept_forms_survive_a_new_service_worker(new_page, login):
    trainer, title, names, path = _class(new_page, login, "bản mới")
    phone, context = _phone_with_kept_forms(new_page, path, names)
    context.set_offline(True)
    _answer_offline(phone, path, names[:1])

    # The signal returns but the server cannot be reached (the sync address fails) while a new
    # version of the service worker arrives and takes over.
    context.route("**/sync", lambda route: route.abort("connectionfailed"))
    # A new version of the worker is deployed: the live server serves the file as it is on disk
    # (Playwright's routes do not reach a worker's update check). Version 2 is version 1 plus a
    # line that leaves a mark when it runs, in a cache of its own.
    version_1 = WORKER.read_text()
    WORKER.write_text(version_1 + "\ncaches.open('e2e-version-2');\n")
    try:
        context.set_offline(False)
        phone.goto(path)  # a page open checks for a new worker; update() asks again
        phone.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        new_worker = """async () => {
            const r = await navigator.serviceWorker.getRegistration();
            return await caches.has('e2e-version-2') && !!r.active && !r.installing && !r.waiting;
        }"""
        _until(phone, new_worker, None, "the new service worker did not take over")
    finally:
        WORKER.write_text(version_1)
    phone.close()
    phone = context.new_page()
    phone.goto(path)
    expect(phone.locator("#offline")).to_contain_text(WAITING.format(n=1))

    # Under the new worker, without signal: the forms kept by the old one still open and take answers.
    context.set_offline(True)
    _answer_offline(phone, path, names[1:], already=1)
    phone.close()
    phone = context.new_page()
    phone.goto(path)
    expect(phone.locator("#offline")).to_contain_text(WAITING.format(n=3))
    assert _pre_count(trainer, title) == "0"

    context.unroute("**/sync")
    context.set_offline(False)
    expect(phone.locator("#offline")).to_be_hidden()
    assert _pre_count(trainer, title) == "3"


def test_an_answer_for_a_phase_closed_meanwhile_is_accepted_or_refused_with_a_reason(new_page, login):
    trainer, title, names, path = _class(new_page, login, "đã đóng", size=2)
    before, after = names
    phone, context = _phone_with_kept_forms(new_page, path, names)
    context.set_offline(True)
    _answer_offline(phone, path, [before])

    pre = trainer.locator("section.phase").filter(has=trainer.get_by_role("heading", name=re.compile("Trước tập huấn")))
    pre.get_by_role("button", name="Đóng khảo sát trên điện thoại").click()
    expect(pre.get_by_text("đã đóng")).to_be_visible()
    closed = datetime.now(timezone.utc)
    # The phone, still without signal, takes another answer after the close; it does not know.
    # Its clock says just past the close plus the error allowed for phone clocks (10 minutes),
    # which the server believes once as much real time has passed (no waiting 10 minutes here).
    context.clock.set_system_time(closed + CLOCK_SKEW + timedelta(seconds=2))
    _answer_offline(phone, path, [after], already=1)
    while datetime.now(timezone.utc) < closed + timedelta(seconds=4):
        time.sleep(0.2)

    context.set_offline(False)
    expect(phone.locator("#offline")).to_be_hidden()  # both got a receipt: nothing waits, nothing lost
    assert _pre_count(trainer, title) == "1"
    assert _late_count(trainer, title) == "Gửi muộn từ điện thoại không có mạng: 1 câu trả lời"
    refused = trainer.locator("#refused")
    row = refused.get_by_role("row").filter(has=trainer.get_by_role("cell", name=after, exact=True))
    expect(row).to_contain_text("Câu trả lời được ghi sau khi khảo sát đã đóng.")
    expect(refused.get_by_role("cell", name=before, exact=True)).to_have_count(0)


def test_a_queue_saved_as_a_file_imports_once(new_page, login, tmp_path):
    trainer, title, names, path = _class(new_page, login, "tệp", size=2)
    phone, context = _phone_with_kept_forms(new_page, path, names)
    context.set_offline(True)
    _answer_offline(phone, path, names)
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Lưu hàng chờ ra tệp").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("cau-noi-hang-cho-") and saved.suffix == ".json"

    messages = []
    for _ in range(2):
        trainer.goto("/surveys/?q=" + title)
        trainer.get_by_role("link", name=title, exact=True).click()
        form = trainer.locator("form").filter(has=trainer.get_by_role("button", name="Nhập câu trả lời"))
        form.locator("input[type=file]").set_input_files(saved)
        form.get_by_role("button", name="Nhập câu trả lời").click()
        messages.append(trainer.get_by_role("status").inner_text())
    assert "2 câu trả lời mới, 0 đã nhận từ trước, 0 bị từ chối" in messages[0]
    assert "0 câu trả lời mới, 2 đã nhận từ trước, 0 bị từ chối" in messages[1]
    assert _pre_count(trainer, title) == "2"

    context.set_offline(False)  # the phone finally sends its own copy: receipts, nothing doubled
    expect(phone.locator("#offline")).to_be_hidden()
    assert _pre_count(trainer, title) == "2"
