"""Retention of the job worker's files (app.jobs.prune, ``flask jobs prune``, the worker's own
round): old documents and backups beyond the newest BACKUPS_KEEP go, a file of a job still queued
or running, or younger than JOB_FILES_KEEP_DAYS, stays; a pruned job's page says so."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import backup, jobs
from app.models import Role
from app.models.types import utcnow


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "JOB_FILES_KEEP_DAYS", 7)
    monkeypatch.setitem(app.config, "BACKUPS_KEEP", 2)
    (tmp_path / "jobs").mkdir()
    return tmp_path


def _aged(path: Path, days: float) -> Path:
    when = (utcnow() - timedelta(days=days)).timestamp()
    os.utime(path, (when, when))
    return path


def _finished(db, storage, *, days: float, kind="view_document", user=None, state=jobs.DONE) -> jobs.Job:
    """A job that finished ``days`` ago, its file written then."""
    job = jobs.Job(key=jobs.new_key(), kind=kind, params={}, user_id=user.id if user else None, state=state,
                   file_name="tai-lieu.pdf", mimetype="application/pdf",
                   created_dt=utcnow() - timedelta(days=days, minutes=5), finished_dt=utcnow() - timedelta(days=days))
    db.session.add(job)
    db.session.flush()
    job.stored_as = f"jobs/{job.id}-abcdef-tai-lieu.pdf"
    (storage / job.stored_as).write_bytes(b"%PDF" * 100)
    _aged(storage / job.stored_as, days)
    db.session.commit()
    return job


def _exists(storage, job) -> bool:
    return (storage / f"jobs/{job.id}-abcdef-tai-lieu.pdf").exists()


def test_old_documents_and_backups_go_the_newest_backups_and_recent_files_stay(db, storage):
    old_document = _finished(db, storage, days=10)
    recent_document = _finished(db, storage, days=6)
    backups = [_finished(db, storage, days=days, kind=backup.FULL_EXPORT_JOB) for days in (40, 30, 20, 9)]
    new_backup = _finished(db, storage, days=0.01, kind=backup.FULL_EXPORT_JOB)  # just made, not downloaded yet

    would = jobs.prune(dry_run=True)
    assert would["files"] == 4 and _exists(storage, old_document)  # a dry run removes nothing
    assert jobs.prune() == would

    for job in (old_document, recent_document, *backups, new_backup):
        db.session.refresh(job)
    assert not _exists(storage, old_document) and old_document.stored_as is None
    assert old_document.state == jobs.DONE  # the row stays: its key still finds it, its page says why
    assert _exists(storage, recent_document)  # younger than JOB_FILES_KEEP_DAYS
    # The newest BACKUPS_KEEP=2 stay whatever their age; the older ones go once past the retention.
    assert [_exists(storage, b) for b in backups] == [False, False, False, True]
    assert _exists(storage, new_backup)
    assert jobs.prune() == {"files": 0, "bytes": 0}  # nothing left to remove


def test_files_of_running_jobs_and_young_strays_stay_old_strays_go(db, storage):
    running = jobs.Job(key=jobs.new_key(), kind=backup.FULL_EXPORT_JOB, params={}, state=jobs.RUNNING)
    queued = jobs.Job(key=jobs.new_key(), kind="view_document", params={}, state=jobs.QUEUED)
    db.session.add_all([running, queued])
    db.session.commit()
    folder = storage / "jobs"
    partial = folder / f".partial-{running.id}.zip"  # a backup being written, since long
    partial.write_bytes(b"zip")
    _aged(partial, 30)
    written = folder / f"{queued.id}-0123-doc.pdf"  # a retried job's file, its row not done yet
    written.write_bytes(b"%PDF")
    _aged(written, 30)
    stray_old = folder / ".partial-999999.zip"  # a dead worker's ZIP, its job gone
    stray_old.write_bytes(b"zip")
    _aged(stray_old, 8)
    stray_young = folder / "999998-0123-doc.pdf"
    stray_young.write_bytes(b"%PDF")

    assert jobs.prune()["files"] == 1
    assert partial.exists() and written.exists() and stray_young.exists() and not stray_old.exists()


def test_a_pruned_document_says_so_and_its_file_is_gone(db, client, login_as, storage):
    user = login_as(Role.commune, "02086")
    job = _finished(db, storage, days=10, user=user)
    assert client.get(f"/jobs/{job.id}/file").status_code == 200
    jobs.prune()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "đã được xoá theo thời hạn lưu giữ" in page and "/file" not in page
    assert client.get(f"/jobs/{job.id}/file").status_code == 404


def test_the_backup_page_shows_a_pruned_backup_and_refuses_its_file(db, client, login_as, storage):
    admin = login_as(Role.admin, "VN")
    old, kept_a, kept_b = (_finished(db, storage, days=d, kind=backup.FULL_EXPORT_JOB, user=admin) for d in (30, 20, 10))
    jobs.prune()
    page = client.get("/admin/backup/").get_data(as_text=True)
    assert page.count("Tệp đã được xoá theo thời hạn lưu giữ.") == 1 and "giữ 2 bản sao lưu mới nhất" in page
    assert client.get(f"/admin/backup/{old.id}/file").status_code == 404
    assert client.get(f"/admin/backup/{kept_b.id}/file").status_code == 200


def test_the_command_and_the_worker_prune(app, db, runner, storage, monkeypatch):
    first = _finished(db, storage, days=10)
    result = runner.invoke(args=["jobs", "prune", "--dry-run"])
    assert result.exit_code == 0 and "Sẽ xóa 1 tệp" in result.output and _exists(storage, first)
    result = runner.invoke(args=["jobs", "prune"])
    assert result.exit_code == 0 and "Đã xóa 1 tệp" in result.output and not _exists(storage, first)

    second = _finished(db, storage, days=10)
    pruned_at = jobs.housekeeping(app, None)  # the worker's round: prunes at once
    assert pruned_at is not None and not _exists(storage, second)
    third = _finished(db, storage, days=10)
    assert jobs.housekeeping(app, pruned_at) == pruned_at and _exists(storage, third)  # not due yet
    monkeypatch.setitem(app.config, "JOBS_PRUNE_EVERY", 0)  # off: cron runs "flask jobs prune"
    assert jobs.housekeeping(app, None) is None and _exists(storage, third)
