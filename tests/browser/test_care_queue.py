"""In a real Chromium: the prescriber opens the care queue, reads why a booster is due (GAD-7
back from 5 to 10 after loading) and books one of the offered slots (loaded with the page, or
by htmx when the item scrolls into view)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ketacare.db.models import (
    BoosterDecision,
    BoosterDecisionKind,
    BoosterRecommendation,
    Clinic,
    SymptomSource,
    User,
)
from ketacare.domain.plans import SessionOutcome
from ketacare.services import consent, courses, patients, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.demo import DEMO_SLUG, DEMO_STAFF
from ketacare.web.pages import care_queue as care_queue_page
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in
from tests.factories.courses import screened_course
from tests.services.care_support import answers

pytestmark = pytest.mark.browser
PRESCRIBER = DEMO_STAFF[1]
NURSE = DEMO_STAFF[2]


def _seed(live_db, live_clock) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A patient whose IV course began four weeks ago: GAD-7 16 before it, 9 and 5 during
    loading, maintenance since nine days, and a GAD-7 of 10 today. Returns (patient id, name)."""
    now = live_clock.now()
    past = FixedClock(now - timedelta(days=30))

    def on(days_ago: int) -> FixedClock:
        return FixedClock(now - timedelta(days=days_ago))

    with live_db() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG))
        users = {
            u.email: u for u in session.scalars(select(User).where(User.clinic_id == clinic.id))
        }
        nurse = Actor.for_user(users[NURSE.email])
        prescriber = Actor.for_user(users[PRESCRIBER.email])
        family = f"Booster{now:%H%M%S}"
        patient = patients.register_patient(
            session=session,
            actor=nurse,
            clock=past,
            registration=patients.Registration(
                given_name="Maya", family_name=family, date_of_birth=date(1988, 6, 1), sex="female"
            ),
        )
        course = screened_course(
            session,
            actor=nurse,
            clock=past,
            patient_id=patient.id,
            prescriber_id=prescriber.user_id,
            starts_on=(now - timedelta(days=28)).date(),
        )
        courses.create_plan(session=session, actor=prescriber, clock=past, course_id=course.id)
        consent.record_consent(session=session, actor=nurse, clock=past, course_id=course.id)

        def gad7(total: int, clock) -> None:  # type: ignore[no-untyped-def]
            symptom_scores.record_symptom_score(
                session=session,
                actor=nurse,
                clock=clock,
                patient_id=patient.id,
                instrument="gad7",
                answers=answers("gad7", total),
                source=SymptomSource.CLINIC,
            )

        gad7(16, FixedClock(now - timedelta(days=29)))
        gad7(9, on(20))
        gad7(5, on(10))
        courses.adjust_plan(
            session=session,
            actor=prescriber,
            clock=on(9),
            course_id=course.id,
            outcomes=[SessionOutcome(n, 69.0, True, mg_per_kg=0.5) for n in range(1, 7)],
        )
        gad7(10, live_clock)
        return patient.id, f"Maya {family}"


def test_the_prescriber_books_a_recommended_booster_from_the_care_queue(
    desktop, live_server, live_db, live_clock, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    patient_id, name = _seed(live_db, live_clock)
    sign_in(desktop, live_server, PRESCRIBER.email, PRESCRIBER.password)
    desktop.wait_for_url(f"{live_server}/**")
    desktop.goto(f"{live_server}/care-queue")
    card = desktop.locator("article.queue-item", has=desktop.get_by_role("heading", name=name))
    expect(card).to_contain_text("GAD-7 rose from 5 after loading to 10")
    expect(card).to_contain_text("No tolerance or overuse flag")
    # Items past the first few load their slots when they scroll into view (htmx).
    card.scroll_into_view_if_needed()
    books = card.get_by_role("button", name="Book")
    expect(books).to_have_count(3)
    shoot(desktop, "care-queue-desktop", artifacts_dir)
    books.first.click()
    desktop.wait_for_url(f"{live_server}/care-queue?done=booked")
    expect(desktop.get_by_role("status")).to_have_text("Booster booked.")
    expect(desktop.get_by_role("heading", name=name)).to_have_count(0)
    with live_db() as session:
        decision = session.scalar(
            select(BoosterDecision)
            .join(BoosterRecommendation)
            .where(BoosterRecommendation.patient_id == patient_id)
        )
        assert decision is not None and decision.kind is BoosterDecisionKind.BOOKED
        assert decision.session_id is not None
        assert decision.at <= datetime.now(UTC) + live_clock.offset + timedelta(seconds=5)


def test_an_item_past_the_first_few_loads_its_slots_when_scrolled_into_view(
    desktop, live_server, live_db, live_clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(care_queue_page, "EAGER_SLOTS", 0)  # every item loads on demand
    patient_id, name = _seed(live_db, live_clock)
    sign_in(desktop, live_server, NURSE.email, NURSE.password)
    desktop.wait_for_url(f"{live_server}/**")
    desktop.goto(f"{live_server}/care-queue")
    card = desktop.locator("article.queue-item", has=desktop.get_by_role("heading", name=name))
    card.scroll_into_view_if_needed()
    books = card.get_by_role("button", name="Book")
    expect(books).to_have_count(3)
    expect(card.get_by_role("link", name="Show free times to book")).to_have_count(0)
    books.first.click()
    desktop.wait_for_url(f"{live_server}/care-queue?done=booked")
    with live_db() as session:
        decision = session.scalar(
            select(BoosterDecision)
            .join(BoosterRecommendation)
            .where(BoosterRecommendation.patient_id == patient_id)
        )
        assert decision is not None and decision.kind is BoosterDecisionKind.BOOKED
