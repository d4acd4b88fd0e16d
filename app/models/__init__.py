"""Core models every feature shares."""
from app.models.agencies import Agency
from app.models.audit import AuditLog
from app.models.headers import OrgHeader
from app.models.people import Consent, Person, Sex
from app.models.security import ExportLog, LoginAttempt
from app.models.types import UTCDateTime, enum_column, utcnow
from app.models.units import Unit, UnitLevel
from app.models.users import Role, User

__all__ = [
    "Agency", "AuditLog", "Consent", "ExportLog", "LoginAttempt", "OrgHeader", "Person", "Role", "Sex", "Unit", "UnitLevel", "User",
    "UTCDateTime", "enum_column", "utcnow",
]
