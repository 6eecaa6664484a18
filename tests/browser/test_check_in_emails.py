"""In a real Chromium at phone size: the patient chooses when check-in emails arrive on /my
(large touch targets, a refusal beside the field, then saved). The demo patient's preferences are
set back to the defaults at the end, since the live database is shared by the browser tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ketacare.db.models import Patient
from ketacare.services import check_in_preferences
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_PATIENT
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def _reset(live_db, live_clock) -> None:  # type: ignore[no-untyped-def]
    with live_db() as session:
        patient = session.scalar(select(Patient).where(Patient.email == DEMO_PATIENT.email))
        assert patient is not None
        check_in_preferences.set_preferences(
            session=session,
            actor=Actor.system("browser test", patient.clinic_id),
            clock=live_clock,
            patient_id=patient.id,
            opted_out=False,
            earliest_hour=None,
            latest_hour=None,
            reason="browser test: back to the defaults",
        )


def test_the_patient_chooses_the_hours_of_check_in_emails_on_the_phone(  # type: ignore[no-untyped-def]
    phone, live_server, live_db, live_clock, artifacts_dir
) -> None:
    sign_in(phone, live_server, DEMO_PATIENT.email, DEMO_PATIENT.password)
    phone.wait_for_url(f"{live_server}/my")
    try:
        section = phone.locator("#check-in-emails")
        assert section.get_by_role("heading", name="Check-in emails").is_visible()
        for target in (
            section.locator("label.choice").first,
            section.locator("select#earliest_hour"),
            section.get_by_role("button", name="Save my choices"),
        ):
            box = target.bounding_box()
            assert box is not None and box["height"] >= 48
        section.get_by_text("Yes, email me check-ins").click()
        section.get_by_label("From").select_option("18")
        section.get_by_label("Until").select_option("8")
        section.get_by_role("button", name="Save my choices").click()
        error = phone.locator("#latest_hour-error")
        assert error.is_visible() and "later than" in error.inner_text()
        assert phone.locator("select#earliest_hour").input_value() == "18"  # kept as chosen
        phone.locator("#check-in-emails").get_by_label("Until").select_option("21")
        phone.locator("#check-in-emails").get_by_role("button", name="Save my choices").click()
        phone.wait_for_url(f"{live_server}/my?saved=emails#check-in-emails")
        assert phone.get_by_text("only between 18:00–21:00").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.locator("#check-in-emails").scroll_into_view_if_needed()
        shoot(phone, "patient-check-in-emails-phone", artifacts_dir)
    finally:
        _reset(live_db, live_clock)
