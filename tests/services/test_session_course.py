"""Every treatment session belongs to a consented course: booking needs the patient's course
with a plan that allows a session and a current consent; check-in and dosing check plan and
consent again, and a session without a course (booked before the rule) goes no further."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Consent, SessionEvent, TreatmentSession
from ketacare.domain.errors import Conflict, InvalidInput, RuleViolation
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import consent, courses, session_booking
from ketacare.services.clock import FixedClock
from tests.factories.courses import consented_course, screened_course
from tests.services.session_support import START, book, chairs, checked_in


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _book_in(db: Session, cast, clock: FixedClock, course_id: int | None, start=START, **extra):  # type: ignore[no-untyped-def]
    return session_booking.book_session(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        start=start,
        chair_id=chairs(db, cast.clinic_a)[0].id,
        nurse_user_id=cast.nurse_a.id,
        course_id=course_id,
        **extra,
    )


def _withdraw(db: Session, cast, clock: FixedClock, course_id: int) -> None:  # type: ignore[no-untyped-def]
    signed = db.scalar(select(Consent).where(Consent.course_id == course_id))
    assert signed is not None
    consent.withdraw_consent(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        consent_id=signed.id,
        reason="the patient chose to stop",
    )


def test_booking_without_a_course_is_refused_naming_course_id_and_nothing_changes(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    chairs(db, cast.clinic_a)
    sessions, events = _count(db, TreatmentSession), _count(db, SessionEvent)
    with pytest.raises(InvalidInput, match="course_id is required") as refused:
        _book_in(db, cast, clock, None, route=Route.IV)
    assert refused.value.field == "course_id"
    assert (_count(db, TreatmentSession), _count(db, SessionEvent)) == (sessions, events)
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "session.book")).all()


def test_booking_in_another_patients_course_is_refused_naming_course_id(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    olgas = consented_course(db, clock=clock, patient_id=cast.other_patient_a.id)
    with pytest.raises(InvalidInput, match=f"course {olgas.id} is not a treatment course of"):
        _book_in(db, cast, clock, olgas.id)
    unknown = olgas.id + 1000
    with pytest.raises(InvalidInput, match=f"course {unknown} is not a treatment course of") as e:
        _book_in(db, cast, clock, unknown)
    assert e.value.field == "course_id"
    assert _count(db, TreatmentSession) == 0


def test_the_route_is_the_courses_and_a_route_that_disagrees_is_refused_naming_route(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    course = consented_course(db, clock=clock, patient_id=cast.patient_a.id, route=Route.IM)
    with pytest.raises(InvalidInput, match="the course is im; a iv session") as refused:
        _book_in(db, cast, clock, course.id, route=Route.IV)
    assert refused.value.field == "route"
    assert _book_in(db, cast, clock, course.id, route=Route.IM).route is Route.IM
    assert _book_in(db, cast, clock, course.id, start=START + timedelta(days=3)).route is Route.IM


def test_booking_in_a_course_without_a_current_consent_is_refused(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    unsigned = screened_course(
        db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=clock.now().date(),
    )
    courses.create_plan(
        session=db, actor=cast.actor(cast.prescriber_a), clock=clock, course_id=unsigned.id
    )
    with pytest.raises(RuleViolation, match="has no current consent") as refused:
        _book_in(db, cast, clock, unsigned.id)
    assert refused.value.field == "course_id"
    withdrawn = consented_course(db, clock=clock, patient_id=cast.other_patient_a.id)
    _withdraw(db, cast, clock, withdrawn.id)
    with pytest.raises(RuleViolation, match="has no current consent"):
        book(
            db,
            cast.actor(cast.nurse_a),
            clock,
            cast.other_patient_a.id,
            chairs(db, cast.clinic_a)[1],
            cast.nurse_a.id,
            course_id=withdrawn.id,
        )
    assert _count(db, TreatmentSession) == 0


def test_booking_in_a_stopped_plan_is_refused_naming_course_id(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    course = consented_course(db, clock=clock, patient_id=cast.patient_a.id)
    courses.stop_plan(
        session=db,
        actor=cast.actor(cast.prescriber_a),
        clock=clock,
        course_id=course.id,
        reason="stopped after review",
    )
    with pytest.raises(Conflict, match=f"the plan of course {course.id} is stopped") as refused:
        _book_in(db, cast, clock, course.id)
    assert refused.value.field == "course_id"


def test_check_in_is_refused_when_the_consent_was_withdrawn_after_booking(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    assert row.course_id is not None
    _withdraw(db, cast, clock, row.course_id)
    clock.current = START
    with pytest.raises(RuleViolation, match="no session can start without a current consent"):
        checked_in(db, nurse, clock, row)
    assert row.status is SessionStatus.SCHEDULED


def test_a_session_without_a_course_from_before_the_rule_cannot_be_checked_in_or_moved(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    row.course_id = None  # as a row booked before course_id was required
    db.flush()
    with pytest.raises(Conflict, match="belongs to no treatment course") as refused:
        session_booking.reschedule(
            session=db,
            actor=nurse,
            clock=clock,
            session_id=row.id,
            start=START + timedelta(hours=2),
            reason="patient asked",
        )
    assert refused.value.field == "course_id"
    clock.current = START
    with pytest.raises(Conflict, match="no patient is dosed without a course"):
        checked_in(db, nurse, clock, row)
    assert row.status is SessionStatus.SCHEDULED
    session_booking.cancel(
        session=db, actor=nurse, clock=clock, session_id=row.id, reason="book it in the course"
    )
    assert row.status is SessionStatus.CANCELLED
