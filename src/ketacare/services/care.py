"""Measurement-based care on the clinic side, in one import: the outcome state and the booster
re-assessment register their score listeners when imported (they run in import order; neither
reads the other's rows, so the order does not matter). `ketacare.services` imports this module,
so every door that records a score (API, pages, check-in links, CLI, jobs) runs the listeners.

Also the strike use case with its re-assessment: a struck score leaves the series, so the
outcome state and the booster queue are recomputed in the same unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ketacare.db.models import Patient, PatientAlert, SymptomScore, SymptomScoreAmendment
from ketacare.services import booster_reassess, outcome_state, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock


def strike_score(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    score_id: int,
    reason: str,
    replaced_by_id: int | None = None,
) -> SymptomScoreAmendment:
    """`symptom_scores.strike_symptom_score`, then recompute the state and the booster queue."""
    amendment = symptom_scores.strike_symptom_score(
        session=session,
        actor=actor,
        clock=clock,
        score_id=score_id,
        reason=reason,
        replaced_by_id=replaced_by_id,
    )
    row = session.get(SymptomScore, score_id)
    assert row is not None
    outcome_state.refresh_outcome_state(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=row.patient_id,
        instrument=row.instrument,
        score_id=score_id,
    )
    booster_reassess.reassess(
        session=session, actor=actor, clock=clock, patient_id=row.patient_id, score_id=None
    )
    return amendment


@dataclass(frozen=True)
class AlertItem:
    alert: PatientAlert
    patient: Patient


def open_alerts(*, session: Session, actor: Actor, clock: Clock) -> list[AlertItem]:
    """The clinic's open patient alerts with their patient, most severe first (staff; the read
    is audited by `symptom_scores.patient_alerts`)."""
    rows = symptom_scores.patient_alerts(session=session, actor=actor, clock=clock)
    items = []
    for alert in rows:
        patient = session.get(Patient, alert.patient_id)
        assert patient is not None
        items.append(AlertItem(alert, patient))
    return items
