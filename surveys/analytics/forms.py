"""The filter of the across-trainings results page (a GET form: no CSRF token, bookmarkable)."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from app.forms import BaseForm, DateField

BAD_CHOICE = _l("Lựa chọn không hợp lệ.")

ALL = 0


class DayField(DateField):
    """A date field whose parse error speaks Vietnamese like the rest of the form."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Ngày không hợp lệ; ghi theo dạng dd/mm/yyyy.")) from None


class ChoiceField(SelectField):
    """A select whose refusals (not a number, not in the list) speak Vietnamese like the rest."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(BAD_CHOICE)) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(str(BAD_CHOICE)) from None


class PooledFilterForm(BaseForm):
    class Meta:
        csrf = False

    unit = ChoiceField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    topic = ChoiceField(_l("Chủ đề"), coerce=int, default=ALL, validators=[Optional()])
    date_from = DayField(_l("Từ ngày"), validators=[Optional()])
    date_to = DayField(_l("Đến ngày"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
