"""Recovery rooms on the schedule page and in the API: the rooms as rows of the day with their
bookings, the finder's "needs a recovery room", booking a proposed room in one click, and the
refusal beside the room when it became busy meanwhile.

Clinic A is in America/New_York: 15:00 UTC is 10:00 on the page; the test clock is 09:00."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Location, LocationKind, TreatmentCourse, TreatmentSession
from ketacare.services import session_booking
from ketacare.services.clock import FixedClock
from tests.factories.courses import bookable_course, consented_course
from tests.services.session_support import START, chairs, patient
from tests.web.chair_support import Booked, booked_session, count, signed_in

NURSE = "nurse@a.example"


@pytest.fixture
def booked(db: Session, cast, clock: FixedClock) -> Booked:  # type: ignore[no-untyped-def]
    return booked_session(db, cast, clock)


@pytest.fixture
def token(client, cast, booked: Booked) -> str:  # type: ignore[no-untyped-def]
    return signed_in(client, NURSE)


@pytest.fixture
def olga_course(db: Session, cast, clock: FixedClock) -> TreatmentCourse:  # type: ignore[no-untyped-def]
    course = consented_course(db, clock=clock, patient_id=cast.other_patient_a.id)
    db.commit()
    return course


@pytest.fixture
def room(db: Session, cast) -> Location:  # type: ignore[no-untyped-def]
    row = Location(clinic_id=cast.clinic_a.id, name="Recovery A", kind=LocationKind.RECOVERY_ROOM)
    db.add(row)
    db.commit()
    return row


def _slot_forms(html: str) -> list[dict[str, str]]:
    """The hidden values of each proposed slot's Book form."""
    forms = re.findall(
        r'<form method="post" action="/schedule/book" class="slot">(.*?)</form>', html, re.S
    )
    return [dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', f)) for f in forms]


def test_the_day_shows_each_recovery_room_as_a_row_with_its_bookings(
    client, cast, db: Session, clock: FixedClock, token: str, room: Location, olga_course
) -> None:  # type: ignore[no-untyped-def]
    session_booking.book_session(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.other_patient_a.id,
        start=START + timedelta(hours=2),  # 12:00 clinic time; chair until 13:55
        chair_id=chairs(db, cast.clinic_a)[1].id,
        nurse_user_id=cast.nurse_a.id,
        course_id=olga_course.id,
        recovery_room_id=room.id,
    )
    db.commit()
    page = client.get("/schedule", params={"day": "2026-03-02"})
    assert page.status_code == 200
    assert "Chairs and recovery rooms" in page.text
    row = page.text.split('class="tl-chair tl-room"', 1)[1].split("</div>", 1)[0]
    assert "Recovery A" in row and "recovery room" in row
    assert "Olga Other" in row and "13:55–14:25" in row
    # The table of the day's sessions names the room and its window too.
    assert "Recovery A 13:55–14:25" in page.text


def test_a_clinic_without_rooms_shows_no_room_rows_checkbox_or_field(client, token: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/schedule", params={"day": "2026-03-02"})
    assert "tl-room" not in page.text
    assert 'name="with_room"' not in page.text and 'name="recovery_room_id"' not in page.text


def test_the_finder_needing_a_room_names_it_and_its_book_button_books_with_the_room(
    client, cast, db: Session, token: str, room: Location, olga_course
) -> None:  # type: ignore[no-untyped-def]
    plain = client.get("/schedule", params={"patient_id": str(cast.other_patient_a.id)})
    assert "Needs a recovery room" in plain.text
    assert all("recovery_room_id" not in f for f in _slot_forms(plain.text))
    page = client.get(
        "/schedule", params={"patient_id": str(cast.other_patient_a.id), "with_room": "on"}
    )
    assert page.status_code == 200
    assert page.text.count("then Recovery A until") == 3
    assert 'name="with_room" value="on" checked' in page.text
    slot = _slot_forms(page.text)[0]
    assert slot["recovery_room_id"] == str(room.id)
    response = client.post(
        "/schedule/book", data={"csrf_token": token, **slot}, follow_redirects=False
    )
    assert response.status_code == 303
    row = db.scalar(select(TreatmentSession).where(TreatmentSession.course_id == olga_course.id))
    assert row is not None and row.recovery_room_id == room.id
    assert row.recovery_end == row.scheduled_end + timedelta(minutes=30)


def test_booking_a_proposed_room_that_became_busy_is_refused_beside_the_room(
    client, cast, db: Session, clock: FixedClock, token: str, room: Location, olga_course
) -> None:  # type: ignore[no-untyped-def]
    seats = chairs(db, cast.clinic_a, 3)
    db.commit()
    page = client.get(
        "/schedule", params={"patient_id": str(cast.other_patient_a.id), "with_room": "on"}
    )
    slot = _slot_forms(page.text)[0]
    # Meanwhile another patient is booked at the same time in the third chair, with the room.
    third = patient(db, cast.clinic_a, "Theo", clock)
    session_booking.book_session(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=third.id,
        start=clock.now(),
        chair_id=seats[2].id,
        nurse_user_id=cast.nurse_a.id,
        course_id=bookable_course(db, clock=clock, patient_id=third.id).id,
        recovery_room_id=room.id,
    )
    db.commit()
    assert slot["chair_id"] != str(seats[2].id)
    response = client.post(
        "/schedule/book", data={"csrf_token": token, **slot}, follow_redirects=False
    )
    assert response.status_code == 422
    error = response.text.split('id="recovery_room_id-error"', 1)[1].split("</small>", 1)[0]
    assert "Recovery A is already held from" in error
    assert 'aria-describedby="recovery_room_id-hint recovery_room_id-error"' in response.text
    assert count(db, TreatmentSession, course_id=olga_course.id) == 0


def test_the_api_finder_names_the_room_and_the_day_lists_the_rooms(
    client, cast, db: Session, clock: FixedClock, token_for, room: Location, olga_course
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_a)
    params = {"patient_id": cast.other_patient_a.id, "course_id": olga_course.id, "count": 1}
    plain = client.get("/api/sessions/free-slots", params=params, headers=headers).json()
    assert plain[0]["recovery_room_id"] is None and plain[0]["recovery_end"] is None
    found = client.get(
        "/api/sessions/free-slots",
        params=params | {"with_room": "true", "recovery_min": 45},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    slot = found.json()[0]
    assert (slot["recovery_room_id"], slot["recovery_room_name"]) == (room.id, "Recovery A")
    booked = client.post(
        "/api/sessions",
        headers=headers,
        json={
            "patient_id": cast.other_patient_a.id,
            "course_id": olga_course.id,
            "start": slot["start"],
            "chair_id": slot["chair_id"],
            "nurse_user_id": slot["nurse_user_id"],
            "recovery_room_id": slot["recovery_room_id"],
            "recovery_min": 45,
        },
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["recovery_end"] == slot["recovery_end"]
    day = client.get("/api/sessions/day/rooms", params={"day": "2026-03-02"}, headers=headers)
    assert day.status_code == 200
    assert [(r["room_name"], [s["id"] for s in r["sessions"]]) for r in day.json()] == [
        ("Recovery A", [booked.json()["id"]])
    ]
