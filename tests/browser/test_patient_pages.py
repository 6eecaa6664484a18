"""In a real Chromium at phone size: Maya (the demo patient) signs in, sees her care, completes a
check-in and sees her chart move; her pages fit a 390 px screen with readable text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ketacare.db.models import (
    Clinic,
    Location,
    LocationKind,
    Patient,
    Role,
    SymptomScore,
    SymptomSource,
    TreatmentSession,
    User,
)
from ketacare.domain.errors import DomainError
from ketacare.services import session_booking, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_PATIENT, DEMO_SLUG
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in
from tests.factories.courses import bookable_course

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


def _seed_maya(live_db, live_clock) -> None:  # type: ignore[no-untyped-def]
    """Give Maya a baseline and an upcoming session unless the demo already does (the demo
    clinic grows under us: look rows up, never assume ids)."""
    with live_db() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG))
        maya = session.scalar(
            select(Patient).where(
                Patient.clinic_id == clinic.id, Patient.email == DEMO_PATIENT.email
            )
        )
        seeder = Actor.system("browser test seed", clinic.id)
        now = live_clock.now()
        has_gad7 = session.scalar(
            select(SymptomScore.id).where(
                SymptomScore.patient_id == maya.id, SymptomScore.instrument == "gad7"
            )
        )
        if not has_gad7:
            for instrument, answers in (
                ("gad7", [3, 2, 2, 2, 2, 2, 2]),
                ("phq9", [2, 2, 1, 2, 1, 1, 1, 1, 0]),
            ):
                symptom_scores.record_symptom_score(
                    session=session,
                    actor=seeder,
                    clock=live_clock,
                    patient_id=maya.id,
                    instrument=instrument,
                    answers=answers,
                    source=SymptomSource.INTAKE,
                    taken_at=now - timedelta(days=21),
                )
        upcoming = session.scalar(
            select(TreatmentSession.id).where(
                TreatmentSession.patient_id == maya.id, TreatmentSession.scheduled_start > now
            )
        )
        if not upcoming:
            _book_somewhere(session, seeder, live_clock, clinic.id, maya.id)


def _book_somewhere(session, seeder, live_clock, clinic_id: int, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    chairs = session.scalars(
        select(Location.id).where(
            Location.clinic_id == clinic_id, Location.kind == LocationKind.CHAIR
        )
    ).all()
    nurse = session.scalar(
        select(User.id).where(User.clinic_id == clinic_id, User.role == Role.NURSE).limit(1)
    )
    # Her own course when it is bookable (the demo's), else a consented IV course without new
    # baseline scores (her chart is the demo's).
    course_id = bookable_course(
        session, clock=live_clock, patient_id=patient_id, route=None, questionnaires=False
    ).id
    tomorrow = (live_clock.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    for hours in range(0, 48, 3):
        for chair in chairs:
            try:
                with session.begin_nested():
                    session_booking.book_session(
                        session=session,
                        actor=seeder,
                        clock=live_clock,
                        patient_id=patient_id,
                        start=tomorrow + timedelta(hours=hours),
                        chair_id=chair,
                        nurse_user_id=nurse,
                        course_id=course_id,
                    )
                return
            except DomainError:
                continue
    raise AssertionError("no free chair for Maya's session in two days")


def _fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    selector = ".my-page p, .my-page li, .my-page legend, .my-page label, .my-page dd"
    smallest = page.evaluate(
        """(selector) => Math.min(...[...document.querySelectorAll(selector)]
          .filter(e => e.offsetParent !== null && e.innerText.trim())
          .map(e => parseFloat(getComputedStyle(e).fontSize)))""",
        selector,
    )
    assert smallest >= 16


def test_maya_checks_in_on_her_phone_and_sees_her_chart_move(  # type: ignore[no-untyped-def]
    phone, live_server, live_db, live_clock, artifacts_dir
) -> None:
    _seed_maya(live_db, live_clock)
    sign_in(phone, live_server, DEMO_PATIENT.email, DEMO_PATIENT.password)
    phone.wait_for_url(f"{live_server}/my")
    assert phone.get_by_role("heading", name="Your next session").is_visible()
    assert phone.get_by_text("No driving until tomorrow").first.is_visible()
    _fits_the_phone(phone)
    shoot(phone, "patient-home-phone", artifacts_dir)

    phone.goto(f"{live_server}/my/progress")
    points_before = phone.locator(".score-rows li").count()
    assert phone.locator(".my-chart svg").is_visible()
    _fits_the_phone(phone)

    phone.get_by_role("link", name="Check in", exact=True).click()
    phone.wait_for_url(f"{live_server}/my/check-in")
    questionnaires = phone.locator("section.questionnaire").count()
    box = phone.locator("label.choice").first.bounding_box()
    assert box is not None and box["height"] >= 48
    _fits_the_phone(phone)
    shoot(phone, "patient-check-in-phone", artifacts_dir)
    # A first try with one question left out: refused beside it, answers kept.
    names = phone.evaluate(
        "[...new Set([...document.querySelectorAll('input[type=radio]')].map(e => e.name))]"
    )
    for name in names:
        if name != "gad7_2":
            phone.locator(f'input[name="{name}"][value="1"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    assert phone.locator("#gad7_2-error").is_visible()
    assert phone.locator('input[name="gad7_1"][value="1"]').is_checked()
    phone.locator('input[name="gad7_2"][value="0"]').check()
    for name in names:
        if name.startswith("phq9_"):
            phone.locator(f'input[name="{name}"][value="0"]').check()
    phone.get_by_role("button", name="Send my answers").click()

    phone.wait_for_url(f"{live_server}/my/check-in/done**")
    assert phone.get_by_role("heading", name="Thank you — your chart moved").is_visible()
    assert phone.locator('.latest-score[data-instrument="gad7"]').inner_text() == "6"
    assert phone.locator('.latest-score[data-instrument="phq9"]').inner_text() == "0"
    assert phone.locator(".crisis").count() == 0

    phone.goto(f"{live_server}/my/progress")
    assert phone.locator(".score-rows li").count() == points_before + questionnaires
    assert phone.locator(".score-rows li.new").count() == 0
    phone.locator("summary", has_text="All your scores").click()
    latest_gad7 = phone.locator(".score-rows li", has_text="GAD-7").first
    assert latest_gad7.locator(".score-total strong").inner_text() == "6"
    _fits_the_phone(phone)
    shoot(phone, "patient-progress-phone", artifacts_dir)

    phone.goto(f"{live_server}/my/what-to-expect")
    assert phone.get_by_role("heading", name="Why you cannot drive afterwards").first.is_visible()
    _fits_the_phone(phone)
    shoot(phone, "patient-what-to-expect-phone", artifacts_dir)
