"""Today's date where the unions work, in one place, and the parsing of typed dates.

Deadlines, meeting days and birth years are local calendar dates, so "today" is the local date
(``APP_TIMEZONE``, Asia/Ho_Chi_Minh by default), never the server's or UTC's: on a UTC server
the two differ between 00:00 and 07:00 Vietnam time. Call ``clock.today()`` (module attribute,
so tests can freeze it by monkeypatching :func:`today`); nothing calls ``date.today()``.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def now() -> datetime:
    """The current instant (timezone-aware, UTC)."""
    return datetime.now(timezone.utc)


def local_zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() \
        else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def today() -> date:
    """The local calendar date (``APP_TIMEZONE``), whatever the server's own zone."""
    return now().astimezone(local_zone()).date()


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")  # what people type, and what a date input sends
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_date(value: str | None, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> date | None:
    """A date typed as dd/mm/yyyy or sent as ISO, within the years given; else None."""
    value = (value or "").strip()[:20]
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if min_year <= parsed.year <= max_year:
            return parsed
    return None
