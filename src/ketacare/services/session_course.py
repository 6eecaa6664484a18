"""Every treatment session belongs to a consented course of its patient.

Booking needs `course_id`: the course must be the patient's, its plan must allow a session (not
missing, stopped or under review) and it must have a current consent when booking
(`check_course`). Check-in and dosing check plan and consent again at their moment
(`session_flow`). The session's route is the course's (`agreeing_route`). `booking_course`
tells the schedule page which course a booking for a patient goes into, or why none can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.db.models.course import PlanStatus, TreatmentCourse
from ketacare.domain.errors import Conflict, InvalidInput, RuleViolation
from ketacare.domain.routes import Route
from ketacare.services import access
from ketacare.services.actors import Actor
from ketacare.services.care_data import current_course
from ketacare.services.clock import Clock
from ketacare.services.consent import has_current_consent
from ketacare.services.courses import current_plan
from ketacare.services.session_common import STAFF

NOT_BOOKABLE = frozenset({PlanStatus.STOPPED, PlanStatus.REVIEW})


def check_course(
    session: Session, patient_id: int, course_id: int, at: datetime
) -> TreatmentCourse:
    """The patient's course `course_id`, refused when it is another patient's or unknown
    (InvalidInput naming course_id, the same words either way: no existence leak), when its
    plan does not allow a session (`check_plan`, Conflict), or when it has no current consent
    at `at` (RuleViolation naming course_id). No access check: the caller has authorised."""
    course = patients_course(session, patient_id, course_id)
    check_plan(session, course_id)
    if not has_current_consent(session=session, patient_id=patient_id, course_id=course_id, at=at):
        raise RuleViolation(
            f"course {course_id} has no current consent: the patient signs the consent for the "
            "course, witnessed by staff, before a session is booked",
            field="course_id",
        )
    return course


def patients_course(session: Session, patient_id: int, course_id: int) -> TreatmentCourse:
    """The course, when it is this patient's (InvalidInput naming course_id otherwise)."""
    course = session.get(TreatmentCourse, course_id)
    if course is None or course.patient_id != patient_id:
        raise InvalidInput(
            f"course {course_id} is not a treatment course of this patient", field="course_id"
        )
    return course


def agreeing_route(course: TreatmentCourse, route: Route | None) -> Route:
    """The course's route; a stated `route` is a cross-check and must agree (InvalidInput
    naming route otherwise)."""
    if route is not None and route is not course.route:
        raise InvalidInput(
            f"the course is {course.route.value}; a {route.value} session cannot be booked in it",
            field="route",
        )
    return course.route


def check_plan(session: Session, course_id: int) -> None:
    """Refuse a session in a course with no plan, a stopped plan or one awaiting review."""
    plan = current_plan(session=session, course_id=course_id)
    if plan is None:
        raise Conflict(f"course {course_id} has no treatment plan yet", field="course_id")
    if plan.status in NOT_BOOKABLE:
        raise Conflict(
            f"the plan of course {course_id} is {plan.status.value}: a prescriber must decide "
            "before the next session",
            field="course_id",
        )


@dataclass(frozen=True)
class BookingCourse:
    """The course a booking for the patient goes into (their current course), and `problem`:
    why no session can be booked in it now, as a sentence naming the patient (None: one can)."""

    patient_name: str
    course: TreatmentCourse | None
    problem: str | None


def booking_course(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> BookingCourse:
    """The patient's current course (`care_data.current_course`: the latest by start date) and
    whether a session can be booked in it now (staff only; audited as a read)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="session.booking_course",
        roles=STAFF,
    )
    name = patient.display_name
    course = current_course(session, patient.id)
    no_plan = f"{name} has no treatment course with an approved plan; screen and plan first"
    if course is None:
        return BookingCourse(name, None, no_plan)
    try:
        check_course(session, patient.id, course.id, clock.now())
    except Conflict as refused:  # no plan, or a stopped plan or one under review
        return BookingCourse(name, course, f"{no_plan} ({refused.message})")
    except RuleViolation:
        return BookingCourse(
            name,
            course,
            f"{name} has no current consent for the treatment course; the patient signs the "
            "consent and staff witness it before a session is booked",
        )
    return BookingCourse(name, course, None)
