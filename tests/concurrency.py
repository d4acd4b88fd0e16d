"""Fire N requests at the app at the same moment, each from its own client in its own thread.

Reusable by every feature (the surveys suite sends 50 phone submissions at once with it). Works on
SQLite and PostgreSQL alike: each request gets its own app context, database session and
connection, exactly as under a multi-threaded server.

    from concurrency import fire

    login_as(Role.province, "19")
    results = fire(app, 50, lambda c, i: c.post("/admin/agencies/new", data={...}), cookies_from=client)
    assert [r.status for r in results].count(302) == 1

``send(client, i)`` makes one request and returns the response; ``cookies_from`` copies a logged-in
client's cookies (session, language) into every worker client, so the N requests come from the
same user without N logins. A worker that raises fails the calling test with its exception.
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

COOKIES = ("session", "remember_token", "lang")


@dataclass(frozen=True)
class Result:
    index: int
    status: int
    body: str
    location: str | None


def fire(app: Flask, n: int, send: Callable[[FlaskClient, int], TestResponse], *,
         cookies_from: FlaskClient | None = None, timeout: float = 60) -> list[Result]:
    """Run ``send`` n times in n threads released together; results in the order of ``i``."""
    start = threading.Barrier(n, timeout=timeout)

    def worker(i: int) -> Result:
        client = app.test_client()
        if cookies_from is not None:
            for name in COOKIES:
                cookie = cookies_from.get_cookie(name)
                if cookie is not None:
                    client.set_cookie(name, cookie.value)
        start.wait()
        response = send(client, i)
        return Result(i, response.status_code, response.get_data(as_text=True), response.headers.get("Location"))

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n), timeout=timeout))


def statuses(results: list[Result]) -> Counter:
    """How many responses had each status code, e.g. ``Counter({200: 49, 302: 1})``."""
    return Counter(r.status for r in results)
