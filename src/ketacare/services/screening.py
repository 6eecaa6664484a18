"""Screening: run the clinical core on the current intake, store the verdict, every finding and
the policy version used; then a prescriber's review.

Review decisions (each a new row; nothing is changed in place):
- eligible: accept;
- needs review: clear (written reason) or decline (written reason);
- not eligible: accept, or override with a written reason — which counts only once a second
  prescriber co-signs it.
Only the patient's latest screening can be reviewed (screening_review.py); an intake amendment
re-screens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    Intake,
    Patient,
    Role,
    Screening,
    ScreeningCosignature,
    ScreeningReview,
)
from ketacare.db.models.screening import ReviewDecision
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.screening import (
    BloodPressureReading,
    Condition,
    Diagnosis,
    HepaticImpairment,
    Medication,
    ScreeningInput,
    Sex,
    TreatmentTrial,
    Verdict,
    screen,
)
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.intake import current_intake
from ketacare.services.patients import age_on, latest_weight_and_height
from ketacare.services.policy import current_policy

PRESCRIBERS = frozenset({Role.PRESCRIBER})


@dataclass(frozen=True)
class ScreeningView:
    screening: Screening
    reviews: tuple[ScreeningReview, ...]
    cosignatures: dict[int, ScreeningCosignature]
    status: str  # awaiting_review, awaiting_cosignature, cleared, not_cleared
    is_current: bool


def screen_patient(*, session: Session, actor: Actor, clock: Clock, patient_id: int) -> Screening:
    """Run the core's screening on the current intake with the clinic's current policy."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="screening.run",
        roles=access.STAFF,
    )
    return run_screening(session=session, actor=actor, clock=clock, patient=patient)


def run_screening(*, session: Session, actor: Actor, clock: Clock, patient: Patient) -> Screening:
    """Screen a patient the caller has already authorised (used after an intake amendment)."""
    intake = current_intake(session=session, patient_id=patient.id)
    if intake is None:
        raise NotFound("the patient has no intake to screen; record one first")
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    patient_input = screening_input(session=session, patient=patient, intake=intake, clock=clock)
    result = screen(patient_input, policy.screening)
    row = Screening(
        patient_id=patient.id,
        intake_id=intake.id,
        policy_version=version,
        verdict=result.verdict,
        findings=[f.as_dict() for f in result.findings],
        inputs=_summary(patient_input),
        screened_by_user_id=actor.user_id,
        screened_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="screening.run",
        patient_id=patient.id,
        object_type="screening",
        object_id=row.id,
        detail={
            "verdict": result.verdict.value,
            "policy_version": version,
            "intake_version": intake.version,
        },
    )
    return row


def screening_input(
    *, session: Session, patient: Patient, intake: Intake, clock: Clock
) -> ScreeningInput:
    """The core's input from the patient, their latest measurements and the intake document."""
    latest, height = latest_weight_and_height(session=session, patient_id=patient.id)
    if latest is None:
        raise InvalidInput("record the patient's weight before screening", field="weight_kg")
    if height is None:
        raise InvalidInput("record the patient's height before screening", field="height_cm")
    data = intake.data
    scores = data.get("questionnaires", {})
    phq9 = scores.get("phq9")
    return ScreeningInput(
        age_years=age_on(patient.date_of_birth, clock.now().date()),
        sex=Sex(patient.sex),
        weight_kg=latest.weight_kg,
        height_cm=height,
        diagnoses=frozenset(Diagnosis(d) for d in data["diagnoses"]),
        resting_bp=tuple(
            BloodPressureReading(r["systolic_mmhg"], r["diastolic_mmhg"])
            for r in data.get("resting_bp", [])
        ),
        conditions=frozenset(conditions_of(data)),
        hepatic_impairment=HepaticImpairment(data.get("hepatic_impairment", "none")),
        medications=tuple(
            Medication(m["name"], m.get("daily_dose_mg")) for m in data.get("medications", [])
        ),
        treatment_trials=tuple(TreatmentTrial(**t) for t in data.get("prior_trials", [])),
        gad7_total=scores["gad7"]["total"] if "gad7" in scores else None,
        phq9_total=phq9["total"] if phq9 else None,
        phq9_item9=phq9["answers"][8] if phq9 else None,
        pcl5_total=scores["pcl5"]["total"] if "pcl5" in scores else None,
        active_suicidal_intent=bool(data.get("active_suicidal_intent")),
    )


