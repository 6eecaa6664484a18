"""Loading what the measurement-based-care rules read: a patient's score series for a course,
the sessions given, when maintenance began, and the clinic's local calendar.

No decisions here (the core decides); only which stored rows a rule is given, so the outcome
state and the booster queue read the same series the same way. No access checks either: the
callers check access (or run inside a score's unit of work, which already did).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.memo import remember, watch
from ketacare.db.models import (
    Clinic,
    SymptomScore,
    SymptomScoreAmendment,
    TreatmentCourse,
    TreatmentPlan,
    TreatmentSession,
)
from ketacare.db.models.course import PlanStatus
from ketacare.domain.session_flow import SessionStatus
from ketacare.domain.trajectories import Measurement
from ketacare.services.session_booking_checks import NOT_GIVEN


def clinic_zone(session: Session, clinic_id: int) -> ZoneInfo:
    clinic = session.get(Clinic, clinic_id)
    return ZoneInfo(clinic.timezone if clinic is not None else "UTC")


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def current_course(session: Session, patient_id: int) -> TreatmentCourse | None:
    """The patient's latest course (the one new scores are filed under). Read once per
    transaction (`ketacare.db.memo`; courses are append-only, a new one drops the memo)."""
    return remember(
        session,
        ("course", patient_id),
        lambda: session.scalar(
            select(TreatmentCourse)
            .where(TreatmentCourse.patient_id == patient_id)
            .order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
            .limit(1)
        ),
    )


watch(TreatmentCourse, "course")


def course_series(
    session: Session,
    patient_id: int,
    instrument: str,
    course: TreatmentCourse | None,
    zone: ZoneInfo,
) -> list[SymptomScore]:
    """The scores a course is judged on, oldest first, struck scores left out.

    Baseline: the latest score taken before the course's first day (usually the intake's), or
    the course's first score when there is none. Then every score from the first day on. Without
    a course: every score of the patient on that instrument.
    """
    struck = select(SymptomScoreAmendment.score_id)
    rows = list(
        session.scalars(
            select(SymptomScore)
            .where(
                SymptomScore.patient_id == patient_id,
                SymptomScore.instrument == instrument,
                SymptomScore.id.not_in(struck),
            )
            .order_by(SymptomScore.taken_at, SymptomScore.id)
        )
    )
    if course is None:
        return rows
    before = [r for r in rows if local_day(r.taken_at, zone) < course.starts_on]
    during = [r for r in rows if local_day(r.taken_at, zone) >= course.starts_on]
    return before[-1:] + during


def given_sessions(session: Session, course_id: int) -> list[TreatmentSession]:
    """The course's sessions in which a dose was started, in time order."""
    return list(
        session.scalars(
            select(TreatmentSession)
            .where(
                TreatmentSession.course_id == course_id,
                TreatmentSession.dose_start_at.is_not(None),
                TreatmentSession.status.not_in(NOT_GIVEN),
            )
            .order_by(TreatmentSession.dose_start_at)
        )
    )


def upcoming_session(session: Session, patient_id: int, now: datetime) -> TreatmentSession | None:
    """The patient's next booked session that has not begun (status scheduled), if any."""
    return session.scalar(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.status == SessionStatus.SCHEDULED,
            TreatmentSession.scheduled_start >= now,
        )
        .order_by(TreatmentSession.scheduled_start)
        .limit(1)
    )


def maintenance_began(session: Session, course_id: int) -> datetime | None:
    """When the course's plan first reached maintenance (the core's complete_loading step), or
    None while loading or extension continue. Read once per transaction (`ketacare.db.memo`;
    plans are append-only, a new version drops the memo)."""
    return remember(
        session,
        ("maintenance_began", course_id),
        lambda: session.scalar(
            select(TreatmentPlan.created_at)
            .where(
                TreatmentPlan.course_id == course_id,
                TreatmentPlan.status == PlanStatus.MAINTENANCE,
            )
            .order_by(TreatmentPlan.version)
            .limit(1)
        ),
    )


watch(TreatmentPlan, "maintenance_began")


def measurement(
    row: SymptomScore, zone: ZoneInfo, given: Sequence[TreatmentSession] = ()
) -> Measurement:
    """A stored score as the core's Measurement, in clinic time; the session number is how many
    of the course's sessions had been dosed by then (None before the first)."""
    number = sum(
        1 for s in given if s.dose_start_at is not None and s.dose_start_at <= row.taken_at
    )
    return Measurement(row.taken_at.astimezone(zone), row.total, number or None)
