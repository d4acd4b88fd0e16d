"""Portable backup: every table as JSON Lines plus the storage folder, and its all-or-nothing restore.

``flask export-all DIR`` streams each table of ``db.metadata`` (core SQL, no ORM objects, so the
audit flush listener neither sees nor logs anything) into ``DIR/<table>.jsonl`` and writes
``manifest.json``, all tables read in one snapshot (one read transaction, on SQLite too), so a
backup taken while people write restores. ``flask import-all DIR`` loads such a folder into an
EMPTY database at the same Alembic revision, in one transaction, then moves PostgreSQL sequences
past the imported ids.
"""
from __future__ import annotations

import base64
import decimal
import enum
import json
import shutil
from datetime import date, datetime, time, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models.types import utcnow

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
BATCH = 500
# Reference rows the migrations themselves insert: a freshly upgraded database has them, so they
# do not make it "non-empty"; the import replaces them with the backup's (possibly edited) rows.
SEEDED_BY_MIGRATIONS = frozenset({"question_categories"})


class BackupError(RuntimeError):
    """A backup or restore refused, with a one-line Vietnamese message."""


def _base_type(column: sa.Column):
    col_type = column.type
    return col_type.impl if isinstance(col_type, sa.types.TypeDecorator) else col_type


def _encode(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _decoder(column: sa.Column):
    """Return a function turning a JSON value back into what the column type accepts."""
    col_type = column.type
    base = _base_type(column)
    if isinstance(col_type, sa.Enum) and col_type.enum_class is not None:
        enum_cls = col_type.enum_class
        return lambda v: enum_cls(v)
    if isinstance(base, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(base, sa.Date):
        return date.fromisoformat
    if isinstance(base, sa.Time):
        return time.fromisoformat
    if isinstance(base, sa.LargeBinary):
        return base64.b64decode
    if isinstance(base, sa.Numeric) and getattr(base, "asdecimal", False):
        return decimal.Decimal
    return None


def current_revision(connection) -> str | None:
    from alembic.runtime.migration import MigrationContext  # here: Alembic stays out of the web workers (app/migrating.py)

    return MigrationContext.configure(connection).get_current_revision()


def export_all(target: Path, progress=None) -> dict:
    """Write every table and the storage folder into ``target``; return the manifest.
    ``progress(done, total)`` is told after each table (the admin page's job shows it)."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"Thư mục “{target}” không trống; hãy chọn một thư mục mới.")
    tables = db.metadata.sorted_tables
    counts = {}
    with db.engine.connect() as conn:
        # One snapshot for all tables, so rows written during the export cannot break references
        # (an answer whose response was committed after the responses table was read).
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")  # not the web's DB_STATEMENT_TIMEOUT
        elif conn.dialect.name == "sqlite":
            # The sqlite3 module runs each SELECT in its own implicit snapshot; one explicit read
            # transaction keeps the first read's snapshot (WAL: writers go on meanwhile).
            conn.exec_driver_sql("BEGIN")
        revision = current_revision(conn)
        for table in tables:
            count = 0
            query = sa.select(table).order_by(*table.primary_key.columns)
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
            with open(target / f"{table.name}.jsonl", "w", encoding="utf-8") as out:
                for row in result.mappings():
                    out.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False))
                    out.write("\n")
                    count += 1
            counts[table.name] = count
            if progress is not None:
                progress(len(counts), len(tables) + 1)
    storage = Path(current_app.config["STORAGE_DIR"])
    if storage.is_dir():
        # Not the job worker's files (documents made on request, earlier backups): derived, and a
        # backup inside every later one would grow without end.
        shutil.copytree(storage, target / "storage",
                        ignore=lambda folder, names: ["jobs"] if Path(folder) == storage else [])
    manifest = {
        "format": FORMAT_VERSION,
        "alembic_revision": revision,
        "tables": [t.name for t in tables],
        "row_counts": counts,
        "created": utcnow().isoformat(),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"Không tìm thấy {MANIFEST} trong “{source}”.") from None
    except ValueError:
        raise BackupError(f"{MANIFEST} trong “{source}” không đọc được.") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("Bản sao lưu có định dạng không được hỗ trợ.")
    return manifest


def _rows(path: Path, decoders: dict, table_name: str):
    with open(path, encoding="utf-8") as source:
        for line_no, line in enumerate(source, 1):
            try:
                row = json.loads(line)
                yield {k: (decoders[k](v) if v is not None and decoders.get(k) else v) for k, v in row.items()}
            except (ValueError, KeyError, TypeError) as exc:
                raise BackupError(f"Dòng {line_no} của bảng {table_name} không hợp lệ: {exc}") from None


def _set_triggers_aside(conn, tables):
    """Row triggers guard live writes (e.g. the lock on approved minutes refuses a question added to an
    approved dialogue); a restore writes a consistent snapshot, parents before children, so they step
    aside for it, inside the same transaction (like ``pg_restore --disable-triggers``): PostgreSQL's
    user triggers are disabled per table (the tables' owner, the migrating role, may), SQLite's are
    dropped and created again. Foreign keys stay checked. Returns the function that puts them back."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.exec_driver_sql(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER')

        def restore():
            for table in tables:
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER')
        return restore
    triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')

    def restore():
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
    return restore


def import_all(source: Path) -> dict:
    """Load a folder written by ``export_all`` into this empty database; return the row counts."""
    manifest = _read_manifest(source)
    tables = db.metadata.sorted_tables
    known = {t.name for t in tables}
    unknown = sorted(set(manifest["tables"]) - known)
    if unknown:
        raise BackupError(f"Bản sao lưu có bảng không có trong ứng dụng: {', '.join(unknown)}.")
    missing = [name for name in manifest["tables"] if not (source / f"{name}.jsonl").is_file()]
    if missing:
        raise BackupError(f"Thiếu tệp dữ liệu của bảng: {', '.join(missing)}.")
    storage = Path(current_app.config["STORAGE_DIR"])
    counts = {}
    with db.engine.begin() as conn:  # one transaction: any error rolls every table back
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        revision = current_revision(conn)
        if revision != manifest["alembic_revision"]:
            raise BackupError(f"Cơ sở dữ liệu đang ở phiên bản {revision}, bản sao lưu ở phiên bản "
                              f"{manifest['alembic_revision']}; hãy chạy “flask db upgrade” cho khớp.")
        for table in tables:
            if table.name in SEEDED_BY_MIGRATIONS:
                continue
            if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                raise BackupError(f"Cơ sở dữ liệu đích không trống (bảng {table.name} có dữ liệu).")
        if storage.is_dir() and any(storage.iterdir()):
            raise BackupError(f"Thư mục lưu trữ “{storage}” không trống.")
        restore_triggers = _set_triggers_aside(conn, tables)
        for table in reversed(tables):
            if table.name in SEEDED_BY_MIGRATIONS and table.name in manifest["tables"]:
                conn.execute(table.delete())
        for table in tables:
            if table.name not in manifest["tables"]:
                continue
            decoders = {c.name: _decoder(c) for c in table.columns}
            count, batch = 0, []
            for row in _rows(source / f"{table.name}.jsonl", decoders, table.name):
                batch.append(row)
                if len(batch) >= BATCH:
                    conn.execute(table.insert(), batch)
                    count, batch = count + len(batch), []
            if batch:
                conn.execute(table.insert(), batch)
                count += len(batch)
            expected = manifest["row_counts"].get(table.name)
            if count != expected:
                raise BackupError(f"Bảng {table.name}: đọc được {count} dòng, manifest ghi {expected}.")
            counts[table.name] = count
        restore_triggers()
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, tables)
        # Files last, still inside the transaction: a copy failure rolls the rows back too.
        if (source / "storage").is_dir():
            try:
                shutil.copytree(source / "storage", storage, dirs_exist_ok=True)
            except OSError as exc:
                shutil.rmtree(storage, ignore_errors=True)
                raise BackupError(f"Không chép được tệp lưu trữ: {exc}") from None
    return counts


def _reset_sequences(conn, tables) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": column.name}).scalar()
            if seq is None:
                continue
            top = conn.execute(sa.select(sa.func.max(column))).scalar()
            # is_called=false with 1 on an empty table: the next id is 1, as on a fresh database.
            conn.execute(sa.text("SELECT setval(:s, :v, :called)"),
                         {"s": seq, "v": top or 1, "called": top is not None})


# --- the full export from the admin page, in the job worker --------------------------------------

FULL_EXPORT_JOB = "full_export"


def running_export():
    """The full export queued or running (whoever started it), or None."""
    from app import jobs

    return db.session.scalar(sa.select(jobs.Job).where(jobs.Job.kind == FULL_EXPORT_JOB,
                                                       jobs.Job.state.in_((jobs.QUEUED, jobs.RUNNING)))
                             .order_by(jobs.Job.id.desc()).limit(1))


def start_full_export(user):
    """The full export in progress, else a new one, queued after the commit and written to the
    audit log. One at a time: a second click, or a second admin, gets the running one."""
    from app import jobs
    from app.models import AuditLog

    running = running_export()
    if running is not None:
        return running
    started = db.session.scalar(sa.select(sa.func.count(jobs.Job.id)).where(jobs.Job.kind == FULL_EXPORT_JOB))
    key = f"full-export-{started + 1}"  # the same for two clicks at the same moment: one job
    by_key = sa.select(jobs.Job).where(jobs.Job.key == key)
    if (other := db.session.scalar(by_key)) is not None:  # another admin's, committed since the count
        return other
    try:
        with db.session.begin_nested():
            job = jobs.submit(FULL_EXPORT_JOB, {}, key, user)
    except sa.exc.IntegrityError:  # ... or committed meanwhile (PostgreSQL)
        return db.session.scalar(by_key)
    db.session.add(AuditLog(user_id=user.id, unit_id=user.unit_id, source="web", action="export",
                            object_type="Backup", object_id=job.id))
    db.session.flush()
    return job


def _make_full_export(job, progress):
    """Job kind "full_export": ``export_all`` into a temporary folder, then one ZIP file."""
    import hashlib
    import tempfile

    from app import clock
    from app.models import AuditLog, User

    jobs_folder = Path(current_app.config["STORAGE_DIR"]) / "jobs"
    jobs_folder.mkdir(parents=True, exist_ok=True)
    name = f"caunoi-sao-luu-{clock.now().astimezone(clock.local_zone()):%Y%m%d-%H%M}"  # Vietnam time, as shown
    with tempfile.TemporaryDirectory(prefix="caunoi-export-") as folder:
        manifest = export_all(Path(folder) / name, progress=progress)
        archive = Path(shutil.make_archive(str(jobs_folder / f".partial-{job.id}"), "zip", root_dir=folder,
                                           base_dir=name))
    digest = hashlib.sha256()
    with open(archive, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    user = db.session.get(User, job.user_id)
    db.session.add(AuditLog(user_id=job.user_id, unit_id=user.unit_id if user else None, source="web",
                            action="export_done", object_type="Backup", object_id=job.id,
                            after={"file": f"{name}.zip", "sha256": digest.hexdigest(),
                                   "rows": sum(manifest["row_counts"].values()), "tables": len(manifest["tables"]),
                                   "alembic_revision": manifest["alembic_revision"]}))
    db.session.commit()
    return archive, f"{name}.zip", "application/zip", {"Cache-Control": "private, no-store", "Pragma": "no-cache"}


def init_app(app) -> None:
    from app import jobs

    jobs.register(FULL_EXPORT_JOB, _make_full_export)
    jobs.keep_latest(FULL_EXPORT_JOB, "BACKUPS_KEEP")  # the last backups stay, to restore from
