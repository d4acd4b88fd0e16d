"""The interchange workbook (XLSX): read it into plain checked data, or write it.

Sheets (columns are fixed; extra sheets and columns are ignored). Exports name the sheets in
Vietnamese (``SHEET_TITLES``; the English keys below in English); reading takes either name
(older files have the keys ``training``, ``questions``, ``participants``, ``pre``, ``post``), case
and tones ignored:
  training      two columns key / value: title, topic, start_date, end_date (YYYY-MM-DD), venue
  questions     no, text, type (single|multi|truefalse|likert|text), options (" | "-separated),
                correct (1-based option numbers, comma separated), points (default 1)
  participants  code, full_name, sex (F|M), birth_year, ethnicity (name), village, consent (yes|no)
  pre, post     code, Q1..Qn: chosen option number(s), "1,3" for multiple choice, blank = unanswered

Reading checks everything that needs no database and notes EVERY problem with its sheet, row
and column; the import service adds its checks of codes, villages, topic and dates against the
database to the same list, so a file is refused once, with all its problems. Into an existing
training the ``training`` and ``questions`` sheets may stay blank when no answer is given (the
blank template, or a roster filled in it). No database access here. openpyxl (30 MB) is imported on the first workbook, not with the app.
"""
from __future__ import annotations

import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask_babel import gettext as _, lazy_pgettext as _p

from app import clock
from app import ethnicities
from app.forms import quoted_chars, undrawable
from app.xlsx import append_row, cell_text
from app.models import Sex
from app.services import ServiceError
from surveys.models import Item, Phase
from surveys.services.bank import clean_content
from surveys.services.responses import parse_answer

SHEETS = ("training", "questions", "participants", "pre", "post")
# The sheet names of an export, in the reader's language: Vietnamese, or in English the keys above
# (the names of older exports). Reading takes both names, whatever the reader's language.
SHEET_TITLES = {"training": "Lớp tập huấn", "questions": "Câu hỏi", "participants": "Người tham gia",
                "pre": "Trước tập huấn", "post": "Sau tập huấn"}
SHEET_LABELS = {"training": _p("workbook sheet", "Lớp tập huấn"), "questions": _p("workbook sheet", "Câu hỏi"),
                "participants": _p("workbook sheet", "Người tham gia"),
                "pre": _p("workbook sheet", "Trước tập huấn"), "post": _p("workbook sheet", "Sau tập huấn")}
INSTRUCTIONS_LABEL = _p("workbook sheet", "Hướng dẫn")
TRAINING_KEYS = ("title", "topic", "start_date", "end_date", "venue")
# Written by every export of a training: which training and test version the file belongs to, and a
# checksum of both, so a file is never imported into another training (see interchange.import_workbook).
IDENTITY_KEYS = ("training_id", "test_version", "checksum")
QUESTION_COLUMNS = ("no", "text", "type", "options", "correct", "points")
PARTICIPANT_COLUMNS = ("code", "full_name", "sex", "birth_year", "ethnicity", "village", "consent")
OPTION_SEPARATOR = " | "
CODE_RE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
YES = ("yes", "có", "co", "y", "x", "1", "đồng ý", "dong y", "có đồng ý", "đã đồng ý", "true")
NO = ("no", "không", "khong", "n", "0", "", "không đồng ý", "khong dong y", "chưa đồng ý", "false")
SEX_VALUES = {"f": Sex.female, "nữ": Sex.female, "nu": Sex.female, "female": Sex.female,
              "m": Sex.male, "nam": Sex.male, "male": Sex.male}
