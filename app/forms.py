"""The base of every form (Vietnamese messages for WTForms' own checks) and the forms of the
core screens. Labels use lazy_gettext: they are defined at import time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import BooleanField, Form, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from app import clock
from app import ethnicities
from app.models import Role, Sex

REQUIRED = _l("Trường này là bắt buộc.")
DATE_FORMATS = list(clock.DATE_FORMATS)  # for WTForms date fields: dd/mm/yyyy typed, ISO from a date input

# WTForms ships no Vietnamese catalogue: its built-in messages are given here in our own, so
# every form (core and features alike, through BaseForm and PlainForm) answers in the user's
# language, English included (the catalogue translates these msgids back).
_WTFORMS_MESSAGES = {
    "Not a valid integer value.": _l("Hãy nhập một số nguyên."),
    "Not a valid decimal value.": _l("Hãy nhập một số."),
    "Not a valid float value.": _l("Hãy nhập một số."),
    "Not a valid date value.": _l("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm."),
    "Not a valid datetime value.": _l("Ngày giờ không hợp lệ; hãy nhập theo dạng ngày/tháng/năm giờ:phút."),
    "Not a valid time value.": _l("Giờ không hợp lệ; hãy nhập theo dạng giờ:phút."),
    "Not a valid week value.": _l("Tuần không hợp lệ."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Not a valid choice": _l("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Lựa chọn không hợp lệ."),
    "'%(value)s' is not a valid choice for this field.": _l("'%(value)s' không phải là lựa chọn hợp lệ."),
    "'%(value)s' are not valid choices for this field.": _l("'%(value)s' không phải là lựa chọn hợp lệ."),
    "This field is required.": REQUIRED,
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ thư không hợp lệ."),
    "Invalid URL.": _l("Địa chỉ web không hợp lệ."),
    "Field must be equal to %(other_name)s.": _l("Trường này phải giống trường %(other_name)s."),
    "Number must be at least %(min)s.": _l("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Số không được lớn hơn %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải nằm trong khoảng %(min)s đến %(max)s."),
    "Date must be at least %(min)s.": _l("Ngày phải từ %(min)s trở đi."),
    "Date must be at most %(max)s.": _l("Ngày không được sau %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Ngày phải nằm trong khoảng %(min)s đến %(max)s."),
    "Field must be at least %(min)d character long.": _l("Phải có ít nhất %(min)d ký tự."),
    "Field must be at least %(min)d characters long.": _l("Phải có ít nhất %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": _l("Không được dài quá %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": _l("Không được dài quá %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": _l("Phải có đúng %(max)d ký tự."),
    "Field must be exactly %(max)d characters long.": _l("Phải có đúng %(max)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Phải có từ %(min)d đến %(max)d ký tự."),
    "Invalid value, must be one of: %(values)s.": _l("Giá trị phải là một trong: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Giá trị không được là: %(values)s."),
    "This field cannot be edited.": _l("Không được sửa trường này."),
    "This field is disabled and cannot have a value.": _l("Trường này bị khóa, không nhận giá trị."),
    "The CSRF token is missing.": _l("Phiên làm việc đã hết hạn; hãy gửi lại biểu mẫu."),
    "The CSRF token has expired.": _l("Phiên làm việc đã hết hạn; hãy gửi lại biểu mẫu."),
    "The CSRF token is invalid.": _l("Phiên làm việc đã hết hạn; hãy gửi lại biểu mẫu."),
    "The CSRF tokens do not match.": _l("Phiên làm việc đã hết hạn; hãy gửi lại biểu mẫu."),
    "File does not have an approved extension.": _l("Loại tệp này không được nhận."),
}


def wtforms_message(string: str) -> str:
    """WTForms' own message in the user's language (unknown ones are passed through)."""
    return str(_WTFORMS_MESSAGES.get(string, string))


class _Translations:
    def gettext(self, string):
        return wtforms_message(string)

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


class _Meta:
    def get_translations(self, form):
        return _Translations()


class DateField(_DateField):
    """A date input (``<input type="date">``) that takes dd/mm/yyyy as typed in a URL or a
    no-JS form and ISO as a date input sends, and always renders its value as ISO: a date input
    shows a dd/mm/yyyy value as empty. An unparsable value is given back as typed."""

    def __init__(self, label=None, validators=None, format=None, **kwargs):
        super().__init__(label, validators, format=format or DATE_FORMATS, **kwargs)

    def _value(self):
        if isinstance(self.data, date):
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""


class BaseForm(FlaskForm):
    """Every form of the app: CSRF from Flask-WTF, WTForms' messages in the user's language."""

    class Meta(_Meta):
        pass


class PlainForm(Form):
    """A form without CSRF: a row inside a FieldList (the enclosing form has the token) or the
    filters of a list page (GET, bookmarkable). Same messages as BaseForm."""

    class Meta(_Meta):
        pass


# --- text that reaches an official document ------------------------------------------------

_FONT_FILES = ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf",
               "LiberationSerif-BoldItalic.ttf")
_drawable: frozenset[int] | None = None


def drawable_codepoints() -> frozenset[int]:
    """The characters every face of the bundled PDF font can draw (read once from the fonts' cmap
    with fontTools), plus line breaks and tabs."""
    global _drawable
    if _drawable is None:
        from pathlib import Path

        from fontTools.ttLib import TTFont

        folder = Path(__file__).parent / "static" / "fonts"
        sets = []
        for name in _FONT_FILES:
            with TTFont(folder / name, lazy=True) as font:
                sets.append(set(font.getBestCmap()))
        _drawable = frozenset(set.intersection(*sets) | {0x09, 0x0A, 0x0D})
    return _drawable


def undrawable(text: str) -> list[str]:
    """The distinct characters of ``text`` the PDF font cannot draw, in order of appearance
    (combining marks are checked after NFC, as the documents store them)."""
    import unicodedata

    seen, bad = drawable_codepoints(), []
    for char in unicodedata.normalize("NFC", text or ""):
        if ord(char) not in seen and char not in bad:
            bad.append(char)
    return bad


def quoted_chars(bad: list[str]) -> str:
    """The first five refused characters, each in quotes: “😀” “🙏”; an invisible one (the emoji
    variation selector, a zero-width joiner) by its code point, U+FE0F, so the message names it."""
    import unicodedata

    return " ".join(f"U+{ord(c):04X}" if unicodedata.category(c) in ("Mn", "Me", "Cf", "Cc") else f"“{c}”"
                    for c in bad[:5])


def undrawable_message(text: str | None):
    """The refusal of ``text`` (lazy, in the user's language) when it holds characters the PDF font
    cannot draw, else None. The forms, the JSON API and the workbook imports say the same."""
    bad = undrawable(text if isinstance(text, str) else "")
    if not bad:
        return None
    return _l("Văn bản chính thức không in được ký tự %(chars)s (biểu tượng cảm xúc, ký hiệu đặc biệt). Hãy xóa "
              "hoặc thay bằng chữ.", chars=quoted_chars(bad))


def undrawable_fields(data, path: str = "", skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every string inside a JSON body (objects and arrays walked) that the PDF font cannot draw,
    as ``{"questions.0.content": message}`` (the API's field paths). ``skip``: keys left alone
    (codes and tokens, checked by their own patterns)."""
    found: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in skip:
                found.update(undrawable_fields(value, f"{path}.{key}" if path else str(key), skip))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.update(undrawable_fields(value, f"{path}.{i}" if path else str(i), skip))
    elif isinstance(data, str) and (message := undrawable_message(data)) is not None:
        found[path] = str(message)
    return found


class Drawable:
    """Refuse characters the official documents' font cannot draw (emoji, pictographs...), which
    would vanish from the PDF, with the characters named."""

    def __call__(self, form, field) -> None:
        from wtforms.validators import ValidationError

        message = undrawable_message(field.data)
        if message is not None:
            raise ValidationError(message)


def official_text(form_class):
    """Class decorator: every text field of the form gets :class:`Drawable` (forms whose text reaches
    an official document: minutes, reports, paper forms). Passwords are left alone."""
    from wtforms import TextAreaField

    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        field_class = getattr(unbound, "field_class", None)
        if (isinstance(field_class, type) and issubclass(field_class, (StringField, TextAreaField))
                and not issubclass(field_class, PasswordField)):
            validators = list(unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else []))
            if not any(isinstance(v, Drawable) for v in validators):
                validators.append(Drawable())
            if len(unbound.args) > 1:
                unbound.args = (unbound.args[0], validators, *unbound.args[2:])
            else:
                unbound.kwargs["validators"] = validators
    return form_class


