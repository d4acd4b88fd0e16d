"""Writes on trainings: the training itself, its roster (matching people instead of duplicating
them) and the opening and closing of its pre and post phases."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app import clock, services as core
from app.extensions import db
from app.models import Person, Sex, Unit, UnitLevel, User
from app.services import ServiceError
from surveys.models import Instrument, Participant, Phase, Response, Topic, Training, TrainingPhase

CONSENT_PURPOSE = "caunoi"  # the core's purpose: tracking trainings and dialogues of the union
# A training of trainers is held by the province; village and commune classes by the commune.
TRAINING_LEVELS = (UnitLevel.province, UnitLevel.commune, UnitLevel.village)


def training_date_problem(value: date) -> str | None:
    """Training dates lie in 2000..next year: a typo such as 2205 or 1925 is refused."""
    last = clock.today().year + 1
    if not 2000 <= value.year <= last:
        return _("Ngày phải trong khoảng năm %(a)d đến năm %(b)d.", a=2000, b=last)
    return None


def birth_year_problem(value: int | None) -> str | None:
    this_year = clock.today().year
    if value is not None and not 1900 <= value <= this_year:
        return _("năm sinh phải từ %(a)d đến %(b)d.", a=1900, b=this_year)
    return None


def save_training(training: Training | None, *, title: str, topic: Topic, unit: Unit, instrument: Instrument,
                  start_date: date, end_date: date | None = None, venue: str = "", trainers: str = "",
                  one_question_per_screen: bool = False, show_results_after_post: bool = False,
                  user: User | None = None) -> Training:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(_("Vui lòng nhập tên lớp tập huấn."), "title")
    if len(title) > 300:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=300), "title")
    if unit.level not in TRAINING_LEVELS:
        raise ServiceError(_("Lớp tập huấn phải thuộc một tỉnh, thành phố, một xã, phường hoặc một thôn, bản."), "unit")
    if user is not None and not user.can_see_unit(unit):
        raise ServiceError(_("Đơn vị này nằm ngoài phạm vi của bạn."), "unit")
    if start_date is None:
        raise ServiceError(_("Vui lòng nhập ngày bắt đầu."), "start_date")
    if end_date is not None and end_date < start_date:
        raise ServiceError(_("Ngày kết thúc phải sau ngày bắt đầu."), "end_date")
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if value is not None and (message := training_date_problem(value)):
            raise ServiceError(message, name)
    for name, value in (("venue", venue), ("trainers", trainers)):
        if len(value or "") > 300:
            raise ServiceError(_("Không được dài quá %(max)d ký tự.", max=300), name)
    version = instrument.current_version
    if training is None:
        training = Training(created_by_id=user.id if user else None,
                            phases=[TrainingPhase(phase=Phase.pre), TrainingPhase(phase=Phase.post)])
        db.session.add(training)
    elif training.version.instrument_id != instrument.id and has_responses(training):
        raise ServiceError(_("Lớp đã có câu trả lời nên không đổi được bài kiểm tra."), "instrument_id")
    else:
        version = training.version if training.version.instrument_id == instrument.id else version
    training.title, training.topic, training.unit, training.version = title, topic, unit, version
    training.start_date, training.end_date = start_date, end_date
    training.venue, training.trainers = (venue or "").strip(), (trainers or "").strip()
    training.one_question_per_screen = one_question_per_screen
    training.show_results_after_post = show_results_after_post
    db.session.flush()
    return training


def has_responses(training: Training) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Response.training_id == training.id))))


def set_phase_open(training: Training, phase: Phase, is_open: bool) -> TrainingPhase:
    """Open or close the phone form of one phase (paper entry works either way)."""
    state = training.phase(phase)
    if is_open and not state.is_open:
        state.open()
    elif not is_open and state.is_open:
        state.close()
    db.session.flush()
    return state


# --- roster ------------------------------------------------------------------------------

def home_commune(unit: Unit) -> Unit:
    return unit.parent if unit.level is UnitLevel.village and unit.parent else unit


def match_person(*, code: str | None, full_name: str, birth_year: int | None, unit: Unit) -> Person | None:
    """An existing person with this code, or else with this name, birth year and unit."""
    if code:
        person = db.session.scalar(sa.select(Person).where(Person.code == code))
        if person is not None:
            return person
    name = " ".join((full_name or "").split()).casefold()
    if not name:
        return None
    candidates = db.session.scalars(sa.select(Person).where(
        Person.unit_id == unit.id, Person.erased_dt.is_(None),
        Person.birth_year.is_(None) if birth_year is None else Person.birth_year == birth_year))
    return next((p for p in candidates if p.full_name.casefold() == name), None)


def find_or_create_person(*, user: User | None, unit: Unit, full_name: str, code: str | None = None,
                          sex: Sex | None = None, birth_year: int | None = None,
                          ethnicity_code: str | None = None) -> tuple[Person, bool]:
    """The matching person (see ``match_person``) or a new one; (person, created)."""
    code = (code or "").strip() or None
    if message := birth_year_problem(birth_year):
        raise ServiceError(message[:1].upper() + message[1:], "birth_year")
    person = match_person(code=code, full_name=full_name, birth_year=birth_year, unit=unit)
    if person is not None:
        if user is not None and not user.can_see_unit(person.unit):
            raise ServiceError(_("Mã “%(code)s” đã dùng cho một người ngoài phạm vi của bạn.", code=code or ""),
                               "code")
        if person.erased_dt is not None:
            raise ServiceError(_("Mã “%(code)s” thuộc một người đã bị xóa thông tin.", code=person.code), "code")
        return person, False
    person = core.save_person(None, full_name=full_name, unit=unit, sex=sex, birth_year=birth_year,
                              ethnicity_code=ethnicity_code, code=code)
    return person, True


def add_participant(training: Training, person: Person, user: User | None = None) -> Participant:
    if user is not None and not user.can_see_unit(person.unit):
        raise ServiceError(_("Người này nằm ngoài phạm vi của bạn."), "person")
    if person.erased_dt is not None:
        raise ServiceError(_("Người này đã bị xóa thông tin."), "person")
    if is_on_roster(training, person):
        raise ServiceError(_("%(name)s đã có trong danh sách lớp.", name=person.full_name), "person")
    participant = Participant(training=training, person=person)
    db.session.add(participant)
    db.session.flush()
    return participant


_ON_ROSTER = sa.select(sa.exists().where(Participant.training_id == sa.bindparam("training_id"),
                                          Participant.person_id == sa.bindparam("person_id")))


def is_on_roster(training: Training, person: Person) -> bool:
    return bool(db.session.scalar(_ON_ROSTER, {"training_id": training.id, "person_id": person.id}))


def remove_participant(training: Training, person: Person) -> None:
    if db.session.scalar(sa.select(sa.exists().where(Response.training_id == training.id,
                                                     Response.person_id == person.id))):
        raise ServiceError(_("%(name)s đã có câu trả lời nên không xóa khỏi danh sách được.",
                             name=person.full_name), "person")
    participant = db.session.scalar(sa.select(Participant).where(Participant.training_id == training.id,
                                                                 Participant.person_id == person.id))
    if participant is not None:
        db.session.delete(participant)
        db.session.flush()


def ensure_consent(person: Person, given_now: bool, user: User | None, *, write: bool = True) -> None:
    """A response is stored only for a person with an active consent, or one given right now
    (recorded unless ``write`` is False: the check alone). One active consent per person and
    purpose is a database rule (``uq_consents_active``): call this inside the savepoint of the
    writes it goes with, so a concurrent duplicate undoes them all."""
    if person.has_consent(CONSENT_PURPOSE):
        return
    if not given_now:
        raise ServiceError(_("%(name)s chưa đồng ý cho lưu thông tin nên câu trả lời không được lưu.",
                             name=person.full_name), "consent")
    if write:
        core.give_consent(person, CONSENT_PURPOSE, user)
