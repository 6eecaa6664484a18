"""In a real Chromium on the lived-in demo clinic: the outcome report's charts render (visible
SVG with a size), and the nurse's board shows today's sessions in motion."""

from __future__ import annotations

import pytest

from ketacare.services.demo import DEMO_STAFF
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser
NURSE = next(p for p in DEMO_STAFF if p.role == "nurse")


def test_the_outcome_report_draws_its_charts_in_chromium(
    desktop, live_server, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    sign_in(desktop, live_server, NURSE.email, NURSE.password)
    desktop.wait_for_url(f"{live_server}/")
    desktop.goto(f"{live_server}/report")
    assert desktop.get_by_role("heading", name="Clinic outcome report").is_visible()
    charts = desktop.locator(".report-chart svg")
    assert charts.count() >= 5
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, box
        # matplotlib draws the data as paths: an empty chart would have only its frame
        assert chart.locator("path").count() > 10
    assert desktop.get_by_role("link", name="Download as HTML").is_visible()
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Download as HTML").click()
    assert download.value.suggested_filename.startswith("outcome-report-")
    desktop.evaluate("window.scrollTo(0, 0)")
    shoot(desktop, "report-desktop", artifacts_dir)


def test_the_nurse_sees_the_demo_clinics_day_on_the_board(
    desktop, live_server, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    sign_in(desktop, live_server, NURSE.email, NURSE.password)
    desktop.wait_for_url(f"{live_server}/")
    text = desktop.content()
    assert "Chair 1" in text and "Chair 6" in text
    shoot(desktop, "board-demo-desktop", artifacts_dir)
