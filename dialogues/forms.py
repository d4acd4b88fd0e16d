"""Forms of the dialogue screens, and their conversion to the services' input rows.

Rows of leaders, groups, questions and commitments are WTForms FieldLists: the "thêm dòng"
buttons re-render the bound form with one more blank row, so nothing typed is lost and no
JavaScript is needed.
"""
from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, FormField, HiddenField, IntegerField, SelectField,
                     StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app import ethnicities
from app.forms import REQUIRED, SEX_LABELS, BaseForm, DateField, PlainForm, official_text
from app.models import Sex
from dialogues import services
from dialogues.labels import LEVEL_LABELS, ORIGIN_LABELS, OUTCOME_LABELS, RAISER_LABELS, STATUS_LABELS, choices
from dialogues.models import GROUP_KINDS, AnswerOutcome, DialogueLevel, DialogueStatus, QuestionOrigin, RaiserKind

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]

def _long(n: int):
    return Length(max=n, message=_l("Không được dài quá %(max)d ký tự."))


def optional_int(value):
    if value is None or value == "":
        return None
    return int(value)


def optional_str(value):
    return value or None


def enum_of(enum_cls):
    def coerce(value):
        if value is None or value == "":
            return None
        return value if isinstance(value, enum_cls) else enum_cls(value)
    return coerce


def _id(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


COUNT = [Optional(), NumberRange(0, 1_000_000, _l("Hãy nhập một số từ 0 đến 1.000.000."))]


# --- dialogue ------------------------------------------------------------------------------

@official_text
class LeaderRowForm(PlainForm):
    name = StringField(_l("Họ tên"), [Optional(), _long(200)])
    title = StringField(_l("Chức vụ"), [Optional(), _long(200)])
    agency_id = SelectField(_l("Cơ quan"), coerce=optional_int, validate_choice=False)


@official_text
class GroupRowForm(PlainForm):
    kind = SelectField(_l("Thành phần"), choices=[("", "—")] + [(k, v) for k, v in GROUP_KINDS.items()],
                       validate_choice=False)  # an unknown value: refused by the service, beside the row
    label = StringField(_l("Chi tiết"), [Optional(), _long(200)])
    count = IntegerField(_l("Số người"), COUNT)


@official_text
class DialogueForm(BaseForm):
    token = HiddenField()
    revision = HiddenField()
    title = StringField(_l("Tên hội nghị"), [DataRequired(REQUIRED), _long(300)],
                        description=_l("Ví dụ: Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã "
                                       "với hội viên, phụ nữ"))
    level = SelectField(_l("Cấp đối thoại"), choices=choices(LEVEL_LABELS), coerce=enum_of(DialogueLevel),
                        default=DialogueLevel.commune)
    unit_id = SelectField(_l("Đơn vị tổ chức"), coerce=optional_int, validate_choice=False)
    venue_unit_id = SelectField(_l("Thôn, bản nơi tổ chức"), coerce=optional_int, validate_choice=False)
    held_on = DateField(_l("Ngày đối thoại"), [Optional()])
    start_time = TimeField(_l("Giờ bắt đầu"), [Optional()], format=TIME_FORMATS)
    end_time = TimeField(_l("Giờ kết thúc"), [Optional()], format=TIME_FORMATS)
    venue = StringField(_l("Địa điểm"), [Optional(), _long(300)])
    organiser = StringField(_l("Đơn vị tổ chức (tên ghi trong biên bản)"), [Optional(), _long(300)])
    co_organisers = TextAreaField(_l("Đơn vị phối hợp (mỗi dòng một đơn vị)"), [Optional(), _long(2000)],
                                  render_kw={"rows": 2})
    topics = TextAreaField(_l("Chủ đề đối thoại (mỗi dòng một chủ đề)"), [Optional(), _long(4000)],
                           render_kw={"rows": 3})
    chair_name = StringField(_l("Người chủ trì"), [Optional(), _long(200)])
    chair_position = StringField(_l("Chức vụ người chủ trì"), [Optional(), _long(200)])
    secretary_name = StringField(_l("Thư ký"), [Optional(), _long(200)])
    secretary_position = StringField(_l("Chức vụ thư ký"), [Optional(), _long(200)])
    leaders = FieldList(FormField(LeaderRowForm), min_entries=1, max_entries=60)
    attendance_total = IntegerField(_l("Tổng số người tham dự"), COUNT)
    attendance_women = IntegerField(_l("Số nữ"), COUNT)
    attendance_minority = IntegerField(_l("Số người dân tộc thiểu số"), COUNT)
    groups = FieldList(FormField(GroupRowForm), min_entries=1, max_entries=60)
    conclusions = TextAreaField(_l("Kết luận của người chủ trì"), [Optional(), _long(20000)], render_kw={"rows": 5})
    recipients = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi)"), [Optional(), _long(2000)], render_kw={"rows": 4},
                               description=_l("Để trống để dùng danh sách mặc định: Đảng ủy, HĐND, UBND; Hội LHPN "
                                              "cấp trên; các cơ quan có cam kết; Lưu: VT."))

    def set_choices(self, units, villages, agencies) -> None:
        self.unit_id.choices = units
        self.venue_unit_id.choices = [("", "—")] + villages
        for row in self.leaders:
            row.form.agency_id.choices = [("", "—")] + agencies
        self._agencies = agencies

    def add_row(self, name: str) -> bool:
        rows = getattr(self, name)
        if len(rows.entries) >= rows.max_entries:
            return False
        rows.append_entry()
        self.set_choices(self.unit_id.choices, self.venue_unit_id.choices[1:], self._agencies)
        return True

    def to_data(self) -> services.DialogueData:
        return services.DialogueData(
            title=self.title.data or "", level=self.level.data or DialogueLevel.commune, unit_id=self.unit_id.data,
            held_on=self.held_on.data, venue_unit_id=self.venue_unit_id.data, start_time=self.start_time.data,
            end_time=self.end_time.data, venue=self.venue.data or "", organiser=self.organiser.data or "",
            co_organisers=self.co_organisers.data or "", topics=self.topics.data or "",
            chair_name=self.chair_name.data or "", chair_position=self.chair_position.data or "",
            secretary_name=self.secretary_name.data or "", secretary_position=self.secretary_position.data or "",
            attendance_total=self.attendance_total.data, attendance_women=self.attendance_women.data,
            attendance_minority=self.attendance_minority.data, conclusions=self.conclusions.data or "",
            recipients=self.recipients.data or "",
            leaders=[services.LeaderData(r.form.name.data or "", r.form.title.data or "", r.form.agency_id.data)
                     for r in self.leaders],
            groups=[services.GroupData(r.form.label.data or "", r.form.count.data, r.form.kind.data or None)
                    for r in self.groups],
        )

    @staticmethod
    def data_of(dialogue) -> dict:
        """Initial data of the edit form."""
        fields = ("title", "level", "unit_id", "venue_unit_id", "held_on", "start_time", "end_time", "venue",
                  "organiser", "co_organisers", "topics", "chair_name", "chair_position", "secretary_name",
                  "secretary_position", "attendance_total", "attendance_women", "attendance_minority",
                  "conclusions", "recipients", "revision")
        data = {name: getattr(dialogue, name) for name in fields}
        data["leaders"] = [{"name": r.name, "title": r.title, "agency_id": r.agency_id}
                           for r in dialogue.leaders] or [{}]
        data["groups"] = [{"kind": r.kind, "label": r.label, "count": r.count} for r in dialogue.groups] or [{}]
        return data


