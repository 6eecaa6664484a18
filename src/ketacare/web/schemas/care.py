"""Request and response shapes of the care API: symptom scores, patient alerts, the outcome
state and the booster recommendation queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ketacare.db.models import SymptomSource
from ketacare.db.models.care import BoosterDecisionKind
from ketacare.services.booster_queue import QueueItem
from ketacare.services.session_slots import FreeSlot
from ketacare.web.schemas.sessions import FindingRead

_FORBID = ConfigDict(extra="forbid")
_READ = ConfigDict(from_attributes=True)


# --- symptom scores and alerts ----------------------------------------------------------------


class SymptomScoreIn(BaseModel):
    model_config = _FORBID
    instrument: str = Field(max_length=20, description="gad7, phq9 or pcl5")
    answers: list[int] = Field(
        min_length=1, max_length=40, description="one answer per item, in item order"
    )
    taken_at: AwareDatetime | None = Field(default=None, description="default: now")
    course_id: int | None = None


class SymptomScoreRead(BaseModel):
    model_config = _READ
    id: int
    patient_id: int
    course_id: int | None
    instrument: str
    answers: list[int]
    total: int
    band: str | None
    taken_at: datetime
    source: SymptomSource
    recorded_at: datetime
    findings: list[FindingRead]


class PatientAlertRead(BaseModel):
    model_config = _READ
    id: int
    patient_id: int
    symptom_score_id: int | None
    rule_id: str
    level: str
    message: str
    raised_at: datetime


class SymptomScoreRecorded(BaseModel):
    """The stored score, its findings, the alerts it raised — in the same response. When
    `urgent`, `crisis_resources` is the clinic's crisis text to show the patient at once."""

    score: SymptomScoreRead
    findings: list[FindingRead]
    alerts: list[PatientAlertRead]
    urgent: bool
    crisis_resources: str | None


class StrikeIn(BaseModel):
    model_config = _FORBID
    reason: str = Field(min_length=1, max_length=2000)
    replaced_by_id: int | None = None


class StrikeRead(BaseModel):
    model_config = _READ
    id: int
    score_id: int
    replaced_by_id: int | None
    reason: str
    at: datetime
    user_id: int


class AcknowledgeIn(BaseModel):
    model_config = _FORBID
    note: str = Field(min_length=1, max_length=2000)


class AcknowledgementRead(BaseModel):
    model_config = _READ
    id: int
    alert_id: int
    note: str
    at: datetime
    user_id: int


# --- outcome state -----------------------------------------------------------------------------


class OutcomeStateRead(BaseModel):
    model_config = _READ
    instrument: str
    state: str
    baseline_score: int
    baseline_at: datetime
    latest_score: int
    latest_at: datetime
    best_score: int
    improvement_pct: float | None
    best_improvement_pct: float | None
    first_response_at: datetime | None
    first_remission_at: datetime | None
    relapse_count: int
    slope_points_per_week: float | None
    measurement_count: int
    score_ids: list[int]
    findings: list[FindingRead]
    computed_at: datetime
    policy_version: int


# --- booster queue -----------------------------------------------------------------------------


class SlotRead(BaseModel):
    start: datetime
    end: datetime
    chair_id: int
    chair_name: str
    nurse_user_id: int
    nurse_name: str

    @classmethod
    def of(cls, slot: FreeSlot) -> SlotRead:
        return cls(
            start=slot.start,
            end=slot.end,
            chair_id=slot.chair.id,
            chair_name=slot.chair.name,
            nurse_user_id=slot.nurse.id,
            nurse_name=slot.nurse.full_name,
        )


class BoosterReasonRead(BaseModel):
    model_config = _READ
    id: int
    due: bool
    instrument: str
    post_loading_score: int
    trigger_score: int | None
    latest_score: int
    window_earliest: date | None
    window_latest: date | None
    overdue: bool
    tolerance_flag: bool
    overuse_flag: bool
    findings: list[FindingRead]
    evidence: dict[str, Any]
    assessed_at: datetime


class RecommendationRead(BaseModel):
    id: int
    patient_id: int
    patient_name: str
    course_id: int
    opened_at: datetime
    reason: BoosterReasonRead
    slots: list[SlotRead]
    booking_blocked: str | None

    @classmethod
    def of(cls, item: QueueItem) -> RecommendationRead:
        rec, patient = item.recommendation, item.patient
        return cls(
            id=rec.id,
            patient_id=patient.id,
            patient_name=f"{patient.given_name} {patient.family_name}",
            course_id=rec.course_id,
            opened_at=rec.opened_at,
            reason=BoosterReasonRead.model_validate(item.reason),
            slots=[SlotRead.of(s) for s in item.slots],
            booking_blocked=item.booking_blocked,
        )


class BookIn(BaseModel):
    model_config = _FORBID
    start: AwareDatetime
    chair_id: int
    nurse_user_id: int


class DismissIn(BaseModel):
    model_config = _FORBID
    reason: str = Field(min_length=1, max_length=2000)


class DecisionRead(BaseModel):
    model_config = _READ
    id: int
    recommendation_id: int
    kind: BoosterDecisionKind
    reason: str
    session_id: int | None
    at: datetime
    user_id: int | None
