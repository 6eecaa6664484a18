"""The day view: chairs with their sessions, recovery rooms with the sessions holding them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import Location, LocationKind
from ketacare.domain.errors import Forbidden
from ketacare.services import session_booking, session_day
from ketacare.services.clock import FixedClock
from tests.factories.courses import bookable_course
from tests.services.session_support import START, book, chairs

DAY = date(2026, 3, 2)


def _room(db: Session, clinic_id: int, name: str) -> Location:
    room = Location(clinic_id=clinic_id, name=name, kind=LocationKind.RECOVERY_ROOM)
    db.add(room)
    db.flush()
    return room


def test_each_room_lists_the_sessions_holding_it_that_day_and_chairs_are_unchanged(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room_a, room_b = (_room(db, cast.clinic_a.id, f"Recovery {n}") for n in "AB")
    one, two = chairs(db, cast.clinic_a)
    nurse = cast.actor(cast.nurse_a)
    with_room = session_booking.book_session(
        session=db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        start=START,
        chair_id=one.id,
        nurse_user_id=cast.nurse_a.id,
        course_id=bookable_course(db, clock=clock, patient_id=cast.patient_a.id).id,
        recovery_room_id=room_a.id,
    )
    without = book(db, nurse, clock, cast.other_patient_a.id, two, cast.nurse_a.id)
    rooms = session_day.rooms_view(session=db, actor=nurse, clock=clock, day=DAY)
    assert [(r.room.name, [s.id for s in r.sessions]) for r in rooms] == [
        ("Recovery A", [with_room.id]),
        ("Recovery B", []),
    ]
    assert room_b.id == rooms[1].room.id
    held = rooms[0].sessions[0]
    assert held.recovery_end == held.scheduled_end + timedelta(minutes=30)
    chair_days = session_day.day_view(session=db, actor=nurse, clock=clock, day=DAY)
    assert [[s.id for s in c.sessions] for c in chair_days] == [[with_room.id], [without.id]]
    next_day = session_day.rooms_view(
        session=db, actor=nurse, clock=clock, day=DAY + timedelta(days=1)
    )
    assert [r.sessions for r in next_day] == [(), ()]


def test_a_clinic_without_rooms_has_an_empty_room_view(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    assert session_day.rooms_view(session=db, actor=nurse, clock=clock, day=DAY) == []


def test_a_patient_cannot_read_the_rooms_of_the_day(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        session_day.rooms_view(
            session=db, actor=cast.actor(cast.patient_user_a), clock=clock, day=DAY
        )