def new_token() -> str:
    return uuid.uuid4().hex


# --- questions entry -------------------------------------------------------------------------

@official_text
class CommitmentRowForm(PlainForm):
    id = HiddenField()
    agency_id = SelectField(_l("Cơ quan thực hiện"), coerce=optional_int, validate_choice=False)
    responsible_person = StringField(_l("Người phụ trách (nếu có)"), [Optional(), _long(200)])
    description = TextAreaField(_l("Nội dung cam kết"), [Optional(), _long(5000)], render_kw={"rows": 2})
    deadline = DateField(_l("Thời hạn"), [Optional()])
    delete = BooleanField(_l("Xóa cam kết này"))


@official_text
class QuestionRowForm(PlainForm):
    id = HiddenField()
    number = IntegerField(_l("Số thứ tự"), [Optional(), NumberRange(1, 9999, _l("Số thứ tự phải từ 1 đến 9999."))])
    origin = SelectField(_l("Nguồn"), choices=choices(ORIGIN_LABELS), coerce=enum_of(QuestionOrigin),
                         default=QuestionOrigin.on_day)
    is_raised = BooleanField(_l("Đã nêu tại hội nghị"), default=True)
    raiser_kind = SelectField(_l("Người nêu"), choices=choices(RAISER_LABELS), coerce=enum_of(RaiserKind),
                              default=RaiserKind.person)
    raiser_name = StringField(_l("Họ tên hoặc tên nhóm"), [Optional(), _long(200)])
    person_code = StringField(_l("Mã người tham gia (nếu có)"), [Optional(), _long(40)])
    raiser_sex = SelectField(_l("Giới tính"), coerce=enum_of(Sex),
                             choices=[("", "—")] + [(s.value, label) for s, label in SEX_LABELS.items()])
    ethnicity_code = SelectField(_l("Dân tộc"), choices=[("", "—")] + ethnicities.choices(), coerce=optional_str)
    village_id = SelectField(_l("Thôn, bản"), coerce=optional_int, validate_choice=False)
    content = TextAreaField(_l("Nội dung ý kiến, kiến nghị"), [Optional(), _long(10000)], render_kw={"rows": 3})
    category_id = SelectField(_l("Lĩnh vực"), coerce=optional_int, validate_choice=False)
    agency_id = SelectField(_l("Gửi tới cơ quan"), coerce=optional_int, validate_choice=False)
    answerer_pick = SelectField(_l("Người trả lời"), coerce=optional_int, validate_choice=False)
    answerer_name = StringField(_l("Họ tên người trả lời"), [Optional(), _long(200)])
    answerer_title = StringField(_l("Chức vụ người trả lời"), [Optional(), _long(200)])
    answerer_agency_id = SelectField(_l("Cơ quan của người trả lời"), coerce=optional_int, validate_choice=False)
    answer = TextAreaField(_l("Nội dung trả lời"), [Optional(), _long(10000)], render_kw={"rows": 3})
    outcome = SelectField(_l("Kết quả tại hội nghị"), coerce=enum_of(AnswerOutcome),
                          choices=choices(OUTCOME_LABELS, blank="—"))
    forwarded_agency_id = SelectField(_l("Chuyển bằng văn bản tới cơ quan"), coerce=optional_int, validate_choice=False)
    forward_document = StringField(_l("Văn bản chuyển (số, ngày)"), [Optional(), _long(300)])
    forward_letter_number = StringField(_l("Số văn bản chuyển"), [Optional(), _long(100)])
    forward_letter_date = DateField(_l("Ngày văn bản chuyển"), [Optional()])
    forward_deadline = DateField(_l("Thời hạn trả lời của cơ quan nhận"), [Optional()],
                                 description=_l("Để trống: 30 ngày kể từ ngày đối thoại."))
    repeat_of_id = IntegerField(_l("Nhắc lại ý kiến trước (mã số)"),
                                [Optional(), NumberRange(1, 2**31 - 1, _l("Mã ý kiến không hợp lệ."))],
                                description=_l("Nếu ý kiến này đã được nêu ở cuộc đối thoại trước: mã của ý kiến đó "
                                               "(xem “Ý kiến tương tự”)."))
    commitments = FieldList(FormField(CommitmentRowForm), min_entries=0, max_entries=services.questions.MAX_COMMITMENTS)
    delete = BooleanField(_l("Xóa ý kiến này"))


