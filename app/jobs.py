"""Heavy documents in a worker: a job queue (Huey), a ``jobs`` table and ``flask jobs worker``.

A feature registers a kind of job with :func:`register` (a function ``make(job, progress)``
returning ``(bytes, filename, mimetype)``) and queues one with :func:`submit`, giving an
idempotency key: for a document, :func:`document_key` (the user, the document and its parameters,
the language, the day and where the records it reads stand: a stamp the feature declares, e.g.
``@jobs.in_worker(stamp=training_stamp)``), so a double click, a resent form or a reload returns
the same job, a changed record of the document makes a new one, and a write elsewhere (a login,
another commune's record) does not. The job runs in ``flask jobs worker``
(``make run`` starts it beside the web server), outside any web request, so gunicorn's timeout
does not apply; the page ``/jobs/<id>`` shows its progress (it reloads itself every few seconds,
no JavaScript) and then links the file, kept in ``STORAGE_DIR/jobs/``.

The queue: ``SqliteHuey`` in ``instance/jobs.sqlite3`` (or ``JOBS_DB``) by default, the embedded
choice of the two-command set-up; ``RedisHuey`` when ``REDIS_URL`` is set (several hosts: every
host and the worker use the same Redis). ``JOBS_IMMEDIATE`` runs each job at once inside the
request (tests). A failing job is retried (``JOB_RETRIES`` times, ``JOB_RETRY_DELAY`` seconds
apart); a job that is running or done is never started again (an atomic state change).

A running job beats (``heartbeat_dt``, every ``JOB_HEARTBEAT`` seconds, from a thread of the
worker); one whose beat is older than ``JOB_STALE`` seconds lost its worker (killed, host gone):
:func:`recover_stale` (the worker at start and every minute, the job's page when it is looked at)
puts it back in the queue, or marks it failed once its tries are spent, so no job shows
"running" forever.

Any GET view that makes a document can run in the worker instead of the request: decorate it
with :func:`in_worker`. The request then queues a "view_document" job (the same URL, as the same
user) and sends the browser to the job's page; the worker calls the same view function, with
the same checks, and keeps its answer (body, name, headers). With ``JOBS_IMMEDIATE`` (tests) the
job runs at once and the request answers the file itself. Every job runs in the language of the
request that queued it (the ``lang`` cookie the user browses with, not only the saved profile):
:func:`submit` keeps it in ``params["locale"]`` and the worker forces it (``force_locale``) around
the job, the view's inner request included (it shares the job's app context), the one mechanism.
"""
from __future__ import annotations

import contextvars
import hashlib
import importlib
import json
import os
import secrets
import shutil
import sys
import threading
import time
import traceback
from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Callable

