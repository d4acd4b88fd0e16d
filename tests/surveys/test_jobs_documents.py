"""Document views in the job worker (app.jobs.in_worker) and jobs whose worker died.

The queue here is a real SqliteHuey that only stores tasks (``stored_queue`` in tests/conftest.py):
the tests run them as the worker does (``factories.work``), so what the request did and what the worker did
are seen apart."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import jobs
from app.models import ExportLog, Role
from app.models.types import utcnow
from surveys.models import Phase
from factories import work


def test_a_results_pdf_is_queued_once_then_made_by_the_worker(db, client, login_as, create_training, stored_queue):
    training = create_training(people=6, open_phases=[Phase.pre])
    login_as(Role.commune, "02086")
    first = client.get(f"/surveys/trainings/{training.id}/results.pdf")
    assert first.status_code == 303 and "/jobs/" in first.headers["Location"]
    again = client.get(f"/surveys/trainings/{training.id}/results.pdf")  # a double click, a reload
    assert again.headers["Location"] == first.headers["Location"]
    job = db.session.scalar(sa.select(jobs.Job))
    assert (job.kind, job.state, db.session.scalar(sa.select(sa.func.count(jobs.Job.id)))) == ("view_document", "queued", 1)
    page = client.get(first.headers["Location"])
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.get_data(as_text=True)
    assert client.get(first.headers["Location"] + "/file").status_code == 404  # not made yet

    assert work(stored_queue) == 1  # one task for the two requests
    db.session.refresh(job)
    assert (job.state, job.attempts) == ("done", 1)
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Tài liệu đã sẵn sàng" in page and 'http-equiv="refresh"' not in page
    document = client.get(first.headers["Location"] + "/file")
    assert document.status_code == 200 and document.data.startswith(b"%PDF")
    assert document.headers["Content-Disposition"].startswith("attachment; filename=")  # the view's own headers
    assert document.headers["Cache-Control"] == "private, no-store"


def test_a_document_out_of_scope_answers_404_from_the_job(db, client, login_as, create_training, stored_queue):
    training = create_training(people=2, open_phases=[Phase.pre])  # in 02086
    login_as(Role.commune, "02020")
    location = client.get(f"/surveys/trainings/{training.id}/results.pdf").headers["Location"]
    work(stored_queue)
    job = db.session.scalar(sa.select(jobs.Job))
    assert (job.state, job.error, job.attempts) == ("failed", "HTTP 404", 1)  # final: never retried
    assert client.get(location).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ExportLog.id))) == 0


def _running_job(db, user, beat_seconds_ago: float, attempts: int) -> jobs.Job:
    job = jobs.Job(key=jobs.new_key(), kind="view_document", params={}, user_id=user.id, state=jobs.RUNNING,
                   attempts=attempts, heartbeat_dt=utcnow() - timedelta(seconds=beat_seconds_ago))
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_whose_worker_died_is_queued_again_then_failed(db, client, login_as, stored_queue):
    user = login_as(Role.commune, "02086")
    alive = _running_job(db, user, beat_seconds_ago=5, attempts=1)
    dead = _running_job(db, user, beat_seconds_ago=jobs.JOB_STALE + 5, attempts=1)
    spent = _running_job(db, user, beat_seconds_ago=jobs.JOB_STALE + 5, attempts=jobs.JOB_RETRIES + 1)

    assert "Hệ thống đang tạo tài liệu" in client.get(f"/jobs/{alive.id}").get_data(as_text=True)
    client.get(f"/jobs/{dead.id}")  # looked at: found dead, queued again
    failed = client.get(f"/jobs/{spent.id}").get_data(as_text=True)
    assert "Không tạo được tài liệu" in failed
    for job in (alive, dead, spent):
        db.session.refresh(job)
    assert (alive.state, dead.state, spent.state) == ("running", "queued", "failed")
    assert len(stored_queue) == 1  # the dead one's task, queued once
    assert jobs.recover_stale() == 0  # nothing left to recover: a second recoverer queues nothing
    assert len(stored_queue) == 1


def test_the_worker_recovers_every_dead_job_at_once(db, login_as, stored_queue):
    user = login_as(Role.commune, "02086")
    dead = [_running_job(db, user, beat_seconds_ago=jobs.JOB_STALE * 3, attempts=1) for _ in range(2)]
    assert jobs.recover_stale() == 2
    assert {db.session.get(jobs.Job, job.id).state for job in dead} == {"queued"}
    assert len(stored_queue) == 2


def test_a_long_step_keeps_beating(db, login_as, stored_queue, monkeypatch):
    monkeypatch.setattr(jobs, "JOB_HEARTBEAT", 0.05)
    beats = []

    def slow(job, progress):  # one long step, no progress reported
        claimed = job.heartbeat_dt
        time.sleep(0.5)
        with db.engine.connect() as connection:
            beats.append((claimed, connection.scalar(sa.select(jobs.Job.heartbeat_dt).where(jobs.Job.id == job.id))))
        return b"ok", "ok.txt", "text/plain"

    monkeypatch.setitem(jobs._kinds, "slow", slow)
    user = login_as(Role.commune, "02086")
    job = jobs.submit("slow", {}, jobs.new_key(), user)
    db.session.commit()
    work(stored_queue)
    (claimed, latest), = beats
    assert latest > claimed  # the heartbeat thread wrote while the step ran
    assert db.session.get(jobs.Job, job.id).state == "done"
