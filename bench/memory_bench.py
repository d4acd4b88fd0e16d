"""Memory of one gunicorn worker over 2,000 mixed requests (login, home, people list, training, its
results, a dialogue, the phone form, the dashboard) of which 200 are PDFs (minutes, training
results, the indicators report, the previous results: 200 different documents, so the job worker
renders every one), against the same worker's RSS right after start.

The PDFs are made as in production: the request queues a job (``app.jobs.in_worker``) that a
``flask jobs worker`` beside gunicorn renders; the browser follows the job page until the file
is ready, then downloads it (the job page's polls and the download count as requests). The job
worker's own RSS is shown too (it renders every PDF; it is one process, restarted with the web).

The worker is the child of the gunicorn master (``--workers 1``); its RSS is read from
``/proc/<pid>/status``. Targets: under 150 MB after the load (an absolute figure: the ratio column
shows the growth over the start), and flat: the last 1,000 requests add under 10 MB (a leak per
PDF, as with a new WeasyPrint font configuration each render, grows it without a plateau).
The database is a fresh SQLite file.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, time as clock, timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench import print_table, row
from bench.phone_bench import _gunicorn, _seed, _stop, more_classes, respondent_keys

PORT, REQUESTS, PDFS, PEOPLE = 5113, 2_000, 200, 60
MAX_MB, MAX_GROWTH_MB = 150, 10
PASSWORD = "bench-pass-1"


def _add_dialogue_and_officer(url: str, count: int) -> list[int]:
    """A commune officer (can see trainings and dialogues) and ``count`` dialogues; their ids."""
    from app import clock as app_clock, create_app, services as core
    from app.extensions import db
    from app.models import Role, Unit
    from dialogues import services
    from dialogues.models import DialogueLevel

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        commune = db.session.query(Unit).filter_by(code="02086").one()
        village = commune.children[0]
        core.create_user("officer", PASSWORD, Role.commune, commune)
        services.ensure_default_categories()
        dialogue_ids = []
        for i in range(count):
            dialogue = services.create_dialogue(services.DialogueData(
                title=f"Hội nghị đối thoại {i + 1}", level=DialogueLevel.commune, unit_id=commune.id,
                venue_unit_id=village.id, held_on=app_clock.today() - timedelta(days=3 + i),
                start_time=clock(8), end_time=clock(11), venue="Nhà văn hóa", organiser="Hội LHPN xã",
                chair_name="Hoàng Văn Thắng", chair_position="Chủ tịch UBND xã", secretary_name="Triệu Thị Mai",
                attendance_total=80, attendance_women=70, attendance_minority=60, conclusions="Kết luận."), None)
            dialogue_ids.append(dialogue.id)
        db.session.commit()
        db.engine.dispose()
    return dialogue_ids


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _worker_pid(master: int) -> int:
    for _ in range(50):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn worker not found")


class _Browser:
    """One keep-alive connection with a cookie jar (the session, the known-login cookie)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.keep_cookies(response)
        return response.status, text

    def keep_cookies(self, response) -> None:
        jar = dict(part.split("=", 1) for part in self.cookie.split("; ") if "=" in part)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _sep, cookie_value = value.split(";", 1)[0].partition("=")
                jar[cookie_name] = cookie_value
        self.cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

    def login(self, username: str) -> None:
        self.cookie = ""
        _status, page = self.send("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        status, _ = self.send("POST", "/login", {"username": username, "password": PASSWORD,
                                                 **({"csrf_token": token[1]} if token else {})})
        if status != 302:
            raise RuntimeError(f"login answered {status}")


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        pre, _post, training_id, person_ids, _keys = _seed(url, PEOPLE)
        # 200 different documents, as 200 users would ask (one document asked again is not made
        # again: jobs.document_key finds its job, and the worker would render 4 PDFs, not 200):
        # the minutes and previous results of 50 dialogues, the results of 50 classes, the
        # indicators report of 50 periods.
        documents = PDFS // 4 + 1
        dialogue_ids = _add_dialogue_and_officer(url, documents)
        dialogue_id = dialogue_ids[0]
        class_ids = [training_id, *more_classes(url, training_id, documents - 1)]
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + secrets.token_hex(8),
               "INSTANCE_PATH": tmp, "STORAGE_DIR": str(Path(tmp) / "storage"), "APP_ENV": "development"}
        pages = ["/home", "/people/", f"/surveys/trainings/{training_id}",
                 f"/surveys/trainings/{training_id}/results", f"/dialogues/{dialogue_id}", "/indicators/"]
        start = date(2025, 1, 1)

        def pdf(n: int) -> str:  # the n-th document asked: four kinds in turn, each a new one
            i = n // 4
            return [f"/dialogues/{dialogue_ids[i]}/minutes.pdf", f"/surveys/trainings/{class_ids[i]}/results.pdf",
                    f"/indicators/report.pdf?period=custom&from={start + timedelta(days=i)}&to=2025-12-31",
                    f"/dialogues/{dialogue_ids[i]}/previous-results.pdf"][n % 4]
        own = respondent_keys(env["SECRET_KEY"], pre, person_ids)
        env["JOBS_DB"] = str(Path(tmp) / "jobs.sqlite3")
        env.pop("REDIS_URL", None)
        proc = _gunicorn("wsgi:app", PORT, env, workers=1)
        worker_log = open(Path(tmp) / "worker.log", "wb")  # a pipe nobody reads would block it when full
        job_worker = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"],
                                      cwd=Path(__file__).resolve().parents[1], env={**env, "FLASK_APP": "wsgi.py"},
                                      stdout=subprocess.DEVNULL, stderr=worker_log)
        job_worker.log_path = Path(tmp) / "worker.log"
        try:
            worker = _worker_pid(proc.pid)
            start_mb = _rss_mb(worker)
            job_first_mb = None
            browser = _Browser(PORT)
            sent = pdf_count = 0
            jobs_seen = set()  # every PDF its own job: rendered, not found again
            half_mb = None
            while sent < REQUESTS or pdf_count < PDFS:  # cycles of 10 or more: login (2), 7 pages, 1 PDF (queue, poll, file)
                browser.login("officer")
                sent += 2
                cycle = pages + [f"/t/{pre}?p={own[person_ids[sent % len(person_ids)]]}"]  # her own link
                for path in cycle:
                    status, _ = browser.send("GET", path)
                    if status != 200:
                        raise RuntimeError(f"GET {path} answered {status}")
                    sent += 1
                requests, job_path = _fetch_document(browser, pdf(pdf_count), job_worker)
                sent += requests
                jobs_seen.add(job_path)
                pdf_count += 1
                job_first_mb = job_first_mb or _rss_mb(job_worker.pid)
                if half_mb is None and sent >= REQUESTS // 2:
                    half_mb = _rss_mb(worker)
            if len(jobs_seen) != pdf_count:
                raise RuntimeError(f"{pdf_count} PDFs asked, {len(jobs_seen)} rendered")
            if _worker_pid(proc.pid) != worker:
                raise RuntimeError("the worker was replaced during the run")
            end_mb = _rss_mb(worker)
            job_end_mb = _rss_mb(job_worker.pid)
        finally:
            _stop(proc)
            _stop(job_worker)
            worker_log.close()
    return [row(f"gunicorn worker RSS after {sent:,} mixed requests ({pdf_count} PDFs) vs right after start",
                end_mb, start_mb, unit="MB", max_ratio=MAX_MB / start_mb)
            | {"target": f"< {MAX_MB} MB"} | {"ok": end_mb < MAX_MB},
            row(f"gunicorn worker RSS after {sent:,} vs after {REQUESTS // 2:,} requests (growth of the rest)",
                end_mb, half_mb, unit="MB", max_ratio=(half_mb + MAX_GROWTH_MB) / half_mb)
            | {"target": f"< +{MAX_GROWTH_MB} MB"} | {"ok": end_mb - half_mb < MAX_GROWTH_MB},
            row(f"job worker RSS after rendering {pdf_count} PDFs vs after its first (shown, no target)",
                job_end_mb, job_first_mb, unit="MB", min_ratio=0) | {"target": "shown", "ok": True}]


