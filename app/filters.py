"""Jinja filters for dates and numbers: dd/mm/yyyy everywhere, datetimes in the user's timezone."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_decimal, to_user_timezone


def dmy(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return to_user_timezone(value).strftime("%d/%m/%Y %H:%M") if value.tzinfo else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def dmy_date(value) -> str:
    if isinstance(value, datetime):
        value = to_user_timezone(value).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y") if value else ""


def number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""))


def _get(person, name: str):
    return person.get(name) if isinstance(person, dict) else getattr(person, name, None)


def person_hint(person) -> str:
    """What tells namesakes apart: birth year and village (the code is shown beside the name).
    ``person`` is a Person, or a dict with ``birth_year`` and ``village`` (a results row)."""
    from flask_babel import gettext as _

    parts = []
    if birth_year := _get(person, "birth_year"):
        parts.append(_("sinh năm %(y)d", y=birth_year))
    if isinstance(person, dict):
        if person.get("village"):
            parts.append(person["village"])
    elif person.unit is not None:
        parts.append(person.unit.name)
    return ", ".join(parts)


def namesakes(people) -> set[str]:
    """The names borne by more than one of ``people`` (a list shows their hints): Person objects
    or dicts with ``full_name``. Templates show the hint with the ``person_name`` macro
    (templates/_macros/people.html)."""
    seen, twice = set(), set()
    for person in people:
        name = _get(person, "full_name")
        (twice if name in seen else seen).add(name)
    return twice


def register_filters(app) -> None:
    app.add_template_filter(person_hint, "person_hint")
    app.add_template_filter(dmy, "dmy")
    app.add_template_filter(dmy_date, "dmy_date")
    app.add_template_filter(number, "number")
