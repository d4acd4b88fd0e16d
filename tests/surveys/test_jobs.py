"""Heavy documents in the job worker (app.jobs): the paper questionnaire of a class is queued by a
form, made with progress, then served; the form's key makes a resent form find the same job; a job
that fails is retried; and a real ``flask jobs worker`` process finishes a job a request queued."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import jobs
from app.models import ExportLog, Role
from surveys.models import Phase

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def immediate_queue(tmp_path):
    """Jobs run inside the request that queues them (Huey's immediate mode)."""
    previous = jobs._queue
    jobs.use(jobs.make_queue(None, str(tmp_path / "jobs.sqlite3"), immediate=True))
    yield
    if previous is not None:
        jobs.use(previous)
    else:
        jobs._queue = None


def queue_paper(client, training, key="k" * 24):
    # ``job_key``: what the form carried before jobs.document_key; now ignored.
    return client.post(f"/surveys/trainings/{training.id}/pre/paper", data={"job_key": key})


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_paper_questionnaire_is_made_by_a_job_and_served(db, client, login_as, create_training, immediate_queue,
                                                        tmp_path):
    training = create_training(people=45, open_phases=[Phase.pre])
    names = sorted(p.person.full_name for p in training.participants)
    login_as(Role.commune, "02086")
    page = client.get(f"/surveys/trainings/{training.id}")
    assert f'action="/surveys/trainings/{training.id}/pre/paper"' in page.get_data(as_text=True)

    response = queue_paper(client, training)
    assert response.status_code == 303
    status = client.get(response.headers["Location"])
    assert status.status_code == 200
    text = status.get_data(as_text=True)
    assert "Tài liệu đã sẵn sàng" in text and 'http-equiv="refresh"' not in text
    job = db.session.scalar(sa.select(jobs.Job))
    assert (job.state, job.attempts, job.done_steps, job.total_steps) == ("done", 1, 46, 46)  # 3 parts + join

    document = client.get(f"/jobs/{job.id}/file")
    assert document.status_code == 200 and document.mimetype == "application/pdf"
    words = pdf_text(document.data, tmp_path)
    assert all(name in words for name in names)
    assert words.count("\f") >= 45  # one sheet (at least a page) per person
    assert db.session.scalars(sa.select(ExportLog.kind)).all() == ["training_paper_pdf"]


def test_a_resent_form_finds_the_same_job(db, client, login_as, create_training, immediate_queue):
    training = create_training(people=2, open_phases=[Phase.pre])
    login_as(Role.commune, "02086")
    first = queue_paper(client, training)
    again = queue_paper(client, training, key="r" * 24)  # sent again from the reloaded page
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(jobs.Job.id))) == 1
    assert db.session.scalar(sa.select(jobs.Job.attempts)) == 1  # made once
    assert db.session.scalar(sa.select(sa.func.count(ExportLog.id))) == 1


def test_someone_elses_job_is_not_found(db, client, login_as, create_training, immediate_queue):
    training = create_training(people=1, open_phases=[Phase.pre])
    login_as(Role.commune, "02086")
    location = queue_paper(client, training).headers["Location"]
    login_as(Role.commune, "02086")
    assert client.get(location).status_code == 404
    assert client.get(location + "/file").status_code == 404


def test_a_job_that_fails_is_retried_then_done(db, client, login_as, immediate_queue, monkeypatch):
    monkeypatch.setattr(jobs, "JOB_RETRIES", 2)
    monkeypatch.setattr(jobs, "JOB_RETRY_DELAY", 0)
    calls = []

    def flaky(job, progress):
        calls.append(job.id)
        if len(calls) == 1:
            raise OSError("disk full, once")
        return b"%PDF-1.7 ok", "ok.pdf", "application/pdf"

    monkeypatch.setitem(jobs._kinds, "flaky", flaky)
    jobs.use(jobs.make_queue(None, "unused", immediate=True))  # the retry settings are read when the task is made
    user = login_as(Role.commune, "02086")
    job = jobs.submit("flaky", {}, "f" * 24, user)
    try:
        db.session.commit()
    except OSError:
        pass  # immediate mode: the first attempt's error reaches the caller; Huey queued the retry
    job = db.session.get(jobs.Job, job.id)
    db.session.refresh(job)
    if job.state != "done":  # the retry waits in Huey's in-memory queue: run it as the worker would
        queue = jobs.queue()
        while (task := queue.dequeue()) is not None:
            queue.execute(task)
        db.session.refresh(job)
    assert (job.state, job.attempts, len(calls)) == ("done", 2, 2)


def test_a_real_worker_process_finishes_a_queued_job(app, db, client, login_as, create_training, tmp_path):
    queue_file = tmp_path / "jobs.sqlite3"
    previous = jobs._queue
    jobs.use(jobs.make_queue(None, str(queue_file)))
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "JOBS_DB": str(queue_file),
           "STORAGE_DIR": app.config["STORAGE_DIR"], "INSTANCE_PATH": str(tmp_path), "FLASK_APP": "wsgi.py",
           "SECRET_KEY": "test-secret", "APP_ENV": "development"}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        training = create_training(people=3, open_phases=[Phase.pre])
        login_as(Role.commune, "02086")
        location = queue_paper(client, training).headers["Location"]
        assert client.get(location).status_code == 200  # the status page, while the worker works
        deadline = time.monotonic() + 90
        state = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            state = db.session.scalar(sa.select(jobs.Job.state))
            if state in ("done", "failed"):
                break
            time.sleep(0.5)
        assert state == "done", worker.stderr.read1().decode() if worker.poll() is not None else state
        document = client.get(location + "/file")
        assert document.status_code == 200 and document.data.startswith(b"%PDF")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
        if previous is not None:
            jobs.use(previous)
        else:
            jobs._queue = None
