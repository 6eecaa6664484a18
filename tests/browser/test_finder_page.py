"""The public finder in Chromium at phone width: search by ZIP, read a listing's signals."""

from __future__ import annotations

import pytest

from ketacare.config import Settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.uow import unit_of_work
from ketacare.services import finder, finder_import
from ketacare.services.clock import SystemClock
from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def samhsa_loaded(live_settings: Settings) -> None:
    engine = make_engine(live_settings)
    with unit_of_work(make_session_factory(engine)) as session:
        if finder.directory_is_empty(session=session):
            finder_import.import_samhsa(
                session=session, clock=SystemClock(), actor_label="browser test", ketamine_only=True
            )
    engine.dispose()


def test_a_visitor_finds_clinics_near_a_zip_on_a_phone(  # type: ignore[no-untyped-def]
    phone, live_server, artifacts_dir, samhsa_loaded
) -> None:
    phone.goto(f"{live_server}/find")
    phone.get_by_label("ZIP code").fill("84101")
    phone.get_by_role("button", name="Search").click()
    heading = phone.get_by_role("heading", name="within 25 miles of ZIP 84101")
    heading.wait_for()
    assert phone.locator("ol.results > li").count() >= 3
    assert "84101" in phone.url  # the search is a shareable address
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box = phone.get_by_role("button", name="Search").bounding_box()
    assert box is not None and box["height"] >= 44
    assert "GeoNames" in phone.locator("footer").inner_text()
    shoot(phone, "finder-results-phone", artifacts_dir)

    phone.locator("ol.results > li h3 a").first.click()
    phone.get_by_role("heading", name="Signals, in plain words").wait_for()
    assert phone.get_by_text("What should worry you:").count() == 7
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "finder-listing-phone", artifacts_dir)


def test_an_unknown_zip_gets_a_message_with_nearby_suggestions(  # type: ignore[no-untyped-def]
    phone, live_server, samhsa_loaded
) -> None:
    phone.goto(f"{live_server}/find")
    phone.get_by_label("ZIP code").fill("99999")
    phone.get_by_role("button", name="Search").click()
    alert = phone.get_by_role("alert")
    alert.wait_for()
    assert "99999 is not a US ZIP code we know" in alert.inner_text()
    alert.get_by_role("link", name="99950 (Ketchikan, AK)").click()
    phone.get_by_role("heading", name="ZIP 99950").wait_for()
