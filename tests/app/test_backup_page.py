"""The admin page of the full backup (app/admin.py, app/backup.py): a job in the worker, one at a
time, its file offered for download, each start and download logged."""
from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa

from app import clock, jobs
from app.models import AuditLog, ExportLog, Role
from factories import work


def _jobs(db) -> list[jobs.Job]:
    return list(db.session.scalars(sa.select(jobs.Job).order_by(jobs.Job.id)))


def test_a_full_export_runs_once_in_the_worker_then_downloads(db, client, login_as, create_user, stored_queue,
                                                              create_person, app):
    create_person()
    admin = login_as(Role.admin, "VN")
    page = client.get("/admin/backup/").get_data(as_text=True)
    assert "Tạo bản sao lưu đầy đủ" in page and "Chưa có bản sao lưu nào" in page
    started = client.post("/admin/backup/")
    assert started.status_code == 303 and started.headers["Location"].endswith("/admin/backup/")
    waiting = client.get("/admin/backup/").get_data(as_text=True)
    assert "Đang tạo bản sao lưu" in waiting and 'http-equiv="refresh"' in waiting
    assert "Tạo bản sao lưu đầy đủ</button>" not in waiting
    again = client.post("/admin/backup/", follow_redirects=True).get_data(as_text=True)  # a second click
    assert "không tạo thêm bản thứ hai" in again
    other = create_user(Role.admin, "VN")
    client.post("/logout")
    client.post("/login", data={"username": other.username, "password": "secret123"})
    client.post("/admin/backup/")  # another national admin meanwhile: the same export
    assert [(j.kind, j.state, j.user_id) for j in _jobs(db)] == [("full_export", "queued", admin.id)]
    started_rows = db.session.scalars(sa.select(AuditLog).where(AuditLog.object_type == "Backup")).all()
    assert [(r.action, r.user_id) for r in started_rows] == [("export", admin.id)]

    assert work(stored_queue) == 1
    job = _jobs(db)[0]
    db.session.refresh(job)
    assert job.state == "done" and job.file_name.endswith(".zip")
    assert job.file_name.startswith(f"caunoi-sao-luu-{clock.today():%Y%m%d}-")  # named in Vietnam's time
    done = client.get("/admin/backup/").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and f"Tải về {job.file_name}" in done
    download = client.get(f"/admin/backup/{job.id}/file")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    folder = job.file_name.removesuffix(".zip")
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    people = archive.read(f"{folder}/people.jsonl").decode().splitlines()
    assert manifest["row_counts"]["people"] == len(people) == 1
    finished = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "export_done"))
    assert finished.after["rows"] == sum(manifest["row_counts"].values()) and finished.object_id == job.id
    assert db.session.scalar(sa.select(ExportLog).where(ExportLog.kind == "full_export")).user_id == other.id

    client.post("/admin/backup/")  # the first one is done: a new click makes a new export
    assert [j.state for j in _jobs(db)] == ["done", "queued"]
    work(stored_queue)
    second = _jobs(db)[1]
    db.session.refresh(second)
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/admin/backup/{second.id}/file").data)).namelist()
    assert any("/storage/" in name for name in names)  # the stored files are in it ...
    assert not any("/storage/jobs/" in name for name in names)  # ... but not the first backup


def test_only_the_national_admin_sees_the_backup(db, client, login_as, stored_queue):
    login_as(Role.admin, "VN")
    client.post("/admin/backup/")
    work(stored_queue)
    job_id = _jobs(db)[0].id
    login_as(Role.admin, "19")  # a province admin: every unit's data is out of her scope
    assert [client.get("/admin/backup/").status_code, client.post("/admin/backup/").status_code,
            client.get(f"/admin/backup/{job_id}/file").status_code] == [404, 404, 404]
    assert "/admin/backup/" not in client.get("/home").get_data(as_text=True)
    login_as(Role.commune, "02020")
    assert client.get("/admin/backup/").status_code == 403
    assert client.get(f"/jobs/{job_id}/file").status_code == 404  # not through the owner-only job page either
    assert len(_jobs(db)) == 1
