"""Re-assessing the booster recommendation after each GAD-7 or PHQ-9 score (a listener
registered at import; `services.care` imports this module, and re-runs `reassess` after a strike).

`reassess` runs the core's maintenance rules (`booster_assess.assess`). When a booster is due a
recommendation is opened — one open per patient — and every later assessment adds a
`BoosterReason` row (the newest is the current reason; nothing is updated). When a later score
shows it is no longer due, the recommendation is closed as RESOLVED with the core's sentence as
the reason; when the session that answered it outside the queue has been given, as RESOLVED
"booked outside the queue (session N)" (`booster_answered`). No recommendation is opened while
the patient already has a session booked ahead (that session is the next chance to treat).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
from ketacare.db.models import BoosterDecisionKind, BoosterRecommendation, Patient
from ketacare.domain.maintenance import BOOSTER_NOT_DUE
from ketacare.services.actors import Actor
from ketacare.services.booster_answered import answering_session, was_given
from ketacare.services.booster_assess import BOOSTER_INSTRUMENTS, BoosterCheck, assess, reason_row
from ketacare.services.booster_queue import (
    audit_recommendation,
    record_decision,
    undecided_recommendation,
)
from ketacare.services.care_data import clinic_zone, current_course, upcoming_session
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.symptom_scores import RecordedSymptomScore, on_score_recorded


def reassess(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int, score_id: int | None = None
) -> BoosterRecommendation | None:
    """Re-run the booster rules for the patient; return the open recommendation, if any.

    Internal: runs inside the unit of work of a recorded (or struck) score, whose service
    checked access. The patient row is locked so two scores cannot open two recommendations.
    """
    patient = get_locked(session, Patient, patient_id)
    course = current_course(session, patient_id) if patient is not None else None
    if patient is None or course is None:
        return None
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    zone = clinic_zone(session, patient.clinic_id)
    check = assess(session, course, policy, zone, clock.now())
    rec = undecided_recommendation(session, patient_id)
    answer = answering_session(session, rec) if rec is not None else None
    if rec is not None and answer is not None and was_given(answer):
        # Booked outside the queue and given: closed for good (a new need opens afresh below).
        why = f"booked outside the queue (session {answer.id})"
        _resolve(session, actor, clock, rec, check, score_id, version, why, answer.id)
        rec = None
    if check is None or not check.due:
        if rec is not None:
            _resolve(session, actor, clock, rec, check, score_id, version)
        return None
    if rec is None:
        if upcoming_session(session, patient_id, clock.now()) is not None:
            return None
        rec = BoosterRecommendation(
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            course_id=course.id,
            opened_by_score_id=score_id,
            opened_at=clock.now(),
        )
        session.add(rec)
        session.flush()
        audit_recommendation(session, actor, clock, rec, "booster.open", {"score_id": score_id})
    reason = reason_row(rec, check, score_id, version, clock.now())
    session.add(reason)
    session.flush()
    audit_recommendation(
        session, actor, clock, rec, "booster.assess", {"reason_id": reason.id, "due": True}
    )
    return rec


def _resolve(
    session: Session,
    actor: Actor,
    clock: Clock,
    rec: BoosterRecommendation,
    check: BoosterCheck | None,
    score_id: int | None,
    version: int,
    why: str | None = None,
    session_id: int | None = None,
) -> None:
    """Close as RESOLVED (system), the assessment that closed it stored as the last reason.
    `why` defaults to the core's "no booster due" sentence."""
    if check is not None:
        session.add(reason_row(rec, check, score_id, version, clock.now()))
        sentences = [f.message for f in check.findings if f.rule_id == BOOSTER_NOT_DUE.id] or [
            "the booster rules find no booster due"
        ]
        why = why or " ".join(sentences)
    else:
        why = why or "the course is no longer in maintenance (plan stopped or changed)"
    record_decision(
        session, actor, clock, rec, BoosterDecisionKind.RESOLVED, why,
        session_id=session_id, system=True,
    )  # fmt: skip


def _on_score(session: Session, actor: Actor, clock: Clock, recorded: RecordedSymptomScore) -> None:
    if recorded.score.instrument not in {t.code for t in BOOSTER_INSTRUMENTS}:
        return
    reassess(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=recorded.score.patient_id,
        score_id=recorded.score.id,
    )


on_score_recorded(_on_score)
