"""Core screens: home, language switch, units with their villages, people."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import services
from app.access import ERASE_ROLES, OFFICER_ROLES, PEOPLE_ROLES
from app.auth import get_in_scope_or_404, is_safe_next, roles_required, scoped_units, unit_in_scope_or_404, unit_scope
from app.extensions import db
from app.forms import PersonForm, VillageForm
from app.models import Agency, Person, Sex, Unit, UnitLevel

bp = Blueprint("core", __name__)

CONSENT_PURPOSE = "caunoi"  # tracking trainings and dialogues of the union


@bp.route("/")
def index():
    return redirect(url_for("core.home" if current_user.is_authenticated else "auth.login"))


@bp.route("/home")
@login_required
def home():
    unit = current_user.unit
    counts = {
        "units": db.session.scalar(sa.select(sa.func.count()).select_from(scoped_units(current_user).subquery())),
        "people": db.session.scalar(sa.select(sa.func.count(Person.id)).where(unit_scope(current_user, Person.unit_id))),
        "agencies": db.session.scalar(sa.select(sa.func.count(Agency.id)).where(unit_scope(current_user, Agency.unit_id))),
    }
    return render_template("core/home.html", unit=unit, counts=counts)


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    target = request.args.get("next") or request.referrer
    path = target if is_safe_next(target) else None
    if path is None and target:
        from urllib.parse import urlsplit
        parts = urlsplit(target)
        if parts.netloc == request.host:  # referrer of our own site: keep its path, if it is one of ours
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            path = path if is_safe_next(path) else None
    response = make_response(redirect(path or url_for("core.index")))
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    # The header's switch is a form: a POST also keeps the choice in the profile. A GET (a shared
    # link) only sets the cookie: reading a page never writes to the database.
    if request.method == "POST" and current_user.is_authenticated:
        with services.service_call():
            services.save_locale(current_user, code)
    return response


# --- units -------------------------------------------------------------------------------

@bp.route("/units/")
@login_required
def list_units():
    return redirect(url_for("core.show_unit", unit_id=current_user.unit_id))


@bp.route("/units/<int:unit_id>")
@login_required
def show_unit(unit_id: int):
    unit = unit_in_scope_or_404(unit_id)
    q = request.args.get("q", "").strip()[:100]
    children = sa.select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.is_active.desc(), Unit.name)
    if q:
        children = sa.select(Unit).where(Unit.path.startswith(unit.path), Unit.id != unit.id,
                                         Unit.name.ilike(f"%{q}%")).order_by(Unit.name)
    page = db.paginate(children, per_page=current_app.config["PER_PAGE"], error_out=False)
    agencies = db.session.scalars(sa.select(Agency).where(Agency.unit_id == unit.id).order_by(Agency.name)).all()
    form = VillageForm() if unit.level is UnitLevel.commune and can_edit_units() else None
    visible_parents = [a for a in unit.ancestors if current_user.can_see_unit(a)]
    return render_template("core/show_unit.html", unit=unit, page=page, agencies=agencies, form=form, q=q,
                           parents=visible_parents)


def can_edit_units() -> bool:
    return current_user.has_role(*OFFICER_ROLES)


@bp.route("/units/<int:unit_id>/villages", methods=["POST"])
@roles_required(*OFFICER_ROLES)
def create_village(unit_id: int):
    unit = unit_in_scope_or_404(unit_id)
    form = VillageForm()
    if form.validate_on_submit():
        with services.service_call() as call:
            village = services.create_unit(unit, form.name.data, form.division_type.data)
        if call.ok:
            flash(_("Đã thêm %(name)s.", name=village.name), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("core.show_unit", unit_id=unit.id))


# --- people ------------------------------------------------------------------------------

def person_unit_choices() -> list[tuple[int, str]]:
    """Communes and villages in the user's scope (where people live)."""
    units = db.session.scalars(
        scoped_units(current_user).where(Unit.level.in_([UnitLevel.commune, UnitLevel.village]), Unit.is_active)
        .order_by(Unit.path)
    ).all()
    return [(u.id, ("— " if u.level is UnitLevel.village else "") + u.name) for u in units]


