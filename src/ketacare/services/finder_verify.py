"""Which finder signals a ketacare clinic's own records verify, and why.

Each check is a real query over the clinic's records within a recent window, so a clinic that
stopped screening or following up loses the verified mark. When the records show nothing the
signal is *not verified* (the fact is None, never False): ketacare cannot tell a clinic that does
not screen from one that screens on paper, so the clinic's self-reported value is kept and shown
as self-reported.

The windows are operational choices about how recent "in use" must be; they are not clinical
thresholds and decide nothing about a patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    IntegrationSession,
    Patient,
    Role,
    Screening,
    SymptomScore,
    SymptomSource,
    TreatmentCourse,
    TreatmentPlan,
    User,
)
from ketacare.domain.plans import PlanAction
from ketacare.finder.model import SignalKind
from ketacare.finder.signals import VerificationFacts

# A clinic screens every new patient; six months without one means screening is not in use
# (a small clinic may take few new patients in a quarter, hence not shorter).
SCREENING_WINDOW_DAYS = 180
# Check-ins and outcome scores recur every few weeks for patients in care; 90 days without any
# means follow-up has lapsed.
FOLLOW_UP_WINDOW_DAYS = 90
# Integration sessions follow treatment series, which can be months apart.
INTEGRATION_WINDOW_DAYS = 365
# Plans are adjusted during a loading series; a year covers several series even in a small clinic.
PLAN_WINDOW_DAYS = 365
# Plan versions that changed the treatment because of how this patient responded (the core's
# next_step): a dose titrated up or stepped down, or a series extended for a slow responder.
# "continue", "complete_loading" and a non-response flag are the same for everyone.
_PERSONAL_CHANGES = (PlanAction.TITRATE_UP, PlanAction.STEP_DOWN, PlanAction.EXTEND)


@dataclass(frozen=True)
class Evidence:
    """Why one signal is verified or not: the count found and the window searched."""

    kind: SignalKind
    verified: bool
    reason: str


def clinic_facts(
    *, session: Session, clinic_id: int, now: datetime
) -> tuple[VerificationFacts, tuple[Evidence, ...]]:
    """The clinic's verification facts (True or None) with a plain reason for each signal."""
    screenings = _count(
        session,
        select(func.count(Screening.id))
        .join(Patient, Patient.id == Screening.patient_id)
        .where(
            Patient.clinic_id == clinic_id,
            Screening.screened_at >= now - timedelta(days=SCREENING_WINDOW_DAYS),
        ),
    )
    since_follow_up = now - timedelta(days=FOLLOW_UP_WINDOW_DAYS)
    check_ins = _scores(session, clinic_id, since_follow_up, (SymptomSource.CHECK_IN,))
    outcomes = _scores(
        session, clinic_id, since_follow_up, (SymptomSource.CHECK_IN, SymptomSource.CLINIC)
    )
    integration = _count(
        session,
        select(func.count(IntegrationSession.id))
        .join(TreatmentCourse, TreatmentCourse.id == IntegrationSession.course_id)
        .join(Patient, Patient.id == TreatmentCourse.patient_id)
        .where(
            Patient.clinic_id == clinic_id,
            IntegrationSession.recorded_at >= now - timedelta(days=INTEGRATION_WINDOW_DAYS),
        ),
    )
    prescribers = _count(
        session,
        select(func.count(User.id)).where(
            User.clinic_id == clinic_id, User.role == Role.PRESCRIBER, User.active.is_(True)
        ),
    )
    adjusted = _count(
        session,
        select(func.count(TreatmentPlan.id))
        .join(TreatmentCourse, TreatmentCourse.id == TreatmentPlan.course_id)
        .join(Patient, Patient.id == TreatmentCourse.patient_id)
        .where(
            Patient.clinic_id == clinic_id,
            TreatmentPlan.change.in_([c.value for c in _PERSONAL_CHANGES]),
            TreatmentPlan.created_at >= now - timedelta(days=PLAN_WINDOW_DAYS),
        ),
    )
    facts = VerificationFacts(
        prescriber_signoff_recorded=_seen(prescribers),
        screening_in_use=_seen(screenings),
        checkins_active=_seen(check_ins),
        outcome_tracking_active=_seen(outcomes),
        integration_sessions_recorded=_seen(integration),
        individualized_plans=_seen(adjusted),
    )
    evidence = (
        Evidence(
            SignalKind.PRESCRIBER_OVERSIGHT,
            prescribers > 0,
            f"{prescribers} active prescriber account(s) in ketacare",
        ),
        Evidence(
            SignalKind.COMPREHENSIVE_SCREENING,
            screenings > 0,
            f"{screenings} screening(s) recorded in the last {SCREENING_WINDOW_DAYS} days",
        ),
        Evidence(
            SignalKind.FOLLOW_UP_TRACKING,
            check_ins > 0 and outcomes > 0,
            f"{check_ins} check-in score(s) and {outcomes} outcome score(s) (check-in or "
            f"clinic) in the last {FOLLOW_UP_WINDOW_DAYS} days",
        ),
        Evidence(
            SignalKind.THERAPY_INTEGRATION,
            integration > 0,
            f"{integration} integration session(s) recorded in the last "
            f"{INTEGRATION_WINDOW_DAYS} days",
        ),
        # Verified here means the red flag is verified *absent*: plans were set per patient.
        Evidence(
            SignalKind.ONE_PROTOCOL_FOR_EVERYONE,
            adjusted > 0,
            f"{adjusted} plan change(s) for a patient's response (dose titrated up or stepped "
            f"down, series extended) in the last {PLAN_WINDOW_DAYS} days",
        ),
    )
    return facts, evidence


def _scores(
    session: Session, clinic_id: int, since: datetime, sources: tuple[SymptomSource, ...]
) -> int:
    return _count(
        session,
        select(func.count(SymptomScore.id)).where(
            SymptomScore.clinic_id == clinic_id,
            SymptomScore.source.in_(sources),
            SymptomScore.taken_at >= since,
        ),
    )


def _count(session: Session, query: Select[int]) -> int:
    return int(session.scalar(query) or 0)


def _seen(count: int) -> bool | None:
    # Records prove use; their absence proves nothing (see the module docstring).
    return True if count > 0 else None
