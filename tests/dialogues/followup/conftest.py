"""Factories of the follow-up tests: a frozen clock, and approved dialogues with commitments
owned by chosen agencies with chosen deadlines. Builds on tests/conftest.py (``create_dialogue``,
``agencies``, ``categories``, ``quick_pdf``) and tests/dialogues/conftest.py (``count``, ``pdf_text``)."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from dialogues.models import AnswerOutcome, Commitment, DialogueQuestion
from dialogues.services import CommitmentRow, QuestionRow

TODAY = date(2025, 6, 2)
HELD_ON = date(2025, 5, 2)  # a month before TODAY; commitments due HELD_ON + days


@pytest.fixture(autouse=True)
def clock_now(freeze_today):
    """The dialogues' clock at TODAY; ``clock_now.day = date(...)`` moves time."""
    return freeze_today(TODAY)


@pytest.fixture
def make_dialogue(create_dialogue, agencies, categories):
    """make_dialogue(unit="02020", held_on=HELD_ON, items=[("UBND-02020", 30)], approve=True) -> the dialogue.

    Each item is (agency code, days after the dialogue for the deadline[, category code]) and
    becomes one raised question, accepted, with one commitment."""
    def make(unit: str = "02020", held_on: date = HELD_ON, items=(("UBND-02020", 30),), approve: bool = True,
             title: str = "Hội nghị đối thoại với hội viên, phụ nữ"):
        rows = []
        for i, (code, days, *category) in enumerate(items, start=1):
            rows.append(QuestionRow(
                content=f"Kiến nghị số {i} gửi {code}", raiser_name=f"Người nêu {i}", agency_id=agencies[code].id,
                category_id=categories[category[0] if category else "credit"], answer="Tiếp thu",
                outcome=AnswerOutcome.accepted,
                commitments=[CommitmentRow(agency_id=agencies[code].id, description=f"Cam kết {i} của {code}",
                                           deadline=held_on + timedelta(days=days))]))
        return create_dialogue(unit, status="approved" if approve else "planned", rows=rows, title=title,
                               held_on=held_on, start_time=time(8), end_time=time(11), venue="", organiser="",
                               chair_position="", secretary_position="", attendance_total=40, attendance_women=35,
                               attendance_minority=30)
    return make


@pytest.fixture
def commitments_of(db):
    """commitments_of(dialogue) -> its commitments in question order (forwarded copies included)."""
    def of(dialogue) -> list[Commitment]:
        return list(db.session.scalars(sa.select(Commitment).join(Commitment.question)
                                       .where(DialogueQuestion.dialogue_id == dialogue.id)
                                       .order_by(DialogueQuestion.number, Commitment.id)))
    return of


@pytest.fixture
def commitment(make_dialogue, commitments_of):
    """One commitment of UBND-02020 in approved minutes, due HELD_ON + 30 days (1 June 2025)."""
    return commitments_of(make_dialogue())[0]


@pytest.fixture
def officer(create_user):
    return create_user("commune", "02020")


@pytest.fixture
def ubnd_user(create_user, agencies):
    return create_user("authority", "02020", agency=agencies["UBND-02020"])


@pytest.fixture(autouse=True)
def _no_minutes_rendering(quick_pdf):
    """Approving minutes renders a PDF; follow-up does not read it, so skip the rendering here."""
