"""Writes on the question bank: topics and questions, and the one validator of question content
that the forms, the workbook import and the tests all go through."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Unit, User
from app.services import ServiceError
from surveys.models import Question, QuestionKind, Topic
from surveys.models.bank import DONT_KNOW_LABEL

MAX_TEXT = 1000
MAX_OPTION = 300
# Every choice must be one key on the keyboard during paper entry: 1..9.
MAX_CHOICES = 9
MAX_POINTS = 100
TRUE_FALSE = ["Đúng", "Sai"]
LIKERT_5 = ["Hoàn toàn không đồng ý", "Không đồng ý", "Phân vân", "Đồng ý", "Hoàn toàn đồng ý"]


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def is_dont_know_label(text: str) -> bool:
    return _norm(text).casefold() == DONT_KNOW_LABEL.casefold()


def parse_positions(raw, field: str = "correct") -> list[int]:
    """"1, 3" / 2 / 2.0 / [1, 3] -> [1, 3]; anything else is a ServiceError."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, bool):
        raise ServiceError(_("Số thứ tự lựa chọn phải là số nguyên, ví dụ 2 hoặc 1,3."), field)
    if isinstance(raw, (int, float)):
        parts = [raw]
    elif isinstance(raw, (list, tuple)):
        parts = list(raw)
    else:
        parts = [p for p in re.split(r"[,;\s]+", str(raw).strip()) if p]
    positions = []
    for part in parts:
        if isinstance(part, float) and part.is_integer():
            part = int(part)
        if isinstance(part, str) and re.fullmatch(r"\d{1,3}", part.strip()):
            part = int(part)
        if not isinstance(part, int) or isinstance(part, bool):
            raise ServiceError(_("“%(value)s” không phải số thứ tự lựa chọn; hãy ghi số, ví dụ 2 hoặc 1,3.",
                                 value=str(raw)[:40]), field)
        positions.append(part)
    return positions


def clean_content(*, text: str, kind: QuestionKind | str, options: list[str] | None = None,
                  correct=None, points=1, has_dont_know: bool = False) -> dict:
    """Check a question's content and return it normalised, or raise ServiceError(field).

    A last option "Không biết" becomes the don't-know flag, so a workbook can carry it as an
    ordinary option; true/false and Likert questions get their usual options when none are given.
    """
    text = _norm(text)
    if not text:
        raise ServiceError(_("Vui lòng nhập nội dung câu hỏi."), "text")
    if len(text) > MAX_TEXT:
        raise ServiceError(_("Nội dung câu hỏi dài quá %(n)d ký tự.", n=MAX_TEXT), "text")
    try:
        kind = QuestionKind(kind)
    except ValueError:
        raise ServiceError(_("Loại câu hỏi “%(kind)s” không hợp lệ; dùng single, multi, truefalse, likert hoặc text.",
                             kind=str(kind)[:30]), "kind") from None
    options = [_norm(o) for o in (options or [])]
    while options and not options[-1]:
        options.pop()
    if options and is_dont_know_label(options[-1]):
        options.pop()
        has_dont_know = True
    if any(is_dont_know_label(o) for o in options):
        raise ServiceError(_("Lựa chọn “Không biết” phải đứng cuối cùng."), "options")
    if any(not o for o in options):
        raise ServiceError(_("Có lựa chọn để trống."), "options")
    if any(len(o) > MAX_OPTION for o in options):
        raise ServiceError(_("Mỗi lựa chọn dài tối đa %(n)d ký tự.", n=MAX_OPTION), "options")
    if len({o.casefold() for o in options}) != len(options):
        raise ServiceError(_("Có hai lựa chọn giống nhau."), "options")
    if has_dont_know and not kind.is_scored:
        raise ServiceError(_("Chỉ câu hỏi có đáp án mới có lựa chọn “Không biết”."), "options")
    if kind is QuestionKind.truefalse:
        options = options or list(TRUE_FALSE)
        if len(options) != 2:
            raise ServiceError(_("Câu Đúng/Sai có đúng hai lựa chọn."), "options")
    elif kind is QuestionKind.likert:
        options = options or list(LIKERT_5)
    elif kind is QuestionKind.text and options:
        raise ServiceError(_("Câu trả lời tự do không có lựa chọn."), "options")
    if kind.has_options and not 2 <= len(options) + has_dont_know <= MAX_CHOICES:
        raise ServiceError(_("Câu hỏi cần từ 2 đến %(n)d lựa chọn (kể cả “Không biết”).", n=MAX_CHOICES),
                           "options")

    key = parse_positions(correct)
    if kind.is_scored:
        if not key:
            raise ServiceError(_("Vui lòng ghi đáp án đúng (số thứ tự lựa chọn)."), "correct")
        if len(set(key)) != len(key):
            raise ServiceError(_("Đáp án có số lặp lại."), "correct")
        bad = [p for p in key if not 1 <= p <= len(options)]
        if bad:
            raise ServiceError(_("Đáp án %(p)d không có: câu hỏi chỉ có %(n)d lựa chọn.", p=bad[0], n=len(options)),
                               "correct")
        if kind is not QuestionKind.multi and len(key) != 1:
            raise ServiceError(_("Câu một lựa chọn chỉ có một đáp án đúng."), "correct")
    elif key:
        raise ServiceError(_("Câu thái độ (Likert) và câu tự do không có đáp án."), "correct")

    if points is None or points == "":
        points = 1
    if isinstance(points, float) and points.is_integer():
        points = int(points)
    if isinstance(points, str) and points.strip().isdigit():
        points = int(points.strip())
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        raise ServiceError(_("Điểm phải là số nguyên từ 1 đến %(n)d.", n=MAX_POINTS), "points")
    return {"text": text, "kind": kind, "options": options, "correct": sorted(key), "points": points,
            "has_dont_know": bool(has_dont_know)}


# --- topics ------------------------------------------------------------------------------

def save_topic(topic: Topic | None, name: str, is_active: bool = True, unit: Unit | None = None) -> Topic:
    """Create (with ``unit``: a unit's own topic; None: a national one) or rename/(de)activate."""
    name = _norm(name)
    if not name:
        raise ServiceError(_("Vui lòng nhập tên chủ đề."), "name")
    if len(name) > 200:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=200), "name")
    clash = topic_by_name(name)
    if clash is not None and clash is not topic:
        raise ServiceError(_("Chủ đề “%(name)s” đã có.", name=name), "name")
    if topic is None:
        topic = Topic(name=name, unit=unit)
        db.session.add(topic)
    topic.name, topic.is_active = name, is_active
    db.session.flush()
    return topic


def topic_by_name(name: str) -> Topic | None:
    """Case-insensitive, in Python: SQLite's lower() ignores Vietnamese capitals (Đ, Ư...), and
    the topic list is short."""
    wanted = _norm(name).casefold()
    return next((t for t in db.session.scalars(sa.select(Topic)) if t.name.casefold() == wanted), None)


# --- questions ---------------------------------------------------------------------------

def save_question(question: Question | None, *, topic: Topic, unit: Unit, user: User | None, **content) -> Question:
    """Create or edit a bank question. Tests already built keep their own copy (items)."""
    cleaned = clean_content(**content)
    if question is None:
        question = Question(unit=unit, created_by_id=user.id if user else None)
        db.session.add(question)
    question.topic = topic
    for name, value in cleaned.items():
        setattr(question, name, value)
    db.session.flush()
    return question


def archive_question(question: Question) -> None:
    """Hide a question from the bank; tests that copied it are unaffected."""
    question.is_active = False
    db.session.flush()
