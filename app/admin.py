"""Administration: user accounts, agencies, the audit log, the full backup."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import official, services, throttle
from app.auth import get_in_scope_or_404, roles_required, unit_scope
from app.extensions import db
from app.forms import AgencyEditForm, AgencyForm, UserForm
from app.models import Agency, AuditLog, Role, Unit, UnitLevel, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _resolve_unit_and_agency(form: UserForm | AgencyForm):
    """Unit (and agency) named in a form, only if inside the admin's own scope."""
    unit = services.unit_by_code(form.unit_code.data)
    if not current_user.can_see_unit(unit):
        raise services.ServiceError(_("Không có đơn vị hành chính mã “%(code)s”.", code=form.unit_code.data),
                                    "unit_code")
    agency = None
    if getattr(form, "agency_code", None) is not None and form.agency_code.data:
        agency = services.agency_by_code(form.agency_code.data)
        if not current_user.can_see_agency(agency):
            raise services.ServiceError(_("Không có cơ quan mã “%(code)s”.", code=form.agency_code.data),
                                        "agency_code")
    return unit, agency


# Service field names -> the admin forms' fields.
FORM_FIELDS = {"unit": "unit_code", "agency": "agency_code"}


@bp.route("/users/")
@roles_required(Role.admin)
def list_users():
    q = request.args.get("q", "").strip()[:100]
    stmt = sa.select(User).where(unit_scope(current_user, User.unit_id)).order_by(User.username)
    if q:
        stmt = stmt.where(sa.or_(User.username.ilike(f"%{q}%"), User.full_name.ilike(f"%{q}%")))
    stmt = stmt.options(sa.orm.joinedload(User.unit), sa.orm.joinedload(User.agency))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/list_users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        with services.service_call(form, "username", fields=FORM_FIELDS) as call:
            unit, agency = _resolve_unit_and_agency(form)
            user = services.create_user(form.username.data, form.password.data or "", Role(form.role.data), unit,
                                        agency, form.full_name.data or "", form.email.data,
                                        is_active=form.is_active.data)
        if call.ok:
            flash(_("Đã tạo người dùng %(name)s.", name=user.username), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/edit_user.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit_user(user_id: int):
    user = get_in_scope_or_404(User, user_id)
    form = UserForm(obj=user, role=user.role.value, unit_code=user.unit.code,
                    agency_code=user.agency.code if user.agency else "", is_active=user.is_active_account)
    form.username.render_kw = {"readonly": True}
    if request.method == "POST":
        form.username.data = user.username
    if form.validate_on_submit():
        with services.service_call(form, "username", fields=FORM_FIELDS) as call:
            unit, agency = _resolve_unit_and_agency(form)
            services.update_user(user, role=Role(form.role.data), unit=unit, agency=agency,
                                 full_name=form.full_name.data or "", email=form.email.data,
                                 is_active=form.is_active.data, actor=current_user, password=form.password.data)
        if call.ok:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/edit_user.html", form=form, user=user, locked=throttle.is_locked(user.username))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.admin)
def unlock_user(user_id: int):
    """Clear the failed logins that make this account wait (the owner asked, after an attack)."""
    from flask_wtf import FlaskForm

    user = get_in_scope_or_404(User, user_id)
    if FlaskForm().validate_on_submit():
        throttle.clear(user.username)
        flash(_("Đã mở khóa đăng nhập cho %(name)s.", name=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/agencies/")
@roles_required(Role.admin, Role.province, Role.commune)
def list_agencies():
    # The officer's own level first (a commune's Công an xã, Trạm Y tế xã ...), then by unit and name.
    own = sa.case((Agency.unit_id == current_user.unit_id, 0), else_=1)
    stmt = (sa.select(Agency).join(Agency.unit).where(unit_scope(current_user, Agency.unit_id))
            .options(sa.orm.contains_eager(Agency.unit)).order_by(own, Unit.path, Agency.name))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/list_agencies.html", page=page)


def _agency_unit(form: AgencyForm):
    """The unit of a new agency: for a commune officer always her commune (its local agencies:
    Công an xã, Trạm Y tế xã ...); for a province officer or an administrator, a unit of her scope
    that is not a village."""
    if current_user.role is Role.commune:
        return current_user.unit
    unit, _agency = _resolve_unit_and_agency(form)
    if unit.level is UnitLevel.village:
        raise services.ServiceError(_("Cơ quan thuộc cấp xã, tỉnh; không thuộc thôn, bản."), "unit_code")
    return unit


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles_required(Role.admin, Role.province, Role.commune)
def create_agency():
    form = AgencyForm()
    if current_user.role is Role.commune:
        form.unit_code.data = current_user.unit.code  # a commune manages its own list only
        form.unit_code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        with services.service_call(form, "code", fields=FORM_FIELDS) as call:
            agency = services.create_agency(form.code.data, form.name.data, _agency_unit(form))
        if call.ok:
            flash(_("Đã thêm cơ quan %(name)s.", name=agency.name), "success")
            return redirect(url_for("admin.list_agencies"))
    return render_template("admin/edit_agency.html", form=form, agency=None)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@roles_required(Role.admin, Role.province, Role.commune)
def edit_agency(agency_id: int):
    """Rename or retire an agency of the officer's own unit (a province officer: of her scope; the
    province's departments stay with the province, a commune edits only its local agencies)."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.id == agency_id,
                                                       unit_scope(current_user, Agency.unit_id)))
    if agency is None or (current_user.role is Role.commune and agency.unit_id != current_user.unit_id):
        abort(404)
    form = AgencyEditForm(obj=agency) if request.method == "GET" else AgencyEditForm()
    if form.validate_on_submit():
        with services.service_call(form, "name") as call:
            services.update_agency(agency, name=form.name.data, is_active=bool(form.is_active.data))
        if call.ok:
            flash(_("Đã lưu cơ quan %(name)s.", name=agency.name), "success")
            return redirect(url_for("admin.list_agencies"))
    return render_template("admin/edit_agency.html", form=form, agency=agency)


@bp.route("/audit/")
@roles_required(Role.admin)
def list_audit():
    stmt = (sa.select(AuditLog).order_by(AuditLog.id.desc())
            .options(sa.orm.joinedload(AuditLog.user), sa.orm.joinedload(AuditLog.unit)))
    if current_user.unit.parent_id is not None:
        # A province (or lower) admin reads the changes of her units only; the national admin
        # reads everything, system rows without a unit included.
        stmt = stmt.where(unit_scope(current_user, AuditLog.unit_id))
    object_type = request.args.get("type", "").strip()[:50]
    if object_type:
        stmt = stmt.where(AuditLog.object_type == object_type)
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("admin/list_audit.html", page=page, object_type=object_type)


# --- full backup (flask export-all from the browser, in the job worker) ---------------------------

def _national_admin_or_404() -> None:
    # A backup holds every unit's data: the national administrator's only (others: out of scope).
    if current_user.unit.parent_id is not None:
        abort(404)


def _backup_job_or_404(job_id: int):
    from app import backup, jobs

    job = db.session.get(jobs.Job, job_id)
    if job is None or job.kind != backup.FULL_EXPORT_JOB or job.state != jobs.DONE or not job.stored_as:
        abort(404)  # (no stored file: removed after its retention, app.jobs.prune)
    return job


@bp.route("/backup/")
@roles_required(Role.admin)
def show_backup():
    from app import backup, jobs

    _national_admin_or_404()
    running = backup.running_export()
    if running is not None and running.state == jobs.RUNNING and jobs.recover_stale(running.id):
        db.session.refresh(running)  # its worker died: queued again (or failed)
    done = db.session.scalars(sa.select(jobs.Job).where(jobs.Job.kind == backup.FULL_EXPORT_JOB)
                              .where(jobs.Job.state.in_((jobs.DONE, jobs.FAILED)))
                              .order_by(jobs.Job.id.desc()).limit(10)).all()
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_({j.user_id for j in [*done, running] if j is not None})))}
    return render_template("admin/show_backup.html", running=running, done=done, users=users, DONE=jobs.DONE,
                           keep=current_app.config["BACKUPS_KEEP"], keep_days=current_app.config["JOB_FILES_KEEP_DAYS"])


@bp.route("/backup/", methods=["POST"])
@roles_required(Role.admin)
def start_backup():
    from flask_wtf import FlaskForm

    from app import backup

    _national_admin_or_404()
    if FlaskForm().validate_on_submit():
        already = backup.running_export() is not None
        backup.start_full_export(current_user)
        db.session.commit()  # queued after the commit (made at once with JOBS_IMMEDIATE)
        flash(_("Một bản sao lưu đang được tạo: không tạo thêm bản thứ hai.") if already
              else _("Đã bắt đầu tạo bản sao lưu đầy đủ."), "info" if already else "success")
    return redirect(url_for("admin.show_backup"), 303)


@bp.route("/backup/<int:job_id>/file")
@roles_required(Role.admin)
def backup_file(job_id: int):
    from app import jobs

    _national_admin_or_404()
    job = _backup_job_or_404(job_id)
    services.log_export(current_user, "full_export", "Backup", job.id, has_names=True)
    response = jobs.file_response(job)
    response.headers["Content-Disposition"] = official.content_disposition(job.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