@bp.route("/people/")
@roles_required(*PEOPLE_ROLES)
def list_people():
    q = request.args.get("q", "").strip()[:100]
    stmt = sa.select(Person).where(unit_scope(current_user, Person.unit_id), Person.erased_dt.is_(None))
    if q:
        stmt = stmt.where(sa.or_(Person.full_name.ilike(f"%{q}%"), Person.code.ilike(f"%{q}%")))
    stmt = stmt.options(sa.orm.joinedload(Person.unit)).order_by(Person.name_key)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("core/list_people.html", page=page, q=q)


def _person_form_apply(form: PersonForm, person: Person | None) -> Person | None:
    unit = unit_in_scope_or_404(form.unit_id.data)
    with services.service_call(form, "full_name") as call:
        saved = services.save_person(
            person, full_name=form.full_name.data, unit=unit,
            sex=Sex(form.sex.data) if form.sex.data else None, birth_year=form.birth_year.data,
            ethnicity_code=(form.ethnicity_code.data if "ethnicity_code" in form else person and person.ethnicity_code)
            or None, phone=form.phone.data or None,
            code=form.code.data or None)
        if person is None and form.consent.data:
            services.give_consent(saved, CONSENT_PURPOSE, current_user)
    return saved if call.ok else None


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*PEOPLE_ROLES)
def create_person():
    form = PersonForm()
    form.unit_id.choices = person_unit_choices()
    if not current_user.can_see_ethnicity:
        del form.ethnicity_code
    if form.validate_on_submit() and (person := _person_form_apply(form, None)):
        flash(_("Đã thêm %(name)s.", name=person.full_name), "success")
        return redirect(url_for("core.show_person", person_id=person.id))
    return render_template("core/edit_person.html", form=form, person=None)


@bp.route("/people/<int:person_id>")
@roles_required(*PEOPLE_ROLES)
def show_person(person_id: int):
    person = get_in_scope_or_404(Person, person_id)
    return render_template("core/show_person.html", person=person, purpose=CONSENT_PURPOSE)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*PEOPLE_ROLES)
def edit_person(person_id: int):
    person = get_in_scope_or_404(Person, person_id)
    if person.erased_dt:
        abort(404)
    form = PersonForm(data={
        "full_name": person.full_name, "code": person.code, "sex": person.sex.value if person.sex else "",
        "birth_year": person.birth_year, "ethnicity_code": person.ethnicity_code or "", "unit_id": person.unit_id,
        "phone": person.phone or ""})
    form.unit_id.choices = person_unit_choices()
    del form.consent
    if not current_user.can_see_ethnicity:
        del form.ethnicity_code
    if form.validate_on_submit() and _person_form_apply(form, person):
        flash(_("Đã lưu."), "success")
        return redirect(url_for("core.show_person", person_id=person.id))
    return render_template("core/edit_person.html", form=form, person=person)


@bp.route("/people/<int:person_id>/consent", methods=["POST"])
@roles_required(*PEOPLE_ROLES)
def update_consent(person_id: int):
    from flask_wtf import FlaskForm

    person = get_in_scope_or_404(Person, person_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "withdraw":
        services.withdraw_consent(person, CONSENT_PURPOSE)
        flash(_("Đã ghi nhận việc rút lại sự đồng ý."), "success")
    elif request.form.get("action") == "give" and not person.has_consent(CONSENT_PURPOSE):
        services.give_consent(person, CONSENT_PURPOSE, current_user, request.form.get("guardian_name", "")[:200])
        flash(_("Đã ghi nhận sự đồng ý."), "success")
    return redirect(url_for("core.show_person", person_id=person.id))


@bp.route("/people/<int:person_id>/erase", methods=["POST"])
@roles_required(*ERASE_ROLES)
def erase_person(person_id: int):
    from flask_wtf import FlaskForm

    person = get_in_scope_or_404(Person, person_id)
    if not FlaskForm().validate_on_submit() or request.form.get("confirm") != "yes":
        flash(_("Hãy đánh dấu xác nhận trước khi xóa."), "error")
        return redirect(url_for("core.show_person", person_id=person.id))
    services.erase_person(person)
    flash(_("Đã xóa thông tin nhận dạng; số liệu thống kê được giữ nguyên."), "success")
    return redirect(url_for("core.list_people"))
