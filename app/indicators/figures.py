"""The figures the dashboard computes: one key per figure, with its label, its family and how it
is shown, masked and compared with a target.

Keys are the contract shared by the dashboard, the XLSX and PDF exports, the JSON of
``flask indicators`` and the ``Indicator.figure`` column (an indicator picks one key, so what it
measures is always one of the computed figures). Each feature defines its own figures in its
indicator provider (``surveys.indicators``, ``dialogues.indicators``; see app.indicators.providers).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import numbers
from flask_babel import get_locale

MIN_CELL = 5  # exports for upward reporting hide people counts and statistics below this


@dataclass(frozen=True)
class Figure:
    key: str
    label: object        # lazy string
    family: str          # the provider's family: "training", "dialogue", ...
    kind: str            # count | people | percent | points | ratio | share | days
    targetable: bool = True
    # Where the figure comes from: a drill-down list (a link kind of its provider), or None.
    link: str | None = None
    short: object = None  # column header in narrow tables (defaults to the label)
    # A statistic computed on a sample: the key of the figure counting it ("knowledge_pairs"),
    # so an upward report masks the statistic when the sample is small.
    sample: str | None = None
    qualified: object = None  # the label alone in a list or a target ("trong đó nữ" reads well only under its parent)
    # A people count that is a part of another shown beside it ("trong đó nữ" of the participants):
    # the key of that figure. The complement (the men) is then protected too (app.indicators.exports).
    part_of: str | None = None

    @property
    def is_people_count(self) -> bool:
        return self.kind == "people"

    @property
    def is_sample_statistic(self) -> bool:
        """Computed on a sample (matched pre/post pairs): masked with the sample's size."""
        return self.sample is not None

    @property
    def is_rate(self) -> bool:
        """A share or a percentage: its target is a rate (at most 100 %), its progress a gap in points."""
        return self.kind in ("share", "percent")

    def target_value(self, value):
        """The figure in the unit a target is written in: shares as percentages."""
        if value is None:
            return None
        return value * 100 if self.kind == "share" else value


# Filled by the indicator providers the features register (app.indicators.register_provider),
# in the order of the configured features.
FIGURES: dict[str, Figure] = {}


def short_label(key: str):
    return FIGURES[key].short or FIGURES[key].label


def full_label(key: str):
    return FIGURES[key].qualified or FIGURES[key].label


def target_choices() -> list[tuple[str, object]]:
    return [(f.key, full_label(f.key)) for f in FIGURES.values() if f.targetable]


def mask_cell(key: str, value, pairs: int | None):
    """The value as an upward report may show it: a count of 1 to 4 people becomes "<5", a
    statistic computed on a sample (matched pre/post pairs) of fewer than 5 becomes "n<5"."""
    figure = FIGURES.get(key)
    if figure is None or value is None:
        return value
    if figure.is_people_count and 0 < value < MIN_CELL:
        return f"<{MIN_CELL}"
    if figure.is_sample_statistic and (pairs or 0) < MIN_CELL:
        return f"n<{MIN_CELL}"
    return value


@lru_cache(maxsize=8)
def _symbols(locale: str) -> tuple[str, str]:
    return numbers.get_group_symbol(locale), numbers.get_decimal_symbol(locale)


def _number(value: float, decimals: int, locale: str, plus: bool = False) -> str:
    """``value`` with thousands separators and ``decimals`` decimals, in the locale's symbols
    (a few hundred cells per page: babel's general formatter would dominate the page time)."""
    group, decimal = _symbols(locale)
    text = f"{value:{'+' if plus and value > 0 else ''},.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def format_value(key: str, value) -> str:
    """A figure as the screen and the PDF print it, in the reader's locale: counts with
    thousands separators, shares and percentages with one decimal, Hake g with two."""
    if value is None:
        return "—"
    if isinstance(value, str):  # a masked cell
        return value
    locale = str(get_locale() or "vi")
    kind = FIGURES[key].kind if key in FIGURES else "count"
    if kind == "share":
        return _number(100 * value, 1, locale) + "%"
    if kind == "percent":
        return _number(value, 1, locale) + "%"
    if kind == "points":
        return _number(value, 1, locale, plus=True)
    if kind == "ratio":
        return _number(value, 2, locale)
    decimals = 0 if float(value).is_integer() else (1 if round(value, 1) == round(value, 2) else 2)
    return _number(value, decimals, locale)
