"""All models, imported here so Alembic and the metadata see every table."""

from ketacare.db.models.audit import AuditEvent
from ketacare.db.models.clinic import Clinic, Location, LocationKind
from ketacare.db.models.patient import Patient
from ketacare.db.models.policy import PolicyVersion
from ketacare.db.models.user import ApiToken, Role, SignInAttempt, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Clinic",
    "Location",
    "LocationKind",
    "Patient",
    "PolicyVersion",
    "Role",
    "SignInAttempt",
    "User",
]
