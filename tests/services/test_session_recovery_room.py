"""Recovery rooms: a session may hold a room after its chair time; one patient per room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import Location, LocationKind
from ketacare.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from ketacare.services import session_booking
from ketacare.services.clock import FixedClock
from tests.factories.courses import bookable_course
from tests.services.session_support import START, book, chairs, patient


def _room(db: Session, clinic_id: int, name: str = "Recovery A") -> Location:
    room = Location(clinic_id=clinic_id, name=name, kind=LocationKind.RECOVERY_ROOM)
    db.add(room)
    db.flush()
    return room


def _book_with_room(db, cast, clock, patient_id, chair, room_id, *, start=START, minutes=None):  # type: ignore[no-untyped-def]
    return session_booking.book_session(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=patient_id,
        start=start,
        chair_id=chair.id,
        nurse_user_id=cast.nurse_a.id,
        course_id=bookable_course(db, clock=clock, patient_id=patient_id).id,
        recovery_room_id=room_id,
        recovery_min=minutes,
    )


def test_a_room_is_held_after_the_chair_time_for_the_recovery_window(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    row = _book_with_room(db, cast, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], room.id)
    assert row.recovery_room_id == room.id
    assert row.recovery_end == row.scheduled_end + timedelta(minutes=30)


def test_an_overlapping_recovery_window_in_the_same_room_is_refused_naming_the_conflict(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    first_chair, second_chair = chairs(db, cast.clinic_a)
    first = _book_with_room(db, cast, clock, cast.patient_a.id, first_chair, room.id, minutes=60)
    with pytest.raises(Conflict) as refused:
        _book_with_room(
            db,
            cast,
            clock,
            cast.other_patient_a.id,
            second_chair,
            room.id,
            start=START + timedelta(minutes=30),
        )
    assert refused.value.field == "recovery_room_id"
    assert "Recovery A is already held from" in refused.value.message
    assert f"by session {first.id}" in refused.value.message


def test_the_room_is_free_again_once_the_first_window_ends(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    first_chair, second_chair = chairs(db, cast.clinic_a)
    first = _book_with_room(db, cast, clock, cast.patient_a.id, first_chair, room.id)
    gap = first.recovery_end - first.scheduled_start
    second = _book_with_room(
        db, cast, clock, cast.other_patient_a.id, second_chair, room.id, start=START + gap
    )
    assert second.scheduled_end >= first.recovery_end


def test_the_chair_is_free_for_the_next_patient_while_the_first_recovers_in_the_room(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    chair = chairs(db, cast.clinic_a)[0]
    first = _book_with_room(db, cast, clock, cast.patient_a.id, chair, room.id)
    chair_time = first.scheduled_end - first.scheduled_start
    second = book(
        db,
        cast.actor(cast.nurse_a),
        clock,
        cast.other_patient_a.id,
        chair,
        cast.nurse_a.id,
        start=START + chair_time,
    )
    assert second.chair_id == first.chair_id


def test_the_patient_cannot_be_booked_elsewhere_while_in_recovery(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    first_chair, second_chair = chairs(db, cast.clinic_a)
    first = _book_with_room(db, cast, clock, cast.patient_a.id, first_chair, room.id)
    with pytest.raises(Conflict, match=f"already has session {first.id}"):
        book(
            db,
            cast.actor(cast.nurse_a),
            clock,
            cast.patient_a.id,
            second_chair,
            cast.nurse_a.id,
            start=first.scheduled_end + timedelta(minutes=10),
        )


def test_a_clinic_without_recovery_rooms_books_as_before(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = book(
        db,
        cast.actor(cast.nurse_a),
        clock,
        cast.patient_a.id,
        chairs(db, cast.clinic_a)[0],
        cast.nurse_a.id,
    )
    assert row.recovery_room_id is None and row.recovery_end is None
    assert row.scheduled_end - row.scheduled_start > timedelta(0)


def test_a_chair_or_another_clinics_room_is_not_a_recovery_room(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    chair, other_chair = chairs(db, cast.clinic_a)
    other_clinic_room = _room(db, cast.clinic_b.id)
    for wrong in (other_chair.id, other_clinic_room.id):
        with pytest.raises(NotFound, match="recovery room"):
            _book_with_room(db, cast, clock, cast.patient_a.id, chair, wrong)


@pytest.mark.parametrize("minutes", [4, 241])
def test_a_recovery_window_outside_5_to_240_minutes_is_refused(
    db: Session, cast, clock: FixedClock, minutes: int
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    with pytest.raises(InvalidInput, match="recovery_min must be 5 to 240"):
        _book_with_room(
            db,
            cast,
            clock,
            cast.patient_a.id,
            chairs(db, cast.clinic_a)[0],
            room.id,
            minutes=minutes,
        )


@pytest.mark.parametrize("minutes", [5, 240])
def test_a_recovery_window_at_its_bounds_is_accepted(
    db: Session, cast, clock: FixedClock, minutes: int
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    row = _book_with_room(
        db, cast, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], room.id, minutes=minutes
    )
    assert row.recovery_end == row.scheduled_end + timedelta(minutes=minutes)


def test_a_cancelled_session_frees_its_room(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    first_chair, second_chair = chairs(db, cast.clinic_a)
    first = _book_with_room(db, cast, clock, cast.patient_a.id, first_chair, room.id)
    session_booking.cancel(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        session_id=first.id,
        reason="patient unwell",
    )
    second = _book_with_room(db, cast, clock, cast.other_patient_a.id, second_chair, room.id)
    assert second.recovery_room_id == room.id


def test_rescheduling_moves_the_recovery_window_with_the_session(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room = _room(db, cast.clinic_a.id)
    row = _book_with_room(
        db, cast, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], room.id, minutes=45
    )
    moved = session_booking.reschedule(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        session_id=row.id,
        start=START + timedelta(hours=2),
        reason="patient asked",
    )
    assert moved.recovery_room_id == room.id
    assert moved.recovery_end == moved.scheduled_end + timedelta(minutes=45)


def test_the_nurse_ratio_counts_patients_until_their_recovery_ends(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    rooms = [_room(db, cast.clinic_a.id, f"Recovery {n}") for n in range(4)]
    seats = chairs(db, cast.clinic_a, 5)
    first_patient = cast.patient_a
    first = _book_with_room(db, cast, clock, first_patient.id, seats[0], rooms[0].id, minutes=120)
    later = first.scheduled_end + timedelta(minutes=15)
    for n in range(1, 4):
        extra = patient(db, cast.clinic_a, f"P{n}", clock)
        _book_with_room(db, cast, clock, extra.id, seats[n], rooms[n].id, start=later)
    fifth = patient(db, cast.clinic_a, "Fifth", clock)
    with pytest.raises(RuleViolation, match="refused"):
        book(db, cast.actor(cast.nurse_a), clock, fifth.id, seats[4], cast.nurse_a.id, start=later)