import click
import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, g, has_app_context, has_request_context, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import force_locale, get_locale
from flask_login import current_user, login_required, login_user
from werkzeug.exceptions import HTTPException
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_RETRIES, JOB_RETRY_DELAY = int(os.environ.get("JOB_RETRIES", "2")), int(os.environ.get("JOB_RETRY_DELAY", "10"))
JOB_HEARTBEAT, JOB_STALE = float(os.environ.get("JOB_HEARTBEAT", "10")), float(os.environ.get("JOB_STALE", "60"))


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
    heartbeat_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last sign of life while running

    @property
    def percent(self) -> int:
        return 100 if self.state == DONE else (100 * self.done_steps // self.total_steps if self.total_steps else 0)


class Refused(Exception):
    """The job's view answered ``status`` (out of scope, gone): final, never retried."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def refused_status(job: Job) -> int | None:
    if job.state == FAILED and (job.error or "").startswith("HTTP "):
        return int(job.error.split()[1])
    return None


Maker = Callable[[Job, Callable[[int, int], None]], tuple]  # (bytes or a Path, file name, mimetype[, headers])
_kinds: dict[str, Maker] = {}


def register(kind: str, make: Maker) -> None:
    _kinds[kind] = make


def new_key() -> str:
    """A random key: a job that is no document of its own (tests, benches)."""
    return secrets.token_urlsafe(24)


# --- the queue -------------------------------------------------------------------------------

_queue = None
_task = None


def make_queue(redis_url: str | None, sqlite_path: str, immediate: bool = False):
    huey, storage = _import_huey(redis_url)
    if redis_url:
        # The storage class is taken from the module as it is now (see _import_huey).
        return huey.RedisHuey("caunoi", url=redis_url, immediate=immediate, storage_class=storage.RedisStorage)
    return huey.SqliteHuey("caunoi", filename=sqlite_path, immediate=immediate)


# huey.storage tries to import every client it has a backend for (redis for RedisHuey, psycopg
# for PostgresHuey). A web worker on SQLite uses neither, and the two cost it about 13 MB (redis
# 4 MB, psycopg 9 MB, measured by bench/memory_bench.py): huey is imported with them hidden, the
# way Python's import system offers (``sys.modules[name] = None`` makes ``import name`` fail),
# and they are visible again at once, so any later ``import psycopg`` or ``import redis`` works.
# psycopg is hidden only when it is not imported yet: on PostgreSQL it is the engine's driver,
# imported by ``create_app``; redis only when the queue is not on Redis.
_UNUSED_BY_HUEY = ("psycopg", "redis")


def _import_huey(redis_url: str | None):
    """The ``huey`` package and its ``huey.storage`` module, imported without the clients this
    queue does not use."""
    hidden = [name for name in _UNUSED_BY_HUEY
              if name not in sys.modules and not (name == "redis" and redis_url)]
    for name in hidden:
        sys.modules[name] = None
    try:
        import huey
        from huey import storage
    finally:
        for name in hidden:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]
    if redis_url and storage.Redis is None:
        # An earlier SQLite queue of this process imported huey without redis (tests): huey.storage
        # is run again, now with redis (make_queue takes the new RedisStorage from it).
        importlib.reload(storage)
    return huey, storage


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
    if getattr(huey, "caunoi_task", None) is None:  # a queue used again (tests restore theirs) keeps its task
        huey.caunoi_task = huey.task(retries=JOB_RETRIES, retry_delay=JOB_RETRY_DELAY, name="caunoi.run_job")(run_job)
    _task = huey.caunoi_task


def request_locale() -> str | None:
    """The language of the request that queues a job (its ``lang`` cookie, else the profile's):
    the worker makes the document in it, not in whatever the profile says when the job runs."""
    if not has_request_context():
        return None
    locale = get_locale()
    return str(locale) if locale is not None else None


def submit(kind: str, params: dict, key: str, user) -> Job:
    """The job of this idempotency key (:func:`document_key` for a document), queued once after
    the request's commit. The request's language goes with it (``params["locale"]``)."""
    if kind not in _kinds:
        raise KeyError(kind)
    if "locale" not in params and (locale := request_locale()):
        params = {**params, "locale": locale}
    job = db.session.scalar(sa.select(Job).where(Job.key == key))
    if job is not None:
        if job.user_id != (user.id if user else None):
            abort(404)
        # Asked again after it failed for good: a new request, so it is tried again (once, atomically).
        if job.state == FAILED and db.session.execute(
                sa.update(Job).where(Job.id == job.id, Job.state == FAILED)
                .values(state=QUEUED, attempts=0, error=None)).rowcount:
            db.session.refresh(job)
            db.session.info.setdefault("jobs_to_queue", []).append(job.id)
        return job
    job = Job(key=key, kind=kind, params=params, user_id=user.id if user else None)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault("jobs_to_queue", []).append(job.id)
    return job


@sa.event.listens_for(db.session, "after_commit")
def _queue_after_commit(session):
    # Queued only once the row is committed: the worker must find it. SQLAlchemy sends this event
    # for a released SAVEPOINT too (service_call's): the outer transaction has not committed yet.
    if session.in_nested_transaction():
        return
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
                                     .values(state=RUNNING, attempts=Job.attempts + 1, heartbeat_dt=utcnow())).rowcount
        db.session.commit()
        if not claimed:
            return  # running elsewhere, done already, or failed for good: never twice
        job = db.session.get(Job, job_id)
        beating = _Heartbeat(db.engine, job_id)

        def progress(done: int, total: int) -> None:
            db.session.execute(sa.update(Job).where(Job.id == job_id)
                               .values(done_steps=done, total_steps=total, heartbeat_dt=utcnow()))
            db.session.commit()

        try:
            with _in_locale(job.params.get("locale")):
                made = _kinds[job.kind](job, progress)
        except Refused as refused:
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.state, job.error, job.finished_dt = FAILED, str(refused), utcnow()
            db.session.commit()
            return
        except Exception:
            db.session.rollback()
            job = db.session.get(Job, job_id)
            final = job.attempts > JOB_RETRIES
            job.state, job.error = (FAILED if final else QUEUED), traceback.format_exc(limit=3)[-2000:]
            db.session.commit()
            raise  # Huey retries it (JOB_RETRIES times)
        finally:
            beating.stop()
        data, file_name, mimetype = made[:3]
        relative = f"jobs/{job_id}-{secrets.token_hex(8)}-{file_name}"
        path = Path(app.config["STORAGE_DIR"]) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):  # a large file the job wrote itself (a full export): moved, not read
            shutil.move(data, path)
        else:
            path.write_bytes(data)
        job = db.session.get(Job, job_id)
        if len(made) > 3:
            job.params = {**job.params, "headers": made[3]}
        job.state, job.file_name, job.mimetype, job.stored_as = DONE, file_name, mimetype, relative
        job.finished_dt = utcnow()
        job.error = None
        db.session.commit()


def _in_locale(locale: str | None):
    """The job's language for everything it renders (a view run by make_view_document shares this
    app context, so its request sees the same forced locale); without one, the usual choice."""
    return force_locale(locale) if locale in current_app.config["LANGUAGES"] else nullcontext()


class _Heartbeat:
    """A thread that marks the running job alive every JOB_HEARTBEAT seconds (its own connection,
    own short transaction), even while one long render step gives no progress."""

    def __init__(self, engine, job_id: int):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, args=(engine, job_id), daemon=True, name=f"job-{job_id}")
        self._thread.start()

    def _beat(self, engine, job_id: int) -> None:
        while not self._stop.wait(JOB_HEARTBEAT):
            try:
                with engine.begin() as connection:
                    connection.execute(sa.update(Job).where(Job.id == job_id, Job.state == RUNNING)
                                       .values(heartbeat_dt=utcnow()))
            except sa.exc.OperationalError:
                pass  # a busy database: the next beat tries again

    def stop(self) -> None:
        self._stop.set()


def recover_stale(job_id: int | None = None) -> int:
    """Jobs "running" without a beat for JOB_STALE seconds: their worker is gone. Each goes back
    to the queue (or to failed, its tries spent) in one guarded UPDATE, so two recoverers never
    queue it twice. Returns how many were recovered; commits."""
    cutoff = utcnow() - timedelta(seconds=JOB_STALE)
    stale = (Job.state == RUNNING) & sa.func.coalesce(Job.heartbeat_dt, Job.created_dt).__lt__(cutoff)
    query = sa.select(Job.id, Job.attempts).where(stale)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    recovered = 0
    for found_id, attempts in db.session.execute(query).all():
        final = attempts > JOB_RETRIES
        changed = db.session.execute(
            sa.update(Job).where(Job.id == found_id, stale)
            .values(state=FAILED if final else QUEUED,
                    error="Tiến trình tạo tài liệu đã dừng giữa chừng (worker stopped)")).rowcount
        if changed:
            recovered += 1
            if not final:
                db.session.info.setdefault("jobs_to_queue", []).append(found_id)
    db.session.commit()
    return recovered


# --- retention of the jobs' files ----------------------------------------------------------------

_keep_latest: dict[str, str] = {}


def keep_latest(kind: str, setting: str) -> None:
    """Keep the newest ``config[setting]`` files of this kind of job whatever their age (the full
    backups: the last ones stay on the server to restore from)."""
    _keep_latest[kind] = setting


def _job_id_of(name: str) -> int | None:
    """The job a file of STORAGE_DIR/jobs/ belongs to: ``<id>-<token>-<name>`` (a finished job's)
    or ``.partial-<id>.zip`` (a backup being written)."""
    head = name.removeprefix(".partial-").split("-", 1)[0].split(".", 1)[0]
    return int(head) if head.isdigit() else None


def prune(dry_run: bool = False) -> dict:
    """Remove the files of STORAGE_DIR/jobs/ past their retention (settings JOB_FILES_KEEP_DAYS,
    BACKUPS_KEEP): a finished job's file once it is older than JOB_FILES_KEEP_DAYS days (its row
    stays, so its page says the file has expired and a key keeps finding its job), except the
    newest BACKUPS_KEEP of each kept kind (:func:`keep_latest`); and a file no job names (a dead
    worker's partial ZIP, a row restored without it) as old as that. Never a file of a job queued
    or running, never one younger than its retention. Returns what was (or, ``dry_run``, would
    be) removed: ``{"files": n, "bytes": b}``; commits."""
    config = current_app.config
    folder = Path(config["STORAGE_DIR"])
    cutoff = utcnow() - timedelta(days=config["JOB_FILES_KEEP_DAYS"])
    kept: set[int] = set()
    for kind, setting in _keep_latest.items():
        kept.update(db.session.scalars(sa.select(Job.id).where(Job.kind == kind, Job.state == DONE,
                                                               Job.stored_as.is_not(None))
                                       .order_by(Job.finished_dt.desc(), Job.id.desc()).limit(config[setting])))
    removed = {"files": 0, "bytes": 0}

    def remove(path: Path) -> None:
        try:
            size = path.stat().st_size
            if not dry_run:
                path.unlink()
        except FileNotFoundError:  # another host's worker pruned it first
            return
        removed["files"] += 1
        removed["bytes"] += size

    expired = db.session.execute(sa.select(Job.id, Job.stored_as).where(
        Job.state == DONE, Job.stored_as.is_not(None), Job.finished_dt < cutoff)).all()
    for job_id, stored in expired:
        if job_id in kept:
            continue
        if not dry_run:  # the row first: a download asked meanwhile finds "expired", not a missing file
            if not db.session.execute(sa.update(Job).where(Job.id == job_id, Job.stored_as == stored)
                                      .values(stored_as=None)).rowcount:
                continue
            db.session.commit()
        remove(folder / stored)
    jobs_folder = folder / "jobs"
    if jobs_folder.is_dir():
        named = set(db.session.scalars(sa.select(Job.stored_as).where(Job.stored_as.is_not(None))))
        busy = set(db.session.scalars(sa.select(Job.id).where(Job.state.in_((QUEUED, RUNNING)))))
        for path in jobs_folder.iterdir():
            if (not path.is_file() or f"jobs/{path.name}" in named or _job_id_of(path.name) in busy
                    or datetime.fromtimestamp(path.stat().st_mtime, cutoff.tzinfo) >= cutoff):
                continue
            remove(path)
    db.session.commit()
    return removed


# --- documents made by a view, in the worker -----------------------------------------------------

# Rows written by looking at a document or by the queue itself (the export log, logins, the jobs):
# no document reads them, so a row there changes no document.
BOOKKEEPING_TABLES = frozenset({"jobs", "export_logs", "login_attempts", "remember_tokens", "rate_events"})
# Audited, but no document shows them: a login (``last_login_dt``), a changed profile, a token's use.
ACCOUNT_OBJECTS = ("User", "ApiToken")

Stamp = Callable[..., list]  # the view's arguments -> SQL scalar expressions (see document_key)


def data_stamp() -> str:
    """Where ALL the records stand, in one cheap statement: the largest id of every table with an
    integer ``id`` (a new row anywhere) but the bookkeeping ones, the audit log's among them (a
    changed or deleted row of every audited model writes one). The fallback of a document that
    declares no stamp of its own: never stale, but any write anywhere (a login too) moves it."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING_TABLES
              and "id" in t.c and t.c.id.primary_key and isinstance(t.c.id.type, sa.Integer)]
    row = db.session.execute(sa.select(*[sa.select(sa.func.max(t.c.id)).scalar_subquery() for t in tables])).one()
    return ".".join(str(value or 0) for value in row)


