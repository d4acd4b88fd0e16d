"""The dashboard figures computed the slow way: every row loaded, filtered and counted in plain
Python, with the statistics written out by hand (not through surveys.analytics.stats)."""
from __future__ import annotations

import statistics
from datetime import date

import pytest
import sqlalchemy as sa

from app import ethnicities
from app.models import Sex, Unit
from dialogues.models import AnswerOutcome, Commitment, CommitmentStatus, Dialogue, DialogueStatus
from surveys.models import Phase, Response, Training

TODAY = date(2025, 6, 2)


def _child_of(unit: Unit, children: list[Unit], record_unit: Unit) -> Unit:
    return next((c for c in children if c.contains(record_unit)), unit)


def reference(db, unit: Unit, date_from: date, date_to: date, today: date) -> dict:
    """Every dashboard figure for ``unit`` and each unit below it, from all rows, in Python."""
    db.session.expire_all()
    children = [u for u in db.session.scalars(sa.select(Unit)) if u.parent_id == unit.id]
    groups: dict[str, dict] = {}

    def group(record_unit: Unit) -> dict:
        key = _child_of(unit, children, record_unit).code
        return groups.setdefault(key, {"trainings": set(), "roster": [], "pairs": {}, "dialogues": [],
                                       "questions": [], "commitments": []})

    total = {"trainings": set(), "roster": [], "pairs": {}, "dialogues": [], "questions": [], "commitments": []}
    for training in db.session.scalars(sa.select(Training)):
        if not (unit.contains(training.unit) and date_from <= training.start_date <= min(date_to, today)):
            continue
        for bucket in (total, group(training.unit)):
            bucket["trainings"].add(training.id)
            bucket["roster"].extend(p.person for p in training.participants)
    for response in db.session.scalars(sa.select(Response)):
        training = response.training
        if training.id in total["trainings"] and response.max_score > 0:
            pct = 100 * response.score / response.max_score
            for bucket in (total, group(training.unit)):
                bucket["pairs"].setdefault((training.id, response.person_id), {})[response.phase] = pct
    for dialogue in db.session.scalars(sa.select(Dialogue)):
        if not (unit.contains(dialogue.unit) and date_from <= dialogue.held_on <= date_to
                and dialogue.status in (DialogueStatus.held, DialogueStatus.approved)):
            continue
        for bucket in (total, group(dialogue.unit)):
            bucket["dialogues"].append(dialogue)
            bucket["questions"].extend(q for q in dialogue.questions if q.is_raised)
            bucket["commitments"].extend(c for c in db.session.scalars(sa.select(Commitment))
                                         if c.question.dialogue_id == dialogue.id)
    return {"total": _figures(total, today), **{code: _figures(g, today) for code, g in groups.items()}}


def _figures(bucket: dict, today: date) -> dict:
    roster = bucket["roster"]
    matched = [p for p in bucket["pairs"].values() if Phase.pre in p and Phase.post in p]
    pre = [p[Phase.pre] for p in matched]
    post = [p[Phase.post] for p in matched]
    pct_pre = statistics.mean(pre) if matched else None
    pct_post = statistics.mean(post) if matched else None
    S = CommitmentStatus
    rows = [c for c in bucket["commitments"] if not c.is_petition]
    petitions = [c for c in bucket["commitments"] if c.is_petition]
    resolved = [c for c in rows if c.status is S.resolved]
    handed_over = sum(1 for c in rows if c.status is S.forwarded)
    raised = bucket["questions"]
    answered = sum(1 for q in raised if q.answer and q.answer.outcome is AnswerOutcome.answered)

    def share(a, b):
        return round(a / b, 4) if b else None
    return {
        "trainings_held": len(bucket["trainings"]),
        "training_participants": len(roster),
        "training_women": sum(1 for p in roster if p.sex is Sex.female),
        "training_minority": sum(1 for p in roster if ethnicities.is_minority(
            p.ethnicity_code, p.ethnicity_system or ethnicities.DEFAULT_SYSTEM)),
        "knowledge_pairs": len(matched),
        "pct_pre": pct_pre, "pct_post": pct_post,
        "mean_gain": statistics.mean(b - a for a, b in zip(pre, post)) if matched else None,
        "hake_g": (pct_post - pct_pre) / (100 - pct_pre) if matched and pct_pre < 100 else None,
        "dialogues_held": len(bucket["dialogues"]),
        "dialogue_participants": sum(d.attendance_total or 0 for d in bucket["dialogues"]),
        "dialogue_women": sum(d.attendance_women or 0 for d in bucket["dialogues"]),
        "dialogue_minority": sum(d.attendance_minority or 0 for d in bucket["dialogues"]),
        "questions_raised": len(raised),
        "answered_on_spot": answered,
        "forwarded_at_dialogue": sum(1 for q in raised if q.answer and q.answer.outcome is AnswerOutcome.forwarded),
        "committed": sum(1 for c in rows if c.forwarded_from_id is None),
        "resolved": len(resolved),
        "partly_resolved": sum(1 for c in rows if c.status is S.partly_resolved),
        "not_feasible": sum(1 for c in rows if c.status is S.not_feasible),
        "overdue": sum(1 for c in rows if c.status in (S.open, S.in_progress) and c.deadline < today),
        "questions_repeated": sum(1 for q in raised if q.repeat_of_id is not None),
        "petitions_followed": sum(1 for c in petitions if c.status is not S.forwarded),
        "petitions_resolved": sum(1 for c in petitions if c.status is S.resolved),
        "petitions_overdue": sum(1 for c in petitions if c.status in (S.open, S.in_progress) and c.deadline < today),
        "median_days_to_resolve": statistics.median((c.closed_on - c.question.dialogue.held_on).days
                                                    for c in resolved) if resolved else None,
        "share_answered_on_spot": share(answered, len(raised)),
        "share_resolved": share(len(resolved), len(rows) - handed_over),
        "share_resolved_on_time": share(sum(1 for c in resolved if c.closed_on <= c.deadline), len(resolved)),
        "share_resolved_by_original_deadline": share(sum(1 for c in resolved if c.closed_on <= c.original_deadline),
                                                     len(resolved)),
    }


def assert_figures_equal(got: dict, expected: dict) -> None:
    """Counts exactly; statistics to the 4 decimals the statistics module rounds to."""
    assert set(got) >= set(expected)
    for key, value in expected.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, abs=2e-4), key
        else:
            assert got[key] == value, key
