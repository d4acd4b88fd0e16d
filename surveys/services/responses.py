"""Answers in, scores out: the single path every collection method (phone, paper grid, workbook)
takes to store a response, so a typed "2" means the same thing wherever it was typed.

``parse_answer`` turns raw input into a scored answer (or a precise error); ``save_response``
stores a response once, whatever the retries: a repeated client token or a second response for
the same person and phase returns the response already stored, also under concurrent submits
(the database's unique constraints decide, inside a SAVEPOINT). Only live responses hold the
person's slot: a voided one (``surveys.services.corrections``) stays as history and a new
response may take its place.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.locking import take_write_lock
from app.models import Person, User, utcnow
from app.services import ServiceError
from surveys.models import Answer, InstrumentVersion, Item, Phase, QuestionKind, Response, ResponseSource, Training
from surveys.queries import counted
from surveys.services.bank import parse_positions
from surveys.services.trainings import CONSENT_PURPOSE, ensure_consent, is_on_roster

MAX_TEXT_ANSWER = 1000
CLIENT_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class ParsedAnswer:
    item: Item
    choice: str | None = None
    text: str | None = None
    points: int | None = None
    is_dont_know: bool = False

    def key(self) -> tuple:
        return self.item.id, self.choice, self.text


def score(item: Item, positions: list[int]) -> tuple[int | None, bool]:
    """(points, is_dont_know). Right only when the chosen set equals the key; "Không biết" is
    always wrong; likert and text are not scored."""
    if not item.is_scored:
        return None, False
    if item.dont_know_position is not None and positions == [item.dont_know_position]:
        return 0, True
    return (item.points if set(positions) == set(item.correct) else 0), False


def parse_answer(item: Item, raw) -> ParsedAnswer | None:
    """Raw input (a typed "1,3", a cell value 2, posted values ["1", "3"]) to a scored answer;
    None when blank. Impossible values raise ServiceError with a message for the respondent."""
    if isinstance(raw, (list, tuple)):
        raw = ",".join(str(v) for v in raw if str(v).strip())
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if item.kind is QuestionKind.text:
        text = " ".join(str(raw).split())
        if len(text) > MAX_TEXT_ANSWER:
            raise ServiceError(_("Câu trả lời dài quá %(n)d ký tự.", n=MAX_TEXT_ANSWER), item.key)
        return ParsedAnswer(item, text=text)
    positions = parse_positions(raw, item.key)
    count = item.option_count
    for p in positions:
        if not 1 <= p <= count:
            raise ServiceError(_("Lựa chọn %(p)d không có: câu này chỉ có %(n)d lựa chọn (1 đến %(n)d).",
                                 p=p, n=count), item.key)
    positions = sorted(set(positions))
    if item.kind is not QuestionKind.multi and len(positions) > 1:
        raise ServiceError(_("Câu này chỉ được chọn một lựa chọn."), item.key)
    if item.dont_know_position in positions and len(positions) > 1:
        raise ServiceError(_("Không chọn “Không biết” cùng với lựa chọn khác."), item.key)
    points, is_dont_know = score(item, positions)
    return ParsedAnswer(item, choice=",".join(map(str, positions)), points=points, is_dont_know=is_dont_know)


def parse_answers(items: list[Item], raw_by_key: dict) -> tuple[list[ParsedAnswer], dict[str, str]]:
    """Parse every item; returns (answers, {item key: error message}) so a form can show all errors."""
    answers, errors = [], {}
    for item in items:
        try:
            parsed = parse_answer(item, raw_by_key.get(item.key))
        except ServiceError as exc:
            errors[item.key] = exc.message
            continue
        if parsed is not None:
            answers.append(parsed)
    return answers, errors


# Built once: the phone form runs both on every submission (see surveys.access). A person's
# response is her live one: a voided response no longer holds her slot.
_BY_PERSON = sa.select(Response).where(Response.training_id == sa.bindparam("training_id"),
                                       Response.phase == sa.bindparam("phase"),
                                       Response.person_id == sa.bindparam("person_id"), counted())
_BY_TOKEN = sa.select(Response).where(Response.client_token == sa.bindparam("token"))
_BY_TOKEN_OR_PERSON = sa.select(Response).where(sa.or_(
    Response.client_token == sa.bindparam("token"),
    sa.and_(Response.training_id == sa.bindparam("training_id"), Response.phase == sa.bindparam("phase"),
            Response.person_id == sa.bindparam("person_id"), counted())))


def find_response(training: Training, phase: Phase, person: Person) -> Response | None:
    """The person's live response to the phase (voided ones left out), or None."""
    return db.session.scalar(_BY_PERSON, {"training_id": training.id, "phase": phase, "person_id": person.id})


