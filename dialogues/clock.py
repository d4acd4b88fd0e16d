"""Today's date where the unions work, in one place.

Deadlines are local calendar dates, so "overdue" and "due within 7 days" must be judged on
the local date (Asia/Ho_Chi_Minh by default), not the server's or UTC's. Tests freeze the
date by monkeypatching :func:`today`; nothing in the follow-up code calls ``date.today()``.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def today() -> date:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() \
        else DEFAULT_TIMEZONE
    return datetime.now(ZoneInfo(name)).date()
