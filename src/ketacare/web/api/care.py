"""Measurement-based care: symptom scores (with the urgent alert in the same response), patient
alerts, the outcome state, and the clinician's booster recommendation queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ketacare.db.models import SymptomSource
from ketacare.services import booster_queue, care, outcome_state, symptom_scores
from ketacare.services.policy import current_policy
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.care import (
    AcknowledgeIn,
    AcknowledgementRead,
    BookIn,
    DecisionRead,
    DismissIn,
    OutcomeStateRead,
    PatientAlertRead,
    RecommendationRead,
    StrikeIn,
    StrikeRead,
    SymptomScoreIn,
    SymptomScoreRead,
    SymptomScoreRecorded,
)
from ketacare.web.schemas.common import Page, PageParams, page_params
from ketacare.web.schemas.sessions import FindingRead

router = APIRouter(tags=["care"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.post(
    "/patients/{patient_id}/symptom-scores", response_model=SymptomScoreRecorded, status_code=201
)
def record_score(
    patient_id: int, body: SymptomScoreIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SymptomScoreRecorded:
    """Record a questionnaire (staff, or the patient for themselves). A PHQ-9 item 9 at the
    clinic's alert level raises the URGENT alert in this same request: it is in the response
    (`urgent`, `alerts`, the clinic's `crisis_resources` text) and already stored."""
    recorded = symptom_scores.record_symptom_score(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        instrument=body.instrument,
        answers=body.answers,
        source=SymptomSource.CLINIC if actor.is_staff else SymptomSource.CHECK_IN,
        taken_at=body.taken_at,
        course_id=body.course_id,
    )
    crisis = None
    if recorded.urgent:
        policy, _ = current_policy(session=session, clinic_id=recorded.score.clinic_id)
        crisis = policy.outcomes.crisis_resources_text
    return SymptomScoreRecorded(
        score=SymptomScoreRead.model_validate(recorded.score),
        findings=[FindingRead.of(f) for f in recorded.findings],
        alerts=[PatientAlertRead.model_validate(a) for a in recorded.alerts],
        urgent=recorded.urgent,
        crisis_resources=crisis,
    )


@router.get("/patients/{patient_id}/symptom-scores", response_model=Page[SymptomScoreRead])
def list_scores(
    patient_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Paging,
    instrument: str | None = None,
) -> Page[SymptomScoreRead]:
    """The patient's scores, oldest first (struck scores left out)."""
    rows = symptom_scores.symptom_history(
        session=session, actor=actor, clock=clock, patient_id=patient_id, instrument=instrument
    )
    window = rows[paging.offset : paging.offset + paging.limit]
    return Page(
        items=[SymptomScoreRead.model_validate(r) for r in window],
        total=len(rows),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/symptom-scores/{score_id}/strike", response_model=StrikeRead, status_code=201)
def strike(
    score_id: int, body: StrikeIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> StrikeRead:
    """Strike a score entered in error (staff, with a reason); the state and queue follow."""
    amendment = care.strike_score(
        session=session,
        actor=actor,
        clock=clock,
        score_id=score_id,
        reason=body.reason,
        replaced_by_id=body.replaced_by_id,
    )
    return StrikeRead.model_validate(amendment)


@router.get("/patients/{patient_id}/outcome-state", response_model=list[OutcomeStateRead])
def read_outcome_state(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[OutcomeStateRead]:
    """The current state per instrument (baseline, latest, improvement, state, findings)."""
    rows = outcome_state.current_outcome_states(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return [OutcomeStateRead.model_validate(r) for r in rows]


@router.get("/patient-alerts", response_model=Page[PatientAlertRead])
def list_alerts(
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Paging,
    open_only: bool = True,
    patient_id: int | None = None,
) -> Page[PatientAlertRead]:
    """The clinic's patient alerts, most severe and newest first (staff)."""
    rows = symptom_scores.patient_alerts(
        session=session, actor=actor, clock=clock, open_only=open_only, patient_id=patient_id
    )
    window = rows[paging.offset : paging.offset + paging.limit]
    return Page(
        items=[PatientAlertRead.model_validate(r) for r in window],
        total=len(rows),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/patient-alerts/{alert_id}/acknowledge", response_model=AcknowledgementRead)
def acknowledge_alert(
    alert_id: int, body: AcknowledgeIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> AcknowledgementRead:
    """Acknowledge an alert with a note saying what was done (staff)."""
    ack = symptom_scores.acknowledge_patient_alert(
        session=session, actor=actor, clock=clock, alert_id=alert_id, note=body.note
    )
    return AcknowledgementRead.model_validate(ack)


@router.get("/care-queue", response_model=list[RecommendationRead])
def read_queue(
    session: SessionDep, actor: ApiActor, clock: ClockDep, with_slots: bool = True
) -> list[RecommendationRead]:
    """Open booster recommendations, the window closing soonest first, each with why it is
    due (the scores and the rule), its window, tolerance/overuse flags and the next 3 slots."""
    items = booster_queue.care_queue(
        session=session, actor=actor, clock=clock, with_slots=with_slots
    )
    return [RecommendationRead.of(i) for i in items]


@router.post("/care-queue/{recommendation_id}/book", response_model=DecisionRead, status_code=201)
def book(
    recommendation_id: int, body: BookIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> DecisionRead:
    """Book the booster at a free slot (staff; every booking rule applies)."""
    decision = booster_queue.book_recommendation(
        session=session,
        actor=actor,
        clock=clock,
        recommendation_id=recommendation_id,
        **body.model_dump(),
    )
    return DecisionRead.model_validate(decision)


@router.post(
    "/care-queue/{recommendation_id}/dismiss", response_model=DecisionRead, status_code=201
)
def dismiss(
    recommendation_id: int, body: DismissIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> DecisionRead:
    """Decide against the booster, with the reason (prescribers)."""
    decision = booster_queue.dismiss_recommendation(
        session=session,
        actor=actor,
        clock=clock,
        recommendation_id=recommendation_id,
        reason=body.reason,
    )
    return DecisionRead.model_validate(decision)
