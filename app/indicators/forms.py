"""Forms of the indicator screens. Targets are one number per indicator, read by
``parse_targets`` so a form of any length reports each bad cell next to it."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import REQUIRED
from app.indicators.figures import target_choices
from app.forms import BaseForm, official_text


def _long(n: int):
    return Length(max=n, message=_l("Không được dài quá %(max)d ký tự."))


@official_text
class IndicatorForm(BaseForm):
    code = StringField(_l("Mã chỉ số"), [DataRequired(REQUIRED), _long(40)],
                       description=_l("Mã trong khung chỉ số của dự án, ví dụ DA8-2.1."))
    name = StringField(_l("Tên chỉ số"), [DataRequired(REQUIRED), _long(300)])
    unit_of_measure = StringField(_l("Đơn vị tính"), [DataRequired(REQUIRED), _long(50)],
                                  description=_l("Ví dụ: lượt người, cuộc, lớp, %."))
    figure = SelectField(_l("Cách tính từ dữ liệu"), [DataRequired(REQUIRED)])
    position = IntegerField(_l("Thứ tự hiển thị"), [Optional(), NumberRange(
        -10_000, 10_000, message=_l("Thứ tự phải từ -10000 đến 10000."))], default=0)
    is_active = BooleanField(_l("Đang dùng"), default=True)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.figure.choices = [(key, str(label)) for key, label in target_choices()]


class TargetsForm(BaseForm):
    """CSRF only: the target cells are read from ``request.form`` by ``parse_targets``."""


MAX_TARGET_TEXT = 20


def parse_number(raw: str) -> float:
    """"1.250" (Vietnamese thousands) -> 1250, "12,5" -> 12.5, "80" -> 80. Raises ValueError."""
    text = (raw or "").strip().replace(" ", "")
    if not text or len(text) > MAX_TARGET_TEXT:
        raise ValueError(text)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") == 1 and len(text.split(".")[1]) == 3:
        text = text.replace(".", "")  # a thousands separator, not decimals
    elif text.count(".") > 1:
        text = text.replace(".", "")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def parse_targets(form_data, indicator_ids: list[int]) -> tuple[dict[int, float | None], dict[int, str]]:
    """indicator id -> target (None when the cell is empty) and indicator id -> error message."""
    values, errors = {}, {}
    for indicator_id in indicator_ids:
        raw = form_data.get(f"target_{indicator_id}", "")
        if not raw.strip():
            values[indicator_id] = None
            continue
        try:
            value = parse_number(raw)
        except ValueError:
            errors[indicator_id] = _("Hãy nhập một số, ví dụ 120 hoặc 85,5.")
            continue
        if value < 0:
            errors[indicator_id] = _("Chỉ tiêu không được âm.")
            continue
        values[indicator_id] = value
    return values, errors
