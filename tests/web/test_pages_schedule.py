"""The schedule: the day of chairs, booking (refusals beside the field, nothing booked), the
free-slot finder, and a booking's page to reschedule, cancel or record a no-show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentCourse, TreatmentSession
from ketacare.services.clock import FixedClock
from tests.factories.courses import consented_course, screened_course
from tests.web.chair_support import START, Booked, booked_session, count, signed_in, status_of

NURSE = "nurse@a.example"


@pytest.fixture
def booked(db: Session, cast, clock: FixedClock) -> Booked:  # type: ignore[no-untyped-def]
    return booked_session(db, cast, clock)


@pytest.fixture
def token(client, cast, booked: Booked) -> str:  # type: ignore[no-untyped-def]
    return signed_in(client, NURSE)


@pytest.fixture
def olga_course(db: Session, cast, clock: FixedClock) -> TreatmentCourse:  # type: ignore[no-untyped-def]
    """Olga (other_patient_a) with a consented IV course and its plan."""
    course = consented_course(db, clock=clock, patient_id=cast.other_patient_a.id)
    db.commit()
    return course


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


def test_booking_a_free_chair_creates_the_session_in_the_patients_course_and_returns_to_its_day(
    client, cast, db: Session, token: str, olga_course: TreatmentCourse
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T11:00",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/schedule?day=2026-03-02"
    assert count(db, TreatmentSession) == before + 1
    assert count(db, TreatmentSession, course_id=olga_course.id) == 1


def test_booking_an_occupied_chair_is_refused_beside_the_chair_and_books_nothing(
    client, cast, db: Session, token: str, olga_course: TreatmentCourse
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        chair_id=str(_chair_ids(db, cast)[0]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T10:30",
    )
    assert response.status_code == 422
    assert 'id="chair_id-error"' in response.text and "already booked" in response.text
    assert 'value="2026-03-02T10:30"' in response.text
    assert count(db, TreatmentSession) == before


def test_a_start_that_is_not_a_date_and_time_is_refused_beside_the_start(
    client, cast, db: Session, token: str, olga_course: TreatmentCourse
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="tomorrow-ish",
    )
    assert response.status_code == 422
    assert 'id="start-error"' in response.text and 'value="tomorrow-ish"' in response.text
    assert count(db, TreatmentSession) == before


def test_booking_a_patient_without_a_planned_course_is_refused_beside_the_patient(
    client, cast, db: Session, clock: FixedClock, token: str
) -> None:  # type: ignore[no-untyped-def]
    before = count(db, TreatmentSession)
    values = {
        "book_patient_id": str(cast.other_patient_a.id),
        "chair_id": str(_chair_ids(db, cast)[1]),
        "nurse_user_id": str(cast.nurse_a.id),
        "start": "2026-03-02T12:00",
    }
    response = _book(client, token, **values)
    assert response.status_code == 422
    error = response.text.split('id="book_patient_id-error"', 1)[1].split("</small>", 1)[0]
    assert (
        "Olga Other has no treatment course with an approved plan; screen and plan first" in error
    )
    assert 'aria-describedby="book_patient_id-hint book_patient_id-error"' in response.text
    # A course screened but not yet planned is refused the same way, naming what is missing.
    course = screened_course(
        db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.other_patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=clock.now().date(),
    )
    db.commit()
    response = _book(client, token, **values)
    assert response.status_code == 422
    error = response.text.split('id="book_patient_id-error"', 1)[1].split("</small>", 1)[0]
    assert "has no treatment course with an approved plan" in error
    assert f"course {course.id} has no treatment plan yet" in error
    assert count(db, TreatmentSession) == before


def test_booking_a_patient_whose_consent_was_withdrawn_is_refused_beside_the_patient(
    client, cast, db: Session, clock: FixedClock, token: str, olga_course: TreatmentCourse
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from ketacare.db.models import Consent
    from ketacare.services import consent

    signed = db.scalar(select(Consent).where(Consent.course_id == olga_course.id))
    consent.withdraw_consent(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, consent_id=signed.id
    )
    db.commit()
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T12:00",
    )
    assert response.status_code == 422
    error = response.text.split('id="book_patient_id-error"', 1)[1].split("</small>", 1)[0]
    assert "Olga Other has no current consent for the treatment course" in error
    assert count(db, TreatmentSession, course_id=olga_course.id) == 0


def test_the_finder_offers_the_next_three_slots_and_one_books_in_a_click(
    client, cast, db: Session, token: str, booked: Booked, olga_course: TreatmentCourse
) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/schedule", params={"patient_id": str(cast.other_patient_a.id)})
    assert page.status_code == 200
    assert page.text.count("Book this slot") == 3
    assert 'name="book_course_id"' not in page.text and 'name="book_route"' not in page.text
    before = count(db, TreatmentSession)
    response = _book(
        client,
        token,
        book_patient_id=str(cast.other_patient_a.id),
        chair_id=str(_chair_ids(db, cast)[1]),
        nurse_user_id=str(cast.nurse_a.id),
        start="2026-03-02T09:15",
    )
    assert response.status_code == 303
    assert count(db, TreatmentSession) == before + 1


def test_the_finder_for_a_patient_without_a_planned_course_says_so_beside_the_patient(
    client, cast, token: str
) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/schedule", params={"patient_id": str(cast.other_patient_a.id)})
    assert page.status_code == 422
    error = page.text.split('id="patient_id-error"', 1)[1].split("</small>", 1)[0]
    assert "Olga Other has no treatment course with an approved plan" in error
    assert "Book this slot" not in page.text


def test_the_finder_and_the_booking_form_show_the_patients_current_course(
    client, cast, token: str, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/schedule", params={"patient_id": str(cast.patient_a.id)})
    assert page.status_code == 200
    note = "Booked in Alice Anders&#39;s current course: iv from 02 Mar 2026"
    assert page.text.count(note) == 2  # under the finder's patient and the booking form's


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