class EntryForm(BaseForm):
    revision = HiddenField()
    questions = FieldList(FormField(QuestionRowForm), min_entries=1, max_entries=services.questions.MAX_QUESTIONS)

    def set_choices(self, *, villages, categories, agencies, higher_agencies, leaders=()) -> None:
        """``leaders``: the dialogue's leaders present, offered as the answerer (name, position and
        agency filled in from the pick)."""
        self._choices = dict(villages=villages, categories=categories, agencies=agencies,
                             higher_agencies=higher_agencies, leaders=leaders)
        self._leaders = {leader.id: leader for leader in leaders}
        blank = [("", "—")]
        pick = [("", _l("— Chọn trong lãnh đạo dự —"))] + [
            (leader.id, f"{leader.name} — {leader.title}" if leader.title else leader.name) for leader in leaders]
        for row in self.questions:
            f = row.form
            f.answerer_pick.choices = pick
            f.village_id.choices = blank + villages
            f.category_id.choices = blank + categories
            f.agency_id.choices = f.answerer_agency_id.choices = blank + agencies
            f.forwarded_agency_id.choices = blank + higher_agencies
            for c in f.commitments:
                c.form.agency_id.choices = blank + agencies

    def add_question(self, defaults: dict) -> bool:
        if len(self.questions.entries) >= self.questions.max_entries:
            return False
        self.questions.append_entry(defaults)
        self.set_choices(**self._choices)
        return True

    def add_commitment(self, index: int) -> bool:
        if not 0 <= index < len(self.questions.entries):
            return False
        commitments = self.questions[index].form.commitments
        if len(commitments.entries) >= services.questions.MAX_COMMITMENTS:
            return False
        commitments.append_entry({"agency_id": self.last_commitment_agency()})
        self.set_choices(**self._choices)
        return True

    def last_commitment_agency(self) -> int | None:
        """The agency of the last commitment typed on the page: offered on the next one."""
        agencies = [c.form.agency_id.data for q in self.questions for c in q.form.commitments
                    if c.form.agency_id.data and not c.form.agency_id.errors]
        return agencies[-1] if agencies else None

    def fill_answerers(self) -> None:
        """A leader picked as the answerer fills the name, position and agency left empty."""
        for entry in self.questions:
            f = entry.form
            leader = getattr(self, "_leaders", {}).get(f.answerer_pick.data)
            if leader is None:
                continue
            f.answerer_name.data = f.answerer_name.data or leader.name
            f.answerer_title.data = f.answerer_title.data or leader.title
            f.answerer_agency_id.data = f.answerer_agency_id.data or leader.agency_id

    def error_list(self) -> list[tuple[str, str, str]]:
        """(field id, where, message) of every error on the page, in page order."""
        found = []
        for entry in self.questions:
            f = entry.form
            where = _l("Ý kiến %(n)s", n=f.number.data or entry.id.rsplit("-", 1)[-1])
            for field in f:
                if field.type == "FieldList":
                    for c_no, c in enumerate(field, start=1):
                        for sub in c.form:
                            found += [(sub.id, str(_l("%(where)s, cam kết %(n)d", where=where, n=c_no)) + " — "
                                       + str(sub.label.text), e) for e in sub.errors]
                    continue
                found += [(field.id, f"{where} — {field.label.text}", e) for e in field.errors if field.type != "HiddenField"]
        return found

    def to_rows(self) -> list[services.QuestionRow]:
        rows = []
        for entry in self.questions:
            f = entry.form
            rows.append(services.QuestionRow(
                id=_id(f.id.data), number=f.number.data, origin=f.origin.data or QuestionOrigin.on_day,
                is_raised=bool(f.is_raised.data), raiser_kind=f.raiser_kind.data or RaiserKind.person,
                raiser_name=f.raiser_name.data or "", person_code=f.person_code.data or "",
                raiser_sex=f.raiser_sex.data, ethnicity_code=f.ethnicity_code.data or None,
                village_id=f.village_id.data, content=f.content.data or "", category_id=f.category_id.data,
                agency_id=f.agency_id.data, answerer_name=f.answerer_name.data or "",
                answerer_title=f.answerer_title.data or "", answerer_agency_id=f.answerer_agency_id.data,
                answer=f.answer.data or "", outcome=f.outcome.data, forwarded_agency_id=f.forwarded_agency_id.data,
                forward_document=f.forward_document.data or "", delete=bool(f.delete.data),
                repeat_of_id=None if f.repeat_of_id.errors else f.repeat_of_id.data,
                forward_letter_number=f.forward_letter_number.data or "",
                forward_letter_date=f.forward_letter_date.data, forward_deadline=f.forward_deadline.data,
                commitments=[services.CommitmentRow(
                    id=_id(c.form.id.data), agency_id=c.form.agency_id.data,
                    responsible_person=c.form.responsible_person.data or "",
                    description=c.form.description.data or "", deadline=c.form.deadline.data,
                    delete=bool(c.form.delete.data)) for c in f.commitments]))
        return rows

    @staticmethod
    def row_of(question) -> dict:
        """Initial data of one row from a stored question."""
        answer = question.answer
        row = {name: getattr(question, name) for name in (
            "id", "number", "origin", "is_raised", "raiser_kind", "raiser_name", "raiser_sex", "village_id",
            "content", "category_id", "agency_id", "repeat_of_id")}
        row["ethnicity_code"] = question.raiser_ethnicity_code or ""
        person = question.person if question.person and not question.person.erased_dt else None
        row["person_code"] = person.code if person else ""
        row["raiser_name"] = question.raiser_label
        if answer is not None:
            leader = next((leader for leader in question.dialogue.leaders
                           if answer.answerer_name and leader.name == answer.answerer_name), None)
            row["answerer_pick"] = leader.id if leader else None
            row.update(answerer_name=answer.answerer_name, answerer_title=answer.answerer_title,
                       answerer_agency_id=answer.answerer_agency_id, answer=answer.content, outcome=answer.outcome,
                       forwarded_agency_id=answer.forwarded_agency_id, forward_document=answer.forward_document)
        if (petition := question.petition) is not None:
            row.update(forward_letter_number=petition.letter_number, forward_letter_date=petition.letter_date,
                       forward_deadline=petition.deadline)
        row["commitments"] = [{"id": c.id, "agency_id": c.agency_id, "responsible_person": c.responsible_person,
                               "description": c.description, "deadline": c.deadline} for c in question.commitments]
        return row


