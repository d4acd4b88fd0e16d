"""Forms of the community screens (labels lazy: defined at import time)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import REQUIRED, BaseForm, DateField, ethnicity_field, official_text, sex_field
from community import labels


def _long(n: int):
    return Length(max=n, message=_l("Không được dài quá %(max)d ký tự."))


def _date(label, required=False):
    return DateField(label, [DataRequired(REQUIRED) if required else Optional()],
                     description=_l("ngày/tháng/năm"))


def _choices(mapping):
    return [(key.value, label) for key, label in mapping.items()]


@official_text
class TeamForm(BaseForm):
    name = StringField(_l("Tên tổ"), [DataRequired(REQUIRED), _long(200)])
    unit_id = SelectField(_l("Thôn, bản hoặc xã"), coerce=int, validators=[DataRequired(REQUIRED)])
    decision_number = StringField(_l("Số quyết định thành lập"), [Optional(), _long(60)])
    founded_on = _date(_l("Ngày quyết định"))
    decision_issuer = StringField(_l("Cơ quan ban hành"), [Optional(), _long(200)],
                                  description=_l("Ví dụ: UBND xã Chợ Đồn"))


@official_text
class ClubForm(BaseForm):
    name = StringField(_l("Tên câu lạc bộ"), [DataRequired(REQUIRED), _long(200)])
    unit_id = SelectField(_l("Địa bàn"), coerce=int, validators=[DataRequired(REQUIRED)])
    setting = SelectField(_l("Tổ chức ở"), choices=_choices(labels.CLUB_SETTINGS))
    school_name = StringField(_l("Tên trường (nếu ở trường học)"), [Optional(), _long(200)])
    founded_on = _date(_l("Ngày thành lập"))


@official_text
class AddressForm(BaseForm):
    name = StringField(_l("Tên địa chỉ tin cậy"), [DataRequired(REQUIRED), _long(200)])
    unit_id = SelectField(_l("Thôn, bản"), coerce=int, validators=[DataRequired(REQUIRED)])
    host_kind = SelectField(_l("Loại"), choices=_choices(labels.HOST_KINDS))
    contact_name = StringField(_l("Người liên hệ"), [Optional(), _long(200)])
    contact_phone = StringField(_l("Điện thoại liên hệ"), [Optional(), _long(20)])
    founded_on = _date(_l("Ngày ra mắt"))


class TeamMemberForm(BaseForm):
    person_code = StringField(_l("Mã người"), [DataRequired(REQUIRED), _long(40)],
                              description=_l("Mã của người trong danh sách Người tham gia."))
    role = SelectField(_l("Vai trò"), choices=_choices(labels.TEAM_ROLES), default="member")
    joined_on = _date(_l("Ngày tham gia"), required=True)


class FacilitatorForm(BaseForm):
    person_code = StringField(_l("Mã người"), [DataRequired(REQUIRED), _long(40)])
    joined_on = _date(_l("Ngày bắt đầu"), required=True)


@official_text
class ChildForm(BaseForm):
    full_name = StringField(_l("Họ tên trẻ"), [DataRequired(REQUIRED), _long(200)])
    birth_year = IntegerField(_l("Năm sinh"), [InputRequired(REQUIRED), NumberRange(1990, 2100,
                                                                                    _l("Năm sinh không hợp lệ."))])
    sex = sex_field()
    ethnicity_code = ethnicity_field()
    group = SelectField(_l("Nhóm"), choices=[("", "—")] + _choices(labels.CLUB_GROUPS), default="")
    guardian_name = StringField(_l("Họ tên cha mẹ hoặc người giám hộ"), [DataRequired(REQUIRED), _long(200)])
    guardian_relation = StringField(_l("Quan hệ với trẻ"), [DataRequired(REQUIRED), _long(60)],
                                    description=_l("Ví dụ: mẹ, bố, bà"))
    consent_on = _date(_l("Ngày đồng ý"), required=True)
    guardian_consents = BooleanField(_l("Cha mẹ hoặc người giám hộ đã đồng ý cho trẻ tham gia và cho ghi các thông tin "
                                        "trên"), default=False)


class LeaveForm(BaseForm):
    left_on = _date(_l("Ngày"), required=True)


class CloseForm(BaseForm):
    status = SelectField(_l("Trạng thái mới"), choices=[("merged", labels.STATUSES[labels.GroupStatus.merged]),
                                                        ("dissolved", labels.STATUSES[labels.GroupStatus.dissolved])])
    status_date = _date(_l("Ngày"), required=True)


class SupportForm(BaseForm):
    month = StringField(_l("Tháng (mm/yyyy)"), [DataRequired(REQUIRED), _long(7)])
    kind = SelectField(_l("Hình thức hỗ trợ"), choices=_choices(labels.SUPPORT_KINDS))
    count = IntegerField(_l("Số lượt"), [InputRequired(REQUIRED), NumberRange(0, 10000)])


@official_text
class TopicForm(BaseForm):
    name = StringField(_l("Chủ đề"), [DataRequired(REQUIRED), _long(200)])


class ImportForm(BaseForm):
    file = FileField(_l("Tệp Excel (.xlsx)"))