def records_stamp(parts: list) -> str:
    """Where the records of ONE document stand: its declared parts (SQL scalar expressions, see
    :func:`unit_changes`, :func:`object_changes`, :func:`row_changes`) read in one statement."""
    if not parts:
        return "-"
    row = db.session.execute(sa.select(*_flat(parts))).one()
    return ".".join("" if value is None else str(value) for value in row)


def _flat(parts):
    for part in parts:
        if isinstance(part, (list, tuple)):
            yield from _flat(part)
        else:
            yield part


def unit_changes(unit_ids) -> sa.ScalarSelect:
    """The latest audited change (create, update, delete) of a record belonging to one of
    ``unit_ids`` (a SELECT of unit ids, or a list): the audit log places every audited record in
    its unit (its own ``unit_id``, else the record it hangs from: a response its training's, a
    question its dialogue's, see app.audit). Accounts are left out (a login writes ``users``)."""
    from app.models import AuditLog

    return (sa.select(sa.func.max(AuditLog.id))
            .where(AuditLog.unit_id.in_(unit_ids), AuditLog.object_type.not_in(ACCOUNT_OBJECTS)).scalar_subquery())


def subtree_changes(unit) -> sa.ScalarSelect:
    """:func:`unit_changes` of every unit in ``unit``'s subtree (a report of a commune, a province).
    A commune's: its own rows (the audit log's unit index). A province's or the country's hold a
    large share of all writes, so reading their rows costs a scan of the whole log on PostgreSQL (a
    hash join: 200-250 ms for a province in 2 million rows): there the log is read backwards from
    its last row to the first of the subtree (its id index), a few rows for a province (under 2 ms)."""
    from app import sql
    from app.models import AuditLog, Unit, UnitLevel

    units = sa.select(Unit.id).where(sql.in_subtree(unit, Unit.path))
    if unit.level not in (UnitLevel.country, UnitLevel.province) or db.session.get_bind().dialect.name != "postgresql":
        return unit_changes(units)
    return (sa.select(AuditLog.id).where(AuditLog.unit_id == sa.any_(sa.func.array(units.scalar_subquery())),
                                         AuditLog.object_type.not_in(ACCOUNT_OBJECTS))
            .order_by(AuditLog.id.desc()).limit(1).scalar_subquery())