# --- actions -------------------------------------------------------------------------------

@official_text
class NoteForm(BaseForm):
    note = TextAreaField(_l("Ghi chú (nếu có)"), [Optional(), _long(2000)], render_kw={"rows": 2})


@official_text
class AddendumForm(BaseForm):
    token = HiddenField()
    written_on = DateField(_l("Ngày đính chính"), [Optional()])
    text = TextAreaField(_l("Nội dung đính chính, bổ sung"), [DataRequired(REQUIRED), _long(5000)],
                         render_kw={"rows": 3})


@official_text
class HeaderForm(BaseForm):
    parent_body = StringField(_l("Cơ quan cấp trên (dòng 1, góc trái)"), [Optional(), _long(200)])
    issuing_body = StringField(_l("Cơ quan ban hành (dòng 2, in đậm)"), [DataRequired(REQUIRED), _long(200)])
    number_suffix = StringField(_l("Ký hiệu biên bản"), [DataRequired(REQUIRED), _long(60)],
                                description=_l("Phần sau số: “Số: 05/BB-HLHPN” có ký hiệu BB-HLHPN."))
    place_name = StringField(_l("Địa danh ghi ở dòng ngày tháng"), [DataRequired(REQUIRED), _long(100)])


@official_text
class CategoryForm(BaseForm):
    name = StringField(_l("Tên lĩnh vực"), [DataRequired(REQUIRED), _long(200)])
    is_active = BooleanField(_l("Đang dùng"), default=True)


