"""Web pages while the job worker renders: the p95 of every page while 20 paper questionnaires of 50
people (twenty classes) are made by ``flask jobs worker --workers 2`` beside gunicorn (2 workers), against the same
pages' p95 on the same servers before the jobs were queued.

Four browsers (own sessions) walk the pages in turn; a phone submits one answer sheet a second
(each person once per phase). Targets: every page's p95 under 1 s, no request near gunicorn's
timeout (the slowest one is shown against it), every phone submission stored (none refused), and
the 20 jobs done. The database is a fresh SQLite file, or the PostgreSQL in
``BENCH_DATABASE_URL`` (emptied: give it a throwaway database).
"""
from __future__ import annotations

import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bench import WALL, print_table, row
from bench.memory_bench import _Browser
from bench.phone_bench import _gunicorn, _request, _seed, _stop, more_classes, respondent_keys

PORT, PEOPLE, JOBS, BROWSERS = 5114, 50, 20, 4
MAX_P95_MS, GUNICORN_TIMEOUT_S, MAX_WAIT_S = 1000, 30, int(os.environ.get("LOAD_BENCH_MAX_S", "900"))  # gunicorn's default timeout (no --timeout given)
ROOT = Path(__file__).resolve().parent.parent


def _tail(path: Path, size: int = 3000) -> str:
    return path.read_bytes()[-size:].decode(errors="replace")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def _walk(browser: _Browser, pages: list[str], stop: threading.Event, timings: dict, rounds: int | None = None) -> None:
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        for path in pages:
            start = WALL()
            status, _ = browser.send("GET", path)
            elapsed = WALL() - start
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            timings.setdefault(path, []).append(elapsed * 1000)
        done += 1


