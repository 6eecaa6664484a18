"""Test factory: a patient's course with discharged sessions and a GAD-7 after each one."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from ketacare.db.models import (
    Location,
    LocationKind,
    SymptomSource,
    TreatmentCourse,
    TreatmentSession,
)
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from tests.factories.courses import screened_course


def gad7_answers(total: int) -> list[int]:
    """Seven answers (0–3) summing to `total`."""
    answers = [0] * 7
    for i in range(total):
        answers[i % 7] += 1
    return answers


def course_with_scores(
    db: Session,
    *,
    actor: Actor,
    clock: FixedClock,
    patient_id: int,
    clinic_id: int,
    prescriber_id: int,
    nurse_id: int,
    gad7_after: list[int],
    route: Route = Route.IV,
) -> TreatmentCourse:
    """Intake (GAD-7 14 baseline), a course, then one discharged session every 3 days, each
    followed the next day by a GAD-7 of the given total. The clock ends after the last score."""
    course = screened_course(
        db, actor=actor, clock=clock, patient_id=patient_id, prescriber_id=prescriber_id,
        starts_on=date(2026, 3, 3), route=route,
    )  # fmt: skip
    chair = Location(
        clinic_id=clinic_id, name=f"Forecast chair {patient_id}", kind=LocationKind.CHAIR
    )
    db.add(chair)
    db.flush()
    for total in gad7_after:
        clock.advance(days=2)
        start = clock.now()
        db.add(
            TreatmentSession(
                clinic_id=clinic_id, patient_id=patient_id, course_id=course.id, route=route,
                chair_id=chair.id, nurse_user_id=nurse_id, scheduled_start=start,
                scheduled_end=start + timedelta(hours=3), status=SessionStatus.DISCHARGED,
                dose_start_at=start, created_at=start,
            )
        )  # fmt: skip
        db.flush()
        clock.advance(days=1)
        symptom_scores.record_symptom_score(
            session=db, actor=actor, clock=clock, patient_id=patient_id, instrument="gad7",
            answers=gad7_answers(total), source=SymptomSource.CHECK_IN,
        )  # fmt: skip
    return course
