"""In a real Chromium: the sign-in page, the demo admin signing in, the audit trail."""

from __future__ import annotations

import pytest

from ketacare.services.demo import DEMO_STAFF
from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser
ADMIN = DEMO_STAFF[0]


def sign_in(page, base: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_demo_admin_signs_in_and_sees_the_clinic(desktop, live_server, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    desktop.goto(f"{live_server}/signin")
    shoot(desktop, "signin-desktop", artifacts_dir)
    sign_in(desktop, live_server, ADMIN.email, ADMIN.password)
    desktop.wait_for_url(f"{live_server}/")
    assert desktop.get_by_role("heading", name="Today").is_visible()
    desktop.get_by_role("link", name="Patients", exact=True).click()
    desktop.wait_for_url(f"{live_server}/patients")
    desktop.goto(f"{live_server}/patients?q=Patel")
    assert "Patel" in desktop.content()
    desktop.get_by_role("link", name="Admin").click()
    desktop.wait_for_url(f"{live_server}/admin/audit")
    assert desktop.locator("code", has_text="patient.list").first.is_visible()
    shoot(desktop, "audit-trail-desktop", artifacts_dir)


def test_a_wrong_password_keeps_the_visitor_on_the_form_with_a_clear_message(
    desktop, live_server
) -> None:  # type: ignore[no-untyped-def]
    sign_in(desktop, live_server, DEMO_STAFF[2].email, "not-the-password")
    assert desktop.get_by_role("alert").inner_text() == "the email or password is not right"
    assert desktop.get_by_label("Email").input_value() == DEMO_STAFF[2].email


def test_the_sign_in_page_is_usable_at_phone_width(phone, live_server, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    phone.goto(f"{live_server}/signin")
    box = phone.get_by_role("button", name="Sign in").bounding_box()
    assert box is not None and box["height"] >= 44
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shoot(phone, "signin-phone", artifacts_dir)
