"""Test factory: a screened patient with a treatment course (no plan, no consent yet)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentCourse
from ketacare.domain.routes import Route
from ketacare.services import intake, patients, screening
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock


def screened_course(
    db: Session,
    *,
    actor: Actor,
    clock: FixedClock,
    patient_id: int,
    prescriber_id: int,
    starts_on: date,
    route: Route = Route.IV,
) -> TreatmentCourse:
    """Measure, record an eligible intake, screen it, and write a course row directly (rules
    under test do not depend on how the course was planned)."""
    patients.record_measurement(
        session=db, actor=actor, clock=clock, patient_id=patient_id, weight_kg=64, height_cm=165
    )
    intake.record_intake(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        data={"diagnoses": ["gad"], "gad7": [2] * 7, "phq9": [1] * 8 + [0]},
    )
    run = screening.screen_patient(session=db, actor=actor, clock=clock, patient_id=patient_id)
    course = TreatmentCourse(
        patient_id=patient_id,
        route=route,
        screening_id=run.id,
        starts_on=starts_on,
        created_by_user_id=prescriber_id,
        created_at=clock.now(),
    )
    db.add(course)
    db.flush()
    return course