def object_changes(object_type: str, object_ids) -> sa.ScalarSelect:
    """The latest audited change of these records of one audited model (a few: a topic, a unit)."""
    from app.models import AuditLog

    return (sa.select(sa.func.max(AuditLog.id))
            .where(AuditLog.object_type == object_type, AuditLog.object_id.in_(object_ids)).scalar_subquery())


def names_above(unit_id) -> sa.ScalarSelect:
    """The latest audited change of the units above ``unit_id`` (a value or a scalar SELECT), up
    to the country: an official header prints the parent union's name ("HỘI LHPN TỈNH ...")."""
    from app.models import Unit

    chain, current = [], unit_id
    for _level in range(4):  # village < commune < (district <) province < country
        current = sa.select(Unit.parent_id).where(Unit.id == current).scalar_subquery()
        chain.append(current)
    return object_changes("Unit", chain)


def row_changes(table, where) -> list:
    """For rows of a table the audit log does not follow (answers, events): how many there are and
    the largest id, so a new or a deleted row moves the stamp. For rows only added, or removed for
    good: rows rewritten in place need their content in the stamp (SQLite gives the ids of the last
    rows deleted out again, so deleting and writing them again keeps both numbers)."""
    table = getattr(table, "__table__", table)
    return [sa.select(sa.func.count()).select_from(table).where(where).scalar_subquery(),
            sa.select(sa.func.max(table.c.id)).where(where).scalar_subquery()]