def _by_token(token: str | None) -> Response | None:
    return db.session.scalar(_BY_TOKEN, {"token": token}) if token else None


def _score(response: Response, answers: list[ParsedAnswer], version: InstrumentVersion) -> None:
    response.score = sum(a.points or 0 for a in answers)
    response.max_score = version.max_score


def _store_answers(response: Response, answers: list[ParsedAnswer], *, replace: bool = False) -> None:
    """Write the answer rows of a flushed response in one statement (an executemany, not one
    INSERT per answer: a phone submission is mostly this), dropping the old ones first when
    ``replace``; ``response.answers`` reloads on next use."""
    if replace:
        db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    if answers:
        # render_nulls: rows with and without text/points go in one batch, not one per shape.
        db.session.execute(sa.insert(Answer).execution_options(render_nulls=True), [
            {"response_id": response.id, "item_id": a.item.id, "choice": a.choice, "text": a.text,
             "points": a.points, "is_dont_know": a.is_dont_know} for a in answers])
    db.session.expire(response, ["answers"])


def save_response(training: Training, phase: Phase, person: Person, answers: list[ParsedAnswer], *,
                  source: ResponseSource, user: User | None = None, client_token: str | None = None,
                  consent_given: bool = False, replace: bool = False) -> tuple[Response, bool]:
    """Store one response; returns (response, created).

    An existing response (same client token, or same training, phase and person) is returned
    unchanged, unless ``replace`` (a trainer correcting paper answers) rewrites its answers.
    """
    if client_token is not None and not CLIENT_TOKEN_RE.fullmatch(client_token):
        raise ServiceError(_("Biểu mẫu không hợp lệ. Vui lòng tải lại trang."), "client_token")
    take_write_lock()  # the checks below and the insert happen under one lock (SQLite; app.locking)
    # One query for both earlier responses that may exist: this form sent already (its token), or
    # this person's answers for the phase.
    found = db.session.scalars(_BY_TOKEN_OR_PERSON, {"token": client_token, "training_id": training.id,
                                                     "phase": phase, "person_id": person.id}).all()
    if client_token and (same_form := [r for r in found if r.client_token == client_token]):
        return same_form[0], False
    if not is_on_roster(training, person):
        raise ServiceError(_("%(name)s không có trong danh sách lớp.", name=person.full_name), "person")
    if any(a.item.version_id != training.version_id for a in answers):
        raise ServiceError(_("Câu trả lời không khớp với bài kiểm tra của lớp."), "answers")
    existing = next((r for r in found if (r.training_id, r.phase, r.person_id) == (training.id, phase, person.id)),
                    None)
    if existing is not None and not replace:
        return existing, False
    if existing is not None:
        ensure_consent(person, consent_given, user)
        _score(existing, answers, existing.version)
        existing.entered_by_id, existing.updated_dt = (user.id if user else None), utcnow()
        db.session.flush()
        _store_answers(existing, answers, replace=True)
        return existing, False
    ensure_consent(person, consent_given, user, write=False)  # refuses before any write
    try:
        with db.session.begin_nested():
            # The consent is written in the same savepoint as the response: when a concurrent
            # submit for this person wins (the unique rules on responses and on active consents),
            # both are undone together and the winner's rows are used.
            ensure_consent(person, consent_given, user)
            # Ids, not relationships: the flush then has no related objects to walk (the phone
            # form's busiest statement); response.training etc. still load on first use.
            response = Response(training_id=training.id, phase=phase, person_id=person.id,
                                version_id=training.version_id, source=source, client_token=client_token,
                                entered_by_id=user.id if user else None)
            db.session.add(response)
            _score(response, answers, training.version)
            db.session.flush()
            _store_answers(response, answers)
    except IntegrityError:
        # A concurrent submit of the same form (or the same person) won the race: use its row.
        winner = _by_token(client_token) or find_response(training, phase, person)
        if winner is None:
            # Only the consent raced (her other phase, or the same consent given elsewhere at the
            # same moment): it is stored now, so store the response once more without it.
            db.session.expire(person, ["consents"])
            if not person.has_consent(CONSENT_PURPOSE):
                raise
            return save_response(training, phase, person, answers, source=source, user=user,
                                 client_token=client_token, consent_given=False)
        return winner, False
    return response, True


def display_order(item: Item, seed: str, shuffle: bool) -> list[int]:
    """Option positions in the order one respondent sees them: shuffled per respondent (stable
    across reloads), "Không biết" always last. Posted values stay canonical positions."""
    positions = list(range(1, len(item.options) + 1))
    if shuffle and item.kind in (QuestionKind.single, QuestionKind.multi):
        random.Random(f"{seed}:{item.id}").shuffle(positions)
    if item.dont_know_position:
        positions.append(item.dont_know_position)
    return positions
