"""Writes on the core records. Services validate, then flush; the request (or CLI command)
commits once. The same rules apply whether a view, the CLI or a test calls them.

A broken rule raises :class:`ServiceError`. Callers wrap the call in :func:`service_call`: it
runs the service inside a SAVEPOINT, so a refused call undoes its own writes (and only those),
and shows the message on the form field the error names. No view or command writes a rollback."""
from __future__ import annotations

import json
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Iterator

import sqlalchemy as sa
import sqlalchemy.orm
from flask import after_this_request, has_request_context
from flask_babel import gettext as _

from app import clock
from app import ethnicities
from app.extensions import db
from app.locking import take_write_lock
from app.models import Agency, AuditLog, Consent, ExportLog, Person, Role, Sex, Unit, UnitLevel, User, utcnow

USERNAME_RE = re.compile(r"^[a-z0-9_.-]{3,50}$")
MIN_PASSWORD = 8
COUNTRY_CODE = "VN"


def is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    """The database refused a duplicate key (PostgreSQL SQLSTATE 23505, or SQLite's UNIQUE)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == "23505"
    return getattr(exc.orig, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def register_database_refusal(app, marker: str, message) -> None:
    """A feature's database rule (a trigger) whose error text contains ``marker``: where it
    refuses a write, the user reads ``message()`` (translated at the time) instead of a 500."""
    app.extensions.setdefault("caunoi_db_refusals", []).append((marker, message))


def database_refusal(exc: BaseException | None) -> "ServiceError | None":
    """The :class:`ServiceError` a feature gave for this database refusal, or None."""
    from flask import current_app, has_app_context

    if not isinstance(exc, sa.exc.DBAPIError) or not has_app_context():
        return None
    text = str(exc.orig)
    for marker, message in current_app.extensions.get("caunoi_db_refusals", ()):
        if marker in text:
            return ServiceError(message())
    return None


def add_unique(obj, message: str, field: str) -> None:
    """Add and flush ``obj``. Services check for a duplicate first, but on PostgreSQL a concurrent
    request can store the same key in between; the unique constraint then refuses it and the user
    gets the same message as from the check (``service_call`` undoes the failed insert)."""
    db.session.add(obj)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise ServiceError(message, field) from None


def scoped_token(token: str | None, actor: User | None) -> str | None:
    """A client's idempotency token as stored: hashed with its user (and API token), so a replay
    finds the record it made, and another user's equal token never matches it (it silently
    cancelled that user's update). 64 hex characters, whatever the client sent."""
    import hashlib

    from flask import g, has_request_context

    token = (token or "").strip()[:64]
    if not token:
        return None
    api_token = g.get("api_token") if has_request_context() else None
    owner = f"u{actor.id if actor else '-'}:t{api_token.id if api_token is not None else '-'}"
    return hashlib.sha256(f"{owner}:{token}".encode()).hexdigest()