# Vietnamese column headers people type in Excel, read as the fixed English ones.
HEADER_ALIASES = {
    "mã": "code", "mã người tham gia": "code", "mã số": "code", "họ tên": "full_name", "họ và tên": "full_name",
    "giới tính": "sex", "năm sinh": "birth_year", "dân tộc": "ethnicity", "thôn": "village", "thôn, bản": "village",
    "thôn bản": "village", "thôn/bản": "village", "nơi ở": "village", "đồng ý": "consent",
    "đồng ý lưu thông tin": "consent",
}
# Participants without a code get one on import (the people service makes it); until then a row
# is known by this key, which no answer sheet can name.
NO_CODE = "#row"
MAX_ROWS = 2000
# A hostile workbook is refused before openpyxl parses it (in well under a second and 50 MB): a
# few KB of zip can unpack to millions of rows. Limits are far above a real class's workbook.
MAX_UNCOMPRESSED = 10 * 1024 * 1024  # all parts together
MAX_PARTS = 200
MAX_SHEET_ROWS = 2 * MAX_ROWS + 100  # rows stored in one sheet, blank or not
MAX_COLUMNS = 300                    # columns read from any sheet (Q1..Q299 in the answer sheets)
MAX_CELLS = 300_000                  # cells stored in all sheets
# Tags counted in C (bytes.count); the regex only finds prefixed ones (<x:c>), absent from real files.
_PREFIXED = {b"row": re.compile(rb"<[A-Za-z_][\w.-]*:row[\s>/]"), b"c": re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")}
# Where a clean_content error lands in the questions sheet.
CONTENT_COLUMN = {"text": "text", "kind": "type", "options": "options", "correct": "correct", "points": "points"}


@dataclass(frozen=True)
class Problem:
    sheet: str | None
    row: int | None
    column: str | None  # header name, e.g. "Q3"
    letter: str | None  # spreadsheet column, e.g. "D"
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("Trang “%(sheet)s”", sheet=self.sheet))
        if self.row:
            where.append(_("dòng %(row)d", row=self.row))
        if self.column:
            where.append(_("cột %(column)s (%(letter)s)", column=self.column, letter=self.letter) if self.letter
                         else _("cột %(column)s", column=self.column))
        return f"{', '.join(where)}: {self.message}" if where else self.message


class WorkbookError(ServiceError):
    """The workbook was refused; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], titles: dict[str, str] | None = None):
        # in the order of the file: sheet by sheet, row by row (reading and the database checks
        # each add theirs, and a trainer fixes the file from top to bottom)
        order = {name: i for i, name in enumerate(SHEETS)}
        problems = sorted(problems, key=lambda p: (order.get(p.sheet, -1) if p.sheet else -1, p.row or 0))
        # each sheet named as in the file (``titles``: key -> the file's name), else as an export names it
        names = {**{key: str(label) for key, label in SHEET_LABELS.items()}, **(titles or {})}
        self.problems = [replace(p, sheet=names.get(p.sheet, p.sheet)) for p in problems]
        super().__init__(_("Tệp có %(n)d lỗi, chưa lưu gì:", n=len(problems)) + " "
                         + "; ".join(str(p) for p in self.problems), "file")


@dataclass
class ParticipantRow:
    row: int
    code: str
    full_name: str
    sex: Sex | None
    birth_year: int | None
    ethnicity_code: str | None
    village: str
    consent: bool


@dataclass
class AnswerRow:
    row: int
    code: str
    cells: dict[str, object]            # item key -> raw cell value (blank cells left out)
    letters: dict[str, str] = field(default_factory=dict)


@dataclass
class WorkbookData:
    training: dict
    questions: list[dict]               # clean_content() dicts, in order (no = 1..n)
    participants: list[ParticipantRow]
    answers: dict[Phase, list[AnswerRow]]
    # sheet -> column name -> spreadsheet letter, so later checks can point at the cell too
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    # what reading found wrong (only when read with ``raise_problems=False``)
    problems: list[Problem] = field(default_factory=list)
    # sheet key -> its name in the file ("pre" in an older file, "Trước tập huấn" in a new one)
    titles: dict[str, str] = field(default_factory=dict)

    def error(self, problems: list[Problem]) -> WorkbookError:
        """The refusal of this file, each problem naming its sheet as the file does."""
        return WorkbookError(problems, self.titles)

    def rows_with_problems(self, *sheets: str) -> set[tuple[str, int]]:
        """(sheet, row) of the rows reading found wrong: later checks leave them alone."""
        return {(p.sheet, p.row) for p in self.problems if p.sheet in sheets and p.row}


def _integer(value) -> int | None:
    """Cell to int; None when blank; ValueError when it is not a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise ValueError
    return int(text)