def conditions_of(data: dict[str, Any]) -> set[Condition]:
    """History items, plus those the substance-use and pregnancy answers amount to."""
    found = {Condition(c) for c in data.get("conditions", [])}
    use = data.get("substance_use", {})
    disorder = use.get("substance_use_disorder", "none")
    if disorder == "current":
        found.add(Condition.CURRENT_SUBSTANCE_USE_DISORDER)
    elif disorder == "past":
        found.add(Condition.PAST_SUBSTANCE_USE_DISORDER)
    if use.get("opioid_use_disorder_history"):
        found.add(Condition.OPIOID_USE_DISORDER_HISTORY)
    if use.get("ketamine_misuse_history"):
        found.add(Condition.KETAMINE_MISUSE_HISTORY)
    if use.get("recreational_drugs"):
        found.add(Condition.RECREATIONAL_DRUG_USE)
    if use.get("can_abstain_alcohol_24h") is False:
        found.add(Condition.CANNOT_ABSTAIN_FROM_ALCOHOL_24H)
    pregnancy = {
        "pregnant": Condition.PREGNANT,
        "breastfeeding": Condition.BREASTFEEDING,
        "planning": Condition.PLANNING_PREGNANCY_OR_IVF,
    }.get(data.get("pregnancy_status", ""))
    if pregnancy is not None:
        found.add(pregnancy)
    return found


def _summary(value: ScreeningInput) -> dict[str, Any]:
    return {
        "age_years": value.age_years,
        "sex": value.sex.value,
        "weight_kg": value.weight_kg,
        "height_cm": value.height_cm,
        "diagnoses": sorted(d.value for d in value.diagnoses),
        "conditions": sorted(c.value for c in value.conditions),
        "medications": [m.name for m in value.medications],
        "gad7_total": value.gad7_total,
        "phq9_total": value.phq9_total,
        "pcl5_total": value.pcl5_total,
    }


# --- reading -------------------------------------------------------------------------------


def latest_screening(*, session: Session, patient_id: int) -> Screening | None:
    return session.scalar(
        select(Screening)
        .where(Screening.patient_id == patient_id)
        .order_by(Screening.screened_at.desc(), Screening.id.desc())
        .limit(1)
    )


def view_of(session: Session, screening: Screening) -> ScreeningView:
    reviews = tuple(
        session.scalars(
            select(ScreeningReview)
            .where(ScreeningReview.screening_id == screening.id)
            .order_by(ScreeningReview.reviewed_at, ScreeningReview.id)
        ).all()
    )
    cosigs = (
        {
            c.review_id: c
            for c in session.scalars(
                select(ScreeningCosignature).where(
                    ScreeningCosignature.review_id.in_([r.id for r in reviews])
                )
            ).all()
        }
        if reviews
        else {}
    )
    latest = latest_screening(session=session, patient_id=screening.patient_id)
    current = latest is not None and latest.id == screening.id
    return ScreeningView(screening, reviews, cosigs, _status(screening, reviews, cosigs), current)


def _status(
    screening: Screening,
    reviews: Sequence[ScreeningReview],
    cosigs: dict[int, ScreeningCosignature],
) -> str:
    if not reviews:
        return "awaiting_review"
    last = reviews[-1]
    if last.decision is ReviewDecision.OVERRIDE:
        return "cleared" if last.id in cosigs else "awaiting_cosignature"
    if last.decision is ReviewDecision.CLEAR:
        return "cleared"
    if last.decision is ReviewDecision.ACCEPT and screening.verdict is Verdict.ELIGIBLE:
        return "cleared"
    return "not_cleared"


def get_screening(
    *, session: Session, actor: Actor, clock: Clock, screening_id: int
) -> ScreeningView:
    screening = load_screening(session, actor, clock, screening_id, "screening.read", access.STAFF)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="screening.read",
        patient_id=screening.patient_id,
        object_type="screening",
        object_id=screening.id,
    )
    return view_of(session, screening)


def list_screenings(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ScreeningView], int]:
    """The patient's screening history, newest first."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="screening.read",
        roles=access.STAFF,
    )
    query = select(Screening).where(Screening.patient_id == patient.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Screening.screened_at.desc(), Screening.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="screening.list",
        patient_id=patient.id,
        detail={"returned": len(rows)},
    )
    return [view_of(session, r) for r in rows], total


def load_screening(
    session: Session,
    actor: Actor,
    clock: Clock,
    screening_id: int,
    action: str,
    roles: frozenset[Role],
) -> Screening:
    screening = session.get(Screening, screening_id)
    patient_id = screening.patient_id if screening else -1
    access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action=action,
        roles=roles,
        object_type="screening",
        object_id=screening_id,
    )
    assert screening is not None  # patient_for raised NotFound otherwise
    return screening


def cleared_screening(*, session: Session, patient_id: int) -> Screening:
    """The patient's current screening if it is cleared for treatment; Conflict otherwise."""
    screening = latest_screening(session=session, patient_id=patient_id)
    if screening is None:
        raise Conflict("the patient has not been screened")
    intake = current_intake(session=session, patient_id=patient_id)
    if intake is None or screening.intake_id != intake.id:
        raise Conflict("the intake changed after the last screening: screen again")
    view = view_of(session, screening)
    if view.status != "cleared":
        raise Conflict(
            f"the patient's screening ({screening.verdict.value}) is not cleared for treatment "
            f"({view.status.replace('_', ' ')})"
        )
    return screening