class ServiceError(ValueError):
    """A rule was broken; ``message`` is already translated for the user, ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ServiceCall:
    """What :func:`service_call` yields: after the ``with`` block, ``error`` is the refused rule
    (None when the service succeeded)."""

    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def service_call(form=None, default: str | None = None, *, fields: dict[str, str] | None = None,
                 show: bool = True) -> Iterator[ServiceCall]:
    """Run the service calls of the ``with`` block inside a SAVEPOINT::

        with service_call(form, "username") as call:
            user = services.create_user(...)
        if call.ok:
            return redirect(...)

    On a :class:`ServiceError` (or a database rule's refusal, see :func:`register_database_refusal`)
    every write made inside the block is undone (the request's other
    writes, such as an export log, stay), the error is kept on ``call.error`` and, with ``show``,
    put on the form field it names (see :func:`app.forms.show_service_error`: ``fields`` maps a
    service's field name onto the form's, ``default`` is the field used when the form has none
    of that name; without a field the message is flashed). Other exceptions undo the block and
    propagate. On success the savepoint is released; the request still commits once."""
    call = ServiceCall()
    take_write_lock()  # on SQLite the write lock comes before the savepoint (app.locking)
    savepoint = db.session.begin_nested()
    try:
        yield call
    except ServiceError as exc:
        _undo(savepoint)
        call.error = exc
        if show:
            from app.forms import show_service_error

            show_service_error(form, exc, default, fields=fields)
    except sa.exc.DBAPIError as exc:  # a database rule (trigger) refused the block's writes
        _undo(savepoint)
        refusal = database_refusal(exc)
        if refusal is None:
            raise
        call.error = refusal
        if show:
            from app.forms import show_service_error

            show_service_error(form, refusal, default, fields=fields)
    except BaseException:
        _undo(savepoint)
        raise
    else:
        if savepoint.is_active:
            savepoint.commit()


def _undo(savepoint) -> None:
    """Roll back to the savepoint, also after a failed flush deactivated it."""
    try:
        savepoint.rollback()
    except sa.exc.ResourceClosedError:
        pass  # already closed together with the whole transaction


# --- units -------------------------------------------------------------------------------

def unit_by_code(code: str | None) -> Unit:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == (code or "").strip()))
    if unit is None:
        raise ServiceError(_("Không có đơn vị hành chính mã “%(code)s”.", code=code or ""), "unit")
    return unit


def load_official_units() -> dict[str, int]:
    """Load or refresh the 34 provinces and 3,321 communes from ``vietnam-provinces``.

    Idempotent: existing codes are updated in place, so users' villages below them survive.
    """
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    data = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    existing = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    created = updated = 0
    country = existing.get(COUNTRY_CODE)
    if country is None:
        country = Unit(code=COUNTRY_CODE, name="Việt Nam", division_type="", level=UnitLevel.country,
                       path=Unit.make_path(None, COUNTRY_CODE))
        db.session.add(country)
        created += 1
    for prov in data:
        pcode = f"{prov['code']:02d}"
        province = existing.get(pcode)
        if province is None:
            province = Unit(code=pcode, path=Unit.make_path(country, pcode), level=UnitLevel.province,
                            parent=country)
            db.session.add(province)
            created += 1
        elif province.name != prov["name"]:
            updated += 1
        province.name, province.division_type = prov["name"], prov["division_type"]
        for ward in prov["wards"]:
            wcode = f"{ward['code']:05d}"
            commune = existing.get(wcode)
            if commune is None:
                commune = Unit(code=wcode, level=UnitLevel.commune, parent=province,
                               path=Unit.make_path(province, wcode), valid_from=date(2025, 7, 1))
                db.session.add(commune)
                created += 1
            elif commune.name != ward["name"]:
                updated += 1
            commune.name, commune.division_type = ward["name"], ward["division_type"]
    db.session.flush()
    return {"provinces": len(data), "communes": sum(len(p["wards"]) for p in data),
            "created": created, "updated": updated}


def create_unit(parent: Unit, name: str, division_type: str = "thôn", code: str | None = None,
                level: UnitLevel = UnitLevel.village) -> Unit:
    """Add a unit under ``parent`` (villages under a commune); codes default to PARENT-NN."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Vui lòng nhập tên."), "name")
    if len(name) > 200:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=200), "name")
    if level is UnitLevel.village and parent.level is not UnitLevel.commune:
        raise ServiceError(_("Thôn, bản chỉ được thêm dưới một xã, phường."), "parent")
    siblings = db.session.scalars(sa.select(Unit).where(Unit.parent_id == parent.id)).all()
    if any(s.name.casefold() == name.casefold() for s in siblings):
        raise ServiceError(_("“%(name)s” đã có trong %(parent)s.", name=name, parent=parent.name), "name")
    if code is None:
        n = len(siblings) + 1
        while db.session.scalar(sa.select(Unit.id).where(Unit.code == f"{parent.code}-{n:02d}")):
            n += 1
        code = f"{parent.code}-{n:02d}"
    elif db.session.scalar(sa.select(Unit.id).where(Unit.code == code)):
        raise ServiceError(_("Mã đơn vị “%(code)s” đã tồn tại.", code=code), "code")
    unit = Unit(code=code, name=name, level=level, division_type=division_type, parent=parent,
                path=Unit.make_path(parent, code))
    db.session.add(unit)
    db.session.flush()
    return unit


