"""Reporting periods: a month, a quarter, a year, or custom dates, always whole days.

The dashboard, its exports and the CLI read the same query arguments, so a link copied from
the page opens the same figures as a file: ``period=month|quarter|year|custom`` with
``year``, ``month`` (1-12), ``quarter`` (1-4), or ``from``/``to`` (dd/mm/yyyy or yyyy-mm-dd).
Bad values never fail: they fall back to the current year and say why.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app.clock import MAX_YEAR, MIN_YEAR, parse_date

KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    kind: str
    date_from: date
    date_to: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls("quarter", date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1]))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls("month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Năm %(y)d", y=self.date_from.year)
        if self.kind == "quarter":
            return _("Quý %(q)d/%(y)d", q=(self.date_from.month - 1) // 3 + 1, y=self.date_from.year)
        if self.kind == "month":
            return _("Tháng %(m)02d/%(y)d", m=self.date_from.month, y=self.date_from.year)
        return _("Từ %(a)s đến %(b)s", a=self.date_from.strftime("%d/%m/%Y"), b=self.date_to.strftime("%d/%m/%Y"))

    @property
    def year_to_date(self) -> Period:
        """From 1 January of the period's last year to its last day: what yearly targets measure."""
        return Period("custom", date(self.date_to.year, 1, 1), self.date_to)

    @property
    def is_year_to_date(self) -> bool:
        return self.date_from == date(self.date_to.year, 1, 1)

    def query_args(self) -> dict[str, str]:
        """The query arguments that select this period again (links, exports)."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.date_from.isoformat(),
                    "to": self.date_to.isoformat()}
        args = {"period": self.kind, "year": str(self.date_from.year)}
        if self.kind == "quarter":
            args["quarter"] = str((self.date_from.month - 1) // 3 + 1)
        elif self.kind == "month":
            args["month"] = str(self.date_from.month)
        return args

    def slug(self) -> str:
        """For file names: 2025, 2025-Q3, 2025-09, 2025-01-01_2025-06-30."""
        if self.kind == "year":
            return str(self.date_from.year)
        if self.kind == "quarter":
            return f"{self.date_from.year}-Q{(self.date_from.month - 1) // 3 + 1}"
        if self.kind == "month":
            return self.date_from.strftime("%Y-%m")
        return f"{self.date_from.isoformat()}_{self.date_to.isoformat()}"




def _int_in(value: str | None, low: int, high: int) -> int | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 4:
        return None
    number = int(value)
    return number if low <= number <= high else None


def period_from_args(args, today: date) -> tuple[Period, list[str]]:
    """The period the query arguments ask for, and the problems found (translated); on any
    problem the current year (or the part that was valid) is used instead."""
    problems: list[str] = []
    kind = args.get("period") or "year"
    if kind not in KINDS:
        problems.append(_("Kỳ báo cáo không hợp lệ; đang hiển thị cả năm."))
        kind = "year"
    if kind == "custom":
        date_from, date_to = parse_date(args.get("from")), parse_date(args.get("to"))
        if date_from is None or date_to is None:
            problems.append(_("Hãy nhập ngày bắt đầu và ngày kết thúc theo dạng ngày/tháng/năm."))
        elif date_from > date_to:
            problems.append(_("Ngày bắt đầu phải trước ngày kết thúc."))
        else:
            return Period("custom", date_from, date_to), problems
        return Period.year(today.year), problems
    year = _int_in(args.get("year"), MIN_YEAR, MAX_YEAR) if args.get("year") else today.year
    if year is None:
        problems.append(_("Năm không hợp lệ; đang hiển thị năm nay."))
        year = today.year
    if kind == "quarter":
        quarter = _int_in(args.get("quarter"), 1, 4) if args.get("quarter") else (today.month - 1) // 3 + 1
        if quarter is None:
            problems.append(_("Quý phải từ 1 đến 4."))
            return Period.year(year), problems
        return Period.quarter(year, quarter), problems
    if kind == "month":
        month = _int_in(args.get("month"), 1, 12) if args.get("month") else today.month
        if month is None:
            problems.append(_("Tháng phải từ 1 đến 12."))
            return Period.year(year), problems
        return Period.month(year, month), problems
    return Period.year(year), problems
