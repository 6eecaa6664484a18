"""The schedule: the day of chairs, booking (refusals beside the field, nothing booked), the
free-slot finder, and a booking's page to reschedule, cancel or record a no-show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentSession
from ketacare.services.clock import FixedClock
from tests.web.chair_support import START, Booked, booked_session, count, signed_in, status_of

NURSE = "nurse@a.example"


@pytest.fixture
def booked(db: Session, cast, clock: FixedClock) -> Booked:  # type: ignore[no-untyped-def]
    return booked_session(db, cast, clock)


@pytest.fixture
def token(client, cast, booked: Booked) -> str:  # type: ignore[no-untyped-def]
    return signed_in(client, NURSE)


def _chair_ids(db: Session, cast) -> list[int]:  # type: ignore[no-untyped-def]
    from tests.services.session_support import chairs

    return [c.id for c in chairs(db, cast.clinic_a)]


def test_the_day_view_shows_the_chairs_the_session_and_the_day_navigation(
    client, token: str, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/schedule", params={"day": "2026-03-02"})
    assert page.status_code == 200
    assert "Chair 1" in page.text and "Chair 2" in page.text
    assert "Alice Anders" in page.text and "10:00–" in page.text
    assert 'href="/schedule?day=2026-03-01"' in page.text
    assert 'href="/schedule?day=2026-03-03"' in page.text
    assert 'type="date"' in page.text
    assert f'href="/schedule/sessions/{booked.session_id}"' in page.text
    assert "Alice Anders" not in client.get("/schedule", params={"day": "2026-03-03"}).text


def _book(client, token: str, **values: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/schedule/book", data={"csrf_token": token, **values}, follow_redirects=False
    )


def test_booking_a_free_chair_creates_the_session_and_returns_to_its_day(
    client, cast, db: Session, token: str
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        book_route="iv",
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T11:00",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/schedule?day=2026-03-02"
    assert count(db, TreatmentSession) == before + 1


def test_booking_an_occupied_chair_is_refused_beside_the_chair_and_books_nothing(
    client, cast, db: Session, token: str
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        book_route="iv",
        chair_id=str(_chair_ids(db, cast)[0]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T10:30",
    )
    assert response.status_code == 422
    assert 'id="chair_id-error"' in response.text and "already booked" in response.text
    assert 'value="2026-03-02T10:30"' in response.text
    assert count(db, TreatmentSession) == before


def test_a_start_that_is_not_a_date_and_time_is_refused_beside_the_start(
    client, cast, db: Session, token: str
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        book_route="iv",
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="tomorrow-ish",
    )
    assert response.status_code == 422
    assert 'id="start-error"' in response.text and 'value="tomorrow-ish"' in response.text
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T12:00",
    )
    assert response.status_code == 422
    assert 'id="book_route-error"' in response.text
    assert count(db, TreatmentSession) == before


def test_the_finder_offers_the_next_three_slots_and_one_books_in_a_click(
    client, cast, db: Session, token: str, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    page = client.get(
        "/schedule", params={"patient_id": str(cast.other_patient_a.id), "route": "iv"}
    )
    assert page.status_code == 200
    assert page.text.count("Book this slot") == 3
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        book_route="iv",
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T09:15",
    )
    assert response.status_code == 303
    assert count(db, TreatmentSession) == before + 1


def test_the_finder_without_a_course_or_route_says_so_beside_the_route(
    client, cast, token: str
) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/schedule", params={"patient_id": str(cast.other_patient_a.id)})
    assert page.status_code == 422
    assert 'id="route-error"' in page.text


def test_the_finder_lists_the_patients_courses(client, cast, token: str, booked: Booked) -> None:  # type: ignore[no-untyped-def]
    page = client.get(
        "/schedule",
        params={"patient_id": str(cast.patient_a.id), "course_id": str(booked.course_id)},
    )
    assert page.status_code == 200
    assert f'<option value="{booked.course_id}" selected>' in page.text


def _manage(client, token: str, session_id: int, action: str, **values: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/schedule/sessions/{session_id}/{action}",
        data={"csrf_token": token, **values},
        follow_redirects=False,
    )


def test_rescheduling_needs_a_reason_and_then_moves_the_session(
    client, cast, db: Session, token: str, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    response = _manage(client, token, booked.session_id, "reschedule", new_start="2026-03-02T13:00")
    assert response.status_code == 422
    assert 'id="reschedule_reason-error"' in response.text
    assert 'value="2026-03-02T13:00"' in response.text
    db.expire_all()
    assert db.get(TreatmentSession, booked.session_id).scheduled_start == START
    response = _manage(
        client,
        token,
        booked.session_id,
        "reschedule",
        new_start="2026-03-02T13:00",
        reschedule_reason="Patient asked for the afternoon",
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(TreatmentSession, booked.session_id).scheduled_start == START + timedelta(hours=3)


def test_cancelling_needs_a_reason(client, db: Session, token: str, booked: Booked) -> None:  # type: ignore[no-untyped-def]
    response = _manage(client, token, booked.session_id, "cancel", cancel_reason="")
    assert response.status_code == 422 and 'id="cancel_reason-error"' in response.text
    assert status_of(db, booked.session_id) == "scheduled"
    assert (
        _manage(client, token, booked.session_id, "cancel", cancel_reason="Unwell").status_code
        == 303
    )
    assert status_of(db, booked.session_id) == "cancelled"
    page = client.get("/schedule", params={"day": "2026-03-02"}).text
    assert "Cancelled and no-shows" in page


def test_a_no_show_is_refused_before_the_start_and_recorded_after(
    client, db: Session, clock: FixedClock, token: str, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    response = _manage(client, token, booked.session_id, "no-show", no_show_note="")
    assert response.status_code == 422
    assert "a no-show is recorded only after that" in response.text
    assert status_of(db, booked.session_id) == "scheduled"
    clock.current = START + timedelta(minutes=30)
    assert _manage(client, token, booked.session_id, "no-show").status_code == 303
    assert status_of(db, booked.session_id) == "no_show"


def test_another_clinics_booking_is_a_404_and_cannot_be_cancelled(
    client, cast, db: Session, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(client, "nurse@b.example")
    assert client.get(f"/schedule/sessions/{booked.session_id}").status_code == 404
    response = _manage(client, token, booked.session_id, "cancel", cancel_reason="x")
    assert response.status_code == 404
    assert status_of(db, booked.session_id) == "scheduled"


def test_a_patient_cannot_open_the_schedule(client, cast, booked: Booked) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, "alice@a.example")
    assert client.get("/schedule").status_code in (403, 404)
    assert client.get(f"/schedule/sessions/{booked.session_id}").status_code in (403, 404)