def deactivate_unit(unit: Unit, valid_to: date | None = None) -> None:
    """Old units are kept (their records keep pointing at them) but marked inactive."""
    unit.is_active = False
    unit.valid_to = valid_to or clock.today()
    db.session.flush()


def move_unit(unit: Unit, new_parent: Unit) -> None:
    """Re-parent a unit (e.g. a merged commune); rewrites the paths of its whole subtree."""
    if unit.contains(new_parent):
        raise ServiceError(_("Không thể chuyển một đơn vị vào bên dưới chính nó."), "parent")
    old_prefix, new_prefix = unit.path, Unit.make_path(new_parent, unit.code)
    for u in db.session.scalars(sa.select(Unit).where(Unit.path.startswith(old_prefix))):
        u.path = new_prefix + u.path[len(old_prefix):]
    unit.parent = new_parent
    db.session.flush()


# --- agencies ----------------------------------------------------------------------------

def create_agency(code: str, name: str, unit: Unit) -> Agency:
    code, name = (code or "").strip(), (name or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{2,50}", code):
        raise ServiceError(_("Mã cơ quan chỉ gồm chữ không dấu, số, dấu chấm, gạch; 2-50 ký tự."), "code")
    if not name:
        raise ServiceError(_("Vui lòng nhập tên."), "name")
    if len(name) > 300:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=300), "name")
    taken = _("Mã cơ quan “%(code)s” đã tồn tại.", code=code)
    if db.session.scalar(sa.select(Agency.id).where(Agency.code == code)):
        raise ServiceError(taken, "code")
    agency = Agency(code=code, name=name, unit=unit)
    add_unique(agency, taken, "code")
    return agency


