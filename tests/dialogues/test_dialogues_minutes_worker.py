"""Minutes issued by the job worker: the approval (number, lock) and an addendum commit in a short
transaction, the PDF version is rendered after it by the worker, once per version.

``stored_queue`` (tests/conftest.py) keeps the tasks; ``work`` runs them as ``flask jobs worker``."""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import clock, jobs
from app.models import ExportLog, Role
from dialogues import services
from dialogues.models import Addendum, Dialogue, DialogueStatus, MinutesIssue
from factories import work


def _issues(db, dialogue) -> list[int]:
    return list(db.session.scalars(sa.select(MinutesIssue.version).where(MinutesIssue.dialogue_id == dialogue.id)
                                   .order_by(MinutesIssue.version)))


def test_approval_commits_at_once_and_the_worker_issues_the_pdf(db, client, login_as, create_dialogue, stored_queue,
                                                                 pdf_text):
    dialogue = create_dialogue(status="held", questions=1)
    officer = login_as(Role.commune, "02020")
    response = client.post(f"/dialogues/{dialogue.id}/approve", data={"note": "Thông qua tại hội nghị"})
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    approved = db.session.get(Dialogue, dialogue.id)
    # Committed by the request: the number and the lock; no PDF rendered in it.
    assert (approved.status, approved.minutes_number_text) == (DialogueStatus.approved, "01/BB-HLHPN")
    assert _issues(db, approved) == []
    job = db.session.scalar(sa.select(jobs.Job))
    assert (job.kind, job.state, job.user_id) == ("issue_minutes", "queued", officer.id)
    waiting = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hệ thống đang tạo tài liệu" in waiting and 'http-equiv="refresh"' in waiting
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "Bản phát hành lần 1 của biên bản đang được tạo" in page
    assert "Xem dự thảo biên bản" not in page  # an approved record has no draft any more
    again = client.post(f"/dialogues/{dialogue.id}/approve", data={"note": ""})  # a resent form: refused
    assert again.status_code == 200 and db.session.scalar(sa.select(sa.func.count(jobs.Job.id))) == 1

    assert work(stored_queue) == 1
    db.session.expire_all()
    assert _issues(db, approved) == [1]
    issue = db.session.get(Dialogue, dialogue.id).current_issue
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tài liệu đã sẵn sàng" in done and issue.filename in done
    document = client.get(response.headers["Location"] + "/file")
    assert hashlib.sha256(document.data).hexdigest() == issue.sha256  # the issued version itself
    assert document.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(document.data)
    assert "Số: 01/BB-HLHPN" in text
    # the check address is the approver's host (no PUBLIC_URL here), not a path the QR cannot open
    assert f"http://localhost/dialogues/check/{issue.verify_code}" in "".join(text.split())
    assert db.session.scalar(sa.select(sa.func.count(ExportLog.id)).where(ExportLog.user_id == officer.id)) == 1
    assert "đang được tạo" not in client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)

    jobs._task(job.id)  # the same task delivered twice: the job is done, nothing runs again
    assert work(stored_queue) == 1
    db.session.expire_all()
    assert _issues(db, approved) == [1] and db.session.scalar(sa.select(sa.func.count(jobs.Job.id))) == 1


def test_a_failed_render_is_retried_and_issues_one_version(db, client, login_as, create_dialogue, stored_queue,
                                                           monkeypatch):
    import dialogues.minutes

    real, calls = dialogues.minutes.render_minutes, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("renderer down")
        return real(*args, **kwargs)

    monkeypatch.setattr(dialogues.minutes, "render_minutes", flaky)
    dialogue = create_dialogue(status="held", questions=1)
    login_as(Role.commune, "02020")
    client.post(f"/dialogues/{dialogue.id}/approve", data={"note": ""})
    work(stored_queue)
    job = db.session.scalar(sa.select(jobs.Job))
    assert (job.state, job.attempts) == ("queued", 1) and "renderer down" in job.error
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).minutes_number == 1 and _issues(db, dialogue) == []
    later = datetime.now() + timedelta(hours=1)
    retries = stored_queue.read_schedule(later)  # Huey's retry, due JOB_RETRY_DELAY seconds later
    assert len(retries) == 1
    stored_queue.execute(retries[0], timestamp=later)
    db.session.refresh(job)
    assert (job.state, job.attempts) == ("done", 2)
    db.session.expire_all()
    assert _issues(db, dialogue) == [1] and db.session.get(Dialogue, dialogue.id).minutes_number == 1


