"""Community screens: teams, clubs, trusted addresses, the monthly activity grid and its workbook,
the topic list, the figures with their drill-downs and the period report. Views load and
authorize (``community.access``), validate, call one service, then redirect or render."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import jobs
from app.official import send_document
from app import clock
from app.auth import unit_scope
from app.extensions import db
from app.models import Person, Sex, Unit, UnitLevel
from app.services import ServiceError, log_export
from community import access, indicators, labels, report, services, workbook
from community.access import TOPIC_ROLES, community_required
from community.forms import (AddressForm, ChildForm, ClubForm, CloseForm, FacilitatorForm, ImportForm, LeaveForm,
                             SupportForm, TeamForm, TeamMemberForm, TopicForm)
from community.models import (Activity, ActivityForm, ActivityHost, ActivityTopic, Club, ClubGroup, ClubSetting,
                              GroupStatus, HostKind, SupportKind, Team, TeamRole, TrustedAddress)

bp = Blueprint("community", __name__, url_prefix="/community")
GRID_BLANK_ROWS = 3


def _unit_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Unit.id, Unit.name, Unit.level).where(
        unit_scope(current_user, Unit.id), Unit.level.in_([UnitLevel.commune, UnitLevel.village]),
        Unit.is_active).order_by(Unit.path)).all()
    return [(uid, name if level is UnitLevel.commune else f"— {name}") for uid, name, level in rows]


def _unit_of(form) -> Unit:
    unit = db.session.get(Unit, form.unit_id.data)
    if unit is None or not current_user.can_see_unit(unit):
        abort(404)
    return unit


def _fail(form, error: ServiceError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "error")


def _person_by_code(code: str) -> Person:
    person = db.session.scalar(sa.select(Person).where(Person.code == code.strip(), unit_scope(current_user,
                                                                                            Person.unit_id)))
    if person is None:
        raise ServiceError(_("Không có người mã “%(code)s” trong phạm vi của bạn.", code=code.strip()), "person_code")
    return person


# --- lists ---------------------------------------------------------------------------------

@bp.route("/")
@community_required
def index():
    today = clock.today()
    teams = db.session.scalars(sa.select(Team).where(unit_scope(current_user, Team.unit_id))
                               .options(sa.orm.selectinload(Team.members), sa.orm.joinedload(Team.unit))
                               .order_by(Team.name).limit(500)).all()
    month_start = today.replace(day=1)
    active_teams = dict(db.session.execute(
        sa.select(Activity.team_id, sa.func.count()).where(Activity.team_id.in_([t.id for t in teams]),
                                                           Activity.held_on >= month_start)
        .group_by(Activity.team_id)).all())
    clubs = db.session.scalars(sa.select(Club).where(unit_scope(current_user, Club.unit_id))
                               .options(sa.orm.selectinload(Club.members), sa.orm.selectinload(Club.facilitators))
                               .order_by(Club.name).limit(500)).all()
    addresses = db.session.scalars(sa.select(TrustedAddress).where(unit_scope(current_user, TrustedAddress.unit_id))
                                   .order_by(TrustedAddress.name).limit(500)).all()
    return render_template(
        "community/index.html", teams=teams, clubs=clubs, addresses=addresses, labels=labels, today=today,
        team_warnings={t.id: services.team_warnings(t, today, active_teams.get(t.id, 0)) for t in teams},
        club_warnings={c.id: services.club_warnings(c, today) for c in clubs})


# --- teams ---------------------------------------------------------------------------------

def _edit(form, title: str, save, show_endpoint: str):
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            obj = save(_unit_of(form))
        except ServiceError as error:
            _fail(form, error)
        else:
            flash(_("Đã lưu."), "success")
            return redirect(url_for(show_endpoint, **{f"{show_endpoint.split('_', 1)[1]}_id": obj.id}))
    return render_template("community/edit.html", form=form, title=title)


@bp.route("/teams/new", methods=["GET", "POST"])
@community_required
def create_team():
    form = TeamForm()
    return _edit(form, _("Thành lập tổ truyền thông cộng đồng"), lambda unit: services.save_team(
        None, unit=unit, name=form.name.data, decision_number=form.decision_number.data,
        founded_on=form.founded_on.data, decision_issuer=form.decision_issuer.data), "community.show_team")


@bp.route("/teams/<int:team_id>")
@community_required
def show_team(team_id: int):
    team = access.get_team_or_404(team_id)
    today = clock.today()
    activities = db.session.scalars(sa.select(Activity).where(Activity.team_id == team.id)
                                    .order_by(Activity.held_on.desc()).limit(24)).all()
    recent = sum(1 for a in activities if a.held_on >= today.replace(day=1))
    return render_template("community/show_team.html", team=team, labels=labels, activities=activities,
                           warnings=services.team_warnings(team, today, recent), member_form=TeamMemberForm(),
                           leave_form=LeaveForm(), close_form=CloseForm(), today=today)


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
@community_required
def add_team_member(team_id: int):
    team = access.get_team_or_404(team_id)
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            services.add_team_member(team, _person_by_code(form.person_code.data), TeamRole(form.role.data),
                                     form.joined_on.data)
            flash(_("Đã thêm thành viên."), "success")
        except ServiceError as error:
            flash(str(error), "error")
    else:
        _flash_errors(form)
    return redirect(url_for("community.show_team", team_id=team.id))


def _flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


@bp.route("/teams/<int:team_id>/members/<int:member_id>/leave", methods=["POST"])
@community_required
def end_team_membership(team_id: int, member_id: int):
    team = access.get_team_or_404(team_id)
    member = access.get_team_member_or_404(team, member_id)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            services.end_membership(member, form.left_on.data)
        except ServiceError as error:
            flash(str(error), "error")
    else:
        _flash_errors(form)
    return redirect(url_for("community.show_team", team_id=team.id))


def _close(group, endpoint: str, **view_args):
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close_group(group, GroupStatus(form.status.data), form.status_date.data)
            flash(_("Đã cập nhật trạng thái."), "success")
        except ServiceError as error:
            flash(str(error), "error")
    else:
        _flash_errors(form)
    return redirect(url_for(endpoint, **view_args))


@bp.route("/teams/<int:team_id>/close", methods=["POST"])
@community_required
def close_team(team_id: int):
    return _close(access.get_team_or_404(team_id), "community.show_team", team_id=team_id)


# --- clubs ---------------------------------------------------------------------------------

@bp.route("/clubs/new", methods=["GET", "POST"])
@community_required
def create_club():
    form = ClubForm()
    return _edit(form, _("Thành lập câu lạc bộ Thủ lĩnh của sự thay đổi"), lambda unit: services.save_club(
        None, unit=unit, name=form.name.data, setting=ClubSetting(form.setting.data),
        school_name=form.school_name.data, founded_on=form.founded_on.data), "community.show_club")


@bp.route("/clubs/<int:club_id>")
@community_required
def show_club(club_id: int):
    club = access.get_club_or_404(club_id)
    today = clock.today()
    return render_template("community/show_club.html", club=club, labels=labels, today=today,
                           warnings=services.club_warnings(club, today), child_form=ChildForm(),
                           facilitator_form=FacilitatorForm(), leave_form=LeaveForm(), close_form=CloseForm())


@bp.route("/clubs/<int:club_id>/members", methods=["POST"])
@community_required
def add_club_member(club_id: int):
    club = access.get_club_or_404(club_id)
    form = ChildForm()
    if form.validate_on_submit():
        try:
            services.add_club_member(club, services.ChildData(
                full_name=form.full_name.data, birth_year=form.birth_year.data,
                sex=Sex(form.sex.data) if form.sex.data else None, guardian_name=form.guardian_name.data,
                guardian_relation=form.guardian_relation.data, consent_on=form.consent_on.data,
                guardian_consents=form.guardian_consents.data, ethnicity_code=form.ethnicity_code.data or None,
                group=ClubGroup(form.group.data) if form.group.data else None), current_user)
            flash(_("Đã thêm thành viên."), "success")
            return redirect(url_for("community.show_club", club_id=club.id))
        except ServiceError as error:
            _fail(form, error)
    today = clock.today()
    return render_template("community/show_club.html", club=club, labels=labels, today=today,
                           warnings=services.club_warnings(club, today), child_form=form,
                           facilitator_form=FacilitatorForm(), leave_form=LeaveForm(), close_form=CloseForm())


@bp.route("/clubs/<int:club_id>/members/<int:member_id>/withdraw", methods=["POST"])
@community_required
def withdraw_consent(club_id: int, member_id: int):
    club = access.get_club_or_404(club_id)
    member = access.get_club_member_or_404(club, member_id)
    try:
        services.withdraw_child_consent(member, clock.today())
        flash(_("Đã ghi nhận việc rút lại sự đồng ý; tên trẻ đã được xóa."), "success")
    except ServiceError as error:
        flash(str(error), "error")
    return redirect(url_for("community.show_club", club_id=club.id))


@bp.route("/clubs/<int:club_id>/facilitators", methods=["POST"])
@community_required
def add_facilitator(club_id: int):
    club = access.get_club_or_404(club_id)
    form = FacilitatorForm()
    if form.validate_on_submit():
        try:
            services.add_facilitator(club, _person_by_code(form.person_code.data), form.joined_on.data)
            flash(_("Đã thêm người hướng dẫn."), "success")
        except ServiceError as error:
            flash(str(error), "error")
    else:
        _flash_errors(form)
    return redirect(url_for("community.show_club", club_id=club.id))


@bp.route("/clubs/<int:club_id>/close", methods=["POST"])
@community_required
def close_club(club_id: int):
    return _close(access.get_club_or_404(club_id), "community.show_club", club_id=club_id)


# --- trusted addresses ---------------------------------------------------------------------

@bp.route("/addresses/new", methods=["GET", "POST"])
@community_required
def create_address():
    form = AddressForm()
    return _edit(form, _("Ra mắt địa chỉ tin cậy"), lambda unit: services.save_address(
        None, unit=unit, name=form.name.data, host_kind=HostKind(form.host_kind.data),
        contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
        founded_on=form.founded_on.data), "community.show_address")


@bp.route("/addresses/<int:address_id>")
@community_required
def show_address(address_id: int):
    address = access.get_address_or_404(address_id)
    return render_template("community/show_address.html", address=address, labels=labels,
                           show_contact=access.can_see_contact(current_user, address), support_form=SupportForm(),
                           close_form=CloseForm())


@bp.route("/addresses/<int:address_id>/support", methods=["POST"])
@community_required
def record_support(address_id: int):
    address = access.get_address_or_404(address_id)
    form = SupportForm()
    if form.validate_on_submit():
        month = clock.parse_date("01/" + form.month.data.strip())
        try:
            if month is None:
                raise ServiceError(_("Tháng phải theo dạng mm/yyyy."), "month")
            services.record_support(address, month, SupportKind(form.kind.data), form.count.data)
            flash(_("Đã lưu."), "success")
        except ServiceError as error:
            flash(str(error), "error")
    else:
        _flash_errors(form)
    return redirect(url_for("community.show_address", address_id=address.id))


@bp.route("/addresses/<int:address_id>/close", methods=["POST"])
@community_required
def close_address(address_id: int):
    return _close(access.get_address_or_404(address_id), "community.show_address", address_id=address_id)


# --- the monthly grid ----------------------------------------------------------------------

def _grid_selection() -> tuple[Unit, date]:
    unit = access.unit_by_code_or_404(request.args.get("unit"))
    if unit.level is not UnitLevel.commune:
        if unit.level is UnitLevel.village and unit.parent is not None and current_user.can_see_unit(unit.parent):
            unit = unit.parent
        else:
            first = db.session.scalar(sa.select(Unit).where(Unit.parent_id == unit.id,
                                                            Unit.level == UnitLevel.commune).order_by(Unit.name))
            if first is None:
                abort(404)
            unit = first
    today = clock.today()
    month = clock.parse_date("01/" + (request.args.get("month") or "").strip()) or today.replace(day=1)
    return unit, month.replace(day=1)


def _month_end(month: date) -> date:
    import calendar

    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _grid_context(commune: Unit, month: date, entered=None, problems=None):
    teams = [t for t in workbook.commune_teams(commune) if t.is_active]
    topics = db.session.scalars(sa.select(ActivityTopic).where(ActivityTopic.is_active)
                                .order_by(ActivityTopic.position)).all()
    existing = db.session.scalars(sa.select(Activity).where(
        commune.subtree_filter(Activity.unit_id), Activity.host == ActivityHost.team,
        Activity.held_on.between(month, _month_end(month))).order_by(Activity.held_on, Activity.id)).all()
    blank = {"team": "", "day": "", "topic": "", "form": "", "total": "", "women": "", "minority": "", "children": ""}
    rows = entered or [dict(blank, team=str(t.id)) for t in teams] + [dict(blank) for _ in range(GRID_BLANK_ROWS)]
    communes = db.session.execute(sa.select(Unit.code, Unit.name).where(
        unit_scope(current_user, Unit.id), Unit.level == UnitLevel.commune).order_by(Unit.name)).all()
    return {"commune": commune, "month": month, "teams": teams, "topics": topics, "existing": existing,
            "rows": rows, "problems": problems or {}, "labels": labels, "forms": list(ActivityForm),
            "communes": communes, "import_form": ImportForm()}


@bp.route("/grid", methods=["GET", "POST"])
@community_required
def enter_grid():
    commune, month = _grid_selection()
    if request.method == "GET":
        return render_template("community/grid.html", **_grid_context(commune, month))
    teams = {t.id: t for t in workbook.commune_teams(commune)}
    entered, rows, problems = [], [], {}
    count = min(int(request.form.get("rows", "0") or 0) if (request.form.get("rows") or "").isdigit() else 0, 200)
    for i in range(count):
        raw = {k: (request.form.get(f"r{i}-{k}") or "").strip()[:20] for k in
               ("team", "day", "topic", "form", "total", "women", "minority", "children")}
        entered.append(raw)
        if not any(raw[k] for k in ("day", "topic", "form", "total")):
            continue
        team = teams.get(int(raw["team"])) if raw["team"].isdigit() else None

        def number(text):
            return int(text) if text.isdigit() and len(text) <= 7 else (0 if text == "" else -1)
        day = int(raw["day"]) if raw["day"].isdigit() and 1 <= int(raw["day"]) <= _month_end(month).day else None
        form_value = next((f for f in ActivityForm if f.value == raw["form"]), None)
        rows.append((i + 1, services.ActivityData(
            held_on=month.replace(day=day) if day else None,
            topic_id=int(raw["topic"]) if raw["topic"].isdigit() else None, form=form_value,
            participants_total=number(raw["total"]) if raw["total"] else None,
            participants_women=number(raw["women"]), participants_minority=number(raw["minority"]),
            participants_children=number(raw["children"]), host=ActivityHost.team, team=team)))
    try:
        if not rows:
            raise services.GridError([(0, "rows", _("Chưa nhập dòng nào."))])
        saved = services.save_activity_rows(rows, current_user)
    except services.GridError as error:
        for number, _field, message in error.problems:
            problems.setdefault(number, []).append(message)
        flash(str(error), "error")
        return render_template("community/grid.html", **_grid_context(commune, month, entered, problems)), 422
    flash(_("Đã lưu %(n)d hoạt động.", n=len(saved)), "success")
    return redirect(url_for("community.enter_grid", unit=commune.code, month=month.strftime("%m/%Y")))


@bp.route("/grid/template.xlsx")
@community_required
def grid_template():
    commune, month = _grid_selection()
    return send_document(workbook.write_template(commune, month), f"hoat-dong-{commune.code}-{month:%Y-%m}.xlsx",
                         report.XLSX, personal=False)


@bp.route("/grid/import", methods=["POST"])
@community_required
def import_grid():
    commune, month = _grid_selection()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn tệp Excel (.xlsx) để nhập."), "error")
        return redirect(url_for("community.enter_grid", unit=commune.code, month=month.strftime("%m/%Y")))
    try:
        rows = workbook.read_rows(upload.read(), commune)
        saved = services.save_activity_rows(rows, current_user)
    except services.GridError as error:
        problems = {}
        for number, field, message in error.problems:
            problems.setdefault(number, []).append(f"{field}: {message}")
        flash(str(error), "error")
        context = _grid_context(commune, month)
        context["import_problems"] = sorted(problems.items())
        return render_template("community/grid.html", **context), 422
    flash(_("Đã nhập %(n)d hoạt động từ tệp.", n=len(saved)), "success")
    return redirect(url_for("community.enter_grid", unit=commune.code, month=month.strftime("%m/%Y")))


@bp.route("/activities/<int:activity_id>/delete", methods=["POST"])
@community_required
def delete_activity(activity_id: int):
    activity = access.get_activity_or_404(activity_id)
    commune = activity.unit if activity.unit.level is UnitLevel.commune else activity.unit.parent
    month = activity.held_on.strftime("%m/%Y")
    services.delete_activity(activity)
    flash(_("Đã xóa hoạt động."), "success")
    return redirect(url_for("community.enter_grid", unit=commune.code, month=month))


# --- topics --------------------------------------------------------------------------------

@bp.route("/topics/", methods=["GET", "POST"])
@community_required
def list_topics():
    form = TopicForm()
    if request.method == "POST":
        if not current_user.has_role(*TOPIC_ROLES):
            abort(403)
        if form.validate_on_submit():
            try:
                services.save_topic(None, form.name.data)
                flash(_("Đã lưu."), "success")
                return redirect(url_for("community.list_topics"))
            except ServiceError as error:
                _fail(form, error)
    topics = db.session.scalars(sa.select(ActivityTopic).order_by(ActivityTopic.position)).all()
    return render_template("community/list_topics.html", topics=topics, form=form,
                           can_edit=current_user.has_role(*TOPIC_ROLES))


# --- figures and the report ----------------------------------------------------------------

def _report_stamp(unit: Unit) -> list:
    """What the Project 8 report of ``unit`` reads (its job key, app.jobs.document_key): every
    audited change in the subtree (teams, clubs, addresses, activities, their members and counts,
    the units' names), the names of the units above and the managed topics; not a login, not another district's record."""
    return [jobs.subtree_changes(unit), jobs.names_above(unit.id),
            jobs.object_changes("ActivityTopic", sa.select(ActivityTopic.id))]


def _selection():
    unit = access.unit_by_code_or_404(request.args.get("unit"))
    period, problems = indicators.period_from_request(request.args, clock.today())
    for problem in problems:
        flash(problem, "error")
    return unit, period


@bp.route("/indicators")
@community_required
def show_indicators():
    unit, period = _selection()
    figures = indicators.compute(unit, period)
    return render_template("community/show_indicators.html", unit=unit, period=period, figures=figures,
                           FIGURES=indicators.FIGURES, GROUPS=indicators.GROUPS, presets=indicators.PRESETS,
                           preset_label=indicators.preset_label, args=request.args)


@bp.route("/indicators/rows")
@community_required
def show_drilldown():
    unit, period = _selection()
    key = request.args.get("key", "")
    if key not in indicators.FIGURES:
        abort(404)
    rows = indicators.drilldown(unit, period, key)
    if key.startswith("team_members"):
        log_export(current_user, "community_drilldown", "Unit", unit.id, has_names=False, rows=len(rows.rows))
    return render_template("community/show_drilldown.html", unit=unit, period=period, drill=rows,
                           figure=indicators.FIGURES[key], args=request.args)


@bp.route("/report.pdf")
@community_required
@jobs.in_worker(stamp=lambda: _report_stamp(access.unit_by_code_or_404(request.args.get("unit"))))
def report_pdf():
    unit, period = _selection()
    data = report.report_pdf(unit, period, clock.today())
    return send_document(data, f"bao-cao-du-an-8-{unit.code}-{period.slug()}.pdf", "application/pdf", personal=False)


@bp.route("/report.xlsx")
@community_required
@jobs.in_worker(stamp=lambda: _report_stamp(access.unit_by_code_or_404(request.args.get("unit"))))
def report_xlsx():
    unit, period = _selection()
    data = report.report_xlsx(unit, period, clock.today())
    return send_document(data, f"bao-cao-du-an-8-{unit.code}-{period.slug()}.xlsx", report.XLSX, personal=False)
