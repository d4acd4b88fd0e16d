"""Forms of the follow-up screens. Each write form carries a hidden token, so a resubmitted
form finds the event it already made instead of recording it twice."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import REQUIRED
from dialogues.services.evidence import ACCEPT
from app.forms import BaseForm, DateField, PlainForm, official_text
from dialogues.forms import enum_of, new_token, optional_int
from dialogues.labels import COMMITMENT_STATUS_LABELS, PETITION_STATUS_LABELS, choices, commitment_status
from dialogues.models import Commitment, CommitmentStatus


def _long(n: int):
    return Length(max=n, message=_l("Không được dài quá %(max)d ký tự."))


class _TokenForm(BaseForm):
    token = HiddenField()

    @classmethod
    def fresh(cls, **data):
        """An unbound form with a new token (for the page that shows it)."""
        return cls(formdata=None, data={"token": new_token(), **data})


@official_text
class UpdateForm(_TokenForm):
    # Any status is accepted here; the model refuses a transition it does not allow, with the reason.
    status = SelectField(_l("Trạng thái mới"), coerce=enum_of(CommitmentStatus), validate_choice=False)
    note = TextAreaField(_l("Nội dung cập nhật"), [Optional(), _long(5000)], render_kw={"rows": 3},
                         description=_l("Đã làm gì, kết quả ra sao; bắt buộc khi không thể thực hiện (ghi lý do)."))
    file = FileField(_l("Tệp minh chứng (nếu có)"), render_kw={"accept": ACCEPT},
                     description=_l("PDF, ảnh (PNG, JPEG, GIF, WebP) hoặc văn bản (docx, xlsx, odt, ods)."))

    def set_choices(self, commitment: Commitment) -> None:
        allowed = [s for s in CommitmentStatus if commitment.can_move_to(s) and s is not CommitmentStatus.forwarded]
        self.status.choices = [("", _l("— Giữ nguyên —"))] + [(s.value, commitment_status(commitment, s))
                                                                for s in allowed]


@official_text
class ForwardForm(_TokenForm):
    agency_id = SelectField(_l("Chuyển cho cơ quan"), coerce=optional_int, validate_choice=False)
    deadline = DateField(_l("Thời hạn cho cơ quan nhận"), [Optional()],
                         description=_l("Để trống: giữ thời hạn hiện tại (hoặc hôm nay nếu đã qua)."))
    note = TextAreaField(_l("Lý do, văn bản chuyển"), [Optional(), _long(5000)], render_kw={"rows": 2})


@official_text
class ExtendForm(_TokenForm):
    deadline = DateField(_l("Thời hạn mới"), [Optional()])
    reason = TextAreaField(_l("Lý do gia hạn"), [DataRequired(REQUIRED), _long(5000)], render_kw={"rows": 2},
                           description=_l("Căn cứ gia hạn, ví dụ văn bản của cấp có thẩm quyền."))


@official_text  # the letter's number is printed in the minutes and the reports
class LetterForm(_TokenForm):
    """A petition's forwarding letter, entered after the meeting (by the forwarding union)."""

    letter_number = StringField(_l("Số văn bản chuyển"), [Optional(), _long(100)],
                                description=_l("Ví dụ: 45/UBND-VP"))
    letter_date = DateField(_l("Ngày văn bản chuyển"), [Optional()])
    deadline = DateField(_l("Thời hạn trả lời của cơ quan nhận"), [Optional()],
                         description=_l("Để trống: giữ thời hạn hiện tại."))
    note = TextAreaField(_l("Ghi chú (nếu có)"), [Optional(), _long(5000)], render_kw={"rows": 2})

    @classmethod
    def of(cls, commitment: Commitment) -> "LetterForm":
        return cls.fresh(letter_number=commitment.letter_number, letter_date=commitment.letter_date,
                         deadline=commitment.deadline)


@official_text
class ReopenForm(_TokenForm):
    reason = TextAreaField(_l("Lý do mở lại"), [DataRequired(REQUIRED), _long(5000)], render_kw={"rows": 2})


@official_text
class WithdrawForm(_TokenForm):
    reason = StringField(_l("Lý do rút tệp"), [DataRequired(REQUIRED), _long(500)],
                         description=_l("Ví dụ: đính kèm nhầm tệp. Tệp vẫn lưu trong lịch sử, ghi là đã rút."))


class CommitmentFilterForm(PlainForm):
    """Filters of the workspace (GET, no CSRF)."""

    q = StringField(_l("Tìm trong nội dung"), [Optional(), _long(100)])
    status = SelectField(_l("Trạng thái"), coerce=enum_of(CommitmentStatus),
                         choices=choices(COMMITMENT_STATUS_LABELS, "—"))
    agency_id = SelectField(_l("Cơ quan"), coerce=optional_int, validate_choice=False)
    category_id = SelectField(_l("Lĩnh vực"), coerce=optional_int, validate_choice=False)
    unit_id = SelectField(_l("Đơn vị"), coerce=optional_int, validate_choice=False)
    overdue = BooleanField(_l("Chỉ cam kết quá hạn"))
    counted = BooleanField(_l("Gồm cả biên bản đã tổ chức chưa duyệt (như bảng chỉ số)"))
    kind = SelectField(_l("Loại"), choices=[("", "—"), ("commitment", _l("Cam kết tại hội nghị")),
                                            ("petition", _l("Kiến nghị chuyển bằng văn bản"))], validate_choice=True)
    followed = BooleanField(_l("Chỉ nơi đang theo dõi (không tính bản đã chuyển tiếp đi)"))
    minutes_only = BooleanField(_l("Chỉ cam kết ghi trong biên bản (không tính bản chuyển tiếp)"))
    date_from = DateField(_l("Đối thoại từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])

    def word_statuses_for_kind(self) -> None:
        """A list of forwarded petitions offers their statuses in the petitions' wording."""
        if self.kind.data == "petition":
            self.status.choices = choices(PETITION_STATUS_LABELS, "—")


class IndicatorsForm(PlainForm):

    unit_id = SelectField(_l("Đơn vị"), coerce=optional_int, validate_choice=False)
    date_from = DateField(_l("Từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])
