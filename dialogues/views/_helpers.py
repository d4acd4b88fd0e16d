"""Choices for the dialogue forms, the lock check and what a refused save shows."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app import clock
from app.auth import scoped_units, unit_in_scope
from app.forms import show_service_error
from app.extensions import db
from app.models import Unit, UnitLevel, User
from app.services import ServiceError
from dialogues.models import QuestionCategory
from app.services import agencies_on_branch


def organising_unit_choices(user: User) -> list[tuple[int, str]]:
    units = db.session.scalars(scoped_units(user).where(
        Unit.level.in_([UnitLevel.commune, UnitLevel.province]), Unit.is_active).order_by(Unit.path)).all()
    nested = any(u.level is UnitLevel.province for u in units)  # indent communes under their province
    return [(u.id, f"— {u.name}" if nested and u.level is UnitLevel.commune else u.name) for u in units]


def read_unit_period(form, user: User) -> tuple[Unit | None, date, date]:
    """The unit and period of a figures page (``IndicatorsForm`` from the query string): the unit
    offered among the user's own and those it organises, None when unknown or out of scope; the
    period 1 January to today unless given, shown in the date inputs (ISO) whether typed, linked
    or by default; a date that could not be read stays as typed beside its error, and "to" before
    "from" is an error on "to". The form is validated; the caller decides what a bad unit means."""
    own = user.unit
    choices = organising_unit_choices(user)
    form.unit_id.choices = ([] if own.id in {i for i, _n in choices} else [(own.id, own.name)]) + choices
    form.validate()
    unit = None if form.unit_id.errors else unit_in_scope(form.unit_id.data)
    today = clock.today()
    date_from = (None if form.date_from.errors else form.date_from.data) or date(today.year, 1, 1)
    date_to = (None if form.date_to.errors else form.date_to.data) or today
    for field, value in ((form.date_from, date_from), (form.date_to, date_to)):
        if not field.errors:
            field.raw_data = [value.isoformat()]
    if date_from > date_to:
        form.date_to.errors = [_("“Đến ngày” phải sau “Từ ngày”.")]
    return unit, date_from, date_to


def village_choices(unit: Unit) -> list[tuple[int, str]]:
    villages = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.division_type, Unit.parent_id)
        .where(Unit.path.startswith(unit.path), Unit.level == UnitLevel.village, Unit.is_active)
        .order_by(Unit.path)).all()
    if unit.level is UnitLevel.commune:
        return [(v.id, f"{v.division_type} {v.name}".strip()) for v in villages]
    communes = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(
        Unit.id.in_({v.parent_id for v in villages}))).all())
    return [(v.id, f"{communes.get(v.parent_id, '')} — {v.name}") for v in villages]


def agency_choices(unit: Unit, higher_only: bool = False, same_or_higher: bool = False) -> list[tuple[int, str]]:
    agencies = db.session.scalars(agencies_on_branch(unit)).all()
    if higher_only:
        agencies = [a for a in agencies if a.unit_id != unit.id and a.unit.contains(unit)]
    if same_or_higher:  # where a question may be forwarded in writing: a transfer, or up a level
        agencies = [a for a in agencies if a.unit.contains(unit)]
    return [(a.id, a.name) for a in agencies]


def category_choices(include_inactive: bool = False) -> list[tuple[int, str]]:
    from flask_login import current_user

    from app.auth import shared_list_filter

    stmt = (sa.select(QuestionCategory).where(shared_list_filter(current_user, QuestionCategory.unit_id))
            .order_by(QuestionCategory.position, QuestionCategory.name))
    if not include_inactive:
        stmt = stmt.where(QuestionCategory.is_active)
    return [(c.id, c.name) for c in db.session.scalars(stmt)]


def refuse_if_locked(dialogue):
    """A redirect to the dialogue page with the lock message, or None when it may be edited."""
    if not dialogue.is_locked:
        return None
    flash(_("Biên bản đã được duyệt nên hồ sơ đối thoại đã khóa. Muốn sửa, hãy thêm phụ lục đính chính."), "error")
    return redirect(url_for("dialogues.show_dialogue", dialogue_id=dialogue.id))


def expected_revision(form) -> int:
    """The revision the form was built from (-1 when missing: always stale)."""
    value = form.revision.data or ""
    return int(value) if value.isdigit() else -1


def handle_save_error(form, exc: ServiceError, reload_url: str):
    """After a refused save (its writes already undone by ``service_call``): a stale form reloads
    the stored data (typing it again would create duplicates); any other error is shown on its
    field. Returns a response or None."""
    if exc.field == "revision":
        flash(exc.message, "error")
        return redirect(reload_url)
    show_service_error(form, exc)
    return None