def update_agency(agency: Agency, *, name: str, is_active: bool) -> Agency:
    """Rename or retire an agency (its code and unit never change: records name it by them)."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Vui lòng nhập tên."), "name")
    if len(name) > 300:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=300), "name")
    agency.name, agency.is_active = name, is_active
    db.session.flush()
    return agency


def agency_by_code(code: str | None) -> Agency:
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == (code or "").strip()))
    if agency is None:
        raise ServiceError(_("Không có cơ quan mã “%(code)s”.", code=code or ""), "agency")
    return agency


# --- users -------------------------------------------------------------------------------

def agencies_on_branch(unit: Unit):
    """SQL: the active agencies of ``unit``'s branch: its own, those of the units above it (such as
    province departments) and those of the units below it; the agencies a dialogue of ``unit`` may
    address. Local ones first (the unit's own, then those below), then the levels above, nearest
    first, so a commune's Công an xã comes before the province's departments in every picker."""
    ancestor_ids = [u.id for u in unit.ancestors] + [unit.id]
    local = sa.case((Agency.unit_id == unit.id, 0), (Unit.path.startswith(unit.path), 1), else_=2)
    return (sa.select(Agency).join(Agency.unit).options(sa.orm.contains_eager(Agency.unit))
            .where(Agency.is_active, sa.or_(Agency.unit_id.in_(ancestor_ids), Unit.path.startswith(unit.path)))
            .order_by(local, sa.func.length(Unit.path).desc(), Unit.path, Agency.name))


def check_password_policy(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(_("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_PASSWORD), "password")
    if len(password) > 200:
        raise ServiceError(_("Mật khẩu dài quá %(n)d ký tự.", n=200), "password")
    if password.isdigit() or password.isalpha():
        raise ServiceError(_("Mật khẩu phải có cả chữ và số."), "password")


def _check_binding(role: Role, unit: Unit, agency: Agency | None) -> None:
    if role is Role.authority:
        if agency is None:
            raise ServiceError(_("Người dùng cơ quan chính quyền phải thuộc một cơ quan."), "agency")
        if not unit.contains(agency.unit):
            raise ServiceError(_("Cơ quan không thuộc đơn vị đã chọn."), "agency")
    elif agency is not None:
        raise ServiceError(_("Chỉ người dùng cơ quan chính quyền mới gắn với cơ quan."), "agency")


def create_user(username: str, password: str, role: Role, unit: Unit, agency: Agency | None = None,
                full_name: str = "", email: str | None = None, is_active: bool = True) -> User:
    username = (username or "").strip().lower()
    if not USERNAME_RE.fullmatch(username):
        raise ServiceError(_("Tên đăng nhập gồm 3-50 ký tự: chữ thường không dấu, số, dấu chấm, gạch."),
                           "username")
    taken = _("Tên đăng nhập “%(name)s” đã có người dùng.", name=username)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise ServiceError(taken, "username")
    if len(full_name or "") > 200:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=200), "full_name")
    check_password_policy(password)
    _check_binding(role, unit, agency)
    user = User(username=username, role=role, unit=unit, agency=agency,
                full_name=(full_name or "").strip(), email=email or None, is_active_account=is_active)
    user.set_password(password)
    add_unique(user, taken, "username")
    return user


def update_user(user: User, *, role: Role, unit: Unit, agency: Agency | None, full_name: str,
                email: str | None, is_active: bool, actor: User | None = None, password: str | None = None) -> None:
    """Change an account; ``actor`` (the administrator) cannot lock themself out or drop their own
    admin role; a ``password``, when given, replaces the old one after the policy check."""
    if actor is not None and actor.id == user.id and (not is_active or role is not Role.admin):
        raise ServiceError(_("Bạn không thể tự khóa hoặc bỏ quyền quản trị của mình."), "role")
    _check_binding(role, unit, agency)
    if password:
        check_password_policy(password)
    if (role, unit.id, agency.id if agency else None) != (user.role, user.unit_id, user.agency_id) or \
            (user.is_active_account and not is_active):
        user.revoke_sessions()  # what the account may see changed: its open sessions end
    user.role, user.unit, user.agency = role, unit, agency
    user.full_name, user.email, user.is_active_account = full_name.strip(), email or None, is_active
    if password:
        user.set_password(password)
    db.session.flush()


def save_locale(user: User, code: str) -> None:
    """Remember the interface language in the user's profile (used where no cookie says otherwise)."""
    from flask import current_app

    if code not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("Ngôn ngữ không hợp lệ."), "locale")
    user.locale = code
    db.session.flush()


def change_password(user: User, old: str, new: str) -> None:
    if not user.check_password(old or ""):
        raise ServiceError(_("Mật khẩu hiện tại không đúng."), "old_password")
    check_password_policy(new)
    user.set_password(new)
    db.session.flush()


# --- people ------------------------------------------------------------------------------

def people_by_codes(codes, user: User | None, within: Unit | None = None) -> tuple[dict[str, Person], list[str]]:
    """The people whose codes were typed into a form, looked up where the user may see them only:
    in the user's unit scope (and ``within`` a unit, when given), not erased. Returns
    ``(code -> person, codes not found)``, each code once, in the order typed. A code out of scope
    is not found, exactly as an unknown one: show ``unknown_codes_message`` for both."""
    wanted = list(dict.fromkeys(c.strip()[:40] for c in codes if c and c.strip()))
    if not wanted:
        return {}, []
    stmt = sa.select(Person).where(Person.code.in_(wanted), Person.erased_dt.is_(None))
    for unit in (user.unit if user is not None else None, within):
        if unit is not None:
            stmt = stmt.where(unit.subtree_filter(Person.unit_id))
    found = {p.code: p for p in db.session.scalars(stmt)}
    return found, [c for c in wanted if c not in found]


