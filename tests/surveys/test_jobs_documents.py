"""Document views in the job worker (app.jobs.in_worker) and jobs whose worker died.

The queue here is a real SqliteHuey that only stores tasks (``stored_queue`` in tests/conftest.py):
the tests run them as the worker does (``factories.work``), so what the request did and what the worker did
are seen apart."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

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


def _workbook_sheets(data: bytes) -> list[str]:
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).sheetnames


@pytest.mark.parametrize("saved", ["vi", None])
def test_the_worker_makes_the_document_in_the_language_the_user_browses_in(
        db, client, login_as, create_training, stored_queue, saved):
    """Her profile says Vietnamese (or nothing), she browses in English (the ``lang`` cookie): the
    results workbook the worker makes is in English, as the page she asked it from, through the
    job's locale alone (``force_locale`` around the view: no cookie is handed to its request)."""
    training = create_training(people=3, open_phases=[Phase.pre])
    user = login_as(Role.commune, "02086")
    user.locale = saved
    db.session.commit()
    client.set_cookie("lang", "en")
    location = client.get(f"/surveys/trainings/{training.id}/results.xlsx").headers["Location"]
    job = db.session.scalar(sa.select(jobs.Job))
    assert job.params["locale"] == "en" and "lang" not in job.params
    assert work(stored_queue) == 1  # made by the worker, outside her request
    sheets = _workbook_sheets(client.get(location + "/file").data)
    assert "Summary" in sheets and "Tổng hợp" not in sheets


def test_a_user_browsing_in_vietnamese_gets_it_in_vietnamese_whatever_her_profile(
        db, client, login_as, create_training, stored_queue):
    training = create_training(people=3, open_phases=[Phase.pre])
    user = login_as(Role.commune, "02086")
    user.locale = "en"
    db.session.commit()
    client.set_cookie("lang", "vi")
    location = client.get(f"/surveys/trainings/{training.id}/results.xlsx").headers["Location"]
    work(stored_queue)
    sheets = _workbook_sheets(client.get(location + "/file").data)
    assert "Tổng hợp" in sheets and "Summary" not in sheets
    # switching language makes a new document, not the one of the other language
    client.set_cookie("lang", "en")
    again = client.get(f"/surveys/trainings/{training.id}/results.xlsx").headers["Location"]
    assert again != location
    work(stored_queue)
    assert "Summary" in _workbook_sheets(client.get(again + "/file").data)


def test_a_submitted_job_runs_in_the_language_of_its_request(app, db, login_as, stored_queue, monkeypatch):
    """The other way in (jobs.submit from a form's view, as the paper questionnaire): what the job
    translates is in the language of the request that queued it."""
    from flask_babel import gettext

    monkeypatch.setitem(jobs._kinds, "say_summary", lambda job, progress: (gettext("Tổng hợp").encode(), "s.txt",
                                                                           "text/plain"))
    user = login_as(Role.commune, "02086")
    user.locale = "vi"
    db.session.commit()
    made = {}
    for lang in ("en", "vi"):
        with app.app_context(), app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):  # a request
            made[lang] = jobs.submit("say_summary", {}, lang * 12, user).id
            db.session.commit()
    assert work(stored_queue) == 2
    for lang, expected in (("en", b"Summary"), ("vi", "Tổng hợp".encode())):
        job = db.session.get(jobs.Job, made[lang])
        assert job.params["locale"] == lang and job.state == "done"
        assert (Path(app.config["STORAGE_DIR"]) / job.stored_as).read_bytes() == expected
# --- the key of a document (jobs.document_key) ----------------------------------------------------

def _location(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 303
    return response.headers["Location"]


def test_the_same_document_asked_again_later_is_the_same_job(db, client, login_as, create_training, stored_queue,
                                                             monkeypatch):
    training = create_training(people=3, open_phases=[Phase.pre])
    login_as(Role.commune, "02086")
    url = f"/surveys/trainings/{training.id}/results.pdf"
    first = _location(client, url)
    assert work(stored_queue) == 1  # made (its export log written: bookkeeping, no change of the document)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)  # a double click an hour later
    assert _location(client, url) == first
    assert _location(client, url + "?job_key=" + "x" * 24) == first  # an old link's own key changes nothing
    assert db.session.scalar(sa.select(sa.func.count(jobs.Job.id))) == 1 and work(stored_queue) == 0


def test_a_changed_record_or_language_makes_a_new_job(db, client, login_as, create_training, create_person,
                                                      stored_queue):
    from surveys import services as surveys_services

    training = create_training(people=2, open_phases=[Phase.pre])
    officer = login_as(Role.commune, "02086")
    url = f"/surveys/trainings/{training.id}/results.pdf"
    first = _location(client, url)
    surveys_services.add_participant(training, create_person(unit="02086"), officer)  # the record changes
    db.session.commit()
    second = _location(client, url)
    assert second != first
    client.post("/lang/en")
    english = _location(client, url)
    assert english not in (first, second)
    assert _location(client, url) == english
    keys = db.session.scalars(sa.select(jobs.Job.params).order_by(jobs.Job.id)).all()
    assert [k["locale"] for k in keys] == ["vi", "vi", "en"]  # the worker renders in the asking page's language


def test_two_users_get_their_own_render_of_one_document(db, client, login_as, create_training, stored_queue):
    training = create_training(people=2, open_phases=[Phase.pre])
    url = f"/surveys/trainings/{training.id}/results.pdf"
    first_user = login_as(Role.commune, "02086")
    first = _location(client, url)
    second_user = login_as(Role.commune, "02086")
    second = _location(client, url)
    assert first != second  # the view's checks and the export log are each user's own
    assert work(stored_queue) == 2
    made = db.session.execute(sa.select(jobs.Job.user_id, jobs.Job.state).order_by(jobs.Job.id)).all()
    assert made == [(first_user.id, "done"), (second_user.id, "done")]


def test_a_document_that_failed_is_tried_again_when_asked_again(db, client, login_as, create_training, stored_queue):
    training = create_training(people=2, open_phases=[Phase.pre])
    login_as(Role.commune, "02086")
    url = f"/surveys/trainings/{training.id}/results.pdf"
    location = _location(client, url)
    job = db.session.scalar(sa.select(jobs.Job))
    job.state, job.attempts, job.error = jobs.FAILED, jobs.JOB_RETRIES + 1, "Traceback: renderer down"
    stored_queue.flush()  # its tries are spent: nothing of it left in the queue
    db.session.commit()
    assert "Không tạo được tài liệu" in client.get(location).get_data(as_text=True)
    assert _location(client, url) == location  # the same job, queued again
    db.session.refresh(job)
    assert (job.state, job.attempts, job.error) == ("queued", 0, None)
    assert work(stored_queue) == 1
    db.session.refresh(job)
    assert job.state == "done"
