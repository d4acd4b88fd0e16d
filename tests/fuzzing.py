"""Hypothesis-driven form fuzzing: random and hostile submissions, and what must hold for each.

A form is described once by a :class:`FormRoute` (who posts, where, which fields, a valid value per
field); :func:`fuzz_form` then posts ``max_examples`` submissions mixing valid values, hostile
payloads (script and SQL injection, NUL, RTL and combining marks, 100k strings), random unicode,
repeated, missing and extra fields, and asserts for every one:

- never a 5xx (the page it redirects to included);
- no unescaped ``<script>alert(1)</script>`` (or similar) in the HTML;
- a refused submission (an error status, the form shown again, or a redirect carrying an error
  flash) adds no row to any table, apart from the ``writes_on_error`` the route declares.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.extensions import db

# Markup that must never come back unescaped.
SCRIPT = "<script>alert(1)</script>"
INJECTED_MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")

HOSTILE = (
    *INJECTED_MARKUP,
    "' OR 1=1 --", "'; DROP TABLE people; --", '" OR ""="', "1; SELECT pg_sleep(5)",
    "\x00", "a\x00b", "\x00" * 3 + SCRIPT,
    "\u202egnp.exe", "مرحبا بالعالم", "שלום", "\u200b\u200d\ufeff",
    unicodedata.normalize("NFD", "Lò Thị Ánh Nguyễn"), "e" + "\u0301\u0323\u0309" * 30, "𝕏🙂👩🏽‍🌾",
    "{{ 7*7 }}", "{% raw %}", "%(name)s %s %d", "../../../etc/passwd", "javascript:alert(1)",
    "", " ", "\t\r\n", "-1", "0", "99999999999999999999", "1e309", "NaN", "None", "true",
    "x" * 100_000, "Ạ" * 100_000,
)

NO_VALID = object()  # a field with no valid value to mix in
MISSING = object()
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60), st.integers().map(str))
HOSTILE_FILES = (b"", b"PK\x03\x04" + b"\x00" * 64, SCRIPT.encode(), b"\x00" * 1024, "Ạ".encode() * 20_000)
FILE_NAME = "tải lên.xlsx"


def _field_value(valid: Any, is_file: bool = False) -> st.SearchStrategy:
    if is_file:
        choices = [st.sampled_from(HOSTILE_FILES), st.binary(max_size=2048)]
    else:
        choices = [VALUE, st.lists(VALUE, min_size=2, max_size=3)]  # a list: the field sent several times
    if valid is not NO_VALID:
        choices.insert(0, st.just(valid))
    return st.one_of(*choices)


def submissions(valid: dict[str, Any], files: tuple[str, ...] = ()) -> st.SearchStrategy[dict]:
    """Form data of two kinds, half and half: every field missing, valid, hostile or random; or a
    valid submission with one field made hostile or left out, which gets past the form's
    checks into the services, the database and the pages that show what was stored. Both kinds
    carry unknown extra fields now and then."""
    names = sorted(valid)
    anything = st.fixed_dictionaries({}, optional={name: _field_value(v, name in files) for name, v in valid.items()})
    complete = {name: v for name, v in valid.items() if v is not NO_VALID}
    spoiled = st.sampled_from(names).flatmap(lambda name: st.one_of(
        st.just(MISSING), _field_value(NO_VALID, name in files)).map(lambda value: {name: value})) \
        if names else st.just({})
    nearly_valid = spoiled.map(lambda changes: {k: v for k, v in {**complete, **changes}.items() if v is not MISSING})
    extra = st.dictionaries(st.one_of(st.sampled_from(HOSTILE[:12]), st.text(min_size=1, max_size=20)),
                            VALUE, max_size=3)
    return st.tuples(extra, st.one_of(nearly_valid, anything)).map(lambda pair: {**pair[0], **pair[1]})


@dataclass(frozen=True)
class FormRoute:
    """One form to fuzz.

    ``role``/``unit``: who posts it (``role=None``: an anonymous visitor). ``url(fixture)`` builds
    the URL; ``fixture(name)`` returns any pytest fixture visible to the test (factories included),
    so ``lambda f: f"/people/{f('create_person')().id}/edit"`` makes the object it needs. ``fields``:
    field name -> a valid value, or ``callable(fixture)`` returning one, or ``NO_VALID``; or, when
    the names themselves depend on the data (one field per question), ``callable(fixture)``
    returning that dict. ``files``: names of file fields (sent as uploads; valid values are bytes).
    ``accepted``: the statuses that mean the submission was taken (a redirect after POST; the phone
    form answers 200 with its thank-you page, an API 200 or 201); any other status, or an error
    flash, means refused. ``writes_on_error``: tables a refused submission may still write (e.g.
    failed-login records). ``json=True`` posts the fields as a JSON body.
    """
    role: Any
    unit: str
    url: Callable[[Callable[[str], Any]], str]
    fields: dict[str, Any] | Callable[[Callable[[str], Any]], dict[str, Any]]
    files: tuple[str, ...] = ()
    accepted: tuple[int, ...] = (302, 303)
    json: bool = False
    writes_on_error: tuple[str, ...] = field(default=())


def row_counts() -> dict[str, int]:
    tables = db.metadata.sorted_tables
    query = sa.union_all(*(sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t)
                           for t in tables))
    db.session.rollback()  # read what the requests committed, not an old snapshot
    return {name: n for name, n in db.session.execute(query)}


def error_flashed(client) -> bool:
    with client.session_transaction() as session:
        return any(category == "error" for category, _message in session.get("_flashes", []))


def assert_safe_html(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        for markup in INJECTED_MARKUP:
            assert markup not in body, f"{what}: unescaped {markup!r}"


def fuzz_form(route: FormRoute, client, fixture: Callable[[str], Any], *, max_examples: int = 25) -> None:
    """Log in as the route's role, then post ``max_examples`` generated submissions."""
    if route.role is not None:
        fixture("login_as")(route.role, route.unit)
    url = route.url(fixture)
    fields = route.fields(fixture) if callable(route.fields) else route.fields
    valid = {name: value(fixture) if callable(value) else value for name, value in fields.items()}

    def post_one(data):
        if route.role is None:
            client.delete_cookie("session")
        before = row_counts()
        if route.json:
            response = client.post(url, json=data)
        else:
            response = client.post(url, data={k: as_upload(v) if k in route.files else v for k, v in data.items()})
        assert_safe_html(response, f"POST {url}")
        refused = response.status_code not in route.accepted or error_flashed(client)
        if response.status_code in (302, 303):
            assert_safe_html(client.get(response.headers["Location"]), f"after POST {url}")
        if refused:
            after = row_counts()
            grown = {t: after[t] - before[t] for t in after
                     if after[t] > before[t] and t not in route.writes_on_error}
            assert not grown, f"refused POST {url} ({response.status_code}) stored rows: {grown}"

    test = given(data=submissions(valid, route.files))(post_one)
    for data in one_bad_field(valid):
        test = example(data=data)(test)
    settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                    HealthCheck.large_base_example])(test)()


def as_upload(value: Any) -> tuple:
    """A file field's value as the test client uploads it (text payloads as their UTF-8 bytes)."""
    if isinstance(value, list):
        value = value[0]
    return io.BytesIO(value if isinstance(value, bytes) else str(value).encode()), FILE_NAME


def one_bad_field(valid: dict[str, Any]) -> list[dict]:
    """Explicit examples run before the random ones: the valid submission with one field at a time
    carrying a NUL and a script after its valid value, or a lone space. Random draws seldom put a
    payload in exactly the one field that reaches the database or the page; these always do.
    (Huge strings need no aim: any field that takes text refuses or stores them, and the random
    draws include them.)"""
    complete = {name: v for name, v in valid.items() if v is not NO_VALID}
    return [{**complete, name: bad} for name, value in complete.items() for bad in (f"{value}\x00{SCRIPT}", " ")]
