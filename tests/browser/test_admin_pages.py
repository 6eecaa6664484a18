"""In a real Chromium: the demo admin changes a clinic policy value with a reason (and puts it
back), looks at the users and policy pages; a nurse records a witnessed waste, and the
reconciliation report shows the discrepancy before it and none for that session after."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ketacare.db.models import Clinic, Location, LocationKind, Patient, Role, User
from ketacare.domain.errors import DomainError
from ketacare.services import session_booking
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_SLUG, DEMO_STAFF
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in
from tests.factories.courses import consented_course

pytestmark = pytest.mark.browser
ADMIN, NURSE = DEMO_STAFF[0], DEMO_STAFF[2]
KEY = "staffing.max_patients_per_nurse"


def _dosed_session(live_db, live_clock) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A fresh demo patient's IV session, started ten minutes ago on a free chair: 50 mg drawn
    from a new lot and 35 mg given, so 15 mg waits to be wasted."""
    from ketacare.db.models import Drug
    from ketacare.services import controlled_substances, session_flow, vitals_ingest
    from tests.services.session_support import checked_in

    lot_number = f"BR-{secrets.token_hex(3).upper()}"
    with live_db() as db:
        clinic = db.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG))
        nurse_user = db.scalar(select(User).where(User.email == NURSE.email))
        patient = Patient(
            clinic_id=clinic.id,
            given_name="Wren",
            family_name=f"Waste{secrets.token_hex(2)}",
            date_of_birth=date(1984, 6, 1),
            sex="female",
            email="",
            phone="",
            created_at=live_clock.now(),
        )
        db.add(patient)
        db.flush()
        nurse = Actor.for_user(nurse_user)
        course = consented_course(db, clock=live_clock, patient_id=patient.id)
        chairs = db.scalars(
            select(Location).where(
                Location.clinic_id == clinic.id, Location.kind == LocationKind.CHAIR
            )
        ).all()
        nurses = db.scalars(
            select(User).where(User.clinic_id == clinic.id, User.role == Role.NURSE)
        ).all()
        start = live_clock.now() - timedelta(minutes=10)
        row = None
        for chair in chairs:
            for assigned in nurses:
                try:
                    with db.begin_nested():
                        row = session_booking.book_session(
                            session=db,
                            actor=nurse,
                            clock=live_clock,
                            patient_id=patient.id,
                            start=start,
                            chair_id=chair.id,
                            nurse_user_id=assigned.id,
                            course_id=course.id,
                        )
                    break
                except DomainError:
                    continue
            if row is not None:
                break
        assert row is not None, "no free chair in the demo clinic"
        checked_in(db, nurse, live_clock, row)
        vitals_ingest.record_vitals(
            session=db,
            actor=nurse,
            clock=live_clock,
            session_id=row.id,
            systolic_mmhg=122,
            diastolic_mmhg=78,
            heart_rate_bpm=72,
            spo2_pct=98,
        )
        session_flow.predose_check(session=db, actor=nurse, clock=live_clock, session_id=row.id)
        entry = controlled_substances.receive_stock(
            session=db,
            actor=nurse,
            clock=live_clock,
            drug=Drug.KETAMINE_HCL,
            lot_number=lot_number,
            expiry=live_clock.now().date() + timedelta(days=300),
            quantity_mg=500,
            concentration_mg_per_ml=10,
        )
        controlled_substances.draw(
            session=db,
            actor=nurse,
            clock=live_clock,
            lot_id=entry.lot_id,
            session_id=row.id,
            quantity_mg=50,
        )
        session_flow.start_dosing(
            session=db,
            actor=nurse,
            clock=live_clock,
            session_id=row.id,
            drug=Drug.KETAMINE_HCL,
            dose_mg=35,
            lot_id=entry.lot_id,
            weight_kg=70,
        )
        return row.id, lot_number


def _change(page, value: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Policy value").select_option(KEY)
    page.get_by_label("New value").fill(value)
    page.get_by_label("Why it changes").fill(reason)
    page.get_by_role("button", name="Record the new value").click()


def test_the_admin_changes_a_policy_value_with_a_reason(
    desktop, live_server, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    sign_in(desktop, live_server, ADMIN.email, ADMIN.password)
    desktop.wait_for_url(f"{live_server}/")
    desktop.goto(f"{live_server}/admin/users")
    assert desktop.get_by_role("heading", name="Users").is_visible()
    assert desktop.get_by_role("cell", name=NURSE.email).is_visible()
    shoot(desktop, "admin-users-desktop", artifacts_dir)

    desktop.get_by_role("navigation", name="Admin").get_by_role(
        "link", name="Clinic policy"
    ).click()
    desktop.wait_for_url(f"{live_server}/admin/policy")
    # A value outside its bounds is refused beside the field, with what was typed kept.
    _change(desktop, "99", "trying too many")
    error = desktop.locator("#value-error")
    assert "must be between" in error.inner_text()
    assert desktop.get_by_label("New value").input_value() == "99"
    _change(desktop, "3", "two nurses on leave this month")
    desktop.wait_for_url(f"{live_server}/admin/policy?saved=changed*")
    assert desktop.get_by_role("status").inner_text().startswith("The value was changed")
    history = desktop.get_by_role("region", name="Version history")
    assert "two nurses on leave this month" in history.inner_text()
    shoot(desktop, "admin-policy-desktop", artifacts_dir)
    # Put the published default back so other journeys on the shared live server see it.
    _change(desktop, "4", "leave is over: back to the published ratio")
    desktop.wait_for_url(f"{live_server}/admin/policy?saved=changed*")


def test_a_nurse_records_a_witnessed_waste_and_the_discrepancy_clears(
    desktop, live_server, live_db, live_clock, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_number = _dosed_session(live_db, live_clock)
    sign_in(desktop, live_server, NURSE.email, NURSE.password)
    desktop.wait_for_url(f"{live_server}/")
    desktop.goto(f"{live_server}/controlled-substances/reconciliation")
    row = desktop.locator("tr.discrepancy", has_text=lot_number)
    assert "15 mg drawn but neither given nor wasted" in row.inner_text()
    shoot(desktop, "reconciliation-desktop", artifacts_dir)

    desktop.goto(f"{live_server}/controlled-substances")
    waste = desktop.locator("#waste")
    waste.get_by_label("Lot").select_option(
        label=next(
            o
            for o in waste.get_by_label("Lot").locator("option").all_inner_texts()
            if lot_number in o
        )
    )
    waste.get_by_label("Session").select_option(str(session_id))
    waste.get_by_label("Quantity wasted (mg)").fill("15")
    waste.get_by_label("Witness").select_option(label="Dr. Ada Okafor (prescriber)")
    waste.get_by_role("button", name="Log waste").click()
    desktop.wait_for_url(f"{live_server}/controlled-substances?saved=waste#waste")
    assert desktop.get_by_role("status").inner_text() == "Witnessed waste logged."
    assert desktop.get_by_role("link", name=lot_number).is_visible()
    shoot(desktop, "controlled-substances-desktop", artifacts_dir)

    desktop.goto(f"{live_server}/controlled-substances/reconciliation")
    assert desktop.locator("tr.discrepancy", has_text=lot_number).count() == 0
    assert desktop.locator("tr.balanced", has_text=lot_number).count() == 1
