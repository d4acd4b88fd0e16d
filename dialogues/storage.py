"""Content-addressed file store for issued documents.

Files live under a root directory (``STORAGE_DIR``) at ``<namespace>/<sha[:2]>/<sha><suffix>``.
The database keeps only the key and the SHA-256, so the bytes can be backed up and served as
plain files, and a changed file on disk is detected by re-hashing it. Writes go to a temporary
file first and are renamed into place, so a reader never sees half a PDF; writing the same
bytes twice is harmless. A file written by a transaction that later rolls back stays as an
unreferenced copy (harmless: nothing points at it).

``FileStore`` is independent of Flask: give it a directory. ``file_store()`` is the app's store
(``STORAGE_DIR``) and ``read_stored(record)`` reads the bytes a record (issued minutes, an
evidence file) points at by its ``storage_key``.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

_KEY = re.compile(r"^[a-z0-9_-]{1,40}/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,8}$")


class FileStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def put(self, data: bytes, namespace: str, suffix: str = ".pdf") -> tuple[str, str]:
        """Store ``data``; return (key, sha256 hex)."""
        digest = hashlib.sha256(data).hexdigest()
        key = f"{namespace}/{digest[:2]}/{digest}{suffix}"
        path = self._path(key)
        if path.exists() and path.stat().st_size == len(data):
            return key, digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key, digest

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def is_intact(self, key: str, sha256: str) -> bool:
        """True when the stored file still has the hash recorded at issue."""
        try:
            return hashlib.sha256(self.read(key)).hexdigest() == sha256
        except OSError:
            return False

    def _path(self, key: str) -> Path:
        # Keys come from our own rows, but a path is only ever built from a well-formed one.
        if not _KEY.fullmatch(key):
            raise ValueError(f"malformed storage key: {key!r}")
        return self.root / key


def file_store() -> FileStore:
    return FileStore(current_app.config["STORAGE_DIR"])


def read_stored(record) -> bytes:
    """The stored bytes of a record with a ``storage_key`` (``MinutesIssue``, ``CommitmentAttachment``)."""
    return file_store().read(record.storage_key)
