"""Import and export of the interchange workbook (see ``surveys.services.workbook`` for the layout).

Import is all-or-nothing: every check (the workbook's own, and codes, villages, topic, dates,
consent and existing answers against the database) runs before the first write, and all problems
are reported together, in one list (a row the reading found wrong is not checked further). Importing into an existing training adds its people and answers; answers
already stored identically are skipped, so importing the same file twice changes nothing.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.collation import sorted_vi
from app.extensions import db
from app import services as core
from app.models import Consent, Person, Unit, UnitLevel, User
from app.services import ServiceError
from surveys.models import Answer, Phase, Question, Response, ResponseSource, Topic, Training
from surveys.models.bank import shared_unit_filter
from surveys.models.training import Participant
from surveys.queries import counted, roster_stmt
from surveys.services.bank import topic_by_name
from surveys.services.instruments import create_instrument
from surveys.services.responses import find_response, parse_answers, save_response
from surveys.services.trainings import (
    CONSENT_PURPOSE, TRAINING_LEVELS, training_date_problem, add_participant, ensure_consent, find_or_create_person, home_commune,
    is_on_roster, match_person, save_training,
)
from surveys.services import workbook


class ForeignWorkbook(ServiceError):
    """The workbook was exported from another training: refused whole (nothing stored), the
    trainer is offered to create a new training from it instead."""

    def __init__(self, origin_id: int, origin_title: str | None):
        self.origin_id, self.origin_title = origin_id, origin_title
        name = (_("lớp “%(title)s” (số %(id)d)", title=origin_title, id=origin_id) if origin_title
                else _("lớp số %(id)d", id=origin_id))
        super().__init__(_("Tệp này được xuất từ %(name)s, không phải từ lớp này, nên không được nhập vào đây; "
                           "chưa lưu gì. Nếu đây là một lớp khác, hãy tạo lớp mới từ tệp này.", name=name), "file")


def check_identity(book: workbook.WorkbookData, training: Training, user: User | None, problem) -> None:
    """A workbook exported from a training carries its id, test version and a checksum: it goes
    only into that training, and only while it answers the same test version."""
    identity = book.training.get("identity")
    if not identity:
        return  # a file filled by hand from the blank template: its questions are checked instead
    row = len(TRAINING_ROWS) + 1
    try:
        origin_id, version_id = int(identity["training_id"]), int(identity["test_version"])
    except (TypeError, ValueError):
        problem("training", row, "training_id", _("dòng nhận dạng của tệp bị sửa (training_id, test_version)."))
        return
    if identity.get("checksum") != workbook.identity_checksum(origin_id, version_id):
        problem("training", row + 2, "checksum",
                _("mã kiểm tra không khớp: dòng nhận dạng của tệp (training_id, test_version) đã bị sửa."))
        return
    if origin_id != training.id:
        origin = db.session.get(Training, origin_id)
        visible = origin is not None and (user is None or user.can_see_unit(origin.unit))
        raise ForeignWorkbook(origin_id, origin.title if visible else None)
    if version_id != training.version_id:
        problem("training", row + 1, "test_version",
                _("tệp được xuất khi lớp dùng phiên bản %(a)d của bài kiểm tra, nay lớp dùng phiên bản %(b)d: "
                  "hãy xuất lại tệp từ lớp rồi điền vào tệp mới.",
                  a=_version_number(version_id), b=training.version.number))


def _version_number(version_id: int) -> int:
    from surveys.models import InstrumentVersion

    version = db.session.get(InstrumentVersion, version_id)
    return version.number if version is not None else version_id


def import_workbook(data: bytes, *, user: User | None, unit: Unit | None = None,
                    training: Training | None = None, report: dict | None = None) -> Training:
    """Create a training in ``unit`` from the workbook, or add to ``training``; returns it.

    Into a training, a file exported from another training is refused whole (``ForeignWorkbook``);
    as a new training, any file is taken (its identity rows name the training it came from)."""
    book = workbook.read_workbook(data, into_training=training is not None, raise_problems=False)
    problems: list[workbook.Problem] = list(book.problems)

    def problem(sheet, row, column, message):
        problems.append(workbook.Problem(sheet, row, column, book.letters.get(sheet, {}).get(column), message))

    if training is None:
        if unit is None or unit.level not in TRAINING_LEVELS:
            raise ServiceError(_("Lớp tập huấn phải thuộc một tỉnh, thành phố, một xã, phường hoặc một thôn, bản."), "unit")
        if user is not None and not user.can_see_unit(unit):
            raise ServiceError(_("Đơn vị này nằm ngoài phạm vi của bạn."), "unit")
        topic = topic_by_name(book.training["topic"]) if book.training["topic"] else None
        if topic is None and book.training["topic"]:
            problem("training", TRAINING_ROWS["topic"], "topic",
                    _("chưa có chủ đề “%(name)s” trong danh sách chủ đề.", name=book.training["topic"][:100]))
        _check_training_fields(book, problem)
        places = Places(unit)
    else:
        topic, places = training.topic, Places(training.unit)
        check_identity(book, training, user, problem)
        if not any(p.sheet == "questions" for p in book.problems) and (book.questions or any(book.answers.values())):
            _check_same_questions(book, training, problem)

    people, new_in = _resolve_people(book, places, user, problem)
    consenting = _consenting(people, book)
    # Only live responses hold a person's slot; a voided one does not, but a row answering exactly
    # like it (the same file imported again after the void) is skipped, not stored anew.
    stored = _stored_answers(training, counted_only=True) if training is not None else {}
    voided = _voided_answers(training) if training is not None else set()
    wrong = book.rows_with_problems("pre", "post")
    for phase, rows in book.answers.items():
        for row in rows:
            person = people.get(row.code)
            if (person is None and row.code not in new_in) or (phase.value, row.row) in wrong:
                continue  # its participants row or this row is wrong, already reported
            if not consenting.get(row.code):
                problem(phase.value, row.row, "code",
                        _("người có mã “%(code)s” chưa đồng ý cho lưu thông tin (cột consent ghi no).", code=row.code))
            previous = stored.get((phase, person.id)) if person is not None else None
            cells = _normalised_cells(row)
            if previous is not None and previous != cells:
                differing = [key for key in sorted(set(previous) | set(cells), key=lambda k: (len(k), k))
                             if previous.get(key) != cells.get(key)]
                detail = "; ".join(_("%(q)s: đã lưu “%(old)s”, trong tệp “%(new)s”", q=key,
                                     old=previous.get(key) or "—", new=cells.get(key) or "—") for key in differing[:5])
                problem(phase.value, row.row, "code",
                        _("người có mã “%(code)s” đã có câu trả lời khác cho đợt này (%(detail)s).",
                          code=row.code, detail=detail))
    if problems:
        raise book.error(problems)

    if training is None:
        training = _create_training(book, topic, unit, user)
    added = _add_people(book, training, people, new_in, user)
    stored_now = skipped_voided = 0
    for phase, rows in book.answers.items():
        for row in rows:
            person = people[row.code]
            if find_response(training, phase, person) is not None:
                continue  # identical answers already stored (checked above)
            if (phase, person.id, _cells_key(_normalised_cells(row))) in voided:
                skipped_voided += 1
                continue
            answers, errors = parse_answers(training.version.items, row.cells)
            if errors:  # cannot happen: every cell was checked against the same content while reading
                raise ServiceError(next(iter(errors.values())), "file")
            save_response(training, phase, person, answers, source=ResponseSource.workbook, user=user)
            stored_now += 1
    db.session.flush()
    if report is not None:
        report.update(people=added, responses=stored_now, voided=skipped_voided, rows=len(book.participants),
                      answer_rows=sum(len(rows) for rows in book.answers.values()))
    return training


def import_roster(data: bytes, *, training: Training, user: User | None, report: dict | None = None) -> int:
    """Add the people of a workbook's ``participants`` sheet to the roster (matching existing
    people); all or nothing. Returns how many were added; a sheet with nobody (the blank
    template) adds nobody and is no error (``report["rows"]`` says how many rows the file had)."""
    book = workbook.read_participants(data, raise_problems=False)
    problems: list[workbook.Problem] = list(book.problems)

    def problem(sheet, row, column, message):
        problems.append(workbook.Problem(sheet, row, column, book.letters.get(sheet, {}).get(column), message))

    people, new_in = _resolve_people(book, Places(training.unit), user, problem)
    if problems:
        raise book.error(problems)
    added = _add_people(book, training, people, new_in, user)
    if report is not None:
        report.update(people=added, rows=len(book.participants))
    return added


def _add_people(book: workbook.WorkbookData, training: Training, people: dict[str, Person],
                new_in: dict[str, Unit], user: User | None) -> int:
    """Create the new people, put everyone on the roster and record the consents given."""
    added = 0
    for participant_row in book.participants:
        person = people.get(participant_row.code)
        if person is None:
            person, _created = find_or_create_person(
                user=user, unit=new_in[participant_row.code], full_name=participant_row.full_name,
                code=None if participant_row.code.startswith(workbook.NO_CODE) else participant_row.code,
                sex=participant_row.sex, birth_year=participant_row.birth_year,
                ethnicity_code=participant_row.ethnicity_code)
            people[participant_row.code] = person
        if not is_on_roster(training, person):
            add_participant(training, person)
            added += 1
        if participant_row.consent:
            ensure_consent(person, True, user)
    return added


TRAINING_ROWS = {key: i for i, key in enumerate(("title", "topic", "start_date", "end_date", "venue"), start=1)}


def _check_training_fields(book: workbook.WorkbookData, problem) -> None:
    t = book.training
    if len(t["title"]) > 300:
        problem("training", TRAINING_ROWS["title"], "title", _("Tên dài quá %(n)d ký tự.", n=300))
    if len(t["venue"]) > 300:
        problem("training", TRAINING_ROWS["venue"], "venue", _("Không được dài quá %(max)d ký tự.", max=300))
    if t["start_date"] and t["end_date"] and t["end_date"] < t["start_date"]:
        problem("training", TRAINING_ROWS["end_date"], "end_date", _("Ngày kết thúc phải sau ngày bắt đầu."))
    for key in ("start_date", "end_date"):
        if t[key] and (message := training_date_problem(t[key])):
            problem("training", TRAINING_ROWS[key], key, message)


def _check_same_questions(book: workbook.WorkbookData, training: Training, problem) -> None:
    items = training.version.items
    if len(book.questions) != len(items):
        problem("questions", None, None, _("tệp có %(a)d câu hỏi nhưng bài kiểm tra của lớp có %(b)d câu.",
                                           a=len(book.questions), b=len(items)))
        return
    for row, (content, item) in enumerate(zip(book.questions, items), start=2):
        if content != item.content():
            problem("questions", row, "text", _("câu %(n)d khác với câu %(n)d trong bài kiểm tra của lớp.",
                                                n=item.position))


class Places:
    """Where the people of a training's workbook live: the ``village`` column read and written.

    A commune (or village) training: the villages of its commune by name, blank or the commune's
    name for someone registered at commune level. A province training (a training of trainers):
    the villages of the province's communes, written "village, commune" (a village name alone is
    taken when no other commune of the province has it), a commune's name for someone registered
    at commune level, blank for the province level."""

    def __init__(self, unit: Unit):
        self.home = unit if unit.level is UnitLevel.province else home_commune(unit)
        self.is_province = self.home.level is UnitLevel.province
        if self.is_province:
            below = db.session.scalars(sa.select(Unit).where(
                Unit.path.startswith(self.home.path), Unit.id != self.home.id,
                Unit.level.in_([UnitLevel.commune, UnitLevel.village]))).all()
        else:
            below = db.session.scalars(sa.select(Unit).where(Unit.parent_id == self.home.id)).all()
        self.by_id = {u.id: u for u in below}
        self.villages: dict[str, list[Unit]] = {}
        self.communes: dict[str, Unit] = {}
        for u in below:
            if u.level is UnitLevel.commune:
                self.communes[u.name.casefold()] = u
            else:
                self.villages.setdefault(u.name.casefold(), []).append(u)

    def _commune_of(self, village: Unit) -> Unit | None:
        return self.by_id.get(village.parent_id)

    def find(self, text: str) -> tuple[Unit | None, str | None]:
        """(the unit, None), or (None, why not) for a cell of the village column."""
        name = " ".join(text.split()).casefold()
        if not name or name == self.home.name.casefold():
            return self.home, None
        found = self.villages.get(name, [])
        if self.is_province and not found and "," in name:
            village, _sep, commune = name.rpartition(",")
            found = [u for u in self.villages.get(village.strip(), [])
                     if (c := self._commune_of(u)) is not None and c.name.casefold() == commune.strip()]
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            communes = sorted_vi(c.name for u in found if (c := self._commune_of(u)) is not None)
            return None, _("có nhiều thôn, bản “%(name)s” (%(communes)s): ghi thêm tên xã, ví dụ “%(example)s”.",
                           name=text[:100], communes=", ".join(communes), example=f"{found[0].name}, {communes[0]}")
        if self.is_province and name in self.communes:
            return self.communes[name], None
        if self.is_province:
            return None, _("không có thôn, bản hay xã “%(name)s” trong %(province)s.", name=text[:100],
                           province=self.home.name)
        return None, _("không có thôn, bản “%(name)s” trong %(commune)s.", name=text[:100], commune=self.home.name)

    def label(self, unit: Unit) -> str:
        """What the export writes for a person of ``unit`` (read back by ``find``)."""
        if unit.id == self.home.id:
            return ""
        if self.is_province and unit.level is UnitLevel.village:
            commune = self._commune_of(unit) or db.session.get(Unit, unit.parent_id)
            if commune is not None and len(self.villages.get(unit.name.casefold(), [])) != 1:
                return f"{unit.name}, {commune.name}"
        return unit.name


def _resolve_people(book: workbook.WorkbookData, places: Places, user: User | None,
                    problem) -> tuple[dict[str, Person], dict[str, Unit]]:
    """(code -> existing person, code -> unit of a person to create once every check passed)."""
    people: dict[str, Person] = {}
    new_in: dict[str, Unit] = {}
    taken: dict[object, int] = {}  # person id, or (name, birth year, unit) of a new one -> first row

    def once(key, row) -> bool:
        if key in taken:
            problem("participants", row.row, "code",
                    _("trùng người với dòng %(row)d (cùng họ tên, năm sinh, nơi ở).", row=taken[key]))
            return False
        taken[key] = row.row
        return True

    wrong = book.rows_with_problems("participants")
    for row in book.participants:
        unit, why = places.find(row.village or "")

        def no_village(row=row, why=why) -> None:
            problem("participants", row.row, "village", why)

        if ("participants", row.row) in wrong:  # only its village is checked: matching needs a sound row
            if unit is None:
                no_village()
            continue
        person = db.session.scalar(sa.select(Person).where(Person.code == row.code))
        if person is None and unit is not None:
            person = match_person(code=None, full_name=row.full_name, birth_year=row.birth_year, unit=unit)
        if person is None:
            if unit is None:
                no_village()
            elif once((row.full_name.casefold(), row.birth_year, unit.id), row):
                new_in[row.code] = unit
        elif user is not None and not user.can_see_unit(person.unit):
            problem("participants", row.row, "code",
                    _("mã “%(code)s” đã dùng cho một người ngoài phạm vi của bạn.", code=row.code))
        elif person.erased_dt is not None:
            problem("participants", row.row, "code",
                    _("mã “%(code)s” thuộc một người đã bị xóa thông tin.", code=row.code))
        elif once(person.id, row):
            people[row.code] = person
    return people, new_in


def _consenting(people: dict[str, Person], book: workbook.WorkbookData) -> dict[str, bool]:
    """Code -> consent: an active consent already recorded, or "yes" in the workbook."""
    ids = [p.id for p in people.values()]
    active = set(db.session.scalars(sa.select(Consent.person_id).where(
        Consent.person_id.in_(ids), Consent.purpose == CONSENT_PURPOSE, Consent.withdrawn_dt.is_(None)))) if ids else set()
    return {row.code: row.consent or (row.code in people and people[row.code].id in active)
            for row in book.participants}


def _normalised_cells(row: workbook.AnswerRow) -> dict[str, str]:
    """Cell values as stored answers read back: canonical choice strings or text."""
    out = {}
    for key, raw in row.cells.items():
        out[key] = _cell_text(raw)
    return out


def _cell_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = " ".join(str(raw).split())
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    if all(p.isdigit() for p in parts):
        return ",".join(str(n) for n in sorted({int(p) for p in parts}))
    return text


def _stored_answers(training: Training, counted_only: bool = False) -> dict[tuple[Phase, int], dict[str, str]]:
    """(phase, person id) -> stored answers; ``counted_only`` leaves voided responses out (the export)."""
    stmt = (sa.select(Response.phase, Response.person_id, Answer.choice, Answer.text, Answer.item_id)
            .outerjoin(Answer, Answer.response_id == Response.id).where(Response.training_id == training.id))
    rows = db.session.execute(stmt.where(counted()) if counted_only else stmt).all()
    keys = {it.id: it.key for it in training.version.items}
    out: dict[tuple[Phase, int], dict[str, str]] = {}
    for phase, person_id, choice, text, item_id in rows:
        cells = out.setdefault((phase, person_id), {})
        if item_id is not None:
            cells[keys.get(item_id, "?")] = choice if choice is not None else text
    return out


def _cells_key(cells: dict[str, str]) -> frozenset:
    return frozenset((key, value) for key, value in cells.items() if value not in (None, ""))


def _voided_answers(training: Training) -> set[tuple[Phase, int, frozenset]]:
    """(phase, person id, answers) of each voided response of the training."""
    rows = db.session.execute(
        sa.select(Response.id, Response.phase, Response.person_id, Answer.choice, Answer.text, Answer.item_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.training_id == training.id, Response.voided_dt.is_not(None))).all()
    keys = {it.id: it.key for it in training.version.items}
    by_response: dict[int, tuple[Phase, int, dict]] = {}
    for response_id, phase, person_id, choice, text, item_id in rows:
        cells = by_response.setdefault(response_id, (phase, person_id, {}))[2]
        if item_id is not None:
            cells[keys.get(item_id, "?")] = choice if choice is not None else text
    return {(phase, person_id, _cells_key(cells)) for phase, person_id, cells in by_response.values()}


def _create_training(book: workbook.WorkbookData, topic: Topic, unit: Unit, user: User | None) -> Training:
    owner = user.unit if user is not None else home_commune(unit)
    contents = [{**content, "question_id": _bank_question(content, topic, owner, user).id}
                for content in book.questions]
    t = book.training
    instrument = create_instrument(title=t["title"], topic=topic, unit=owner, user=user, contents=contents)
    return save_training(None, title=t["title"], topic=topic, unit=unit, instrument=instrument,
                         start_date=t["start_date"], end_date=t["end_date"], venue=t["venue"],
                         trainers=(user.full_name if user else ""), user=user)


def _bank_question(content: dict, topic: Topic, owner: Unit, user: User | None) -> Question:
    """The identical bank question the user can see, or a new one in the topic."""
    candidates = db.session.scalars(sa.select(Question).where(
        Question.topic_id == topic.id, Question.text == content["text"], Question.is_active,
        shared_unit_filter(owner, Question.unit_id)))
    for question in candidates:
        if question.content() == content:
            return question
    question = Question(topic=topic, unit=owner, created_by_id=user.id if user else None, **content)
    db.session.add(question)
    db.session.flush()
    return question


# --- export ------------------------------------------------------------------------------

def export_workbook(training: Training, with_answers: bool = True, user: User | None = None) -> bytes:
    """The training as an interchange workbook; without answers it is the fill-in template
    (every roster code listed on the pre and post sheets). Logged: it holds personal data."""
    roster = db.session.execute(
        roster_stmt(training.id, Person, Unit).join(Unit, Unit.id == Person.unit_id).order_by(Person.code)).all()
    active = set(db.session.scalars(sa.select(Consent.person_id).join(Participant, Participant.person_id ==
                                                                      Consent.person_id)
                                    .where(Participant.training_id == training.id, Consent.purpose == CONSENT_PURPOSE,
                                           Consent.withdrawn_dt.is_(None))))
    places = Places(training.unit)
    participants = [workbook.ParticipantRow(0, p.code, p.full_name, p.sex, p.birth_year, p.ethnicity_code,
                                            places.label(unit), p.id in active)
                    for p, unit in roster]
    answers = {phase: [] for phase in Phase}
    if with_answers:
        codes = {p.id: p.code for p, _unit in roster}
        # An erased person is off the roster, and so are their answers: the workbook lists people
        # (it is re-imported by code), while the statistics keep counting those answers.
        stored = [(key, cells) for key, cells in _stored_answers(training, counted_only=True).items()
                  if key[1] in codes]
        for (phase, person_id), cells in sorted(stored, key=lambda kv: (kv[0][0].value, codes[kv[0][1]])):
            answers[phase].append(workbook.AnswerRow(0, codes[person_id], cells))
    else:
        for phase in Phase:
            answers[phase] = [workbook.AnswerRow(0, p.code, {}) for p, _unit in roster]
    core.log_export(user, "training_xlsx" if with_answers else "training_xlsx_template", "Training", training.id,
                    has_names=bool(roster), rows=len(roster))
    data = workbook.WorkbookData(
        training={"title": training.title, "topic": training.topic.name, "start_date": training.start_date,
                  "end_date": training.end_date, "venue": training.venue,
                  "identity": workbook.identity_of(training.id, training.version_id)},
        questions=[it.content() for it in training.version.items], participants=participants, answers=answers)
    return workbook.write_workbook(data, instructions())


def blank_template() -> bytes:
    data = workbook.WorkbookData(training={"title": "", "topic": "", "start_date": None, "end_date": None, "venue": ""},
                        questions=[], participants=[], answers={})
    return workbook.write_workbook(data, instructions())


def instructions() -> list[str]:
    return [
        _("Hướng dẫn điền tệp trao đổi dữ liệu tập huấn (Cầu Nối)"),
        _("Trang “Lớp tập huấn”: cột A là tên mục, cột B là giá trị; ngày ghi theo dạng YYYY-MM-DD, ví dụ 2025-09-20."),
        _("Các dòng training_id, test_version và checksum cho biết tệp thuộc lớp nào: đừng sửa chúng. "
          "Tệp của lớp này không nhập được vào lớp khác."),
        _("Trang “Câu hỏi”: mỗi dòng một câu; type là single, multi, truefalse, likert hoặc text; "
          "options cách nhau bằng ' | '; correct là số thứ tự lựa chọn đúng, nhiều số cách nhau bằng dấu phẩy."),
        _("Lựa chọn “Không biết” (nếu có) ghi ở cuối cột options; chọn nó được tính là sai và thống kê riêng."),
        _("Trang “Người tham gia”: code là mã người tham gia; sex ghi F hoặc M; consent ghi yes khi người đó đã đồng ý "
          "cho lưu thông tin."),
        _("Trang “Trước tập huấn” và “Sau tập huấn”: mỗi dòng một người (theo code), cột Q1, Q2... ghi số lựa chọn; "
          "câu nhiều lựa chọn ghi 1,3; để trống nếu không trả lời."),
        _("Tệp cũ có trang tên training, questions, participants, pre, post vẫn nhập được như tệp mới."),
        _("Khi nhập, nếu có bất kỳ lỗi nào thì không lưu gì và hệ thống liệt kê mọi lỗi theo trang, dòng, cột."),
    ]
