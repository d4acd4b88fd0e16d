"""Fingerprinted static files: ``asset_url('css/phone.css')`` is ``/static/css/phone.css?v=<hash
of the file>``; a request naming the current hash is answered with a year's max-age (the URL
changes with the file), so a phone fetches the stylesheet once and not on every screen. Without
``v`` (or with an old one) a file is served as before: revalidated each time."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request, url_for

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=64)
def _fingerprint(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint(app: Flask, filename: str) -> str:
    path = Path(app.static_folder) / filename
    return _fingerprint(str(path), path.stat().st_mtime_ns)


def init_app(app: Flask) -> None:
    def asset_url(filename: str) -> str:
        return url_for("static", filename=filename, v=fingerprint(app, filename))

    app.jinja_env.globals["asset_url"] = asset_url
    default_max_age = app.get_send_file_max_age

    def get_send_file_max_age(filename: str | None):
        version = request.args.get("v") if request else None
        if filename and version:
            try:
                if version == fingerprint(app, filename):
                    return YEAR
            except OSError:
                pass
        return default_max_age(filename)

    app.get_send_file_max_age = get_send_file_max_age
