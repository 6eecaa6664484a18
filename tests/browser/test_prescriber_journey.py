"""In a real Chromium: the prescriber finds a new patient, reviews the screening, approves it,
creates the plan; the chart shows the plan and the symptom chart. Screenshots of each page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ketacare.db.models import SymptomSource, User
from ketacare.services import intake, patients, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.demo import DEMO_STAFF
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser
PRESCRIBER = next(s for s in DEMO_STAFF if s.email == "dr.okafor@harbor.example")
NURSE_EMAIL = "nurse.lee@harbor.example"


def _seed(live_db, live_clock) -> int:  # type: ignore[no-untyped-def]
    """A new patient of the demo clinic with an eligible intake four weeks ago and weekly
    GAD-7 / PHQ-9 scores since, through the real services."""
    start = live_clock.now() - timedelta(days=28)
    with live_db() as session:
        nurse = session.scalar(select(User).where(User.email == NURSE_EMAIL))
        assert nurse is not None
        actor = Actor.for_user(nurse)
        then = FixedClock(start)
        patient = patients.register_patient(
            session=session,
            actor=actor,
            clock=then,
            registration=patients.Registration(
                given_name="Quinn",
                family_name="Halvorsen",
                date_of_birth=(start - timedelta(days=365 * 38)).date(),
                sex="female",
                email="quinn.halvorsen@example.org",
                usual_escort_name="Sam Halvorsen",
                weight_kg=68,
                height_cm=170,
                measured_on=start.date(),
            ),
        )
        intake.record_intake(
            session=session,
            actor=actor,
            clock=then,
            patient_id=patient.id,
            data={
                "diagnoses": ["gad", "mdd"],
                "medical_history": "No cardiovascular history.",
                "medications": [
                    {
                        "name": "sertraline",
                        "dose_mg": 150,
                        "frequency": "daily",
                        "daily_dose_mg": 150,
                    }
                ],
                "prior_trials": [
                    {
                        "kind": "drug",
                        "name": n,
                        "weeks": 10,
                        "outcome": "failed",
                        "daily_dose_mg": d,
                    }
                    for n, d in (("sertraline", 150), ("escitalopram", 20))
                ],
                "resting_bp": [{"systolic_mmhg": 122, "diastolic_mmhg": 76}],
                "gad7": [3, 2, 3, 2, 2, 3, 2],
                "phq9": [2, 3, 2, 2, 1, 2, 2, 1, 0],
            },
        )
        for week, (gad, phq) in enumerate(((14, 15), (11, 12), (8, 9)), start=1):
            clock = FixedClock(start + timedelta(days=7 * week))
            for code, total, items in (("gad7", gad, 7), ("phq9", phq, 9)):
                answers = [
                    min(3, total // items + (1 if i < total % items else 0)) for i in range(items)
                ]
                answers[-1] = 0 if code == "phq9" else answers[-1]
                symptom_scores.record_symptom_score(
                    session=session,
                    actor=actor,
                    clock=clock,
                    patient_id=patient.id,
                    instrument=code,
                    answers=answers,
                    source=SymptomSource.CLINIC,
                )
        return patient.id


def test_the_prescriber_reviews_a_screening_and_creates_the_plan(  # type: ignore[no-untyped-def]
    desktop, live_server, live_db, live_clock, artifacts_dir
) -> None:
    patient_id = _seed(live_db, live_clock)
    page = desktop
    sign_in(page, live_server, PRESCRIBER.email, PRESCRIBER.password)
    page.wait_for_url(f"{live_server}/")

    # Find the patient.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.wait_for_url(f"{live_server}/patients")
    page.get_by_label("Name, email or phone").fill("Halvorsen")
    page.get_by_role("button", name="Search").click()
    row_link = page.get_by_role("link", name="Halvorsen, Quinn")
    row_link.wait_for()
    assert page.get_by_text("intake recorded").first.is_visible()
    shoot(page, "patient-list-desktop", artifacts_dir)
    row_link.click()
    page.wait_for_url(f"{live_server}/patients/{patient_id}")

    # Review the screening.
    page.get_by_role("navigation", name="Patient record").get_by_role(
        "link", name="Screening"
    ).click()
    page.get_by_role("button", name="Run screening").click()
    page.wait_for_url(f"{live_server}/patients/{patient_id}/screening")
    assert page.locator(".pt-verdict-word").inner_text().lower() == "eligible"
    assert page.get_by_text("screening.treatment_resistance_anxiety").is_visible()
    page.get_by_label("Accept the verdict").check()
    shoot(page, "screening-review-desktop", artifacts_dir)
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Cleared for treatment.").wait_for()

    # Create the plan and record consent.
    page.get_by_role("link", name="Create the treatment plan").click()
    page.wait_for_url(f"{live_server}/patients/{patient_id}/plan")
    page.get_by_label("Route").select_option("iv")
    starts = (live_clock.now() + timedelta(days=3)).date().isoformat()
    page.get_by_label("First session on").fill(starts)
    page.get_by_label("Integration therapist or coach").fill("Dr. R. Chen")
    page.get_by_label("Their role").fill("psychologist")
    page.get_by_role("button", name="Create plan").click()
    page.get_by_role("heading", name="Current plan — version 1").wait_for()
    assert "34 mg" in page.locator("#current").inner_text()  # 0.5 mg/kg × 68 kg
    page.get_by_role("button", name="Record signed consent").click()
    page.locator("#consent .badge", has_text="current").wait_for()
    shoot(page, "plan-desktop", artifacts_dir)

    # The chart shows the plan, its version and the symptom chart.
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Chart").click()
    page.wait_for_url(f"{live_server}/patients/{patient_id}")
    assert page.get_by_text("plan: loading").first.is_visible()
    assert page.locator("#plan").get_by_text("v1 created").is_visible()
    chart = page.locator('#chart-phq9 svg[role="img"]')
    assert chart.is_visible()
    assert (chart.bounding_box() or {}).get("width", 0) > 400
    assert page.locator('#chart-gad7 svg[role="img"]').is_visible()
    shoot(page, "patient-chart-desktop", artifacts_dir)

    # The intake with its version history.
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Intake").click()
    page.get_by_role("heading", name="Amend the intake (version 1 is current)").wait_for()
    shoot(page, "intake-desktop", artifacts_dir)
