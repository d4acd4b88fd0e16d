"""Forms of the core screens. Labels use lazy_gettext: they are defined at import time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from app import ethnicities
from app.models import Role, Sex

REQUIRED = _l("Trường này là bắt buộc.")

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


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), [DataRequired(REQUIRED), _long(50)])
    password = PasswordField(_l("Mật khẩu"), [DataRequired(REQUIRED), _long(200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(_l("Mật khẩu hiện tại"), [DataRequired(REQUIRED), _long(200)])
    new_password = PasswordField(_l("Mật khẩu mới"), [DataRequired(REQUIRED), _long(200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            [DataRequired(REQUIRED), EqualTo("new_password", _l("Hai mật khẩu không khớp."))])


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), [DataRequired(REQUIRED), _long(50)])
    full_name = StringField(_l("Họ tên"), [Optional(), _long(200)])
    email = StringField(_l("Thư điện tử"), [Optional(), _long(200), Email(_l("Địa chỉ thư không hợp lệ."))])
    role = SelectField(_l("Vai trò"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])
    unit_code = StringField(_l("Mã đơn vị"), [DataRequired(REQUIRED), _long(32)],
                            description=_l("Mã hành chính quốc gia, ví dụ 19 (Thái Nguyên), 02020 (Xã Chợ Đồn)."))
    agency_code = StringField(_l("Mã cơ quan (chỉ cho người dùng chính quyền)"), [Optional(), _long(50)])
    password = PasswordField(_l("Mật khẩu"), [Optional(), _long(200)])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)


class AgencyForm(FlaskForm):
    code = StringField(_l("Mã cơ quan"), [DataRequired(REQUIRED), _long(50)])
    name = StringField(_l("Tên cơ quan"), [DataRequired(REQUIRED), _long(300)])
    unit_code = StringField(_l("Mã đơn vị"), [DataRequired(REQUIRED), _long(32)])


class VillageForm(FlaskForm):
    name = StringField(_l("Tên thôn, bản, tổ dân phố"), [DataRequired(REQUIRED), _long(200)])
    division_type = SelectField(_l("Loại"), choices=[("thôn", "thôn"), ("bản", "bản"), ("tổ dân phố", "tổ dân phố"),
                                                     ("xóm", "xóm"), ("làng", "làng"), ("buôn", "buôn")])


def this_year() -> int:
    from datetime import date
    return date.today().year


class PersonForm(FlaskForm):
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