def unknown_codes_message(codes: list[str], within: Unit | None = None) -> str:
    """The one message for person codes that are unknown, out of scope or erased (never which)."""
    shown = ", ".join(f"“{c}”" for c in codes[:10]) + (", …" if len(codes) > 10 else "")
    if within is not None:
        return _("Không có người tham gia mã %(codes)s trong %(unit)s.", codes=shown, unit=within.name)
    return _("Không có người tham gia mã %(codes)s trong phạm vi của bạn.", codes=shown)


def person_by_code(code: str, user: User | None, field: str = "code") -> Person:
    """One person by the code typed into ``field``, within the user's scope; ServiceError otherwise."""
    found, unknown = people_by_codes([code], user)
    if unknown or not found:
        raise ServiceError(unknown_codes_message(unknown or [code]), field)
    return next(iter(found.values()))


OPAQUE_CODE = re.compile(r"P-[0-9]{4}-[0-9]{4}")


def next_person_code(unit: Unit | None = None) -> str:
    """A new person's code: "P-" and eight random digits ("P-4821-0937"), typed easily on a phone and
    saying nothing of the person (the older "P<village code>-NNNN" gave the village away in every
    output that lists codes; docs/statistics.md). ``unit`` is not used: kept for the callers."""
    while True:
        n = secrets.randbelow(10 ** 8)
        code = f"P-{n // 10 ** 4:04d}-{n % 10 ** 4:04d}"
        if not db.session.scalar(sa.select(Person.id).where(Person.code == code)):
            return code


def is_opaque_code(code: str | None) -> bool:
    """A code made by ``next_person_code``: it reveals nothing; any other (an older
    "P<village>-NNNN", one typed in or imported) may."""
    return bool(code) and OPAQUE_CODE.fullmatch(code) is not None


