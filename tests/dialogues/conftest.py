"""Helpers of the dialogue tests: ``count``, ``pdf_text``, ``dialogue_form``. The dialogue factory
(``create_dialogue``, with ``agencies`` and ``categories``) is shared: tests/conftest.py."""
from __future__ import annotations

import re
import subprocess
import unicodedata
from datetime import date, timedelta
from app import clock

import pytest
import sqlalchemy as sa


@pytest.fixture
def count(db):
    """count(Model) -> number of rows."""
    return lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def pdf_text():
    """pdf_text(path_or_bytes) -> the PDF's text, NFC, with line breaks and runs of spaces collapsed
    (pdftotext wraps long sentences)."""
    def extract(pdf) -> str:
        args = ["pdftotext", "-raw", "-", "-"] if isinstance(pdf, bytes) else ["pdftotext", "-raw", str(pdf), "-"]
        out = subprocess.run(args, input=pdf if isinstance(pdf, bytes) else None, check=True,
                             capture_output=True).stdout.decode()
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", out))
    return extract


@pytest.fixture
def dialogue_form(units):
    """dialogue_form(dialogue=None, **fields) -> POST data of the dialogue form (a valid one by default)."""
    def build(dialogue=None, **overrides) -> dict:
        data = {
            "title": "Hội nghị đối thoại với hội viên, phụ nữ", "level": "commune", "unit_id": units["02020"].id,
            "held_on": (clock.today() - timedelta(days=2)).isoformat(), "start_time": "08:00", "end_time": "11:00",
            "venue": "Hội trường UBND xã", "chair_name": "Hoàng Văn Thắng", "secretary_name": "Triệu Thị Mai",
            "attendance_total": "40", "attendance_women": "35", "attendance_minority": "30",
            "leaders-0-name": "", "groups-0-label": "", "token": "t-" + str(id(overrides)),
        }
        if dialogue is not None:
            data.update(title=dialogue.title, level=dialogue.level.value, unit_id=dialogue.unit_id,
                        held_on=dialogue.held_on.isoformat(), revision=dialogue.revision)
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}
    return build
