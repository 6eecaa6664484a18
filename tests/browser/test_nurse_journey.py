"""In a real Chromium: the nurse runs an IV session from the board to discharge — check-in (a
refusal first), pre-dose vitals and the gate, the dose, a high reading raising an alert that is
acknowledged, the discharge refused before the observation ends and allowed after — at desktop
and tablet sizes, with screenshots of the board, the flowsheet and the schedule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ketacare.db.models import Clinic, Drug, LocationKind, Role, User
from ketacare.domain.errors import DomainError
from ketacare.services import (
    clinics,
    consent,
    controlled_substances,
    courses,
    patients,
    session_booking,
)
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_SLUG, DEMO_STAFF
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in
from tests.factories.courses import screened_course

pytestmark = pytest.mark.browser
NURSE = DEMO_STAFF[2]
TABLET = {"width": 820, "height": 1180}


def _seed(live_db, live_clock) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A new patient with a consented IV course and plan, a session booked now in a free chair,
    and ketamine in stock. Returns (session id, the patient's name)."""
    with live_db() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG))
        users = {
            u.email: u for u in session.scalars(select(User).where(User.clinic_id == clinic.id))
        }
        nurse = Actor.for_user(users[NURSE.email])
        prescriber = Actor.for_user(users[DEMO_STAFF[1].email])
        now = live_clock.now()
        patient = patients.register_patient(
            session=session,
            actor=nurse,
            clock=live_clock,
            registration=patients.Registration(
                given_name="Rosa",
                family_name=f"Quinn{now:%H%M%S}",
                date_of_birth=date(1984, 2, 9),
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
        consent.record_consent(session=session, actor=nurse, clock=live_clock, course_id=course.id)
        controlled_substances.receive_stock(
            session=session,
            actor=nurse,
            clock=live_clock,
            drug=Drug.KETAMINE_HCL,
            lot_number=f"KJ-{now:%H%M%S}",
            expiry=now.date() + timedelta(days=200),
            quantity_mg=500,
            concentration_mg_per_ml=10,
        )
        # The journey's own chair: the lived-in demo (and other browser tests moving the shared
        # clock) may have every demo chair busy at this moment.
        admin = Actor.for_user(users[DEMO_STAFF[0].email])
        own_chair = clinics.add_location(
            session=session,
            actor=admin,
            clock=live_clock,
            name=f"Journey chair {now:%H%M%S}",
            kind=LocationKind.CHAIR,
        )
        chairs = [own_chair.id]
        nurses = [u.id for u in users.values() if u.role is Role.NURSE]
        refusals: list[str] = []
        for chair in chairs:
            for nurse_id in nurses:
                try:
                    with session.begin_nested():
                        row = session_booking.book_session(
                            session=session,
                            actor=nurse,
                            clock=live_clock,
                            patient_id=patient.id,
                            start=now - timedelta(minutes=2),
                            chair_id=chair,
                            nurse_user_id=nurse_id,
                            course_id=course.id,
                        )
                    return row.id, patient.display_name
                except DomainError as error:
                    refusals.append(error.message)
                    continue
    raise AssertionError(f"no free chair for the journey's session: {refusals}")


def _vitals(page, systolic: str, diastolic: str, heart: str, spo2: str, moaas: str = "") -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Systolic (mmHg)").fill(systolic)
    page.get_by_label("Diastolic (mmHg)").fill(diastolic)
    page.get_by_label("Heart rate (bpm)").fill(heart)
    page.get_by_label("SpO2 (%)").fill(spo2)
    if moaas:
        page.get_by_label("MOAA/S", exact=True).select_option(moaas)
    rows = page.locator(".vitals-table tbody tr:not(.finding-row)")
    before = rows.count()
    page.get_by_role("button", name="Record vital signs").click()
    expect(rows).to_have_count(before + 1)


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > w + 1)
          .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide


def test_the_nurse_runs_an_iv_session_from_check_in_to_discharge(  # type: ignore[no-untyped-def]
    desktop, browser, live_server, live_db, live_clock, artifacts_dir
) -> None:
    session_id, name = _seed(live_db, live_clock)
    page = desktop
    sign_in(page, live_server, NURSE.email, NURSE.password)
    page.wait_for_url(f"{live_server}/")
    card = page.locator(".board-card", has_text=name)
    expect(card).to_contain_text("Scheduled")
    card.get_by_role("link").click()
    page.wait_for_url(f"{live_server}/sessions/{session_id}")

    # Check-in: the escort is ticked but not named — refused beside the field, values kept.
    page.get_by_label("Hours since food").fill("6")
    page.get_by_label("Minutes since liquids").fill("120")
    page.get_by_label("An escort will take the patient home").check()
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#escort_name-error")).to_contain_text("name the escort")
    expect(page.get_by_label("Hours since food")).to_have_value("6")
    page.get_by_label("Escort's name").fill("Sam Quinn")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("h1 .state")).to_contain_text("Checked in")

    # Pre-dose vitals, then the gate.
    _vitals(page, "124", "78", "72", "98")
    page.get_by_role("button", name="Run the pre-dose gate").click()
    expect(page.locator(".gate-outcome")).to_contain_text("PASS")

    # The dose.
    page.get_by_label("Lot").select_option(index=1)
    page.get_by_label("Dose (mg)").fill("35")
    page.get_by_label("Weight (kg)").fill("64")
    page.get_by_role("button", name="Start dosing now").click()
    expect(page.locator("h1 .state")).to_contain_text("Dosing")
    expect(page.locator("#obs-timer")).to_contain_text("min since dose")

    # Ten minutes in, a high reading raises an alert; the board shows it; it is acknowledged.
    live_clock.advance(minutes=10)
    _vitals(page, "168", "94", "88", "97")
    expect(page.locator(".alert-banner")).to_contain_text("CAUTION")
    page.goto(f"{live_server}/")
    expect(page.locator(".board-card", has_text=name)).to_contain_text("CAUTION")
    expect(page.locator(".board-card", has_text=name)).to_contain_text("min since dose")
    shoot(page, "board-desktop", artifacts_dir)
    page.goto(f"{live_server}/sessions/{session_id}")
    page.get_by_label("What was assessed and done").fill(
        "Reassured, dimmed lights; recheck in 5 min"
    )
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".alert-banner")).to_have_count(0)
    expect(page.locator("details.acked summary")).to_contain_text("1 acknowledged alert")

    # Infusion ends at 40 minutes; the patient is rated; discharge is refused before the
    # minimum observation has passed.
    live_clock.advance(minutes=30)
    page.reload()
    page.get_by_role("button", name="Dosing ended now").click()
    expect(page.locator("h1 .state")).to_contain_text("Monitoring")
    _vitals(page, "128", "80", "76", "98", moaas="5")
    for n in range(1, 7):
        page.get_by_label(f"Item {n}", exact=True).select_option("0")
    page.get_by_role("button", name="Record CADSS-6").click()
    expect(page.locator("#scores table")).to_contain_text("CADSS-6")
    expect(page.locator(".crit.fail").first).to_contain_text("Not met")
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.locator("#discharge-error")).to_contain_text("not before")
    expect(page.locator("h1 .state")).to_contain_text("Monitoring")

    # The tablet at the chair shows the same flowsheet in one column, nothing sideways.
    tablet_context = browser.new_context(viewport=TABLET, has_touch=True)
    tablet = tablet_context.new_page()
    sign_in(tablet, live_server, NURSE.email, NURSE.password)
    tablet.wait_for_url(f"{live_server}/")
    tablet.goto(f"{live_server}/sessions/{session_id}")
    expect(tablet.locator(".checklist")).to_be_visible()
    _fits(tablet, TABLET["width"])
    box = tablet.get_by_role("button", name="Record vital signs").bounding_box()
    assert box is not None and box["height"] >= 44
    shoot(tablet, "flowsheet-tablet", artifacts_dir)
    tablet_context.close()

    # Past the observation time, a fresh reading: every criterion passes; discharge.
    live_clock.advance(minutes=90)
    page.reload()
    _vitals(page, "126", "80", "74", "98", moaas="5")
    expect(page.locator(".gate-summary")).to_contain_text("Every criterion passes")
    expect(page.locator(".crit.fail")).to_have_count(0)
    shoot(page, "flowsheet-desktop", artifacts_dir)
    expect(page.get_by_label("Escort's name")).to_have_value("Sam Quinn")
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.locator("h1 .state")).to_contain_text("Discharged")
    expect(page.locator("#discharge")).to_contain_text("with Sam Quinn")
    expect(page.locator("#note_text")).to_contain_text("Sam Quinn")
    _fits(page, 1280)

    page.goto(f"{live_server}/schedule")
    expect(page.locator(".tl-block", has_text=name)).to_contain_text("Discharged")
    shoot(page, "schedule-desktop", artifacts_dir)
