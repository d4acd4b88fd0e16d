"""Indicator factories: trainings with scored pre/post responses and dialogues with commitments
in chosen states, built through the feature services (the paths real records take), on a frozen
local date; and ``reference(...)``, the dashboard figures computed the slow way."""
from __future__ import annotations

import itertools
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app import services as core
from app.models import Unit, UnitLevel
from dialogues import services as dialogue_services
from dialogues.models import AnswerOutcome, DialogueLevel, QuestionCategory, QuestionOrigin
from dialogues.services import CommitmentRow, GroupData, QuestionRow
from surveys import services as survey_services
from surveys.models import Phase, QuestionKind, ResponseSource, Training

from indicators_reference import TODAY
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def clock_now(freeze_today):
    return freeze_today(TODAY)


@pytest.fixture(autouse=True)
def quick_minutes(quick_pdf):
    """Approving minutes renders their PDF; the indicators never read it."""


@pytest.fixture
def commune(db, units):
    """commune(code, name, parent="19") -> a new commune (for merges and moves)."""
    def make(code: str, name: str, parent: str | Unit = "19") -> Unit:
        parent = units[parent] if isinstance(parent, str) else parent
        unit = Unit(code=code, name=name, level=UnitLevel.commune, division_type="xã", parent=parent,
                    path=Unit.make_path(parent, code))
        db.session.add(unit)
        db.session.commit()
        return unit
    return make


@pytest.fixture
def agency(db, create_agency):
    cache = {}

    def get(unit: Unit):
        if unit.id not in cache:
            cache[unit.id] = create_agency(f"UB-{unit.code}", unit, f"Ủy ban nhân dân {unit.name}")
        return cache[unit.id]
    return get


@pytest.fixture
def make_instrument(db, units):
    """make_instrument(questions=4, topic="Bình đẳng giới"): true/false questions, "Đúng" right."""
    def make(questions: int = 4, topic: str = "Bình đẳng giới"):
        topic_row = survey_services.topic_by_name(topic) or survey_services.save_topic(None, topic)
        contents = [survey_services.clean_content(text=f"Câu {topic} {i}", kind=QuestionKind.truefalse, correct=[1])
                    for i in range(1, questions + 1)]
        instrument = survey_services.create_instrument(title=f"Bài {topic} {next(_seq)}", topic=topic_row,
                                                       unit=units["19"], user=None, contents=contents)
        db.session.commit()
        return instrument
    return make


@pytest.fixture
def make_training(db, units, make_instrument):
    """make_training(unit, start, people=[(sex, ethnicity code, pre right, post right)], questions=4, topic=...).

    A right count of None means no response in that phase; each person is created in ``unit``
    (or its first village) and put on the roster."""
    def make(unit, start: date, people, questions: int = 4, topic: str = "Bình đẳng giới") -> Training:
        unit = units[unit] if isinstance(unit, str) else unit
        instrument = make_instrument(questions, topic)
        training = survey_services.save_training(None, title=f"Tập huấn {next(_seq)}", topic=instrument.topic,
                                                 unit=unit, instrument=instrument, start_date=start)
        items = training.version.items
        for sex, ethnicity, pre, post in people:
            person = core.save_person(None, full_name=f"Học viên {next(_seq)}", unit=unit, sex=sex,
                                      ethnicity_code=ethnicity)
            survey_services.add_participant(training, person)
            core.give_consent(person, survey_services.CONSENT_PURPOSE)
            for phase, right in ((Phase.pre, pre), (Phase.post, post)):
                if right is None:
                    continue
                raw = {it.key: ("1" if i < right else "2") for i, it in enumerate(items)}
                answers, errors = survey_services.parse_answers(items, raw)
                assert not errors
                survey_services.save_response(training, phase, person, answers, source=ResponseSource.grid)
        db.session.commit()
        return training
    return make


@pytest.fixture
def make_dialogue(db, units, agency, clock_now, create_dialogue):
    """make_dialogue(unit, held_on, questions=[spec], status="approved", attendance=(total, women, minority)).

    A question spec is an AnswerOutcome, or (AnswerOutcome.accepted, [commitment spec]) where a
    commitment spec is (deadline days after the meeting, [(days after the meeting, action)]) and an
    action is a CommitmentStatus to move to (in order) or ("extend", days)."""
    categories = {}

    def make(unit, held_on: date, questions=(), status: str = "approved", attendance=(30, 20, 25),
             groups=(("Hội viên phụ nữ", 20), ("Người có uy tín", 4)), raised_extra_unraised: bool = False):
        if not categories:
            dialogue_services.ensure_default_categories()
            categories.update(db.session.execute(sa.select(QuestionCategory.code, QuestionCategory.id)).all())
        unit = units[unit] if isinstance(unit, str) else unit
        owner = agency(unit)
        level = DialogueLevel.province if unit.level is UnitLevel.province else DialogueLevel.commune
        total, women, minority = attendance
        rows, plans = [], []
        for spec in questions:
            outcome, commitments = (spec, []) if isinstance(spec, AnswerOutcome) else spec
            rows.append(QuestionRow(
                content="Kiến nghị", raiser_name="Người nêu", answer="Trả lời", outcome=outcome,
                category_id=categories["credit"],
                forwarded_agency_id=agency(unit.parent).id if outcome is AnswerOutcome.forwarded else None,
                commitments=[CommitmentRow(agency_id=owner.id, description="Cam kết",
                                           deadline=held_on + timedelta(days=days)) for days, _plan in commitments]))
            plans.extend(plan for _days, plan in commitments)
        if raised_extra_unraised:
            rows.append(QuestionRow(content="Chưa nêu", raiser_name="Người gửi", is_raised=False,
                                    origin=QuestionOrigin.collected))
        if status in ("held", "approved"):
            clock_now.day = max(held_on, TODAY)  # held on a day that has come
        dialogue = create_dialogue(
            unit, status=status, rows=rows, title=f"Đối thoại {next(_seq)}", level=level, held_on=held_on,
            start_time=time(8), end_time=time(11), venue="", organiser="", chair_name="Chủ trì", chair_position="",
            secretary_name="Thư ký", secretary_position="", attendance_total=total, attendance_women=women,
            attendance_minority=minority, groups=[GroupData(label, count) for label, count in groups])
        made = sorted((c for q in dialogue.questions for c in q.commitments), key=lambda c: (c.question.number, c.id))
        for commitment, plan in zip(made, plans):
            for days, action in plan:
                clock_now.day = held_on + timedelta(days=days)
                if isinstance(action, tuple):
                    commitment.extend_deadline(held_on + timedelta(days=action[1]), None, "Gia hạn")
                else:
                    commitment.move_to(action, None, "Ghi chú")
        clock_now.day = TODAY
        db.session.commit()
        return dialogue
    return make