def document_key(user, document: str, params, stamp: list | None = None) -> str:
    """The idempotency key of a document: who asks (the role and scope checks and the export log
    are hers, so two users get two renders), which document with which parameters, in which
    language, on which day ("today" is printed on reports) and from which records: ``stamp``, the
    document's own parts (:func:`records_stamp`: a write elsewhere, a login, another commune's
    record, leaves the key as it is), else every record (:func:`data_stamp`). A resubmit, a reload
    or a double click an hour later finds the same job; a changed record, another language or
    another day makes a new one."""
    from flask_babel import get_locale

    from app import clock

    records = data_stamp() if stamp is None else records_stamp(stamp)
    seed = json.dumps([user.id if user else None, document, params, str(get_locale()), clock.today().isoformat(),
                       records], sort_keys=True, default=str)
    return "d" + hashlib.sha256(seed.encode()).hexdigest()[:40]


def in_worker(view=None, *, stamp: Stamp | None = None):
    """Run this GET document view in the job worker (see the module docstring), keyed by
    :func:`document_key` on its path and query: the same document is never rendered twice.
    ``stamp``: a function of the view's arguments (it may read ``request.args``) returning what the
    document reads, as SQL scalar expressions (``@jobs.in_worker(stamp=training_stamp)``); without
    it, every record (:func:`data_stamp`)."""
    if view is None:
        return lambda view: in_worker(view, stamp=stamp)

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("in_job") or not current_app.config.get("DOCUMENTS_IN_WORKER", True):
            return view(*args, **kwargs)
        query = sorted((k, v) for k, v in request.args.items(multi=True) if k != "job_key")  # (old links' key)
        key = document_key(current_user, request.path, query, None if stamp is None else stamp(*args, **kwargs))
        job = submit("view_document", {"path": request.path, "query": query, "base_url": request.url_root,
                                       "endpoint": request.endpoint}, key, current_user)
        db.session.commit()  # queued now (after the commit): the worker must find the row
        if current_app.config["JOBS_IMMEDIATE"]:
            db.session.refresh(job)
            if (status := refused_status(job)) is not None:
                abort(status)
            if job.state == DONE:
                return file_response(job)
        return redirect(url_for("jobs.show_job", job_id=job.id), 303)

    wrapper.job_stamp = stamp
    return wrapper


