"""Writes on tests (instruments): build one from bank questions, reorder, edit.

A version with responses is frozen: saving changes then creates the next version, and trainings
that have no response yet move to it, while trainings with responses keep the version they used.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Unit, User
from app.services import ServiceError
from surveys.models import Instrument, InstrumentVersion, Item, Question, Response, Topic, Training

MAX_ITEMS = 60


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(_("Vui lòng nhập tên bài kiểm tra."), "title")
    if len(title) > 300:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=300), "title")
    return title


def _new_version(instrument: Instrument, contents: list[dict], user: User | None) -> InstrumentVersion:
    """A version holding ``contents`` (dicts of item content, optionally with ``question_id``)."""
    if not contents:
        raise ServiceError(_("Bài kiểm tra cần ít nhất một câu hỏi."), "questions")
    if len(contents) > MAX_ITEMS:
        raise ServiceError(_("Bài kiểm tra có tối đa %(n)d câu hỏi.", n=MAX_ITEMS), "questions")
    number = instrument.versions[-1].number + 1 if instrument.versions else 1
    version = InstrumentVersion(instrument=instrument, number=number, created_by_id=user.id if user else None)
    version.items = [Item(position=i, **content) for i, content in enumerate(contents, start=1)]
    db.session.add(version)
    return version


def question_contents(questions: list[Question], required: set[int] = frozenset()) -> list[dict]:
    """Item contents from bank questions; those whose id is in ``required`` must be answered on
    the phone."""
    return [{**q.content(), "question_id": q.id, "required": q.id in required} for q in questions]


def create_instrument(*, title: str, topic: Topic, unit: Unit, user: User | None, contents: list[dict],
                      shuffle_options: bool = False) -> Instrument:
    """A new test whose first version holds ``contents`` (see ``question_contents``)."""
    instrument = Instrument(title=_check_title(title), topic=topic, unit=unit, shuffle_options=shuffle_options,
                            created_by_id=user.id if user else None)
    db.session.add(instrument)
    _new_version(instrument, contents, user)
    db.session.flush()
    return instrument


def duplicate_instrument(instrument: Instrument, user: User | None) -> Instrument:
    """A new test in the same unit and topic, named "… (bản sao)", whose first version holds the
    current version's questions, options, answer key, points and required marks; no training
    uses it yet, so it can be changed freely."""
    title = _("%(title)s (bản sao)", title=instrument.title)
    if len(title) > 300:  # a long name loses its end, never the mark of a copy
        title = _("%(title)s (bản sao)", title=instrument.title[:300 - len(title) - 1].rstrip() + "…")
    contents = [it.content() | {"question_id": it.question_id, "required": it.required}
                for it in instrument.current_version.items]
    return create_instrument(title=title, topic=instrument.topic, unit=instrument.unit, user=user,
                             contents=contents, shuffle_options=instrument.shuffle_options)


def update_instrument(instrument: Instrument, *, title: str, topic: Topic, user: User | None,
                      contents: list[dict], shuffle_options: bool = False) -> InstrumentVersion:
    """Save the test's new title, settings and items; returns the version now current."""
    instrument.title, instrument.topic = _check_title(title), topic
    instrument.shuffle_options = shuffle_options
    current = instrument.current_version
    if [_comparable(c) for c in contents] == [_comparable(it.content() | {"question_id": it.question_id, "required": it.required})
                                              for it in current.items]:
        db.session.flush()
        return current
    if not current.is_frozen:
        if not contents:
            raise ServiceError(_("Bài kiểm tra cần ít nhất một câu hỏi."), "questions")
        current.items.clear()
        db.session.flush()  # free the (version, position) slots before reusing them
        current.items.extend(Item(position=i, **c) for i, c in enumerate(contents, start=1))
        db.session.flush()
        return current
    version = _new_version(instrument, contents, user)
    db.session.flush()
    # Trainings that have not collected anything yet follow the test to its new version.
    answered = sa.select(Response.training_id).where(Response.version_id == current.id)
    for training in db.session.scalars(sa.select(Training).where(Training.version_id == current.id,
                                                                 Training.id.not_in(answered))):
        training.version = version
    db.session.flush()
    # Trainings that have: when only the answer key or points changed (the same questions and
    # options, so every answer still means what it meant), they adopt the fix and are re-scored.
    from surveys.services.corrections import can_rescore, rescore_training

    for training in db.session.scalars(sa.select(Training).where(Training.version_id == current.id)):
        if can_rescore(training, version):
            rescore_training(training, version, user)
    db.session.flush()
    return version


def _comparable(content: dict) -> tuple:
    return (content["text"], content["kind"], list(content["options"]), sorted(content["correct"]),
            content["points"], content["has_dont_know"], content.get("question_id"), bool(content.get("required")))
