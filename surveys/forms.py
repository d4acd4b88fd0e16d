"""Forms of the survey screens. Labels use lazy_gettext: they are defined at import time.
Forms check shape (required, lengths, types); the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import BaseForm, DateField, official_text
from app.forms import REQUIRED, ethnicity_field, sex_field
from surveys.models import QuestionKind

KIND_LABELS = {
    QuestionKind.single: _l("Một lựa chọn"),
    QuestionKind.multi: _l("Nhiều lựa chọn"),
    QuestionKind.truefalse: _l("Đúng / Sai"),
    QuestionKind.likert: _l("Thang thái độ (không chấm điểm)"),
    QuestionKind.text: _l("Trả lời ngắn (không chấm điểm)"),
}


def _long(n: int):
    return Length(max=n, message=_l("Không được dài quá %(max)d ký tự."))


@official_text
class TopicForm(BaseForm):
    name = StringField(_l("Tên chủ đề"), [DataRequired(REQUIRED), _long(200)])
    is_active = BooleanField(_l("Đang dùng"), default=True)


@official_text
class QuestionForm(BaseForm):
    topic_id = SelectField(_l("Chủ đề"), coerce=int, validators=[DataRequired(REQUIRED)])
    text = TextAreaField(_l("Nội dung câu hỏi"), [DataRequired(REQUIRED), _long(1000)])
    kind = SelectField(_l("Loại câu hỏi"), choices=[(k.value, label) for k, label in KIND_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])
    options = TextAreaField(_l("Các lựa chọn (mỗi dòng một lựa chọn)"), [Optional(), _long(3000)],
                            description=_l("Câu Đúng/Sai và thang thái độ có sẵn lựa chọn nếu để trống."))
    correct = StringField(_l("Đáp án đúng (số thứ tự, ví dụ 2 hoặc 1,3)"), [Optional(), _long(40)])
    points = IntegerField(_l("Điểm"), [Optional(), NumberRange(1, 100, _l("Điểm phải là số nguyên từ 1 đến 100."))],
                          default=1)
    has_dont_know = BooleanField(_l("Thêm lựa chọn “Không biết” (tính là sai, thống kê riêng)"))


@official_text
class InstrumentForm(BaseForm):
    title = StringField(_l("Tên bài kiểm tra"), [DataRequired(REQUIRED), _long(300)])
    topic_id = SelectField(_l("Chủ đề"), coerce=int, validators=[DataRequired(REQUIRED)])
    shuffle_options = BooleanField(_l("Đảo thứ tự lựa chọn cho mỗi người (chỉ trên điện thoại)"))


@official_text
class TrainingForm(BaseForm):
    title = StringField(_l("Tên lớp tập huấn"), [DataRequired(REQUIRED), _long(300)])
    topic_id = SelectField(_l("Chủ đề"), coerce=int, validators=[DataRequired(REQUIRED)])
    unit_id = SelectField(_l("Địa bàn (tỉnh, xã, thôn)"), coerce=int, validators=[InputRequired(REQUIRED)])
    instrument_id = SelectField(_l("Bài kiểm tra trước và sau"), coerce=int, validators=[DataRequired(REQUIRED)])
    start_date = DateField(_l("Ngày bắt đầu"), [InputRequired(REQUIRED)])
    end_date = DateField(_l("Ngày kết thúc"), [Optional()])
    venue = StringField(_l("Địa điểm"), [Optional(), _long(300)])
    trainers = StringField(_l("Giảng viên"), [Optional(), _long(300)])
    one_question_per_screen = BooleanField(_l("Trên điện thoại: mỗi màn hình một câu hỏi"))
    show_results_after_post = BooleanField(_l("Sau khi gửi bài sau tập huấn, người học xem được điểm và đáp án đúng"))


@official_text
class ParticipantForm(BaseForm):
    """Add one person: by an existing code, or by details (matched before a new person is made)."""
    code = StringField(_l("Mã người tham gia"), [Optional(), _long(40)],
                       description=_l("Người đã có: chỉ cần nhập mã. Người mới: nhập họ tên và các thông tin dưới."))
    full_name = StringField(_l("Họ tên"), [Optional(), _long(200)])
    sex = sex_field()
    birth_year = IntegerField(_l("Năm sinh"), [Optional(), NumberRange(1900, 2100, _l("Năm sinh không hợp lệ."))])
    ethnicity_code = ethnicity_field()
    unit_id = SelectField(_l("Nơi ở (thôn, bản)"), coerce=int, validators=[Optional()])
    consent = BooleanField(_l("Người này đồng ý cho lưu thông tin cá nhân để theo dõi tập huấn"), default=False)


class UploadForm(BaseForm):
    file = FileField(_l("Tệp Excel (.xlsx)"))


class ImportTrainingForm(UploadForm):
    unit_id = SelectField(_l("Địa bàn (tỉnh, xã, thôn)"), coerce=int, validators=[InputRequired(REQUIRED)])
