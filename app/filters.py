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


def register_filters(app) -> None:
    app.add_template_filter(dmy, "dmy")
    app.add_template_filter(dmy_date, "dmy_date")
    app.add_template_filter(number, "number")
