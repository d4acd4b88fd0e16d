"""Small input checks shared by the dialogue services; each raises ServiceError naming the field."""
from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.models import Agency, Unit, UnitLevel
from app.services import ServiceError


def clean_text(value: str | None, limit: int, field: str, label: str, required: bool = False) -> str:
    """Trimmed text; refuses an empty required value or one longer than ``limit``."""
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(_("Vui lòng nhập %(label)s.", label=label), field)
    if len(text) > limit:
        raise ServiceError(_("%(label)s dài quá %(n)d ký tự.", label=label.capitalize(), n=limit), field)
    return text


def clean_lines(value: str | None, limit: int, field: str, label: str) -> str:
    """Multi-line text with blank lines and trailing spaces removed."""
    lines = [line.strip() for line in (value or "").splitlines()]
    return clean_text("\n".join(line for line in lines if line), limit, field, label)


def check_count(value: int | None, field: str, label: str, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise ServiceError(_("Vui lòng nhập %(label)s.", label=label), field)
        return None
    if value < 0 or value > 1_000_000:
        raise ServiceError(_("%(label)s phải là số từ 0 đến 1.000.000.", label=label.capitalize()), field)
    return value


def in_branch(agency: Agency, unit: Unit) -> bool:
    """An agency may be addressed from a unit on its own branch of the tree: the unit's own
    offices, those above it (district, province, national) and those below it (villages)."""
    return agency.unit.contains(unit) or unit.contains(agency.unit)


def agency_for(agency_id: int | None, unit: Unit, field: str, required: bool = False,
               higher_only: bool = False, same_or_higher: bool = False) -> Agency | None:
    """The agency with this id, if it exists, is active and sits on ``unit``'s branch."""
    if agency_id is None:
        if required:
            raise ServiceError(_("Vui lòng chọn cơ quan."), field)
        return None
    agency = db.session.get(Agency, agency_id)
    if agency is None or not agency.is_active or not in_branch(agency, unit):
        raise ServiceError(_("Không có cơ quan này trong danh sách cơ quan của đơn vị. "
                             "Hãy chọn một cơ quan trong danh sách."), field)
    if higher_only and (agency.unit_id == unit.id or not agency.unit.contains(unit)):
        raise ServiceError(_("Cơ quan nhận chuyển phải ở cấp trên của %(unit)s.", unit=unit.name), field)
    if same_or_higher and not agency.unit.contains(unit):
        raise ServiceError(_("Cơ quan nhận chuyển phải cùng cấp hoặc cấp trên của %(unit)s.", unit=unit.name), field)
    return agency


def village_for(village_id: int | None, unit: Unit, field: str) -> Unit | None:
    if village_id is None:
        return None
    village = db.session.get(Unit, village_id)
    if village is None or village.level is not UnitLevel.village or not unit.contains(village):
        raise ServiceError(_("Thôn, bản này không thuộc %(unit)s.", unit=unit.name), field)
    return village