def make_view_document(job: Job, progress):
    """Job kind "view_document": the GET view of ``params["path"]`` as the job's user."""
    from app.models import User

    params = job.params
    user = db.session.get(User, job.user_id)
    if user is None or not user.is_active:
        raise Refused(403)
    app = current_app._get_current_object()
    progress(0, 1)
    # In the language of the page that asked: run_job forces the job's locale (params["locale"]) on
    # this app context, and the view's request below shares it.
    with app.test_request_context(params["path"], base_url=params["base_url"], query_string=params["query"]):
        g.in_job = True
        login_user(user)
        try:
            response = app.make_response(app.dispatch_request())
        except HTTPException as error:
            raise Refused(error.code or 500) from None
        if response.status_code != 200:
            raise Refused(response.status_code)
        response = app.process_response(response)  # as after a request: the view's export log, the commit
        response.direct_passthrough = False
        data = response.get_data()
        from werkzeug.http import parse_options_header

        _disposition, options = parse_options_header(response.headers.get("Content-Disposition", ""))
        headers = {name: value for name, value in response.headers.items()
                   if name in ("Content-Disposition", "Cache-Control", "Pragma", "Content-Security-Policy")}
        mimetype = response.mimetype
    return data, options.get("filename") or "tai-lieu", mimetype, headers


