"""Vietnamese alphabetical order, from ICU's Vietnamese collation (PyICU; no alphabet written
by hand): "Anh" < "Ăn" < "Ân", "Dương" < "Đặng" < "Em", "Hà" < "Hoàng"; tones weigh only
after the letters. Every list of people or names sorts with ``sort_key`` (in Python) or on
``Person.name_key`` (in SQL, also for a paginated list): both give the same order, on SQLite and
on PostgreSQL alike (the key is compared character by character, hex digits only).

``fold``/``matches`` compare search words with texts ignoring tones, marks and case (ICU's
transliteration, no table written by hand), for filters over lists loaded anyway."""
from __future__ import annotations

import threading
from functools import lru_cache

import icu

_COLLATOR = icu.Collator.createInstance(icu.Locale("vi_VN"))


@lru_cache(maxsize=4096)
def sort_key(text: str | None) -> str:
    """A string whose plain (binary) order is the Vietnamese order of ``text``."""
    return _COLLATOR.getSortKey(" ".join((text or "").split())).hex()


def sorted_vi(values, key=lambda v: v):
    """``values`` in Vietnamese order of ``key(value)`` (a name)."""
    return sorted(values, key=lambda v: sort_key(key(v)))


def person_order(person) -> tuple:
    """Name, then code: namesakes keep one stable order everywhere."""
    return sort_key(person.full_name), person.code or ""


_FOLD = icu.Transliterator.createInstance("NFD; [:Nonspacing Mark:] Remove; Latin-ASCII; Lower; NFC")
_FOLD_LOCK = threading.Lock()  # an ICU transliterator is not safe to share between threads


@lru_cache(maxsize=4096)
def fold(text: str | None) -> str:
    """``text`` without tones, marks or case ("Đặng Thị HOÀNG" -> "dang thi hoang"), spaces
    collapsed: a search typed without Vietnamese input still finds what it means."""
    with _FOLD_LOCK:
        folded = _FOLD.transliterate(text or "")
    return " ".join(folded.split())


def matches(query: str | None, text: str | None) -> bool:
    """Every word of ``query`` occurs in ``text``, ignoring tones and case ("lua dao" finds
    "Lừa đảo trực tuyến")."""
    haystack = fold(text)
    return all(word in haystack for word in fold(query).split())
