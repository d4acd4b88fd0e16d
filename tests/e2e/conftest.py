"""Browser end-to-end fixtures: the real app in a subprocess, Debian's Chromium driven by Playwright.

Run with ``make e2e`` (``pytest -m e2e``); ``make test`` deselects these tests (pytest.ini).

- ``live_server``: base URL of the app served on a free port of 127.0.0.1, with a fresh SQLite
  database in a temporary folder, migrated and loaded with the demo data (``flask db upgrade``,
  ``flask demo load``), exactly as ``make run`` does. One server for the session.
- ``browser``: Chromium from ``/usr/bin/chromium`` (``apt-get install chromium``; Playwright's own
  browser download is not used).
- ``new_page(viewport="phone"|"desktop", javascript=True)``: a page in a fresh context (own
  cookies) whose ``goto("/path")`` is relative to the live server. Every request the page makes
  to a host other than 127.0.0.1 is blocked and fails the test: the app must work offline.
- ``page_phone`` (360x640, touch), ``page_phone_nojs`` (the same, JavaScript off) and
  ``page_desktop`` (1280x800): ready-made pages.
- ``login(page, username, password="demo1234")``: logs in through the form, waits for the home page.

Feature flows build on these, e.g. the pre test answered on a phone without JavaScript:
``page = new_page("phone", javascript=False); login(page, "taphuan")``.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
LOCAL_HOSTS = {"127.0.0.1"}
DEMO_PASSWORD = "demo1234"


@pytest.hookimpl(tryfirst=True)  # before ``-m "not e2e"`` deselects
def pytest_collection_modifyitems(items):
    """Every test under tests/e2e is an e2e test, even one whose module forgot ``pytestmark``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the app exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app did not answer at {url} within {timeout} s")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "APP_ENV")}
    env.update(FLASK_APP="wsgi.py", INSTANCE_PATH=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'e2e.sqlite3'}",
               SECRET_KEY="e2e-only-secret", STORAGE_DIR=str(tmp / "storage"), PYTHONUNBUFFERED="1",
               # Documents made inside the request, so a click downloads the file; the job worker's
               # path (queue, progress page, worker on another host) is test_e2e_multihost.py's.
               JOBS_IMMEDIATE="1")
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    port = _free_port()
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "flask", "run", "--host", "127.0.0.1", "--port", str(port),
                               "--no-reload", "--no-debugger", "--with-threads"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/login", server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def outside_requests():
    """URLs the pages tried to fetch from hosts other than 127.0.0.1 (all blocked)."""
    return []


@pytest.fixture
def new_page(browser, live_server, outside_requests):
    contexts = []

    def make(viewport: str = "phone", javascript: bool = True):
        context = browser.new_context(base_url=live_server, locale="vi-VN", java_script_enabled=javascript,
                                      **VIEWPORTS[viewport])
        context.set_default_timeout(10_000)

        def guard(route):
            url = route.request.url
            if urlsplit(url).hostname in LOCAL_HOSTS:
                route.continue_()
            else:
                outside_requests.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not outside_requests, f"requests left 127.0.0.1: {outside_requests}"


@pytest.fixture
def page_phone(new_page):
    return new_page("phone")


@pytest.fixture
def page_phone_nojs(new_page):
    return new_page("phone", javascript=False)


@pytest.fixture
def page_desktop(new_page):
    return new_page("desktop")


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/home")


@pytest.fixture
def login():
    """``login(page, username, password="demo1234")``: log in through the form as a demo user and
    wait for the home page."""
    return log_in
