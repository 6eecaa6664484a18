"""Outcome state: after every score, the patient's trajectory on that instrument, by the core.

A listener on `symptom_scores.on_score_recorded` (registered when this module is imported; the
services package imports it through `ketacare.services.care`) recomputes the trajectory of the
instrument just answered with `domain.trajectories.trajectory` over the course's series (see
`care_data.course_series`) and stores an append-only `OutcomeState` snapshot. The newest
snapshot per instrument is the patient's current state; older ones are its history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import OutcomeState, Patient
from ketacare.domain.trajectories import Measurement, trajectory
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.care_data import (
    clinic_zone,
    course_series,
    current_course,
    given_sessions,
    measurement,
)
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.symptom_scores import (
    RecordedSymptomScore,
    instrument_for,
    on_score_recorded,
)


def refresh_outcome_state(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    instrument: str,
    score_id: int | None = None,
) -> OutcomeState | None:
    """Recompute and store the patient's state on `instrument` (None when no score is left).

    Internal: called after a score is recorded or struck, in that unit of work (whose service
    checked access); it audits its write as `outcome_state.update`.
    """
    patient = session.get(Patient, patient_id)
    if patient is None:
        return None
    tool = instrument_for(instrument)
    zone = clinic_zone(session, patient.clinic_id)
    course = current_course(session, patient.id)
    rows = course_series(session, patient.id, tool.code, course, zone)
    if not rows:
        return None
    given = given_sessions(session, course.id) if course is not None else []
    series = [measurement(rows[0], zone)] + [measurement(r, zone, given) for r in rows[1:]]
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    found = trajectory(tool, series, policy=policy.outcomes)
    by_moment = {id(m): r for m, r in zip(series, rows, strict=True)}

    def at(m: Measurement | None) -> datetime | None:
        return by_moment[id(m)].taken_at if m is not None else None

    row = OutcomeState(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        course_id=course.id if course is not None else None,
        instrument=tool.code,
        symptom_score_id=score_id,
        state=found.state.value,
        baseline_score=found.baseline.score,
        baseline_at=rows[0].taken_at,
        latest_score=found.latest.score,
        latest_at=rows[-1].taken_at,
        best_score=found.best.score,
        improvement_pct=found.improvement_pct,
        best_improvement_pct=found.best_improvement_pct,
        first_response_at=at(found.first_response),
        first_remission_at=at(found.first_remission),
        relapse_count=len(found.relapses),
        slope_points_per_week=found.slope_points_per_week,
        measurement_count=len(series),
        score_ids=[r.id for r in rows],
        findings=[f.as_dict() for f in found.findings],
        policy_version=version,
        computed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="outcome_state.update",
        patient_id=patient.id,
        object_type="outcome_state",
        object_id=row.id,
        detail={"instrument": tool.code, "state": row.state, "score_id": score_id},
    )
    return row


def current_outcome_states(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> list[OutcomeState]:
    """The newest snapshot per instrument (staff of the patient's clinic, or the patient)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="outcome_state.read",
    )
    newest = (
        select(func.max(OutcomeState.id))
        .where(OutcomeState.patient_id == patient.id)
        .group_by(OutcomeState.instrument)
    )
    rows = list(
        session.scalars(
            select(OutcomeState)
            .where(OutcomeState.id.in_(newest))
            .order_by(OutcomeState.instrument)
        )
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="outcome_state.read",
        patient_id=patient.id,
        object_type="outcome_state",
        detail={"instruments": [r.instrument for r in rows]},
    )
    return rows


def _on_score(session: Session, actor: Actor, clock: Clock, recorded: RecordedSymptomScore) -> None:
    score = recorded.score
    refresh_outcome_state(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=score.patient_id,
        instrument=score.instrument,
        score_id=score.id,
    )


on_score_recorded(_on_score)