def _date(value) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError from None


def _fold_name(name: str) -> str:
    from app.collation import fold

    return fold(name).replace("_", " ")


# Folded sheet name (Vietnamese or English key) -> key.
_SHEET_KEYS = {_fold_name(name): key for key, title in SHEET_TITLES.items() for name in (key, title)}
def undrawable_problem(text: str) -> str | None:
    """The problem of a cell whose text the PDF font cannot draw (emoji would vanish from the paper
    forms and reports), in the style of the other cell problems; None when it prints."""
    bad = undrawable(text)
    if not bad:
        return None
    return _("có ký tự không in được trên văn bản: %(chars)s (biểu tượng cảm xúc, ký hiệu đặc biệt); hãy xóa "
             "hoặc thay bằng chữ.", chars=quoted_chars(bad))


class _Reader:
    def __init__(self):
        self.problems: list[Problem] = []
        self.letters: dict[str, dict[str, str]] = {"training": {k: "B" for k in TRAINING_KEYS}}
        self.titles: dict[str, str] = {}  # key -> the sheet's name in the file
        self._keys: dict[str, str] = {}  # the sheet's name in the file -> key

    def sheets(self, wb) -> dict:
        """key -> worksheet, by the Vietnamese names or the older English ones (the first sheet of
        a key wins; other sheets are ignored)."""
        found = {}
        for name in wb.sheetnames:
            key = _SHEET_KEYS.get(_fold_name(name))
            if key is not None and key not in found:
                found[key] = wb[name]
                self.titles[key], self._keys[name] = name, key
        return found

    def problem(self, sheet, row, column, letter, message) -> None:
        self.problems.append(Problem(self._keys.get(sheet, sheet), row, column, letter, message))

    def header(self, ws, required: tuple[str, ...]) -> dict[str, int] | None:
        """Column name -> 0-based index, from the first row; None (with problems) when incomplete."""
        first = next(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
        columns = {}
        for i, value in enumerate(first):
            name = cell_text(value).lower()
            name = HEADER_ALIASES.get(" ".join(name.split()), name)
            if name and name not in columns:
                columns[name] = i
        key = self._keys.get(ws.title, ws.title)
        self.letters[key] = {name: get_column_letter(i + 1) for name, i in columns.items()}
        missing = [c for c in required if c not in columns]
        for name in missing:
            self.problem(ws.title, 1, None, None, _("thiếu cột “%(column)s”.", column=name))
        return None if missing else columns

    def rows(self, ws):
        """(row number, values) of the non-empty data rows."""
        for number, values in enumerate(ws.iter_rows(min_row=2, max_col=MAX_COLUMNS, values_only=True), start=2):
            if number > MAX_ROWS + 1:
                self.problem(ws.title, number, None, None, _("quá %(n)d dòng.", n=MAX_ROWS))
                return
            if any(cell_text(v) for v in values):
                yield number, values


def get_column_letter(index: int) -> str:
    """1 -> "A", 27 -> "AA" (openpyxl's; openpyxl is imported on first use, not with the app)."""
    from openpyxl.utils import get_column_letter as letter

    return letter(index)


def _refuse(message: str):
    raise WorkbookError([Problem(None, None, None, None, message)])


def _check_parts(data: bytes) -> None:
    """Refuse, before parsing, a workbook too big once unpacked or declaring XML entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            _refuse(_("Tệp có quá nhiều thành phần (hơn %(n)d).", n=MAX_PARTS))
        left, cells = MAX_UNCOMPRESSED, 0
        for part in parts:
            with archive.open(part) as stream:
                content = stream.read(left + 1)  # never more than the limit, whatever the header says
            left -= len(content)
            if left < 0:
                _refuse(_("Tệp quá lớn khi giải nén (hơn %(n)d MB).", n=MAX_UNCOMPRESSED // (1024 * 1024)))
            if not part.filename.endswith((".xml", ".rels")):
                continue
            if content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML: look at it as text too
                content = content.decode("utf-16", "replace").encode()
            if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                _refuse(_("Tệp chứa khai báo DTD hoặc thực thể XML, không được nhận. Hãy lưu lại tệp bằng Excel "
                          "hoặc LibreOffice rồi tải lên lần nữa."))
            if part.filename.startswith("xl/worksheets/"):
                if _tags(content, b"row") > MAX_SHEET_ROWS:
                    _refuse(_("Một trang có quá %(n)d dòng.", n=MAX_SHEET_ROWS))
                cells += _tags(content, b"c")
                if cells > MAX_CELLS:
                    _refuse(_("Tệp có quá %(n)d ô dữ liệu.", n=MAX_CELLS))
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            ValueError):
        _refuse(_("Tệp không phải là tệp Excel .xlsx hợp lệ."))


def _tags(content: bytes, name: bytes) -> int:
    """How many ``<name`` elements the XML holds (with or without a namespace prefix)."""
    plain = sum(content.count(b"<" + name + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
    return plain + sum(1 for _match in _PREFIXED[name].finditer(content))


@contextmanager
def _sheets(data: bytes):
    """The opened workbook; XML that defusedxml refuses while a sheet is read (entities in another
    encoding than the check above sees) or that does not parse is a clear refusal, not a 500."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    wb = _open(data)
    try:
        yield wb
    except DefusedXmlException:
        _refuse(_("Tệp chứa khai báo DTD hoặc thực thể XML, không được nhận. Hãy lưu lại tệp bằng Excel "
                  "hoặc LibreOffice rồi tải lên lần nữa."))
    except (ParseError, zipfile.BadZipFile, EOFError):
        _refuse(_("Tệp không phải là tệp Excel .xlsx hợp lệ."))
    finally:
        wb.close()


def _open(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        _refuse(_("Tệp rỗng."))
    _check_parts(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        _refuse(_("Tệp không phải là tệp Excel .xlsx hợp lệ."))


def _missing_sheet(key: str) -> str:
    if str(SHEET_LABELS[key]) == key:
        return _("thiếu trang này.")
    return _("thiếu trang này (trong tệp cũ trang có tên “%(key)s”).", key=key)


def read_participants(data: bytes, raise_problems: bool = True) -> WorkbookData:
    """Only the ``participants`` sheet (a roster file); the other parts come back empty. A sheet
    with nobody in it (the blank template) is no problem: there is just nothing to store."""
    reader = _Reader()
    with _sheets(data) as wb:
        sheets = reader.sheets(wb)
        if "participants" not in sheets:
            raise WorkbookError([Problem("participants", None, None, None, _missing_sheet("participants"))])
        participants = _read_participants(reader, sheets["participants"])
    if reader.problems and raise_problems:
        raise WorkbookError(reader.problems, reader.titles)
    return WorkbookData({}, [], participants, {phase: [] for phase in Phase}, reader.letters, reader.problems,
                        reader.titles)


def read_workbook(data: bytes, into_training: bool = False, raise_problems: bool = True) -> WorkbookData:
    """Parse and check a workbook; raises WorkbookError listing every problem, or with
    ``raise_problems=False`` returns them in ``problems`` for the caller to add its own to.
    ``into_training``: the file adds to an existing training, which has its title, topic, dates
    and questions already; the file needs questions only when it gives answers."""
    reader = _Reader()
    with _sheets(data) as wb:
        sheets = reader.sheets(wb)
        missing = [name for name in SHEETS if name not in sheets]
        if missing:
            raise WorkbookError([Problem(name, None, None, None, _missing_sheet(name)) for name in missing],
                                reader.titles)
        training = _read_training(reader, sheets["training"], required=not into_training)
        questions, items = _read_questions(reader, sheets["questions"])
        participants = _read_participants(reader, sheets["participants"])
        codes = {p.code for p in participants}
        keys = [f"Q{i}" for i in range(1, len(questions) + 1)]
        answers = {phase: _read_answers(reader, sheets[phase.value], keys, items, codes) for phase in Phase}
    answered = any(answers.values())
    if not questions and (answered or not into_training) and not any(p.sheet == "questions" for p in reader.problems):
        reader.problem("questions", None, None, None, _("chưa có câu hỏi nào."))
    if reader.problems and raise_problems:
        raise WorkbookError(reader.problems, reader.titles)
    return WorkbookData(training, [q for q in questions if q], participants, answers, reader.letters,
                        reader.problems, reader.titles)


def _read_training(reader: _Reader, ws, required: bool = True) -> dict:
    values, rows = {}, {}
    for number, cells in enumerate(ws.iter_rows(min_row=1, max_row=MAX_SHEET_ROWS, max_col=2, values_only=True),
                                   start=1):
        key = cell_text(cells[0] if cells else None).lower()
        if key in TRAINING_KEYS + IDENTITY_KEYS and key not in values:
            values[key], rows[key] = (cells[1] if len(cells) > 1 else None), number
    out = {}
    for key in ("title", "topic"):
        out[key] = cell_text(values.get(key))
        if not out[key] and required:
            reader.problem(ws.title, rows.get(key), key, "B" if key in rows else None, _("chưa điền."))
    out["venue"] = cell_text(values.get("venue"))
    for key in ("title", "topic", "venue"):
        if message := undrawable_problem(out[key]):
            reader.problem(ws.title, rows.get(key), key, "B", message)
    identity = {key: cell_text(values.get(key)) for key in IDENTITY_KEYS}
    for key in IDENTITY_KEYS:
        if key in values:
            rows[key] = rows.get(key)
    out["identity"] = identity if any(identity.values()) else None
    for key in ("start_date", "end_date"):
        try:
            out[key] = _date(values.get(key))
        except ValueError:
            out[key] = None
            reader.problem(ws.title, rows.get(key), key, "B", _("ngày phải có dạng YYYY-MM-DD, ví dụ 2025-09-20."))
            continue
        if key == "start_date" and out[key] is None and required:
            reader.problem(ws.title, rows.get(key), key, "B" if key in rows else None, _("chưa điền."))
    return out


def _read_questions(reader: _Reader, ws) -> tuple[list[dict | None], dict[str, Item]]:
    """Question contents in order (None where a row is wrong) and unsaved Items to check answers."""
    columns = reader.header(ws, QUESTION_COLUMNS)
    if columns is None:
        return [], {}
    questions, items = [], {}

    def cell(values, name):
        i = columns[name]
        return values[i] if i < len(values) else None

    def letter(name):
        return get_column_letter(columns[name] + 1)

    for number, values in reader.rows(ws):
        expected = len(questions) + 1
        try:
            no = _integer(cell(values, "no"))
        except ValueError:
            no = None
        if no != expected:
            reader.problem(ws.title, number, "no", letter("no"),
                           _("số thứ tự phải là %(n)d (các câu đánh số liên tục từ 1).", n=expected))
        options_raw = cell(values, "options")
        options = [o for o in (cell_text(x) for x in str(options_raw).split("|"))] if cell_text(options_raw) else []
        for name in ("text", "options"):
            if message := undrawable_problem(cell_text(cell(values, name))):
                reader.problem(ws.title, number, name, letter(name), message)
        points_raw = cell(values, "points")
        try:
            points = _integer(points_raw)
        except ValueError:
            reader.problem(ws.title, number, "points", letter("points"),
                           _("“%(value)s” không phải là số.", value=cell_text(points_raw)[:40]))
            points = 1
        try:
            content = clean_content(text=cell_text(cell(values, "text")), kind=cell_text(cell(values, "type")).lower(),
                                    options=options, correct=cell(values, "correct"), points=points)
        except ServiceError as exc:
            column = CONTENT_COLUMN.get(exc.field or "", "text")
            reader.problem(ws.title, number, column, letter(column), exc.message)
            content = None
        questions.append(content)
        if content is not None:
            items[f"Q{expected}"] = Item(position=expected, **content)
    return questions, items


def _read_participants(reader: _Reader, ws) -> list[ParticipantRow]:
    columns = reader.header(ws, PARTICIPANT_COLUMNS)
    if columns is None:
        return []
    rows, seen = [], {}

    def cell(values, name):
        i = columns[name]
        return values[i] if i < len(values) else None

    def bad(number, name, message):
        reader.problem(ws.title, number, name, get_column_letter(columns[name] + 1), message)

    for number, values in reader.rows(ws):
        code = cell_text(cell(values, "code"))
        if not code:
            code = f"{NO_CODE}{number}"  # a new person: her code is made on import
        elif not CODE_RE.fullmatch(code):
            bad(number, "code", _("mã “%(code)s” chỉ được gồm chữ không dấu, số, dấu chấm, gạch.", code=code[:40]))
        elif code.casefold() in seen:
            bad(number, "code", _("mã “%(code)s” trùng với dòng %(row)d.", code=code, row=seen[code.casefold()]))
        else:
            seen[code.casefold()] = number
        full_name = cell_text(cell(values, "full_name"))
        if not full_name:
            bad(number, "full_name", _("chưa có họ tên."))
        elif len(full_name) > 200:
            bad(number, "full_name", _("họ tên dài quá %(n)d ký tự.", n=200))
        elif message := undrawable_problem(full_name):
            bad(number, "full_name", message)
        sex_raw = cell_text(cell(values, "sex"))
        sex = SEX_VALUES.get(sex_raw.casefold()) if sex_raw else None
        if sex_raw and sex is None:
            bad(number, "sex", _("giới tính ghi Nữ hoặc Nam (F hoặc M), không phải “%(value)s”.", value=sex_raw[:20]))
        birth_year = None
        try:
            birth_year = _integer(cell(values, "birth_year"))
        except ValueError:
            bad(number, "birth_year", _("“%(value)s” không phải là số.", value=cell_text(cell(values, "birth_year"))[:40]))
        this_year = clock.today().year
        if birth_year is not None and not 1900 <= birth_year <= this_year:
            bad(number, "birth_year", _("năm sinh phải từ %(a)d đến %(b)d.", a=1900, b=this_year))
            birth_year = None
        ethnicity = cell_text(cell(values, "ethnicity"))
        ethnicity_code = ethnicities.code_for_name(ethnicity) if ethnicity else None
        if ethnicity and ethnicity_code is None:
            bad(number, "ethnicity", _("không có dân tộc tên “%(name)s”.", name=ethnicity[:50]))
        consent_raw = " ".join(cell_text(cell(values, "consent")).lower().split())
        if consent_raw not in YES + NO:
            bad(number, "consent", _("ghi “đồng ý” (yes, có) hoặc “không” (no)."))
        rows.append(ParticipantRow(number, code, full_name, sex, birth_year, ethnicity_code,
                                   cell_text(cell(values, "village")), consent_raw in YES))
    return rows


def _read_answers(reader: _Reader, ws, keys: list[str], items: dict[str, Item],
                  codes: set[str]) -> list[AnswerRow]:
    columns = reader.header(ws, ("code",))
    if columns is None:
        return []
    question_columns = {name.upper(): i for name, i in columns.items() if re.fullmatch(r"q\d+", name)}
    for name in question_columns:
        if name not in keys:
            reader.problem(ws.title, 1, name, get_column_letter(question_columns[name] + 1),
                           _("không có câu hỏi số %(n)s trong trang “%(sheet)s”.", n=name[1:],
                             sheet=reader.titles.get("questions", str(SHEET_LABELS["questions"]))))
    for key in keys:
        if key not in question_columns:
            reader.problem(ws.title, 1, None, None, _("thiếu cột “%(column)s”.", column=key))
    rows, seen = [], {}
    for number, values in reader.rows(ws):
        code = cell_text(values[columns["code"]] if columns["code"] < len(values) else None)
        if not code:
            reader.problem(ws.title, number, "code", get_column_letter(columns["code"] + 1),
                           _("chưa có mã người tham gia."))
            continue
        if code not in codes:
            reader.problem(ws.title, number, "code", get_column_letter(columns["code"] + 1),
                           _("mã “%(code)s” không có trong trang “%(sheet)s”.", code=code[:40],
                             sheet=reader.titles.get("participants", str(SHEET_LABELS["participants"]))))
        if code in seen:
            reader.problem(ws.title, number, "code", get_column_letter(columns["code"] + 1),
                           _("mã “%(code)s” trùng với dòng %(row)d.", code=code, row=seen[code]))
        seen.setdefault(code, number)
        row = AnswerRow(number, code, {})
        for key, i in question_columns.items():
            raw = values[i] if i < len(values) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()) or key not in items:
                continue
            letter = get_column_letter(i + 1)
            try:
                parse_answer(items[key], raw)
            except ServiceError as exc:
                reader.problem(ws.title, number, key, letter, exc.message)
                continue
            row.cells[key], row.letters[key] = raw, letter
        if row.cells:
            rows.append(row)
    return rows


# --- writing -----------------------------------------------------------------------------

def write_workbook(data: WorkbookData, instructions: list[str] | None = None) -> bytes:
    """The same layout ``read_workbook`` reads, so an export imports back unchanged."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = str(SHEET_LABELS["training"])
    for key in TRAINING_KEYS:
        value = data.training.get(key)
        append_row(ws, [key, value.isoformat() if isinstance(value, date) else (value or "")])
    for key, value in (data.training.get("identity") or {}).items():
        append_row(ws, [key, str(value)])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 14, 60

    ws = wb.create_sheet(str(SHEET_LABELS["questions"]))
    append_row(ws, list(QUESTION_COLUMNS))
    for no, q in enumerate(data.questions, start=1):
        options = list(q["options"]) + (["Không biết"] if q["has_dont_know"] else [])
        append_row(ws, [no, q["text"], q["kind"].value, OPTION_SEPARATOR.join(options),
                   _cell_value(",".join(map(str, q["correct"]))), q["points"]])
    for letter, width in zip("ABCDEF", (5, 60, 10, 60, 10, 8)):
        ws.column_dimensions[letter].width = width

    ws = wb.create_sheet(str(SHEET_LABELS["participants"]))
    append_row(ws, list(PARTICIPANT_COLUMNS))
    for p in data.participants:
        append_row(ws, [p.code, p.full_name, p.sex.value if p.sex else "", p.birth_year,
                   ethnicities.name_of(p.ethnicity_code) if p.ethnicity_code else "", p.village,
                   "yes" if p.consent else "no"])
    for letter, width in zip("ABCDEFG", (12, 28, 6, 10, 12, 18, 9)):
        ws.column_dimensions[letter].width = width

    keys = [f"Q{i}" for i in range(1, len(data.questions) + 1)]
    for phase in Phase:
        ws = wb.create_sheet(str(SHEET_LABELS[phase.value]))
        append_row(ws, ["code", *keys])
        for row in data.answers.get(phase, []):
            append_row(ws, [row.code, *(_cell_value(row.cells.get(k)) for k in keys)])
        ws.column_dimensions["A"].width = 12

    if instructions:
        ws = wb.create_sheet(str(INSTRUCTIONS_LABEL))
        for line in instructions:
            append_row(ws, [line])
        ws.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def identity_checksum(training_id, version_id) -> str:
    """The checksum of a workbook's identity rows: a typed-over id or version no longer matches."""
    import hashlib

    return hashlib.sha256(f"caunoi-training:{training_id}:{version_id}".encode()).hexdigest()[:16]


def identity_of(training_id: int, version_id: int) -> dict[str, str]:
    return {"training_id": str(training_id), "test_version": str(version_id),
            "checksum": identity_checksum(training_id, version_id)}


def _cell_value(value):
    """A single option as a number (what people type in Excel); "1,3" and texts as text."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value
