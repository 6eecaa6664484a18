"""Booking: chairs and patients are never double-booked, the nurse ratio holds, the schedule
rules of the core apply, and the free-slot finder offers only bookable times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.domain.errors import Conflict, RuleViolation
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import session_booking, session_slots
from ketacare.services.clock import FixedClock
from tests.services.session_support import START, book, chairs, patient


def test_a_second_booking_of_a_chair_at_an_overlapping_time_is_refused_naming_the_first(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    first = book(db, nurse, clock, cast.patient_a.id, chair, cast.nurse_a.id)
    with pytest.raises(Conflict) as refused:
        book(
            db,
            nurse,
            clock,
            cast.other_patient_a.id,
            chair,
            cast.nurse_a.id,
            start=START + timedelta(minutes=90),
        )
    assert f"by session {first.id}" in refused.value.message
    assert "Chair 1 is already booked from 2026-03-02 15:00 to 16:55 UTC" in refused.value.message


def test_the_chair_is_free_again_right_after_the_routes_chair_time(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    first = book(db, nurse, clock, cast.patient_a.id, chair, cast.nurse_a.id)
    # IV: 15 min pre-dose + 40 min infusion + 60 min observation = 115 min.
    assert first.scheduled_end - first.scheduled_start == timedelta(minutes=115)
    second = book(
        db, nurse, clock, cast.other_patient_a.id, chair, cast.nurse_a.id, start=first.scheduled_end
    )
    assert second.status is SessionStatus.SCHEDULED


def test_a_fifth_concurrent_patient_for_one_nurse_at_1_to_4_is_refused(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    five = chairs(db, cast.clinic_a, 5)
    patients = [patient(db, cast.clinic_a, f"P{i}", clock) for i in range(5)]
    for i in range(4):
        book(
            db,
            nurse,
            clock,
            patients[i].id,
            five[i],
            cast.nurse_a.id,
            start=START + timedelta(minutes=10 * i),
        )
    with pytest.raises(RuleViolation) as refused:
        book(
            db,
            nurse,
            clock,
            patients[4].id,
            five[4],
            cast.nurse_a.id,
            start=START + timedelta(minutes=45),
        )
    assert [f.rule_id for f in refused.value.findings] == ["staffing.nurse_ratio"]
    assert "5 patients at once" in refused.value.message


def test_a_patient_cannot_be_booked_twice_at_overlapping_times(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    one, two = chairs(db, cast.clinic_a)
    first = book(db, nurse, clock, cast.patient_a.id, one, cast.nurse_a.id)
    with pytest.raises(Conflict, match=f"already has session {first.id}"):
        book(
            db,
            nurse,
            clock,
            cast.patient_a.id,
            two,
            cast.nurse_a.id,
            start=START + timedelta(minutes=30),
        )


def test_the_cores_minimum_spacing_refuses_a_session_the_next_morning(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    book(db, nurse, clock, cast.patient_a.id, chair, cast.nurse_a.id)
    with pytest.raises(RuleViolation) as refused:
        book(
            db,
            nurse,
            clock,
            cast.patient_a.id,
            chair,
            cast.nurse_a.id,
            start=START + timedelta(hours=20),
        )
    assert "schedule.min_spacing" in [f.rule_id for f in refused.value.findings]
    later = book(
        db,
        nurse,
        clock,
        cast.patient_a.id,
        chair,
        cast.nurse_a.id,
        start=START + timedelta(hours=48),
    )
    assert later.status is SessionStatus.SCHEDULED


def test_free_slots_skip_busy_chairs_and_offer_the_next_three_times(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    one, two = chairs(db, cast.clinic_a)
    now = clock.now()
    book(db, nurse, clock, cast.other_patient_a.id, one, cast.nurse_a.id, start=now)
    other = patient(db, cast.clinic_a, "Third", clock)
    book(db, nurse, clock, other.id, two, cast.nurse_a.id, start=now)
    slots = session_slots.free_slots(
        session=db, actor=nurse, clock=clock, patient_id=cast.patient_a.id, route=Route.IV
    )
    starts = [s.start - now for s in slots]
    assert starts == [timedelta(minutes=m) for m in (120, 135, 150)]  # both busy until 15:55
    for slot in slots:
        booked = book(
            db, nurse, clock, cast.patient_a.id, slot.chair, slot.nurse.id, start=slot.start
        )
        session_booking.cancel(
            session=db,
            actor=nurse,
            clock=clock,
            session_id=booked.id,
            reason="only proving the slot is bookable",
        )


def test_reschedule_moves_the_booking_and_cancel_and_no_show_free_the_chair(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    row = book(db, nurse, clock, cast.patient_a.id, chair, cast.nurse_a.id)
    moved = session_booking.reschedule(
        session=db,
        actor=nurse,
        clock=clock,
        session_id=row.id,
        start=START + timedelta(hours=2),
        reason="patient asked",
    )
    assert moved.scheduled_start == START + timedelta(hours=2)
    with pytest.raises(Conflict, match="only after"):
        session_booking.mark_no_show(session=db, actor=nurse, clock=clock, session_id=row.id)
    clock.advance(hours=3)
    session_booking.mark_no_show(session=db, actor=nurse, clock=clock, session_id=row.id)
    assert row.status is SessionStatus.NO_SHOW
    with pytest.raises(Conflict, match="nothing more can happen"):
        session_booking.cancel(
            session=db, actor=nurse, clock=clock, session_id=row.id, reason="too late"
        )


def test_a_nurse_of_another_clinic_cannot_book_or_see_a_session(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    from ketacare.domain.errors import NotFound
    from ketacare.services import session_read

    chair = chairs(db, cast.clinic_a)[0]
    row = book(db, cast.actor(cast.nurse_a), clock, cast.patient_a.id, chair, cast.nurse_a.id)
    with pytest.raises(NotFound):
        session_read.get_session(
            session=db, actor=cast.actor(cast.nurse_b), clock=clock, session_id=row.id
        )


def test_a_session_cannot_be_booked_in_a_course_that_has_no_plan_yet(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from tests.factories.courses import screened_course

    nurse = cast.actor(cast.nurse_a)
    course = screened_course(
        db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=date(2026, 3, 2),
    )
    with pytest.raises(Conflict, match=f"course {course.id} has no treatment plan yet"):
        session_booking.book_session(
            session=db,
            actor=nurse,
            clock=clock,
            patient_id=cast.patient_a.id,
            start=START,
            chair_id=chairs(db, cast.clinic_a)[0].id,
            nurse_user_id=cast.nurse_a.id,
            course_id=course.id,
        )
