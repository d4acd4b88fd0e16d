"""Factories of the dialogue tests: agencies of the demo's communes, categories, and
``create_dialogue(...)`` building a dialogue through the services in any status."""
from __future__ import annotations

import re
import subprocess
import unicodedata
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from dialogues import services
from dialogues.models import AnswerOutcome, Dialogue, DialogueLevel, QuestionCategory
from dialogues.services import CommitmentRow, DialogueData, QuestionRow


@pytest.fixture
def agencies(db, units, create_agency):
    return {
        "UBND-02020": create_agency("UBND-02020", units["02020"], "Ủy ban nhân dân xã Chợ Đồn"),
        "VHXH-02020": create_agency("VHXH-02020", units["02020"], "Phòng Văn hóa - Xã hội xã Chợ Đồn"),
        "UBND-02086": create_agency("UBND-02086", units["02086"], "Ủy ban nhân dân xã Chợ Mới"),
        "SYT-19": create_agency("SYT-19", units["19"], "Sở Y tế tỉnh Thái Nguyên"),
    }


@pytest.fixture
def categories(db):
    services.ensure_default_categories()
    db.session.commit()
    return dict(db.session.execute(sa.select(QuestionCategory.code, QuestionCategory.id)).all())


def dialogue_data(unit, **overrides) -> DialogueData:
    values = dict(
        title="Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền xã với hội viên, phụ nữ",
        level=DialogueLevel.commune, unit_id=unit.id, held_on=date.today() - timedelta(days=7),
        start_time=time(8, 0), end_time=time(11, 0), venue="Hội trường UBND xã", organiser="Hội LHPN xã",
        chair_name="Hoàng Văn Thắng", chair_position="Chủ tịch UBND xã",
        secretary_name="Triệu Thị Mai", secretary_position="Phó Chủ tịch Hội LHPN xã",
        attendance_total=50, attendance_women=42, attendance_minority=45)
    values.update(overrides)
    return DialogueData(**values)


@pytest.fixture
def create_dialogue(db, units, agencies, categories):
    """create_dialogue(unit="02020", status="planned"|"held"|"approved", questions=0, commitments=0, **data)"""
    def create(unit: str = "02020", status: str = "planned", questions: int = 0, commitments: int = 0,
               actor=None, **overrides) -> Dialogue:
        agency = agencies["UBND-02020" if unit == "02020" else "UBND-02086"]
        dialogue = services.create_dialogue(dialogue_data(units[unit], **overrides), actor)
        rows = []
        for i in range(1, questions + 1):
            promised = i <= commitments
            rows.append(QuestionRow(
                content=f"Nội dung ý kiến thử số {i}", raiser_name=f"Người nêu {i}", agency_id=agency.id,
                category_id=categories["credit"], answerer_name="Hoàng Văn Thắng", answer=f"Nội dung trả lời số {i}",
                outcome=AnswerOutcome.accepted if promised else AnswerOutcome.answered,
                commitments=[CommitmentRow(agency_id=agency.id, description=f"Cam kết thử số {i}",
                                           deadline=dialogue.held_on + timedelta(days=30))] if promised else []))
        if rows:
            services.save_question_rows(dialogue, rows, actor)
        if status in ("held", "approved"):
            services.mark_held(dialogue, actor)
        if status == "approved":
            services.approve_minutes(dialogue, actor)
        db.session.commit()
        return dialogue
    return create


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
            "held_on": (date.today() - timedelta(days=2)).isoformat(), "start_time": "08:00", "end_time": "11:00",
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
