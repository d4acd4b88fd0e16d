"""Writes on the questions of a dialogue, typed in meeting order with their answers and
commitments (the entry screen, the CLI and the demo all come through here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import ethnicities
from app.extensions import db
from app.models import Sex, UnitLevel, User, utcnow
from app.services import ServiceError, people_by_codes, unknown_codes_message
from dialogues.models import (DialogueAnswer, AnswerOutcome, Commitment, Dialogue, DialogueQuestion, QuestionCategory,
                              QuestionOrigin, RaiserKind)
from dialogues.services._checks import agency_for, clean_text, village_for
from dialogues.services.dialogues import flush_guarded

MAX_QUESTIONS = 300
MAX_COMMITMENTS = 20  # per question
# The answer a receiving agency owes a petition forwarded in writing, when none was typed.
PETITION_DEFAULT_DAYS = 30
# Numbers are moved out of the way first so a swap (1 <-> 2) never meets the unique constraint.
RENUMBER_OFFSET = 1_000_000


@dataclass
class CommitmentRow:
    id: int | None = None
    agency_id: int | None = None
    responsible_person: str = ""
    description: str = ""
    deadline: date | None = None
    delete: bool = False

    def is_blank(self) -> bool:
        return (self.id is None and self.agency_id is None and not (self.description or "").strip()
                and not (self.responsible_person or "").strip() and self.deadline is None)


@dataclass
class QuestionRow:
    id: int | None = None
    number: int | None = None
    origin: QuestionOrigin = QuestionOrigin.on_day
    is_raised: bool = True
    raiser_kind: RaiserKind = RaiserKind.person
    raiser_name: str = ""
    person_code: str = ""
    raiser_sex: Sex | None = None
    ethnicity_code: str | None = None
    village_id: int | None = None
    content: str = ""
    category_id: int | None = None
    agency_id: int | None = None
    answerer_name: str = ""
    answerer_title: str = ""
    answerer_agency_id: int | None = None
    answer: str = ""
    outcome: AnswerOutcome | None = None
    forwarded_agency_id: int | None = None
    forward_document: str = ""
    repeat_of_id: int | None = None  # "nhắc lại": the earlier question of the unit raised again
    # A petition forwarded in writing: the letter and the deadline the receiving agency is given.
    forward_letter_number: str = ""
    forward_letter_date: date | None = None
    forward_deadline: date | None = None
    commitments: list[CommitmentRow] = field(default_factory=list)
    delete: bool = False

    def is_blank(self) -> bool:
        """A new row nobody typed into (the spare rows of the entry screen)."""
        texts = (self.raiser_name, self.person_code, self.content, self.answerer_name, self.answerer_title,
                 self.answer, self.forward_document, self.forward_letter_number)
        ids = (self.category_id, self.agency_id, self.answerer_agency_id, self.forwarded_agency_id, self.village_id,
               self.repeat_of_id, self.forward_letter_date, self.forward_deadline,
               self.outcome, self.raiser_sex, self.ethnicity_code)
        return (self.id is None and not any((t or "").strip() for t in texts) and all(v is None or v == "" for v in ids)
                and all(c.is_blank() for c in self.commitments))


def _label(row: QuestionRow, index: int) -> str:
    return str(row.number) if row.number else str(index + 1)


def _check_row(dialogue: Dialogue, row: QuestionRow, i: int, existing: dict[int, DialogueQuestion]) -> dict:
    """Validate one row; returns the values to write. Field names match the entry form."""
    unit = dialogue.unit
    f = f"questions-{i}-"
    n = _label(row, i)
    if row.id is not None and row.id not in existing:
        raise ServiceError(_("Ý kiến số %(n)s không thuộc cuộc đối thoại này.", n=n), f + "content")
    content = clean_text(row.content, 10000, f + "content", _("nội dung ý kiến"))
    if not content:
        raise ServiceError(_("Nội dung ý kiến số %(n)s đang để trống. Hãy nhập nội dung hoặc xóa dòng này.", n=n),
                           f + "content")
    if row.number is not None and not 0 < row.number <= 9999:
        raise ServiceError(_("Số thứ tự ý kiến phải từ 1 đến 9999."), f + "number")

    person = None
    code = (row.person_code or "").strip()
    if code and row.raiser_kind is RaiserKind.person:
        found, unknown = people_by_codes([code], None, within=unit)
        if unknown:
            raise ServiceError(unknown_codes_message(unknown, within=unit), f + "person_code")
        person = found[code[:40]]
    name = clean_text(row.raiser_name, 200, f + "raiser_name", _("tên người nêu ý kiến"))
    if row.raiser_kind is RaiserKind.person and not name and person is None:
        raise ServiceError(_("Ý kiến số %(n)s: nhập tên người nêu ý kiến, hoặc chọn “Ẩn danh”.", n=n),
                           f + "raiser_name")
    if row.raiser_kind is RaiserKind.group and not name:
        raise ServiceError(_("Ý kiến số %(n)s: nhập tên nhóm, chi hội nêu ý kiến.", n=n), f + "raiser_name")
    if row.raiser_kind is RaiserKind.anonymous:
        name = ""
    ethnicity = row.ethnicity_code or None
    if ethnicity and not ethnicities.name_of(ethnicity):
        raise ServiceError(_("Dân tộc không hợp lệ."), f + "ethnicity_code")
    village = village_for(row.village_id, unit, f + "village_id")

    category = None
    if row.category_id is not None:
        category = db.session.get(QuestionCategory, row.category_id)
        if category is None or not category.is_active:
            raise ServiceError(_("Lĩnh vực không có trong danh sách."), f + "category_id")

    values = dict(
        number=row.number, origin=row.origin,
        is_raised=True if row.origin is QuestionOrigin.on_day else bool(row.is_raised),
        # A registered person's name is read from the register, so erasing the person erases it here too.
        raiser_kind=row.raiser_kind, raiser_name="" if person else name, person=person,
        raiser_sex=row.raiser_sex or (person.sex if person else None),
        raiser_ethnicity_code=ethnicity or (person.ethnicity_code if person else None),
        village=village or (person.unit if person and person.unit.level is UnitLevel.village else None),
        content=content, category=category,
        agency=agency_for(row.agency_id, unit, f + "agency_id"),
    )
    values["raiser_ethnicity_system"] = ethnicities.DEFAULT_SYSTEM if values["raiser_ethnicity_code"] else None
    if row.raiser_kind is not RaiserKind.person:
        values["person"] = None
    values["repeat_of"] = _check_repeat(dialogue, row, f, n)
    values["answer"] = _check_answer(dialogue, row, f, n)
    values["petition"] = _check_petition(dialogue, row, f, n, content)
    values["commitments"] = _check_commitments(dialogue, row, f, n, existing.get(row.id))
    if values["answer"] is not None or values["commitments"]["kept"]:
        values["is_raised"] = True  # answered or promised at the meeting: it was raised there
    return values


def _check_repeat(dialogue: Dialogue, row: QuestionRow, f: str, n: str) -> DialogueQuestion | None:
    """The earlier question this one raises again: of the same organising unit, another dialogue
    held on or before this one."""
    from dialogues.similar import earlier_questions

    if row.repeat_of_id is None:
        return None
    earlier = db.session.scalar(sa.select(DialogueQuestion).where(DialogueQuestion.id == row.repeat_of_id,
                                                                  earlier_questions(dialogue)))
    if earlier is None:
        raise ServiceError(_("Ý kiến số %(n)s: mã %(id)d không phải ý kiến của một cuộc đối thoại trước của đơn vị "
                             "này.", n=n, id=row.repeat_of_id), f + "repeat_of_id")
    return earlier


def _check_answer(dialogue: Dialogue, row: QuestionRow, f: str, n: str) -> dict | None:
    unit = dialogue.unit
    answer = clean_text(row.answer, 10000, f + "answer", _("nội dung trả lời"))
    answerer = clean_text(row.answerer_name, 200, f + "answerer_name", _("tên người trả lời"))
    title = clean_text(row.answerer_title, 200, f + "answerer_title", _("chức vụ người trả lời"))
    document = clean_text(row.forward_document, 300, f + "forward_document", _("văn bản chuyển"))
    if row.outcome is None:
        if answer or answerer or row.forwarded_agency_id is not None:
            raise ServiceError(_("Ý kiến số %(n)s: chọn kết quả tại hội nghị (trả lời tại chỗ, tiếp thu, "
                                 "chuyển cấp trên hoặc ghi nhận).", n=n), f + "outcome")
        return None
    if row.outcome is AnswerOutcome.answered and not answer:
        raise ServiceError(_("Ý kiến số %(n)s được trả lời tại chỗ: hãy ghi nội dung trả lời.", n=n), f + "answer")
    forwarded = None
    if row.outcome is AnswerOutcome.forwarded:
        if row.forwarded_agency_id is None:
            raise ServiceError(_("Ý kiến số %(n)s chuyển cấp trên: hãy chọn cơ quan nhận.", n=n),
                               f + "forwarded_agency_id")
        forwarded = agency_for(row.forwarded_agency_id, unit, f + "forwarded_agency_id", same_or_higher=True)
    return dict(answerer_name=answerer, answerer_title=title, content=answer, outcome=row.outcome,
                answerer_agency=agency_for(row.answerer_agency_id, unit, f + "answerer_agency_id"),
                forwarded_agency=forwarded, forward_document=document if forwarded else "")


def _check_petition(dialogue: Dialogue, row: QuestionRow, f: str, n: str, content: str) -> dict | None:
    """A question forwarded in writing is followed at the receiving agency with a deadline (typed,
    or ``PETITION_DEFAULT_DAYS`` after the meeting, as the form says); the letter's number and
    date may follow, as long as the record is open."""
    if row.outcome is not AnswerOutcome.forwarded:
        return None
    number = clean_text(row.forward_letter_number, 100, f + "forward_letter_number", _("số văn bản chuyển"))
    if row.forward_letter_date is not None and row.forward_letter_date < dialogue.held_on:
        raise ServiceError(_("Ý kiến số %(n)s: ngày văn bản chuyển không thể trước ngày đối thoại.", n=n),
                           f + "forward_letter_date")
    deadline = row.forward_deadline or dialogue.held_on + timedelta(days=PETITION_DEFAULT_DAYS)
    if deadline < dialogue.held_on or deadline.year > dialogue.held_on.year + 10:
        raise ServiceError(_("Thời hạn trả lời (%(d)s) phải từ ngày đối thoại và trong vòng 10 năm.",
                             d=deadline.strftime("%d/%m/%Y")), f + "forward_deadline")
    return dict(letter_number=number, letter_date=row.forward_letter_date, deadline=deadline,
                original_deadline=deadline, description=content)


def _check_commitments(dialogue: Dialogue, row: QuestionRow, f: str, n: str, question: DialogueQuestion | None) -> list:
    own = {c.id: c for c in question.commitments} if question else {}
    kept, deleted = [], set()
    rows = [(j, c) for j, c in enumerate(row.commitments) if not c.is_blank()]
    if len(rows) > MAX_COMMITMENTS:
        raise ServiceError(_("Tối đa %(n)d cam kết cho một ý kiến.", n=MAX_COMMITMENTS), f + "content")
    for j, c in rows:
        g = f"{f}commitments-{j}-"
        if c.id is not None and c.id not in own:
            raise ServiceError(_("Cam kết không thuộc ý kiến số %(n)s.", n=n), g + "description")
        if c.delete:
            if c.id is not None:
                deleted.add(c.id)
            continue
        description = clean_text(c.description, 5000, g + "description", _("nội dung cam kết"))
        if not description:
            raise ServiceError(_("Ý kiến số %(n)s: ghi rõ nội dung cam kết sẽ làm gì.", n=n), g + "description")
        if c.agency_id is None:
            raise ServiceError(_("Ý kiến số %(n)s: chọn cơ quan chịu trách nhiệm thực hiện cam kết.", n=n),
                               g + "agency_id")
        if c.deadline is None:
            raise ServiceError(_("Ý kiến số %(n)s: nhập thời hạn thực hiện cam kết.", n=n), g + "deadline")
        if c.deadline < dialogue.held_on:
            raise ServiceError(_("Thời hạn cam kết (%(d)s) không thể trước ngày đối thoại.",
                                 d=c.deadline.strftime("%d/%m/%Y")), g + "deadline")
        if c.deadline.year > dialogue.held_on.year + 10:
            raise ServiceError(_("Thời hạn cam kết không hợp lệ."), g + "deadline")
        kept.append(dict(id=c.id, agency=agency_for(c.agency_id, dialogue.unit, g + "agency_id"),
                         responsible_person=clean_text(c.responsible_person, 200, g + "responsible_person",
                                                       _("người phụ trách")),
                         description=description, deadline=c.deadline, original_deadline=c.deadline))
    return {"kept": kept, "deleted": deleted}


class RowErrors(ServiceError):
    """Several rows refused at once; ``errors`` holds one ServiceError per wrong row (the first is
    also this error's own message and field)."""

    def __init__(self, errors: list[ServiceError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


def save_question_rows(dialogue: Dialogue, rows: list[QuestionRow], actor: User | None,
                       expected_revision: int | None = None) -> list[DialogueQuestion]:
    """Create, update or delete questions (with answers and commitments) from entry rows.

    Rows without ``id`` are new; blank new rows are skipped; questions not listed stay as they
    are. Everything is checked before anything is written.
    """
    dialogue.ensure_editable()
    if expected_revision is not None and expected_revision != dialogue.entry_revision:
        raise ServiceError(str(STALE_ENTRY), "revision")
    existing = {q.id: q for q in dialogue.questions}
    typed = [(i, row) for i, row in enumerate(rows) if not row.is_blank()]
    if len(existing) + sum(1 for _i, r in typed if r.id is None) > MAX_QUESTIONS:
        raise ServiceError(_("Một cuộc đối thoại có tối đa %(n)d ý kiến.", n=MAX_QUESTIONS), "questions")
    deleted = {row.id for _i, row in typed if row.delete and row.id is not None}
    checked, problems = [], []
    for i, row in typed:
        if row.delete:
            continue
        try:
            checked.append((i, row, _check_row(dialogue, row, i, existing)))
        except ServiceError as exc:  # every row is checked: the page reports all its errors at once
            problems.append(exc)
    if problems:
        raise RowErrors(problems)

    # Final numbers: typed ones kept, missing ones continue after the highest.
    numbers = {q.id: q.number for q in existing.values() if q.id not in deleted}
    next_number = max([v["number"] or 0 for _i, _r, v in checked] + list(numbers.values()) + [0]) + 1
    for i, row, values in checked:
        if values["number"] is None:
            values["number"] = next_number
            next_number += 1
    taken: dict[int, int] = {}  # number -> row index, or -1 for a question left untouched
    touched = {row.id for _i, row, _v in checked if row.id is not None}
    for qid, number in numbers.items():
        if qid not in touched:
            taken[number] = -1
    for i, row, values in checked:
        if values["number"] in taken:
            raise ServiceError(_("Số thứ tự %(n)d bị trùng; mỗi ý kiến cần một số riêng.", n=values["number"]),
                               f"questions-{i}-number")
        taken[values["number"]] = i

    # --- write -------------------------------------------------------------------------
    for qid in deleted:
        _apply_petition(existing[qid], None, None)
        dialogue.questions.remove(existing[qid])
    moved = [existing[row.id] for _i, row, values in checked
             if row.id is not None and existing[row.id].number != values["number"]]
    for question in moved:
        question.number += RENUMBER_OFFSET
    if moved or deleted:
        db.session.flush()
    saved = []
    for _i, row, values in checked:
        question = existing.get(row.id) if row.id is not None else None
        if question is None:
            question = DialogueQuestion(dialogue=dialogue)
            db.session.add(question)
        _apply_question(question, values)
        saved.append(question)
    flush_guarded()
    _bump_entry_revision(dialogue, expected_revision)
    return saved


STALE_ENTRY = _l("Các ý kiến của hội nghị này vừa được lưu ở một lần gửi khác (người khác đang nhập, hoặc bấm "
                 "Lưu hai lần). Dưới đây là các ý kiến đã lưu; các dòng bạn vừa gõ được giữ lại bên dưới, "
                 "chưa lưu: xem lại rồi bấm Lưu.")


def _bump_entry_revision(dialogue: Dialogue, expected: int | None) -> None:
    """Compare-and-set of the entry screen's counter, in SQL: two saves racing from the same page
    cannot both pass. It leaves the record form's ``revision`` (the ORM version counter) alone, so
    the two screens never refuse each other."""
    table = Dialogue.__table__
    where = table.c.id == dialogue.id
    if expected is not None:
        where = where & (table.c.entry_revision == expected)
    result = db.session.execute(sa.update(table).where(where).values(
        entry_revision=table.c.entry_revision + 1, updated_dt=utcnow()))
    if result.rowcount != 1:
        raise ServiceError(str(STALE_ENTRY), "revision")
    db.session.expire(dialogue, ["entry_revision", "updated_dt"])


def _apply_petition(question: DialogueQuestion, values: dict | None, agency) -> None:
    """Keep the question's followed petition in step with its answer (created, updated, or
    removed when the outcome is no longer "forwarded"); never touched once the record is locked."""
    if question.id is None:
        if values is None:
            return
        flush_guarded()
    current = db.session.scalar(sa.select(Commitment).where(
        Commitment.question_id == question.id, Commitment.is_petition.is_(True), Commitment.forwarded_from_id.is_(None)))
    if values is None:
        if current is not None:
            db.session.delete(current)
        return
    values = dict(values, agency=agency)
    if current is None:
        db.session.add(Commitment(question_id=question.id, is_petition=True, **values))
        return
    for key, value in values.items():
        if getattr(current, key) != value:
            setattr(current, key, value)


def _apply_question(question: DialogueQuestion, values: dict) -> None:
    answer, commitments = values.pop("answer"), values.pop("commitments")
    petition = values.pop("petition")
    for key, value in values.items():
        if getattr(question, key) != value:
            setattr(question, key, value)
    if answer is None:
        question.answer = None
    else:
        question.answer = question.answer or DialogueAnswer()
        for key, value in answer.items():
            if getattr(question.answer, key) != value:
                setattr(question.answer, key, value)
    _apply_petition(question, petition, answer["forwarded_agency"] if answer else None)
    by_id = {c.id: c for c in question.commitments}
    for cid in commitments["deleted"]:
        question.commitments.remove(by_id.pop(cid))
    for position, values in enumerate(commitments["kept"]):
        cid = values.pop("id")
        row = by_id.get(cid) if cid is not None else None
        if row is None:
            question.commitments.append(Commitment(**values, position=position))
            continue
        for key, value in dict(values, position=position).items():
            if getattr(row, key) != value:
                setattr(row, key, value)


def add_question(dialogue: Dialogue, row: QuestionRow, actor: User | None) -> DialogueQuestion:
    """One new question at the end of the list (the CLI and imports use this)."""
    if row.is_blank() or not (row.content or "").strip():
        raise ServiceError(_("Nội dung ý kiến số %(n)s đang để trống. Hãy nhập nội dung hoặc xóa dòng này.",
                             n=row.number or len(dialogue.questions) + 1), "content")
    row.id = None
    return save_question_rows(dialogue, [row], actor)[0]