ROLE_LABELS = {
    Role.admin: _l("Quản trị viên"),
    Role.province: _l("Cán bộ Hội tỉnh"),
    Role.commune: _l("Cán bộ Hội xã"),
    Role.trainer: _l("Tập huấn viên"),
    Role.authority: _l("Cơ quan chính quyền"),
}
SEX_LABELS = {Sex.female: _l("Nữ"), Sex.male: _l("Nam"), Sex.other: _l("Khác")}


def _long(n: int):
    return Length(max=n, message=_l("Không được dài quá %(max)d ký tự."))


# Optional selects: "" is a choice (and the default when the field is not sent). No Optional()
# validator: it would let a blank-looking " " past the choice check and into Sex(" ").
def sex_field() -> SelectField:
    return SelectField(_l("Giới tính"), choices=[("", "—")] + [(s.value, label) for s, label in SEX_LABELS.items()],
                       default="")


def ethnicity_field() -> SelectField:
    return SelectField(_l("Dân tộc"), choices=[("", "—")] + ethnicities.choices(), default="")


class LoginForm(BaseForm):
    username = StringField(_l("Tên đăng nhập"), [DataRequired(REQUIRED), _long(50)])
    password = PasswordField(_l("Mật khẩu"), [DataRequired(REQUIRED), _long(200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class ChangePasswordForm(BaseForm):
    old_password = PasswordField(_l("Mật khẩu hiện tại"), [DataRequired(REQUIRED), _long(200)])
    new_password = PasswordField(_l("Mật khẩu mới"), [DataRequired(REQUIRED), _long(200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            [DataRequired(REQUIRED), EqualTo("new_password", _l("Hai mật khẩu không khớp."))])


class UserForm(BaseForm):
    username = StringField(_l("Tên đăng nhập"), [DataRequired(REQUIRED), _long(50)])
    full_name = StringField(_l("Họ tên"), [Optional(), _long(200), Drawable()])
    email = StringField(_l("Thư điện tử"), [Optional(), _long(200), Email(_l("Địa chỉ thư không hợp lệ."))])
    role = SelectField(_l("Vai trò"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])
    unit_code = StringField(_l("Mã đơn vị"), [DataRequired(REQUIRED), _long(32)],
                            description=_l("Mã hành chính quốc gia, ví dụ 19 (Thái Nguyên), 02020 (Xã Chợ Đồn)."))
    agency_code = StringField(_l("Mã cơ quan (chỉ cho người dùng chính quyền)"), [Optional(), _long(50)])
    password = PasswordField(_l("Mật khẩu"), [Optional(), _long(200)])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)


@official_text
class AgencyForm(BaseForm):
    code = StringField(_l("Mã cơ quan"), [DataRequired(REQUIRED), _long(50)])
    name = StringField(_l("Tên cơ quan"), [DataRequired(REQUIRED), _long(300)])
    unit_code = StringField(_l("Mã đơn vị"), [DataRequired(REQUIRED), _long(32)])


@official_text
class AgencyEditForm(BaseForm):
    name = StringField(_l("Tên cơ quan"), [DataRequired(REQUIRED), _long(300)])
    is_active = BooleanField(_l("Đang hoạt động (bỏ chọn: không còn hiện trong danh sách chọn)"))


@official_text
class VillageForm(BaseForm):
    name = StringField(_l("Tên thôn, bản, tổ dân phố"), [DataRequired(REQUIRED), _long(200)])
    division_type = SelectField(_l("Loại"), choices=[("thôn", "thôn"), ("bản", "bản"), ("tổ dân phố", "tổ dân phố"),
                                                     ("xóm", "xóm"), ("làng", "làng"), ("buôn", "buôn")])


def this_year() -> int:
    return clock.today().year


@official_text
class PersonForm(BaseForm):
    full_name = StringField(_l("Họ tên"), [DataRequired(REQUIRED), _long(200)])
    code = StringField(_l("Mã người tham gia"), [Optional(), _long(40)],
                       description=_l("Để trống để hệ thống tự cấp mã."))
    sex = sex_field()
    birth_year = IntegerField(_l("Năm sinh"), [Optional(), NumberRange(1900, 2100, _l("Năm sinh không hợp lệ."))])
    ethnicity_code = ethnicity_field()
    unit_id = SelectField(_l("Nơi ở (xã, thôn)"), coerce=int, validators=[DataRequired(REQUIRED)])
    phone = StringField(_l("Điện thoại"), [Optional(), _long(20)])
    consent = BooleanField(_l("Người này đồng ý cho lưu thông tin cá nhân để theo dõi tập huấn và đối thoại"),
                           default=False)


# --- service errors on forms --------------------------------------------------------------

def _all_fields(form):
    """Every field of ``form``, inside FieldList and FormField entries too."""
    from wtforms import FieldList, FormField

    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _all_fields(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, FormField):
            yield from _all_fields(field.form)
        else:
            yield field


def show_service_error(form, exc, default: str | None = None, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's message next to the field it names (``fields`` maps a service's name
    onto the form's, "unit" -> "unit_code"; nested rows match by full name, "rows-2-content"),
    else on ``default``, else at the top of the page (a flash)."""
    from flask import flash
    from wtforms import Field

    names = [(fields or {}).get(exc.field or "", exc.field), default]
    for name in filter(None, names) if form is not None else ():
        target = getattr(form, name, None)
        if not isinstance(target, Field):
            target = next((f for f in _all_fields(form) if f.name == name), None)
        if target is not None:
            target.errors = [*target.errors, exc.message]
            return
    flash(exc.message, "error")