def save_person(person: Person | None, *, full_name: str, unit: Unit, sex: Sex | None = None,
                birth_year: int | None = None, ethnicity_code: str | None = None,
                ethnicity_system: str = ethnicities.DEFAULT_SYSTEM, phone: str | None = None,
                code: str | None = None) -> Person:
    """Create (person=None) or update a person after checking every field."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ServiceError(_("Vui lòng nhập họ tên."), "full_name")
    if len(full_name) > 200:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=200), "full_name")
    this_year = clock.today().year
    if birth_year is not None and not (this_year - 120 <= birth_year <= this_year):
        raise ServiceError(_("Năm sinh phải từ %(a)d đến %(b)d.", a=this_year - 120, b=this_year), "birth_year")
    if ethnicity_code and not ethnicities.name_of(ethnicity_code, ethnicity_system):
        raise ServiceError(_("Dân tộc không hợp lệ."), "ethnicity_code")
    if phone and not re.fullmatch(r"\+?[0-9 .]{8,20}", phone):
        raise ServiceError(_("Số điện thoại không hợp lệ."), "phone")
    if code is not None:
        code = code.strip()
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", code):
            raise ServiceError(_("Mã người tham gia chỉ gồm chữ không dấu, số, dấu chấm, gạch."), "code")
        clash = db.session.scalar(sa.select(Person).where(Person.code == code))
        if clash is not None and clash is not person:
            raise ServiceError(_("Mã người tham gia “%(code)s” đã tồn tại.", code=code), "code")
    if person is None:
        person = Person(code=code or next_person_code(unit))
        db.session.add(person)
    elif code:
        person.code = code
    person.full_name, person.unit, person.sex, person.birth_year = full_name, unit, sex, birth_year
    person.ethnicity_code = ethnicity_code or None
    person.ethnicity_system = ethnicity_system if ethnicity_code else None
    person.phone = phone or None
    db.session.flush()
    return person


def give_consent(person: Person, purpose: str, recorded_by: User | None = None,
                 guardian_name: str | None = None) -> Consent:
    """Record a consent; if one is already active (two officers clicking at once: the partial unique
    index ``uq_consents_active`` refuses the second row), the active one stands and is returned."""
    if person.id is None:
        db.session.flush()
    consent = Consent(person_id=person.id, purpose=purpose, recorded_by_id=recorded_by.id if recorded_by else None,
                      guardian_name=guardian_name or None)
    try:
        with db.session.begin_nested():
            db.session.add(consent)
    except sa.exc.IntegrityError:
        db.session.expire(person, ["consents"])
        active = next((c for c in person.consents if c.purpose == purpose and c.is_active), None)
        if active is None:
            raise
        return active
    db.session.expire(person, ["consents"])
    return consent


def withdraw_consent(person: Person, purpose: str) -> int:
    n = 0
    for consent in person.consents:
        if consent.purpose == purpose and consent.is_active:
            consent.withdrawn_dt = utcnow()
            n += 1
    db.session.flush()
    return n


# --- personal data -----------------------------------------------------------------------

ERASED_FIELDS = ("full_name", "phone", "code")
ERASED_CONSENT_FIELDS = ("guardian_name",)  # a child's consent names the guardian


def erase_person(person: Person) -> None:
    """Erase a person's identity but keep the row, so trainings, dialogues and every aggregate
    computed from them stay intact. Sex, birth year, ethnicity and unit stay as anonymous
    statistical attributes; name, phone and code go, in the audit log too."""
    if person.erased_dt is not None:
        return
    person.full_name = _("(đã xóa)")
    person.phone = None
    person.code = f"X-{person.id}"
    person.erased_dt = utcnow()
    for consent in person.consents:
        if consent.is_active:
            consent.withdrawn_dt = person.erased_dt
        consent.guardian_name = None
    db.session.flush()
    _scrub_audit("Person", [person.id], ERASED_FIELDS)
    _scrub_audit("Consent", [c.id for c in person.consents], ERASED_CONSENT_FIELDS)
    db.session.flush()


def _scrub_audit(object_type: str, ids: list[int], fields: tuple[str, ...]) -> None:
    """Blank ``fields`` in the before/after values of the audit rows of these objects."""
    if not ids:
        return
    rows = db.session.scalars(sa.select(AuditLog).where(AuditLog.object_type == object_type,
                                                        AuditLog.object_id.in_(ids)))
    for row in rows:
        for side in ("before", "after"):
            values = getattr(row, side)
            if values:
                setattr(row, side, {k: ("[đã xóa]" if k in fields and v else v) for k, v in values.items()})


def people_past_retention(years: int) -> list[Person]:
    """People not yet erased whose record is older than ``years``, or whose consent was withdrawn."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(days=365 * years)
    withdrawn = sa.select(Consent.person_id).where(Consent.withdrawn_dt.is_not(None))
    active = sa.select(Consent.person_id).where(Consent.withdrawn_dt.is_(None))
    return list(db.session.scalars(
        sa.select(Person).where(Person.erased_dt.is_(None),
                                sa.or_(Person.created_dt < cutoff,
                                       sa.and_(Person.id.in_(withdrawn), Person.id.not_in(active))))
        .order_by(Person.id)))


def log_export(user: User | None, kind: str, object_type: str, object_id: int | None, has_names: bool,
               rows: int | None = None) -> ExportLog:
    """Record an export of personal data; call it from every export that carries people.

    In a request the row is added once the response is ready, just before the request's commit:
    the export is rendered first (a PDF can take seconds), and on SQLite the INSERT, which takes
    the database's one write lock, is not held across the render (phones are refused meanwhile).
    A failed request (status >= 400) records nothing, as it commits nothing.
    """
    entry = ExportLog(user_id=user.id if user else None, kind=kind, object_type=object_type,
                      object_id=object_id, has_names=has_names, rows=rows)
    if has_request_context():
        @after_this_request
        def write_after_render(response):  # runs before app.__init__'s commit_and_secure
            db.session.add(entry)
            return response
        return entry
    db.session.add(entry)
    db.session.flush()
    return entry
