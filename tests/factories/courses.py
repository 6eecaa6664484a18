"""Test factories: a screened patient with a treatment course (no plan, no consent yet), and a
consented course (plan version 1 and a current consent) that sessions can be booked in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Intake, Patient, Role, TreatmentCourse, User
from ketacare.db.models.course import PlanStatus
from ketacare.domain.routes import Route
from ketacare.services import clinics, consent, courses, intake, patients, screening
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock


def screened_course(
    db: Session,
    *,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    prescriber_id: int,
    starts_on: date,
    route: Route = Route.IV,
    questionnaires: bool = True,
) -> TreatmentCourse:
    """Measure, record an eligible intake, screen it, and write a course row directly (rules
    under test do not depend on how the course was planned). With `questionnaires=False` the
    intake row is written directly, so its GAD-7/PHQ-9 answers are not recorded as baseline
    scores (for tests that set the patient's scores themselves)."""
    patients.record_measurement(
        session=db, actor=actor, clock=clock, patient_id=patient_id, weight_kg=64, height_cm=165
    )
    data = {"diagnoses": ["gad"], "gad7": [2] * 7, "phq9": [1] * 8 + [0]}
    if questionnaires:
        intake.record_intake(session=db, actor=actor, clock=clock, patient_id=patient_id, data=data)
    else:  # the row alone: the service would also record the answers as baseline scores
        versions = db.scalars(select(Intake.version).where(Intake.patient_id == patient_id))
        db.add(
            Intake(
                patient_id=patient_id,
                version=max(versions, default=0) + 1,
                recorded_at=clock.now(),
                recorded_by_user_id=actor.user_id,
                data=data,
            )
        )
        db.flush()
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


def clinic_prescriber(db: Session, clinic_id: int, clock: Clock) -> User:
    """The clinic's first active prescriber, created when the clinic has none."""
    found = db.scalar(
        select(User)
        .where(User.clinic_id == clinic_id, User.role == Role.PRESCRIBER, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    if found is not None:
        return found
    return clinics.create_user(
        session=db,
        actor=Actor.system("factory", clinic_id),
        clock=clock,
        email=f"factory-prescriber-{clinic_id}@example.org",
        full_name="Factory Prescriber",
        role=Role.PRESCRIBER,
        password="correct-horse-battery",
        clinic_id=clinic_id,
    )


def consented_course(
    db: Session,
    *,
    clock: Clock,
    patient_id: int,
    route: Route = Route.IV,
    starts_on: date | None = None,
    questionnaires: bool = True,
) -> TreatmentCourse:
    """A screened course (starting today unless `starts_on`), its plan version 1 from the
    core's planner and a consent signed and witnessed now, all by a prescriber of the
    patient's clinic: a course a session can be booked in (`questionnaires`: see
    `screened_course`)."""
    patient = db.get(Patient, patient_id)
    assert patient is not None
    prescriber = Actor.for_user(clinic_prescriber(db, patient.clinic_id, clock))
    course = screened_course(
        db,
        actor=prescriber,
        clock=clock,
        patient_id=patient_id,
        prescriber_id=prescriber.user_id or 0,
        starts_on=starts_on or clock.now().date(),
        route=route,
        questionnaires=questionnaires,
    )
    courses.create_plan(session=db, actor=prescriber, clock=clock, course_id=course.id)
    consent.record_consent(session=db, actor=prescriber, clock=clock, course_id=course.id)
    return course


def bookable_course(
    db: Session,
    *,
    clock: Clock,
    patient_id: int,
    route: Route | None = Route.IV,
    questionnaires: bool = True,
) -> TreatmentCourse:
    """The patient's latest course of `route` (None: of any route) when a session can be booked
    in it now (a plan that is not stopped or under review, a current consent); a new consented
    course otherwise (IV when `route` is None). Lets tests book several sessions of one patient
    in one course."""
    query = select(TreatmentCourse).where(TreatmentCourse.patient_id == patient_id)
    if route is not None:
        query = query.where(TreatmentCourse.route == route)
    for course in db.scalars(
        query.order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
    ):
        plan = courses.current_plan(session=db, course_id=course.id)
        usable = plan is not None and plan.status not in (PlanStatus.STOPPED, PlanStatus.REVIEW)
        if usable and consent.has_current_consent(
            session=db, patient_id=patient_id, course_id=course.id, at=clock.now()
        ):
            return course
    return consented_course(
        db,
        clock=clock,
        patient_id=patient_id,
        route=route or Route.IV,
        questionnaires=questionnaires,
    )
