"""In a real Chromium: the nurse asks the schedule's finder for slots that need a recovery room,
books one in a click, and sees the room's booking on the day (screenshot of the schedule with
its recovery rooms)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ketacare.db.models import Clinic, User
from ketacare.services import consent, courses, patients, session_booking, session_slots
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_SLUG, DEMO_STAFF
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in
from tests.factories.courses import screened_course

pytestmark = pytest.mark.browser
NURSE = DEMO_STAFF[2]


def _seed(live_db, live_clock) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Two new patients with a consented IV course: the first booked through the finder's
    first slot with a recovery room (so a room has a booking), the second left to the page.
    Returns (second patient's id, first patient's name, second patient's name)."""
    with live_db() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG))
        users = {
            u.email: u for u in session.scalars(select(User).where(User.clinic_id == clinic.id))
        }
        nurse = Actor.for_user(users[NURSE.email])
        prescriber = Actor.for_user(users[DEMO_STAFF[1].email])
        now = live_clock.now()
        made: list[tuple[int, int, str]] = []
        for given in ("Nina", "Omar"):
            patient = patients.register_patient(
                session=session,
                actor=nurse,
                clock=live_clock,
                registration=patients.Registration(
                    given_name=given,
                    family_name=f"Rooms{now:%H%M%S}",
                    date_of_birth=date(1979, 6, 3),
                    sex="female",
                ),
            )
            course = screened_course(
                session,
                actor=nurse,
                clock=live_clock,
                patient_id=patient.id,
                prescriber_id=prescriber.user_id,
                starts_on=now.date(),
            )
            courses.create_plan(
                session=session, actor=prescriber, clock=live_clock, course_id=course.id
            )
            consent.record_consent(
                session=session, actor=nurse, clock=live_clock, course_id=course.id
            )
            made.append((patient.id, course.id, patient.display_name))
        first_id, first_course, first_name = made[0]
        slot = session_slots.free_slots(
            session=session,
            actor=nurse,
            clock=live_clock,
            patient_id=first_id,
            course_id=first_course,
            with_room=True,
            count=1,
        )[0]
        assert slot.room is not None
        session_booking.book_session(
            session=session,
            actor=nurse,
            clock=live_clock,
            patient_id=first_id,
            start=slot.start,
            chair_id=slot.chair.id,
            nurse_user_id=slot.nurse.id,
            course_id=first_course,
            recovery_room_id=slot.room.id,
        )
    return made[1][0], first_name, made[1][2]


def test_the_nurse_books_a_slot_with_a_recovery_room_and_sees_it_on_the_day(  # type: ignore[no-untyped-def]
    desktop, live_server, live_db, live_clock, artifacts_dir
) -> None:
    # The first patient's room booking is usually on the same day (not asserted: a full day
    # in the lived-in demo may push the second patient's first slot to the next one).
    patient_id, _, name = _seed(live_db, live_clock)
    page = desktop
    sign_in(page, live_server, NURSE.email, NURSE.password)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/schedule")
    finder = page.locator("#finder")
    finder.get_by_label("Patient").select_option(str(patient_id))
    finder.get_by_label("Needs a recovery room").check()
    finder.get_by_role("button", name="Find slots").click()
    slots = page.locator(".slots li")
    expect(slots).to_have_count(3)
    expect(slots.first).to_contain_text("then Recovery")
    slots.first.get_by_role("button", name="Book this slot").click()
    page.wait_for_url(f"{live_server}/schedule?day=*")
    room_rows = page.locator(".tl-room-row")
    expect(room_rows).to_have_count(2)
    expect(room_rows.locator(".tl-recovery", has_text=name)).to_have_count(1)
    expect(page.locator(".tl-recovery", has_text=name)).to_contain_text("–")
    shoot(page, "schedule-rooms-desktop", artifacts_dir)
