"""All models, imported here so Alembic and the metadata see every table."""

from ketacare.db.models.audit import AuditEvent
from ketacare.db.models.care import (
    BoosterDecision,
    BoosterDecisionKind,
    BoosterReason,
    BoosterRecommendation,
    OutcomeState,
)
from ketacare.db.models.check_ins import (
    CheckIn,
    CheckInLink,
    CheckInPreference,
    CheckInStatus,
    Job,
    JobStatus,
)
from ketacare.db.models.clinic import Clinic, Location, LocationKind
from ketacare.db.models.consent import Consent, ConsentText, ConsentWithdrawal, ConsentWitness
from ketacare.db.models.controlled import ControlledLogEntry, ControlledLot, LogEntryKind
from ketacare.db.models.course import IntegrationSession, TreatmentCourse, TreatmentPlan
from ketacare.db.models.finder import FinderChange, FinderListing
from ketacare.db.models.intake import Intake
from ketacare.db.models.patient import BodyMeasurement, Patient, PatientInvitation
from ketacare.db.models.policy import PolicyVersion
from ketacare.db.models.screening import Screening, ScreeningCosignature, ScreeningReview
from ketacare.db.models.session_records import (
    AdverseEvent,
    AlertAcknowledgement,
    DoseAdministration,
    Drug,
    ReadingSource,
    ScoreKind,
    SessionDischarge,
    SessionNote,
    SessionScore,
    VitalAlert,
    VitalReadingRow,
)
from ketacare.db.models.sessions import (
    PredoseAssessment,
    PredoseDecision,
    SessionCheckIn,
    SessionEvent,
    TreatmentSession,
)
from ketacare.db.models.symptoms import (
    PatientAlert,
    PatientAlertAcknowledgement,
    SymptomScore,
    SymptomScoreAmendment,
    SymptomSource,
)
from ketacare.db.models.user import ApiToken, Role, SignInAttempt, User

__all__ = [
    "AdverseEvent",
    "AlertAcknowledgement",
    "ApiToken",
    "AuditEvent",
    "BodyMeasurement",
    "BoosterDecision",
    "BoosterDecisionKind",
    "BoosterReason",
    "BoosterRecommendation",
    "CheckIn",
    "CheckInLink",
    "CheckInPreference",
    "CheckInStatus",
    "Clinic",
    "Consent",
    "ConsentText",
    "ConsentWithdrawal",
    "ConsentWitness",
    "ControlledLogEntry",
    "ControlledLot",
    "DoseAdministration",
    "Drug",
    "FinderChange",
    "FinderListing",
    "Intake",
    "IntegrationSession",
    "Job",
    "JobStatus",
    "Location",
    "LocationKind",
    "LogEntryKind",
    "OutcomeState",
    "Patient",
    "PatientAlert",
    "PatientAlertAcknowledgement",
    "PatientInvitation",
    "PolicyVersion",
    "PredoseAssessment",
    "PredoseDecision",
    "ReadingSource",
    "Role",
    "ScoreKind",
    "Screening",
    "ScreeningCosignature",
    "ScreeningReview",
    "SessionCheckIn",
    "SessionDischarge",
    "SessionEvent",
    "SessionNote",
    "SessionScore",
    "SignInAttempt",
    "SymptomScore",
    "SymptomScoreAmendment",
    "SymptomSource",
    "TreatmentCourse",
    "TreatmentPlan",
    "TreatmentSession",
    "User",
    "VitalAlert",
    "VitalReadingRow",
]
