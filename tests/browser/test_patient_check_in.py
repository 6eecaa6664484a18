"""In a real Chromium at phone size: a patient opens a check-in link, answers, sees the result
(or the crisis resources at once when PHQ-9 item 9 is answered above 0)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from ketacare.db.models import Patient, User
from ketacare.services import check_in_links, check_ins
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_PATIENT, DEMO_STAFF
from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser
NURSE = DEMO_STAFF[2]


def seed_link(live_db, live_clock) -> str:  # type: ignore[no-untyped-def]
    """A check-in for the demo patient with a fresh link, through the real services."""
    with live_db() as session:
        nurse = session.scalar(select(User).where(User.email == NURSE.email))
        patient = session.scalar(select(Patient).where(Patient.email == DEMO_PATIENT.email))
        assert nurse is not None and patient is not None
        row = check_ins.request_check_in(
            session=session, actor=Actor.for_user(nurse), clock=live_clock, patient_id=patient.id
        )
        token, _ = check_in_links.issue_link(
            session=session, clock=live_clock, check_in=row, purpose="manual"
        )
    return token


def answer_all(page, pick: Callable[[str, int], int]) -> None:  # type: ignore[no-untyped-def]
    """Tap an answer for every question (`pick(code, item) -> answer value`)."""
    for fieldset in page.locator("fieldset.check-in__question").all():
        first = fieldset.locator("input[type=radio]").first
        name = first.get_attribute("name")
        code, item = name.split("_")
        value = pick(code, int(item))
        fieldset.locator(f"label:has(input[value='{value}'])").click()


def test_a_patient_answers_a_check_in_on_a_phone_and_sees_the_result(
    phone, live_server, live_db, live_clock, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    token = seed_link(live_db, live_clock)
    phone.goto(f"{live_server}/c/{token}")
    assert phone.get_by_role("heading", name="Your check-in").is_visible()
    option = phone.locator("label.check-in__option span").first.bounding_box()
    assert option is not None and option["height"] >= 48
    answer_all(phone, lambda code, item: 1 if code == "gad7" else (0 if item == 9 else 1))
    shoot(phone, "check-in-phone", artifacts_dir)
    phone.get_by_role("button", name="Send my answers").click()
    assert phone.get_by_role("heading", name="Thank you").is_visible()
    assert phone.get_by_text("7 of 21").is_visible()
    assert phone.get_by_text("Mild anxiety").is_visible()
    shoot(phone, "check-in-done-phone", artifacts_dir)
    phone.goto(f"{live_server}/c/{token}")
    assert phone.get_by_role("heading", name="Already answered").is_visible()


def test_phq9_item_9_shows_crisis_resources_first_on_the_phone(
    phone, live_server, live_db, live_clock, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    token = seed_link(live_db, live_clock)
    phone.goto(f"{live_server}/c/{token}")
    answer_all(phone, lambda code, item: 1 if (code, item) == ("phq9", 9) else 0)
    phone.get_by_role("button", name="Send my answers").click()
    crisis = phone.locator("#crisis")
    assert crisis.is_visible()
    assert "988" in crisis.inner_text()
    box = crisis.bounding_box()
    assert box is not None and box["y"] < 400  # at the top of the screen, not below the fold
    shoot(phone, "check-in-crisis-phone", artifacts_dir)