register("view_document", make_view_document)


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
    job = _own_job_or_404(job_id)
    if job.state == RUNNING and recover_stale(job.id):  # its worker is gone: queued again (or failed)
        db.session.refresh(job)
    if (status := refused_status(job)) is not None:
        abort(status)  # the view refused (out of scope, gone): the same answer as the view's own
    return render_template("core/job.html", job=job, DONE=DONE, FAILED=FAILED)


@bp.route("/<int:job_id>/file")
@login_required
def job_file(job_id: int):
    job = _own_job_or_404(job_id)
    if job.state != DONE:
        abort(404)
    return file_response(job)


def file_response(job: Job):
    """The job's stored file, with the headers its maker gave; 404 once pruned (:func:`prune`)."""
    if not job.stored_as:
        abort(404)
    response = send_file(Path(current_app.config["STORAGE_DIR"]) / job.stored_as, mimetype=job.mimetype,
                         download_name=job.file_name, as_attachment=False, max_age=0)
    response.headers.update(job.params.get("headers", {}))  # the view's own (name, disposition, cache)
    return response


jobs_cli = click.Group("jobs", help="Tiến trình làm tài liệu nặng (job worker).")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Số việc chạy cùng lúc.")
def worker(workers):
    """Chạy các việc trong hàng đợi cho đến khi dừng (Ctrl-C / SIGTERM)."""
    global _app
    _app = current_app._get_current_object()
    recover_stale()  # jobs a previous worker left "running" when it died
    _start_recovery_loop(_app)  # then every JOB_STALE seconds, and the old files (prune) at once
    # An idle SQLite queue is polled at most every 2 s (Huey backs off to 10 s otherwise); Redis blocks.
    consumer = queue().create_consumer(workers=workers, worker_type="thread", max_delay=2.0)
    consumer.run()


@jobs_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="Chỉ liệt kê những gì sẽ xóa, không xóa.")
def prune_command(dry_run):
    """Xóa tệp của các việc đã quá hạn lưu (JOB_FILES_KEEP_DAYS, BACKUPS_KEEP)."""
    removed = prune(dry_run=dry_run)
    click.echo(f"{'Sẽ xóa' if dry_run else 'Đã xóa'} {removed['files']} tệp, "
               f"{removed['bytes'] / 1e6:.1f} MB (giữ {current_app.config['JOB_FILES_KEEP_DAYS']} ngày, "
               f"{current_app.config['BACKUPS_KEEP']} bản sao lưu mới nhất)")


def housekeeping(app, last_prune: float | None) -> float | None:
    """One round of the worker's own thread: jobs that lost their worker, then, when due (every
    JOBS_PRUNE_EVERY seconds, 0: never), :func:`prune`. Returns when it last pruned."""
    with app.app_context():
        recover_stale()
        every = app.config["JOBS_PRUNE_EVERY"]
        if every and (last_prune is None or time.monotonic() - last_prune >= every):
            prune()
            return time.monotonic()
    return last_prune


def _start_recovery_loop(app) -> None:
    def loop():
        last_prune = None
        while True:
            try:
                last_prune = housekeeping(app, last_prune)
            except sa.exc.OperationalError:
                pass  # the database is busy or away: next round
            except Exception:  # a disk error, a bug: said in the worker's log, and the rounds go on
                app.logger.exception("jobs: housekeeping round failed")
            time.sleep(JOB_STALE)

    threading.Thread(target=loop, daemon=True, name="jobs-recovery").start()


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
