"""The free-slot finder with recovery rooms: asked `with_room=True`, a time is proposed only
when a room is free for the recovery window after the chair time, and the slot names it.

Clinic A is in America/New_York: the test clock's 14:00 UTC is 09:00 clinic time, opening hours
are 13:00–23:00 UTC. An IV chair time is 115 minutes; a room is held 30 minutes by default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import Location, LocationKind, TreatmentSession
from ketacare.domain.errors import InvalidInput, RuleViolation
from ketacare.domain.routes import Route
from ketacare.services import session_booking, session_slots
from ketacare.services.clock import FixedClock
from tests.factories.courses import bookable_course
from tests.services.session_support import book, chairs, patient

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
CHAIR_TIME = timedelta(minutes=115)


def _room(db: Session, clinic_id: int, name: str) -> Location:
    room = Location(clinic_id=clinic_id, name=name, kind=LocationKind.RECOVERY_ROOM)
    db.add(room)
    db.flush()
    return room


def _book_with_room(  # type: ignore[no-untyped-def]
    db: Session, cast, clock: FixedClock, patient_id: int, chair: Location, room: Location, **kw
) -> TreatmentSession:
    return session_booking.book_session(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=patient_id,
        start=kw.pop("start", NOW),
        chair_id=chair.id,
        nurse_user_id=cast.nurse_a.id,
        course_id=bookable_course(db, clock=clock, patient_id=patient_id).id,
        recovery_room_id=room.id,
        **kw,
    )


def _find(db: Session, cast, clock: FixedClock, **kw) -> list[session_slots.FreeSlot]:  # type: ignore[no-untyped-def]
    return session_slots.free_slots(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        route=Route.IV,
        **kw,
    )


def test_a_slot_needing_a_room_names_the_free_room_and_its_window(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    room_a, room_b = (
        _room(db, cast.clinic_a.id, "Recovery A"),
        _room(db, cast.clinic_a.id, "Recovery B"),
    )
    one, two = chairs(db, cast.clinic_a)
    _book_with_room(db, cast, clock, cast.other_patient_a.id, one, room_a)
    first = _find(db, cast, clock, with_room=True, count=1)[0]
    assert first.start == NOW and first.chair.id == two.id
    assert first.room is not None and first.room.name == "Recovery B" == room_b.name
    assert first.recovery_end == NOW + CHAIR_TIME + timedelta(minutes=30)
    booked = _book_with_room(db, cast, clock, cast.patient_a.id, first.chair, first.room)
    assert booked.recovery_end == first.recovery_end


def test_when_every_room_is_busy_in_the_window_the_slot_is_skipped_and_the_next_one_offered(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    rooms = [_room(db, cast.clinic_a.id, f"Recovery {n}") for n in "AB"]
    seats = chairs(db, cast.clinic_a, 3)
    # Both rooms are held 15:55–16:55 UTC; the third chair stays free all day.
    for seat, room, name in zip(seats, rooms, ("X", "Y"), strict=False):
        person = patient(db, cast.clinic_a, name, clock)
        _book_with_room(db, cast, clock, person.id, seat, room, recovery_min=60)
    with_room = _find(db, cast, clock, with_room=True)
    # A room window [start + 115, start + 145) is free from 16:55: the first start is 15:00.
    assert [s.start for s in with_room] == [NOW + timedelta(minutes=m) for m in (60, 75, 90)]
    assert {s.room.name for s in with_room if s.room} == {"Recovery A"}
    assert all(s.recovery_end == s.end + timedelta(minutes=30) for s in with_room)
    for slot in with_room:
        assert slot.room is not None
        booked = _book_with_room(
            db, cast, clock, cast.patient_a.id, slot.chair, slot.room, start=slot.start
        )
        session_booking.cancel(
            session=db,
            actor=cast.actor(cast.nurse_a),
            clock=clock,
            session_id=booked.id,
            reason="only proving the slot is bookable with its room",
        )
    # Without a room the chair is free at once, exactly as before.
    without = _find(db, cast, clock)
    assert [s.start for s in without] == [NOW + timedelta(minutes=m) for m in (0, 15, 30)]
    assert all(s.room is None and s.recovery_end is None for s in without)


def test_the_recovery_window_length_is_taken_from_recovery_min(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _room(db, cast.clinic_a.id, "Recovery A")
    slot = _find(db, cast, clock, with_room=True, recovery_min=90, count=1)[0]
    assert slot.recovery_end == slot.end + timedelta(minutes=90)


def test_the_room_window_must_end_by_closing_time_too(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    _room(db, cast.clinic_a.id, "Recovery A")
    after = datetime(2026, 3, 2, 20, 45, tzinfo=UTC)  # 15:45 clinic time; closing at 18:00
    without = _find(db, cast, clock, after=after, count=2)
    assert [s.start for s in without] == [after, after + timedelta(minutes=15)]  # ends 17:55
    with_room = _find(db, cast, clock, after=after, count=1, with_room=True)
    # 15:45 + 115 + 30 min = 18:10: too late; the next morning's opening is offered.
    assert with_room[0].start == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


def test_the_finder_counts_a_nurses_patients_until_their_recovery_ends_as_booking_does(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    rooms = [_room(db, cast.clinic_a.id, f"Recovery {n}") for n in range(4)]
    seats = chairs(db, cast.clinic_a, 5)
    for n in range(4):  # four patients of the one nurse, in recovery until 17:55 UTC
        person = patient(db, cast.clinic_a, f"P{n}", clock)
        _book_with_room(db, cast, clock, person.id, seats[n], rooms[n], recovery_min=120)
    first = _find(db, cast, clock, count=1)[0]
    assert first.start == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    with pytest.raises(RuleViolation, match="refused"):  # what the finder no longer offers
        book(
            db,
            cast.actor(cast.nurse_a),
            clock,
            cast.patient_a.id,
            seats[4],
            cast.nurse_a.id,
            start=NOW + CHAIR_TIME + timedelta(minutes=5),
        )


def test_asking_for_a_room_in_a_clinic_without_rooms_is_refused_naming_with_room(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="no recovery room in service") as refused:
        _find(db, cast, clock, with_room=True)
    assert refused.value.field == "with_room"


@pytest.mark.parametrize(("with_room", "minutes"), [(False, 30), (True, 4), (True, 241)])
def test_recovery_min_without_a_room_or_outside_5_to_240_is_refused(
    db: Session, cast, clock: FixedClock, with_room: bool, minutes: int
) -> None:  # type: ignore[no-untyped-def]
    _room(db, cast.clinic_a.id, "Recovery A")
    with pytest.raises(InvalidInput) as refused:
        _find(db, cast, clock, with_room=with_room, recovery_min=minutes)
    assert refused.value.field == "recovery_min"