def _fetch_document(browser: _Browser, path: str, job_worker: subprocess.Popen) -> tuple[int, str]:
    """GET a document view: queued (303), the job page until it is done, then the file. Requests
    sent, and the job's page."""
    browser.conn.request("GET", path, headers={"Cookie": browser.cookie})
    response = browser.conn.getresponse()
    response.read()
    browser.keep_cookies(response)
    location = response.getheader("Location") or ""
    if response.status != 303 or "/jobs/" not in location:
        raise RuntimeError(f"GET {path} answered {response.status}, not a job")
    job_path = "/" + location.split("/", 3)[3] if location.startswith("http") else location
    sent, deadline = 1, time.monotonic() + 120
    while True:
        if job_worker.poll() is not None:
            raise RuntimeError(f"the job worker exited: {job_worker.log_path.read_bytes()[-500:].decode(errors='replace')}")
        status, page = browser.send("GET", job_path)
        sent += 1
        if "Tài liệu đã sẵn sàng" in page:
            break
        if status != 200 or time.monotonic() > deadline or "Không tạo được" in page:
            raise RuntimeError(f"job {job_path} answered {status}: {page[-300:]}")
        time.sleep(0.2)
    status, _ = browser.send("GET", job_path + "/file")
    if status != 200:
        raise RuntimeError(f"GET {job_path}/file answered {status}")
    return sent + 1, job_path


if __name__ == "__main__":
    print_table(run())