def _pages_p95(port: int, pages: list[str], rounds: int | None, stop: threading.Event) -> tuple[dict, list]:
    timings: dict[str, list[float]] = {}
    errors: list[BaseException] = []

    browsers = []
    for _ in range(BROWSERS):  # logged in one after another (a login is not what is measured)
        browser = _Browser(port)
        browser.conn.timeout = 120
        browser.login("bench")  # the trainer _seed makes, with the memory bench's password
        browsers.append(browser)

    def walk(browser):
        try:
            _walk(browser, pages, stop, timings, rounds)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=walk, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    return timings, [threads, errors]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        pre, post, training_id, person_ids, keys = _seed(url, PEOPLE)
        classes = [training_id, *more_classes(url, training_id, JOBS - 1)]
        secret = "bench-" + secrets.token_hex(8)
        # Her own signed link: a bare person id is not taken (it would measure the code box and a 404).
        own = {token: respondent_keys(secret, token, person_ids) for token in (pre, post)}
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "INSTANCE_PATH": tmp,
               "STORAGE_DIR": str(Path(tmp) / "storage"), "APP_ENV": "development", "FLASK_APP": "wsgi.py",
               "JOBS_DB": str(Path(tmp) / "jobs.sqlite3")}
        env.pop("REDIS_URL", None)
        pages = ["/home", "/people/", f"/surveys/trainings/{training_id}", f"/surveys/trainings/{training_id}/results",
                 f"/t/{pre}?p={own[pre][person_ids[0]]}"]
        web = _gunicorn("wsgi:app", PORT, env, workers=2)
        # The worker's log goes to a file: a pipe nobody reads fills up (64 KB of log lines) and
        # then blocks the worker on its next line, which looks like jobs that never finish.
        worker_log = open(Path(tmp) / "worker.log", "wb")
        worker = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker", "--workers", "2"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=worker_log)
        engine = sa.create_engine(url)
        try:
            idle, (threads, errors) = _pages_p95(PORT, pages, 8, threading.Event())
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            job_ids = _queue_paper_jobs(classes)
            stop = threading.Event()
            loaded, (threads, errors) = _pages_p95(PORT, pages + [f"/jobs/{job_ids[0]}"], None, stop)
            refused, stored_before = [], _stored(engine)
            submitted = 0
            start = WALL()
            answers = {key: "1" for key in keys}
            while WALL() - start < MAX_WAIT_S and not stop.is_set():
                if submitted < 2 * PEOPLE:  # one phone sheet a second, each person once per phase
                    token = pre if submitted < PEOPLE else post
                    status = _request(PORT, "POST", f"/t/{token}", {
                        "p": own[token][person_ids[submitted % PEOPLE]], "client_token": secrets.token_urlsafe(16),
                        "step": 1, "go": "submit", **answers})
                    submitted += 1
                    if status not in (200, 302, 303):
                        refused.append(status)
                with engine.connect() as conn:
                    states = conn.execute(sa.text("SELECT state, count(*) FROM jobs GROUP BY state")).all()
                states = dict(states)
                if states.get("done", 0) + states.get("failed", 0) >= JOBS:
                    break
                if worker.poll() is not None:
                    raise RuntimeError(f"the job worker exited: {_tail(Path(tmp) / 'worker.log')}")
                time.sleep(1)
            seconds = WALL() - start
            stop.set()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            stored = _stored(engine) - stored_before
            if states.get("done", 0) < JOBS:
                print(f"jobs {states}; the worker's log ends:\n{_tail(Path(tmp) / 'worker.log')}", file=sys.stderr)
        finally:
            engine.dispose()
            _stop(worker)
            worker_log.close()
            _stop(web)
    db = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    rows = []
    for path in pages + ["/jobs/<id>"]:
        key = path if path in loaded else f"/jobs/{job_ids[0]}"
        p95, base = _p95(loaded[key]), _p95(idle.get(path, loaded[key]))
        name = re.sub(r"/\d+", "/<id>", re.sub(r"/t/[^?]+", "/t/<token>", path.split("?")[0]))
        rows.append(row(f"p95 of {name} while {JOBS} paper questionnaires × {PEOPLE} people render, {db}, vs idle",
                        p95, base, unit="ms", min_ratio=0) | {"target": f"< {MAX_P95_MS} ms", "ok": p95 < MAX_P95_MS})
    slowest = max(max(values) for values in loaded.values()) / 1000
    rows.append(row(f"slowest page request meanwhile ({sum(map(len, loaded.values())):,} requests, {db}) "
                    f"vs gunicorn's timeout", slowest, GUNICORN_TIMEOUT_S, unit="s", max_ratio=0.5))
    rows.append(row(f"phone submissions stored meanwhile ({len(refused)} refused), {db}, vs sent", stored, submitted,
                    min_ratio=0)
                | {"target": "all, none refused", "ok": not refused and stored == submitted})
    done = states.get("done", 0)
    rows.append(row(f"paper questionnaire jobs done in {seconds:.0f} s, {db}, vs queued", done, JOBS, min_ratio=0)
                | {"target": "all", "ok": done == JOBS})
    return rows


def _stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM survey_responses")).scalar_one()


def _queue_paper_jobs(classes: list[int]) -> list[int]:
    """A paper questionnaire of each class, queued through its page's form (twenty jobs)."""
    browser = _Browser(PORT)
    browser.login("bench")
    ids = []
    for training_id in classes:
        _status, page = browser.send("GET", f"/surveys/trainings/{training_id}")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        browser.conn.request("POST", f"/surveys/trainings/{training_id}/pre/paper",
                             body=(f"csrf_token={token[1]}" if token else ""),
                             headers={"Cookie": browser.cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = browser.conn.getresponse()
        response.read()
        browser.keep_cookies(response)
        location = response.getheader("Location") or ""
        if response.status != 303 or "/jobs/" not in location:
            raise RuntimeError(f"queueing a paper questionnaire answered {response.status}")
        ids.append(int(location.rstrip("/").rsplit("/", 1)[1]))
    return ids


if __name__ == "__main__":
    print_table(run())
