"""Heavy documents in a worker: a job queue (Huey), a ``jobs`` table and ``flask jobs worker``.

A feature registers a kind of job with :func:`register` (a function ``make(job, progress)``
returning ``(bytes, filename, mimetype)``) and queues one with :func:`submit`, giving the
idempotency key the page's form carried: the same key (a double click, a resent form) returns the
same job, so a request never makes a document twice. The job runs in ``flask jobs worker``
(``make run`` starts it beside the web server), outside any web request, so gunicorn's timeout
does not apply; the page ``/jobs/<id>`` shows its progress (it reloads itself every few seconds,
no JavaScript) and then links the file, kept in ``STORAGE_DIR/jobs/``.

The queue: ``SqliteHuey`` in ``instance/jobs.sqlite3`` (or ``JOBS_DB``) by default, the embedded
choice of the two-command set-up; ``RedisHuey`` when ``REDIS_URL`` is set (several hosts: every
host and the worker use the same Redis). ``JOBS_IMMEDIATE`` runs each job at once inside the
request (tests). A failing job is retried (``JOB_RETRIES`` times, ``JOB_RETRY_DELAY`` seconds
apart); a job that is running or done is never started again (an atomic state change).
"""
from __future__ import annotations

import contextvars
import os
import secrets
import traceback
from datetime import datetime
from pathlib import Path
from typing import Callable

import click
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, has_app_context, render_template, send_file
from flask_login import current_user, login_required
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_RETRIES, JOB_RETRY_DELAY = int(os.environ.get("JOB_RETRIES", "2")), int(os.environ.get("JOB_RETRY_DELAY", "10"))


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the request's idempotency key
    kind: Mapped[str] = mapped_column(sa.String(50))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    done_steps: Mapped[int] = mapped_column(default=0)
    total_steps: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    stored_as: Mapped[str | None] = mapped_column(sa.String(200))  # path under STORAGE_DIR
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        return 100 if self.state == DONE else (100 * self.done_steps // self.total_steps if self.total_steps else 0)


Maker = Callable[[Job, Callable[[int, int], None]], tuple[bytes, str, str]]
_kinds: dict[str, Maker] = {}


def register(kind: str, make: Maker) -> None:
    _kinds[kind] = make


def new_key() -> str:
    """The idempotency key a page puts in its form (one per rendered form)."""
    return secrets.token_urlsafe(24)


# --- the queue -------------------------------------------------------------------------------

_queue = None
_task = None


def make_queue(redis_url: str | None, sqlite_path: str, immediate: bool = False):
    from huey import RedisHuey, SqliteHuey

    huey = RedisHuey("caunoi", url=redis_url, immediate=immediate) if redis_url else \
        SqliteHuey("caunoi", filename=sqlite_path, immediate=immediate)
    return huey


def queue():
    """The process's queue (built from the app's settings on first use) with the job task."""
    global _queue, _task
    if _queue is None:
        config = current_app.config
        use(make_queue(config["REDIS_URL"] or None, config["JOBS_DB"], config["JOBS_IMMEDIATE"]))
    return _queue


def use(huey) -> None:
    """Make ``huey`` this process's queue (tests swap in another one)."""
    global _queue, _task
    _queue = huey
    _task = huey.task(retries=JOB_RETRIES, retry_delay=JOB_RETRY_DELAY, name="caunoi.run_job")(run_job)


def submit(kind: str, params: dict, key: str, user) -> Job:
    """The job of this idempotency key, queued once after the request's commit."""
    if kind not in _kinds:
        raise KeyError(kind)
    job = db.session.scalar(sa.select(Job).where(Job.key == key))
    if job is not None:
        if job.user_id != (user.id if user else None):
            abort(404)
        return job
    job = Job(key=key, kind=kind, params=params, user_id=user.id if user else None)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault("jobs_to_queue", []).append(job.id)
    return job


@sa.event.listens_for(db.session, "after_commit")
def _queue_after_commit(session):
    # Queued only once the row is committed: the worker must find it.
    ids = session.info.pop("jobs_to_queue", [])
    for job_id in ids:
        queue()
        _task(job_id)


@sa.event.listens_for(db.session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop("jobs_to_queue", None)


def run_job(job_id: int) -> None:
    """The task: claim the job (queued -> running, atomically), make the file, store it."""
    if has_app_context():  # immediate mode, inside a request: run as the worker would, outside it
        return contextvars.Context().run(_run_job, current_app._get_current_object(), job_id)
    return _run_job(_worker_app(), job_id)


def _run_job(app, job_id: int) -> None:
    with app.app_context():
        claimed = db.session.execute(sa.update(Job).where(Job.id == job_id, Job.state == QUEUED)
                                     .values(state=RUNNING, attempts=Job.attempts + 1)).rowcount
        db.session.commit()
        if not claimed:
            return  # running elsewhere, done already, or failed for good: never twice
        job = db.session.get(Job, job_id)

        def progress(done: int, total: int) -> None:
            db.session.execute(sa.update(Job).where(Job.id == job_id).values(done_steps=done, total_steps=total))
            db.session.commit()

        try:
            data, file_name, mimetype = _kinds[job.kind](job, progress)
        except Exception:
            db.session.rollback()
            job = db.session.get(Job, job_id)
            final = job.attempts > JOB_RETRIES
            job.state, job.error = (FAILED if final else QUEUED), traceback.format_exc(limit=3)[-2000:]
            db.session.commit()
            raise  # Huey retries it (JOB_RETRIES times)
        relative = f"jobs/{job_id}-{secrets.token_hex(8)}-{file_name}"
        path = Path(app.config["STORAGE_DIR"]) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        job.state, job.file_name, job.mimetype, job.stored_as = DONE, file_name, mimetype, relative
        job.finished_dt = utcnow()
        job.error = None
        db.session.commit()


_app = None


def _worker_app():
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


# --- pages and command -------------------------------------------------------------------------

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _own_job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/<int:job_id>")
@login_required
def show_job(job_id: int):
    return render_template("core/job.html", job=_own_job_or_404(job_id), DONE=DONE, FAILED=FAILED)


@bp.route("/<int:job_id>/file")
@login_required
def job_file(job_id: int):
    job = _own_job_or_404(job_id)
    if job.state != DONE:
        abort(404)
    return send_file(Path(current_app.config["STORAGE_DIR"]) / job.stored_as, mimetype=job.mimetype,
                     download_name=job.file_name, as_attachment=False, max_age=0)


jobs_cli = click.Group("jobs", help="The job worker (heavy documents).")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
def worker(workers):
    """Run queued jobs until stopped (Ctrl-C / SIGTERM)."""
    global _app
    _app = current_app._get_current_object()
    consumer = queue().create_consumer(workers=workers, worker_type="thread")
    consumer.run()


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
