"""Repeat petitions: earlier questions of the same organising unit that read like a new one.

Accent-insensitive character trigrams (each word padded as PostgreSQL's pg_trgm does: two spaces
before, one after), compared in Python with the Jaccard index, so SQLite and PostgreSQL give the
same suggestions and no extension is needed. Bounded: the unit's latest ``SCAN_LIMIT`` questions
are read, whatever the history.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from dialogues.models import Dialogue, DialogueQuestion

SCAN_LIMIT = 2000
THRESHOLD = 0.3   # share of trigrams in common: "làm đường vào bản" ~ "đề nghị làm đường vào bản Nà"
MAX_SUGGESTIONS = 5
MIN_LENGTH = 12   # characters typed before suggesting anything
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without diacritics ("Đường" -> "duong")."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def trigrams(text: str) -> frozenset[str]:
    grams = set()
    for word in _WORD.findall(fold(text)):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str | frozenset, b: str | frozenset) -> float:
    a = a if isinstance(a, frozenset) else trigrams(a)
    b = b if isinstance(b, frozenset) else trigrams(b)
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class Suggestion:
    question: DialogueQuestion
    score: float


def earlier_questions(dialogue: Dialogue):
    """SQL filter: questions that ``dialogue``'s questions may repeat (same organising unit, an
    earlier or same-day other dialogue)."""
    return DialogueQuestion.dialogue_id.in_(
        sa.select(Dialogue.id).where(Dialogue.unit_id == dialogue.unit_id, Dialogue.id != dialogue.id,
                                     Dialogue.held_on <= dialogue.held_on))


def similar_questions(dialogue: Dialogue, text: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The earlier questions of the unit most like ``text``, best first."""
    wanted = trigrams(text)
    if len(fold(text).strip()) < MIN_LENGTH or not wanted:
        return []
    rows = db.session.execute(
        sa.select(DialogueQuestion.id, DialogueQuestion.content).join(DialogueQuestion.dialogue)
        .where(earlier_questions(dialogue))
        .order_by(Dialogue.held_on.desc(), DialogueQuestion.id.desc()).limit(SCAN_LIMIT)).all()
    scored = sorted(((similarity(wanted, trigrams(content)), qid) for qid, content in rows), reverse=True)
    best = [(score, qid) for score, qid in scored if score >= THRESHOLD][:limit]
    if not best:
        return []
    loaded = {q.id: q for q in db.session.scalars(
        sa.select(DialogueQuestion).where(DialogueQuestion.id.in_([qid for _s, qid in best]))
        .options(joinedload(DialogueQuestion.dialogue), joinedload(DialogueQuestion.answer)))}
    return [Suggestion(loaded[qid], round(score, 2)) for score, qid in best]
