"""Request and response shapes of the session API (booking, flow, vitals, discharge) and the
controlled-substance log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ketacare.db.models import Drug, ReadingSource, ScoreKind
from ketacare.domain.findings import Finding
from ketacare.domain.predose import GateOutcome
from ketacare.domain.routes import Route
from ketacare.services.session_discharge import AdverseEventType, AdverseSeverity

_FORBID = ConfigDict(extra="forbid")
_READ = ConfigDict(from_attributes=True)
Text = Field(default="", max_length=2000)


class FindingRead(BaseModel):
    rule_id: str
    severity: str
    message: str
    source: str
    source_url: str | None = None
    data: dict[str, Any] = {}

    @classmethod
    def of(cls, finding: Finding) -> FindingRead:
        return cls.model_validate(finding.as_dict() | {"data": _plain(finding.data)})


def _plain(data: dict[str, object]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool | list | None) else str(v)
        for k, v in data.items()
    }


# --- booking ---------------------------------------------------------------------------------


class SessionBook(BaseModel):
    model_config = _FORBID
    patient_id: int
    start: AwareDatetime
    chair_id: int
    nurse_user_id: int
    course_id: int = Field(
        description="the patient's treatment course (required: its plan must allow a session "
        "and its consent be current); the session's route is the course's"
    )
    route: Route | None = Field(
        default=None, description="optional cross-check: refused when it is not the course's route"
    )
    device_count: int | None = Field(default=None, ge=1, le=3)
    recovery_room_id: int | None = Field(
        default=None, description="a recovery room held after the chair time"
    )
    recovery_min: int | None = Field(
        default=None, ge=5, le=240, description="minutes the room is held (default 30)"
    )


class SessionReschedule(BaseModel):
    model_config = _FORBID
    start: AwareDatetime
    reason: str = Field(min_length=1, max_length=2000)
    chair_id: int | None = None
    nurse_user_id: int | None = None
    recovery_room_id: int | None = None


class Reason(BaseModel):
    model_config = _FORBID
    reason: str = Field(min_length=1, max_length=2000)


class NoShow(BaseModel):
    model_config = _FORBID
    note: str = Text


class SessionRead(BaseModel):
    model_config = _READ
    id: int
    clinic_id: int
    patient_id: int
    course_id: int | None
    route: Route
    planned_device_count: int | None
    chair_id: int
    nurse_user_id: int
    scheduled_start: datetime
    scheduled_end: datetime
    recovery_room_id: int | None = None
    recovery_end: datetime | None = None
    status: str
    dose_start_at: datetime | None
    dose_end_at: datetime | None


class ChairDayRead(BaseModel):
    chair_id: int
    chair_name: str
    sessions: list[SessionRead]


class RoomDayRead(BaseModel):
    room_id: int
    room_name: str
    sessions: list[SessionRead] = Field(
        description="sessions holding the room that day, each from scheduled_end to recovery_end"
    )


class FreeSlotRead(BaseModel):
    start: datetime
    end: datetime
    chair_id: int
    chair_name: str
    nurse_user_id: int
    nurse_name: str
    recovery_room_id: int | None = Field(
        default=None, description="with with_room: the recovery room free after the chair time"
    )
    recovery_room_name: str | None = None
    recovery_end: datetime | None = Field(
        default=None, description="with with_room: the room is held from `end` until then"
    )


# --- flow ------------------------------------------------------------------------------------


class CheckInCreate(BaseModel):
    model_config = _FORBID
    hours_since_food: float | None = Field(default=None, ge=0, le=240)
    minutes_since_liquids: float | None = Field(default=None, ge=0, le=14400)
    escort_confirmed: bool
    escort_name: str = Field(default="", max_length=200)
    drugs_taken_today: list[str] = Field(default=[], max_length=30)
    medications_note: str = Text


class PredoseCheckCreate(BaseModel):
    model_config = _FORBID
    crisis_symptoms: list[str] = Field(default=[], max_length=10)


class PredoseRead(BaseModel):
    assessment_id: int
    outcome: GateOutcome
    findings: list[FindingRead]


class PredoseDecisionCreate(BaseModel):
    model_config = _FORBID
    release: bool
    reason: str = Field(min_length=1, max_length=2000)


class PredoseDecisionRead(BaseModel):
    model_config = _READ
    id: int
    assessment_id: int
    release: bool
    reason: str
    at: datetime
    prescriber_user_id: int


class DosingCreate(BaseModel):
    model_config = _FORBID
    drug: Drug
    dose_mg: float = Field(gt=0, le=1000)
    lot_id: int
    concentration_mg_per_ml: float | None = Field(default=None, gt=0, le=100)
    weight_kg: float | None = Field(default=None, gt=0, le=400)
    infusion_rate_mg_per_h: float | None = Field(default=None, gt=0, le=1000)
    device_count: int | None = Field(default=None, ge=1, le=3)
    previous_esketamine_mg: int | None = Field(default=None, ge=0, le=112)
    override_reason: str = Text


class DoseRead(BaseModel):
    model_config = _READ
    id: int
    drug: Drug
    route: Route
    concentration_mg_per_ml: float | None
    dose_mg: float
    dose_mg_per_kg: float | None
    weight_kg: float | None
    infusion_rate_mg_per_h: float | None
    device_count: int | None
    lot_id: int
    lot_number: str
    lot_expiry: date
    started_at: datetime
    findings: list[dict[str, Any]]


class ScoreCreate(BaseModel):
    model_config = _FORBID
    kind: ScoreKind
    answers: list[int] = Field(min_length=1, max_length=6)
    taken_at: AwareDatetime | None = None


class ScoreRead(BaseModel):
    model_config = _READ
    id: int
    kind: ScoreKind
    answers: list[int]
    total: int
    band: str | None
    taken_at: datetime


class AdverseEventCreate(BaseModel):
    model_config = _FORBID
    event_type: AdverseEventType
    severity: AdverseSeverity
    action_taken: str = Text
    outcome: str = Text
    treatment_given: str = Field(default="", max_length=500)
    occurred_at: AwareDatetime | None = None


class AdverseEventRead(BaseModel):
    model_config = _READ
    id: int
    event_type: str
    severity: str
    action_taken: str
    outcome: str
    treatment_given: str
    occurred_at: datetime


class CriterionRead(BaseModel):
    name: str
    passed: bool
    finding: FindingRead


class DischargeCheckRead(BaseModel):
    allowed: bool
    ready_at_earliest: datetime
    criteria: list[CriterionRead]
    instructions: list[str]


class DischargeCreate(BaseModel):
    model_config = _FORBID
    escort_name: str = Field(min_length=1, max_length=200)
    ready_to_leave_at: AwareDatetime | None = None


class DischargeRead(BaseModel):
    model_config = _READ
    id: int
    ready_to_leave_at: datetime
    discharged_at: datetime
    escort_name: str
    instructions: list[str]
    criteria: list[dict[str, Any]]


class NoteCreate(BaseModel):
    model_config = _FORBID
    text: str = Field(min_length=1, max_length=20000)
    sign: bool = False
    amendment_reason: str = Text


class NoteRead(BaseModel):
    model_config = _READ
    id: int
    version: int
    text: str
    signed: bool
    generated: bool
    amendment_reason: str
    at: datetime
    author_user_id: int | None


class EventRead(BaseModel):
    model_config = _READ
    kind: str
    from_status: str
    to_status: str
    reason: str
    detail: dict[str, Any]
    at: datetime
    actor_user_id: int | None


# --- vitals ----------------------------------------------------------------------------------


class VitalsCreate(BaseModel):
    model_config = _FORBID
    systolic_mmhg: float
    diastolic_mmhg: float
    heart_rate_bpm: float
    spo2_pct: float
    respiratory_rate_per_min: float | None = None
    taken_at: AwareDatetime | None = None
    moaas: int | None = Field(default=None, ge=0, le=5)
    symptoms: list[str] = Field(default=[], max_length=10)
    source: ReadingSource = ReadingSource.MANUAL
    external_id: str | None = Field(default=None, max_length=100)


class ReadingRead(BaseModel):
    model_config = _READ
    id: int
    taken_at: datetime
    systolic_mmhg: float
    diastolic_mmhg: float
    heart_rate_bpm: float
    spo2_pct: float
    respiratory_rate_per_min: float | None
    moaas: int | None
    phase: str
    source: str
    findings: list[dict[str, Any]]


class AlertRead(BaseModel):
    id: int
    session_id: int
    reading_id: int
    rule_id: str
    level: str
    message: str
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by_user_id: int | None = None
    acknowledgement_note: str | None = None


class RecordedReadingRead(BaseModel):
    reading: ReadingRead
    alerts: list[AlertRead]
    duplicate: bool


class AcknowledgeCreate(BaseModel):
    model_config = _FORBID
    note: str = Field(min_length=1, max_length=2000)


class CadenceRead(BaseModel):
    session_id: int
    next_due_at: datetime
    overdue: bool
    overdue_by_min: float
    findings: list[FindingRead]


class SessionDetailRead(BaseModel):
    session: SessionRead
    events: list[EventRead]
    predose: list[PredoseRead]
    decisions: list[PredoseDecisionRead]
    dose: DoseRead | None
    readings: list[ReadingRead]
    scores: list[ScoreRead]
    adverse_events: list[AdverseEventRead]
    discharge: DischargeRead | None


# --- controlled substances ---------------------------------------------------------------------


class ReceiptCreate(BaseModel):
    model_config = _FORBID
    drug: Drug
    lot_number: str = Field(min_length=1, max_length=60)
    expiry: date
    quantity_mg: float = Field(gt=0, le=100_000)
    concentration_mg_per_ml: float | None = Field(default=None, gt=0, le=100)
    note: str = Text


class DrawCreate(BaseModel):
    model_config = _FORBID
    lot_id: int
    session_id: int
    quantity_mg: float = Field(gt=0, le=100_000)
    note: str = Text


class WasteCreate(DrawCreate):
    witness_user_id: int


class LogEntryRead(BaseModel):
    model_config = _READ
    id: int
    lot_id: int
    kind: str
    quantity_mg: float
    session_id: int | None
    actor_user_id: int | None
    witness_user_id: int | None
    note: str
    at: datetime


class LotBalanceRead(BaseModel):
    lot_id: int
    drug: Drug
    lot_number: str
    expiry: date
    received_mg: float
    drawn_mg: float
    balance_mg: float


class ReconciliationLineRead(BaseModel):
    session_id: int
    lot_id: int
    drawn_mg: float
    administered_mg: float
    wasted_mg: float
    unaccounted_mg: float
    discrepancy: str | None


class ReconciliationRead(BaseModel):
    since: datetime | None
    until: datetime | None
    balanced: bool
    lines: list[ReconciliationLineRead]
    discrepancies: list[ReconciliationLineRead]
    balances: list[LotBalanceRead]
