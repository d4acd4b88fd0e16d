"""The figures the dashboard computes: one key per figure, with its label, its family and how it
is shown, masked and compared with a target.

Keys are the contract shared by the dashboard, the XLSX and PDF exports, the JSON of
``flask indicators`` and the ``Indicator.figure`` column (an indicator picks one key, so what it
measures is always one of the computed figures).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import numbers
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

MIN_CELL = 5  # exports for upward reporting hide people counts and statistics below this


@dataclass(frozen=True)
class Figure:
    key: str
    label: object        # lazy string
    family: str          # "training" or "dialogue"
    kind: str            # count | people | percent | points | ratio | share | days
    targetable: bool = True
    # Where the figure comes from: a drill-down list, or None.
    link: str | None = None
    short: object = None  # column header in narrow tables (defaults to the label)

    @property
    def is_people_count(self) -> bool:
        return self.kind == "people"

    @property
    def is_knowledge_statistic(self) -> bool:
        """Computed on matched pre/post pairs: masked with the pairs count."""
        return self.family == "training" and self.kind in ("percent", "points", "ratio")

    def target_value(self, value):
        """The figure in the unit a target is written in: shares as percentages."""
        if value is None:
            return None
        return value * 100 if self.kind == "share" else value


_FIGURES = [
    # --- trainings (pre/post knowledge tests)
    Figure("trainings_held", _l("Lớp tập huấn đã tổ chức"), "training", "count", link="trainings", short=_l("Lớp")),
    Figure("training_participants", _l("Lượt người tham gia tập huấn"), "training", "people", link="trainings",
           short=_l("Lượt người")),
    Figure("training_women", _l("trong đó nữ"), "training", "people", short=_l("Nữ")),
    Figure("training_minority", _l("trong đó dân tộc thiểu số"), "training", "people", short=_l("DTTS")),
    Figure("knowledge_pairs", _l("Số người làm cả bài trước và sau"), "training", "people", short=_l("Làm cả 2 bài")),
    Figure("pct_pre", _l("Điểm trước tập huấn (% điểm tối đa)"), "training", "percent", short=_l("Trước")),
    Figure("pct_post", _l("Điểm sau tập huấn (% điểm tối đa)"), "training", "percent", short=_l("Sau")),
    Figure("mean_gain", _l("Mức tăng kiến thức trung bình (điểm %)"), "training", "points", short=_l("Tăng (điểm %)")),
    Figure("hake_g", _l("Mức tăng chuẩn hóa Hake g"), "training", "ratio", short=_l("Hake g")),
    # --- policy dialogues and their follow-up
    Figure("dialogues_held", _l("Cuộc đối thoại đã tổ chức"), "dialogue", "count", link="dialogues", short=_l("Cuộc")),
    Figure("dialogue_participants", _l("Người dự đối thoại"), "dialogue", "people", link="dialogues",
           short=_l("Người dự")),
    Figure("dialogue_women", _l("trong đó nữ"), "dialogue", "people", short=_l("Nữ")),
    Figure("dialogue_minority", _l("trong đó dân tộc thiểu số"), "dialogue", "people", short=_l("DTTS")),
    Figure("questions_raised", _l("Ý kiến, kiến nghị được nêu"), "dialogue", "count", link="questions",
           short=_l("Ý kiến")),
    Figure("answered_on_spot", _l("Trả lời ngay tại hội nghị"), "dialogue", "count", link="questions",
           short=_l("Trả lời ngay")),
    Figure("forwarded_at_dialogue", _l("Chuyển cấp trên tại hội nghị"), "dialogue", "count",
           short=_l("Chuyển cấp trên")),
    Figure("committed", _l("Cam kết giải quyết"), "dialogue", "count", link="commitments", short=_l("Cam kết")),
    Figure("resolved", _l("Đã giải quyết"), "dialogue", "count", link="commitments", short=_l("Đã giải quyết")),
    Figure("partly_resolved", _l("Giải quyết một phần"), "dialogue", "count", short=_l("Một phần")),
    Figure("not_feasible", _l("Không thể thực hiện"), "dialogue", "count", short=_l("Không thể thực hiện")),
    Figure("overdue", _l("Quá hạn"), "dialogue", "count", targetable=False, link="overdue", short=_l("Quá hạn")),
    Figure("median_days_to_resolve", _l("Số ngày giải quyết (trung vị)"), "dialogue", "days", targetable=False,
           short=_l("Số ngày (trung vị)")),
    Figure("share_answered_on_spot", _l("Tỷ lệ trả lời ngay"), "dialogue", "share", short=_l("% trả lời ngay")),
    Figure("share_resolved", _l("Tỷ lệ cam kết đã giải quyết"), "dialogue", "share", short=_l("% đã giải quyết")),
    Figure("share_resolved_on_time", _l("Tỷ lệ giải quyết đúng hạn"), "dialogue", "share", short=_l("% đúng hạn")),
]
FIGURES: dict[str, Figure] = {f.key: f for f in _FIGURES}
TRAINING_KEYS = [f.key for f in _FIGURES if f.family == "training"]
DIALOGUE_KEYS = [f.key for f in _FIGURES if f.family == "dialogue"]
KNOWLEDGE_KEYS = [f.key for f in _FIGURES if f.is_knowledge_statistic]
# Follow-up figures taken as they are from dialogues.follow_up.indicators.
FOLLOWUP_KEYS = ["questions_raised", "answered_on_spot", "forwarded_at_dialogue", "committed", "resolved",
                 "partly_resolved", "not_feasible", "overdue", "median_days_to_resolve", "share_answered_on_spot",
                 "share_resolved", "share_resolved_on_time"]


# The "trong đó ..." rows read well under their parent row, not alone in a list or a target.
_QUALIFIED = {
    "training_women": _l("Người tham gia tập huấn là nữ"),
    "training_minority": _l("Người tham gia tập huấn là dân tộc thiểu số"),
    "dialogue_women": _l("Người dự đối thoại là nữ"),
    "dialogue_minority": _l("Người dự đối thoại là dân tộc thiểu số"),
}


def short_label(key: str):
    return FIGURES[key].short or FIGURES[key].label


def full_label(key: str):
    return _QUALIFIED.get(key) or FIGURES[key].label


def target_choices() -> list[tuple[str, object]]:
    return [(f.key, full_label(f.key)) for f in _FIGURES if f.targetable]


def mask_cell(key: str, value, pairs: int | None):
    """The value as an upward report may show it: a count of 1 to 4 people becomes "<5", a
    statistic computed on fewer than 5 matched pre/post pairs becomes "n<5"."""
    figure = FIGURES.get(key)
    if figure is None or value is None:
        return value
    if figure.is_people_count and 0 < value < MIN_CELL:
        return f"<{MIN_CELL}"
    if figure.is_knowledge_statistic and (pairs or 0) < MIN_CELL:
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