def test_an_addendum_is_issued_by_the_worker_once_on_resubmit(db, client, login_as, create_dialogue, stored_queue,
                                                              pdf_text):
    dialogue = create_dialogue(status="approved", questions=1)  # version 1 issued at approval
    login_as(Role.commune, "02020")
    form = {"token": "tok-addendum-1", "text": "Bổ sung: bà Nông Thị Dung có dự hội nghị.",
            "written_on": clock.today().isoformat()}
    first = client.post(f"/dialogues/{dialogue.id}/addenda", data=form)
    second = client.post(f"/dialogues/{dialogue.id}/addenda", data=form)  # a double click
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Addendum.id))) == 1
    assert _issues(db, dialogue) == [1]
    assert work(stored_queue) == 1
    db.session.expire_all()
    assert _issues(db, dialogue) == [1, 2]
    text = pdf_text(services.read_issue(db.session.get(Dialogue, dialogue.id).current_issue))
    assert "PHỤ LỤC ĐÍNH CHÍNH" in text and "Nông Thị Dung có dự hội nghị" in text and "bản phát hành lần 2" in text


def test_each_version_shows_the_addenda_before_it_whatever_order_the_jobs_run(db, create_dialogue, stored_queue,
                                                                             pdf_text):
    dialogue = create_dialogue(status="approved", questions=1)
    services.add_addendum(dialogue, "Đính chính thứ nhất.", None, in_worker=True)
    services.add_addendum(dialogue, "Đính chính thứ hai.", None, in_worker=True)
    db.session.commit()
    services.issue_minutes(dialogue, None, 3)  # the later job ran first: it makes version 2, then 3
    db.session.commit()
    assert work(stored_queue) == 2  # both jobs end done, neither issues a version again
    assert _issues(db, dialogue) == [1, 2, 3]
    assert {job.state for job in db.session.scalars(sa.select(jobs.Job))} == {"done"}
    by_version = {i.version: pdf_text(services.read_issue(i)) for i in db.session.get(Dialogue, dialogue.id).issues}
    assert "Đính chính thứ nhất." in by_version[2] and "Đính chính thứ hai." not in by_version[2]
    assert "Đính chính thứ nhất." in by_version[3] and "Đính chính thứ hai." in by_version[3]


def test_two_renders_of_one_version_store_it_once(app, db, create_dialogue, quick_pdf):
    """Two workers on the same version at once: one stores it, the other finds it (PostgreSQL: the
    row lock) or is refused by the unique (dialogue, version) and retried by the queue (SQLite)."""
    from app.extensions import db as _db

    dialogue = create_dialogue(status="held", questions=1)
    services.approve_minutes(dialogue, None, in_worker=True)
    db.session.commit()
    dialogue_id, barrier, outcomes = dialogue.id, threading.Barrier(2), []

    def issue():
        with app.app_context():
            try:
                barrier.wait()
                found = services.issue_minutes(_db.session.get(Dialogue, dialogue_id), None, 1)
                _db.session.commit()
                outcomes.append(found.version)
            except sa.exc.IntegrityError:
                outcomes.append("refused")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _issues(db, dialogue) == [1]
    expected = [[1, 1]] if db.engine.dialect.name == "postgresql" else [[1, 1], [1, "refused"], ["refused", 1]]
    assert outcomes in expected
