"""Intake, screening, consent, treatment course and plan: request and response shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ketacare.db.models.screening import ReviewDecision
from ketacare.domain.plan_policy import MaintenanceMode
from ketacare.domain.routes import Route
from ketacare.domain.screening_input import TrialKind, TrialOutcome


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MedicationIn(_Request):
    name: str = Field(max_length=100, description="generic or brand name (the drug table)")
    dose_mg: float | None = None
    frequency: str = Field("", max_length=60)
    daily_dose_mg: float | None = Field(None, description="total per day, mg")


class TrialIn(_Request):
    kind: TrialKind = TrialKind.DRUG
    name: str = Field(max_length=100, description="the drug, or the therapy (e.g. CBT)")
    daily_dose_mg: float | None = None
    weeks: float
    outcome: TrialOutcome
    dose_adequate: bool = True
    in_current_episode: bool = True


class SubstanceUseIn(_Request):
    alcohol_units_per_week: float | None = Field(None, ge=0, le=500)
    can_abstain_alcohol_24h: bool = True
    recreational_drugs: list[str] = Field(default_factory=list)
    substance_use_disorder: str = Field("none", description="none, past or current")
    opioid_use_disorder_history: bool = False
    ketamine_misuse_history: bool = False
    notes: str = Field("", max_length=2000)


class BloodPressureIn(_Request):
    systolic_mmhg: float
    diastolic_mmhg: float


class IntakeIn(_Request):
    """The whole intake. Questionnaires are the item answers in item order (GAD-7: 7 answers
    0–3; PHQ-9: 9 answers 0–3; PCL-5: 20 answers 0–4, required when PTSD is suspected)."""

    diagnoses: list[str] = Field(description="gad, social_anxiety, panic, ptsd, mdd")
    medical_history: str = Field("", max_length=10000)
    psychiatric_history: str = Field("", max_length=10000)
    conditions: list[str] = Field(default_factory=list, description="screening condition codes")
    hepatic_impairment: str = "none"
    medications: list[MedicationIn] = Field(default_factory=list)
    prior_trials: list[TrialIn] = Field(default_factory=list)
    substance_use: SubstanceUseIn = Field(default_factory=SubstanceUseIn)
    pregnancy_status: str = Field(
        "not_applicable",
        description="not_applicable, not_pregnant, pregnant, breastfeeding, planning",
    )
    resting_bp: list[BloodPressureIn] = Field(default_factory=list)
    gad7: list[int] | None = None
    phq9: list[int] | None = None
    pcl5: list[int] | None = None
    ptsd_suspected: bool = False
    active_suicidal_intent: bool = False


class IntakeAmendment(_Request):
    reason: str = Field(min_length=1, max_length=2000)
    intake: IntakeIn


class IntakeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    patient_id: int
    version: int
    supersedes_id: int | None
    amendment_reason: str
    recorded_by_user_id: int | None
    recorded_at: datetime
    data: dict[str, Any]


class ReviewIn(_Request):
    decision: ReviewDecision
    reason: str = Field("", max_length=4000)


class CosignIn(_Request):
    note: str = Field("", max_length=2000)


class ReviewRead(BaseModel):
    id: int
    decision: ReviewDecision
    reason: str
    reviewer_user_id: int
    reviewed_at: datetime
    cosigner_user_id: int | None = None
    cosigned_at: datetime | None = None


class ScreeningRead(BaseModel):
    id: int
    patient_id: int
    intake_id: int
    policy_version: int
    verdict: str
    findings: list[dict[str, Any]]
    screened_at: datetime
    screened_by_user_id: int | None
    status: str
    is_current: bool
    reviews: list[ReviewRead]


class ConsentTextRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    title: str
    sections: list[dict[str, Any]]
    effective_from: date


class ConsentIn(_Request):
    consent_text_version: int | None = Field(None, description="default: the current text")
    signed_at: datetime | None = Field(None, description="default: now")


class WithdrawalIn(_Request):
    reason: str = Field("", max_length=2000)


class ConsentRead(BaseModel):
    id: int
    course_id: int
    patient_id: int
    text_version: int
    signed_by: str
    signed_at: datetime
    recorded_by_user_id: int
    witness_user_id: int | None
    witnessed_at: datetime | None
    withdrawn_at: datetime | None
    status: str


class CourseIn(_Request):
    route: Route
    starts_on: date


class CourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    patient_id: int
    route: Route
    screening_id: int
    starts_on: date
    created_by_user_id: int
    created_at: datetime


class PlanIn(_Request):
    mg_per_kg: float | None = Field(None, description="IV/IM/SL; default the route default")
    esketamine_mg: int | None = None
    fixed_mg: float | None = Field(None, description="sublingual fixed dose, mg")
    ideal_weight_when_obese: bool | None = None
    maintenance_mode: MaintenanceMode | None = None
    maintenance_interval_days: int | None = None
    therapist_name: str = Field("", max_length=200)
    therapist_role: str = Field("", max_length=60)
    therapist_contact: str = Field("", max_length=200)
    reason: str = Field("", max_length=2000)


class OutcomeIn(_Request):
    session_number: int = Field(ge=1)
    improvement_pct: float = Field(le=100, description="% reduction from baseline")
    tolerated: bool
    mg_per_kg: float | None = None
    dose_mg: float | None = None


class AdjustIn(_Request):
    outcomes: list[OutcomeIn] = Field(min_length=1, description="every session so far, in order")
    reason: str = Field("", max_length=2000)


class StopIn(_Request):
    reason: str = Field(min_length=1, max_length=2000)


class IntegrationIn(_Request):
    therapist_name: str = Field(max_length=200)
    therapist_role: str = Field("", max_length=60)
    therapist_contact: str = Field("", max_length=200)
    reason: str = Field("", max_length=2000)


class IntegrationSessionIn(_Request):
    held_on: date
    facilitator: str = Field(max_length=200)
    kind: str = Field("integration", max_length=40)
    notes: str = Field("", max_length=10000)


class IntegrationSessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    course_id: int
    held_on: date
    facilitator: str
    kind: str
    notes: str
    recorded_by_user_id: int
    recorded_at: datetime


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    course_id: int
    version: int
    supersedes_id: int | None
    change: str
    reason: str
    author_user_id: int
    created_at: datetime
    policy_version: int
    status: str
    route: Route
    next_session_number: int
    next_mg_per_kg: float | None
    next_dose_mg: float | None
    weight_basis_kg: float | None
    weight_basis: str | None
    schedule: list[dict[str, Any]]
    extension_total_sessions: int | None
    maintenance_mode: str
    maintenance_interval_days: int | None
    integration_therapist_name: str
    integration_therapist_role: str
    integration_therapist_contact: str
    findings: list[dict[str, Any]]


class CurrentPlanRead(BaseModel):
    plan: PlanRead
    integration_sessions: int
    flags: list[str]
