"""Reporting periods from query arguments: whole months, quarters and years, custom dates."""
from datetime import date

import pytest

from app.indicators.periods import Period, parse_date, period_from_args

TODAY = date(2024, 5, 17)


@pytest.mark.parametrize("args, expected", [
    ({}, Period("year", date(2024, 1, 1), date(2024, 12, 31))),
    ({"period": "month", "year": "2024", "month": "2"}, Period("month", date(2024, 2, 1), date(2024, 2, 29))),
    ({"period": "month"}, Period("month", date(2024, 5, 1), date(2024, 5, 31))),
    ({"period": "quarter", "year": "2025", "quarter": "4"}, Period("quarter", date(2025, 10, 1), date(2025, 12, 31))),
    ({"period": "quarter"}, Period("quarter", date(2024, 4, 1), date(2024, 6, 30))),
    ({"period": "custom", "from": "2025-02-03", "to": "04/02/2025"}, Period("custom", date(2025, 2, 3), date(2025, 2, 4))),
])
def test_periods_from_arguments(args, expected, app):
    with app.test_request_context():
        period, problems = period_from_args(args, TODAY)
    assert period == expected and problems == []


def test_year_to_date_and_query_args_round_trip(app):
    quarter = Period.quarter(2025, 3)
    assert quarter.year_to_date == Period("custom", date(2025, 1, 1), date(2025, 9, 30))
    assert not quarter.is_year_to_date and Period.year(2025).is_year_to_date
    with app.test_request_context():
        for period in (quarter, Period.month(2025, 2), Period.year(2025), Period("custom", date(2025, 1, 5), date(2025, 3, 1))):
            assert period_from_args(period.query_args(), TODAY) == (period, [])


@pytest.mark.parametrize("text", ["", "31/02/2025", "2025-13-01", "01/01/1899", "01/01/2101", "x" * 1000, "1/1/25"])
def test_bad_dates_are_none(text):
    assert parse_date(text) is None