def _no_spaces(value):
    """A pasted hash or code keeps no spaces or line breaks (copied from a PDF, a chat)."""
    return "".join(value.split()) if isinstance(value, str) else value


class VerifyForm(BaseForm):
    file = FileField(_l("Tệp PDF biên bản cần kiểm tra"))
    sha256 = StringField(_l("Hoặc mã SHA-256 của tệp"), [Optional(), _long(64)], filters=[_no_spaces])


class CheckForm(BaseForm):
    """The public check page: a code printed on the document, or the file itself."""
    code = StringField(_l("Mã xác thực in trên văn bản"), [Optional(), _long(40)], filters=[_no_spaces],
                       description=_l("Ví dụ: K7QF2-M9XHD (in cạnh mã QR, cuối văn bản)."))
    file = FileField(_l("Hoặc tải lên tệp PDF nhận được"))


class RosterForm(BaseForm):
    person_codes = TextAreaField(_l("Thêm theo mã người tham gia (mỗi dòng một mã)"), [Optional(), _long(5000)],
                                 render_kw={"rows": 3})


class DialogueFilterForm(PlainForm):
    """Filters of the list page (GET, no CSRF)."""

    unit_id = SelectField(_l("Đơn vị"), coerce=optional_int, validate_choice=False)
    date_from = DateField(_l("Từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])
    status = SelectField(_l("Trạng thái"), coerce=enum_of(DialogueStatus), choices=choices(STATUS_LABELS, "—"))
    q = StringField(_l("Tìm trong tên, chủ đề, ý kiến"), [Optional(), _long(100)])
    category_id = SelectField(_l("Lĩnh vực"), coerce=optional_int, validate_choice=False)
    # The indicators dashboard's scope: held or approved (its drill-down links tick it).
    counted = BooleanField(_l("Chỉ cuộc đã tổ chức (như bảng chỉ số)"))


class QuestionFilterForm(PlainForm):

    q = StringField(_l("Tìm trong nội dung ý kiến và trả lời"), [Optional(), _long(100)])
    category_id = SelectField(_l("Lĩnh vực"), coerce=optional_int, validate_choice=False)
    outcome = SelectField(_l("Kết quả tại hội nghị"), coerce=enum_of(AnswerOutcome),
                          choices=choices(OUTCOME_LABELS, "—"))
    # The indicators dashboard's scope: raised at a held or approved dialogue.
    counted = BooleanField(_l("Chỉ ý kiến đã nêu tại cuộc đã tổ chức (như bảng chỉ số)"))
    repeated = BooleanField(_l("Chỉ ý kiến nhắc lại"))
    unit_id = SelectField(_l("Đơn vị"), coerce=optional_int, validate_choice=False)
    date_from = DateField(_l("Từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])
