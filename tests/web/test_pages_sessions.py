"""The session flowsheet without JavaScript: each form posts, a success answers 303 back to the
flowsheet, a refusal answers 422 with the error beside the field, the typed values kept and
nothing changed in the database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import (
    AdverseEvent,
    AlertAcknowledgement,
    DoseAdministration,
    PredoseDecision,
    SessionCheckIn,
    SessionDischarge,
    SessionNote,
    VitalAlert,
    VitalReadingRow,
)
from ketacare.services.clock import FixedClock
from tests.web.chair_support import (
    NORMAL,
    START,
    Booked,
    booked_session,
    count,
    signed_in,
    status_of,
)

NURSE, PRESCRIBER = "nurse@a.example", "prescriber@a.example"


@pytest.fixture
def booked(db: Session, cast, clock: FixedClock) -> Booked:  # type: ignore[no-untyped-def]
    found = booked_session(db, cast, clock)
    clock.current = START
    return found


class Chair:
    """Posts to one session's flowsheet as the signed-in user."""

    def __init__(self, client, token: str, session_id: int) -> None:  # type: ignore[no-untyped-def]
        self.client, self.token, self.sid = client, token, session_id

    def post(self, path: str, **data: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/sessions/{self.sid}/{path}",
            data={"csrf_token": self.token, **data},
            follow_redirects=False,
        )

    def ok(self, path: str, **data: str) -> None:
        response = self.post(path, **data)
        assert response.status_code == 303, response.text[:2000]
        assert response.headers["location"].startswith(f"/sessions/{self.sid}#")

    def page(self) -> str:
        response = self.client.get(f"/sessions/{self.sid}")
        assert response.status_code == 200
        return response.text

    def check_in(self) -> None:
        self.ok(
            "check-in",
            hours_since_food="6",
            minutes_since_liquids="120",
            escort_confirmed="on",
            escort_name="Bob Escort",
        )

    def to_predose(self, **vitals: str) -> None:
        self.check_in()
        self.ok("vitals", **(NORMAL | vitals))
        self.ok("predose-check")

    def dosed(self, lot_id: int) -> None:
        self.to_predose()
        self.ok("dosing", drug="ketamine_hcl", lot_id=str(lot_id), dose_mg="32", weight_kg="64")


@pytest.fixture
def nurse(client, cast, booked: Booked) -> Chair:  # type: ignore[no-untyped-def]
    return Chair(client, signed_in(client, NURSE), booked.session_id)


def test_the_flowsheet_shows_the_patient_the_state_and_the_check_in_form(nurse: Chair) -> None:
    page = nurse.page()
    assert "Alice Anders" in page
    assert "Scheduled" in page
    assert 'name="hours_since_food"' in page
    assert 'hx-post="/sessions/' in page and 'action="/sessions/' in page


def test_check_in_with_an_escort_but_no_name_is_refused_beside_the_field_and_changes_nothing(
    nurse: Chair, db: Session, booked: Booked
) -> None:
    response = nurse.post(
        "check-in", hours_since_food="6", minutes_since_liquids="abc", escort_confirmed="on"
    )
    assert response.status_code == 422
    assert 'id="minutes_since_liquids-error"' in response.text
    assert 'value="6"' in response.text and 'value="abc"' in response.text
    response = nurse.post(
        "check-in",
        hours_since_food="6",
        minutes_since_liquids="90",
        escort_confirmed="on",
        drugs_taken_today="benzodiazepine",
    )
    assert response.status_code == 422
    assert 'id="escort_name-error"' in response.text
    assert "name the escort" in response.text
    assert 'value="benzodiazepine" checked' in response.text
    assert count(db, SessionCheckIn) == 0
    assert status_of(db, booked.session_id) == "scheduled"


def test_vitals_that_are_not_numbers_or_implausible_are_refused_beside_the_field(
    nurse: Chair, db: Session
) -> None:
    nurse.check_in()
    response = nurse.post("vitals", **(NORMAL | {"heart_rate_bpm": "seventy"}))
    assert response.status_code == 422
    assert 'id="heart_rate_bpm-error"' in response.text
    assert 'value="seventy"' in response.text
    response = nurse.post("vitals", **(NORMAL | {"systolic_mmhg": "400"}))
    assert response.status_code == 422
    assert 'id="systolic_mmhg-error"' in response.text
    assert count(db, VitalReadingRow) == 0


def test_a_passing_gate_shows_pass_with_its_findings_and_opens_the_dosing_form(
    nurse: Chair,
) -> None:
    nurse.to_predose()
    page = nurse.page()
    assert "<strong>PASS</strong>" in page
    assert 'name="dose_mg"' in page
    assert "K-1 · exp." in page


def test_a_dose_outside_the_range_is_refused_beside_the_dose_and_records_nothing(
    nurse: Chair, db: Session, booked: Booked
) -> None:
    nurse.to_predose()
    response = nurse.post(
        "dosing", drug="ketamine_hcl", lot_id=str(booked.lot_id), dose_mg="200", weight_kg="64"
    )
    assert response.status_code == 422
    assert 'id="dose_mg-error"' in response.text
    assert 'value="200"' in response.text
    assert count(db, DoseAdministration) == 0
    assert status_of(db, booked.session_id) == "pre_dose_check"


def test_a_hold_needs_a_prescribers_decision_with_a_reason(
    client, cast, booked: Booked, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse = Chair(client, signed_in(client, NURSE), booked.session_id)
    nurse.to_predose(systolic_mmhg="148", diastolic_mmhg="88")
    page = nurse.page()
    assert "<strong>HOLD</strong>" in page
    assert "vitals.predose_bp_hold" in page
    assert "a prescriber must release the dose" in page
    assert 'name="hold_reason"' not in page
    prescriber = Chair(client, signed_in(client, PRESCRIBER), booked.session_id)
    response = prescriber.post("hold-decision", release="release", hold_reason=" ")
    assert response.status_code == 422
    assert 'id="hold_reason-error"' in response.text
    assert 'value="release" checked' in response.text
    assert count(db, PredoseDecision) == 0
    prescriber.ok("hold-decision", release="release", hold_reason="Usual 135/85; white coat.")
    page = prescriber.page()
    assert "Released by the prescriber" in page and 'name="dose_mg"' in page


def test_a_block_offers_no_override_and_a_forged_release_is_refused(
    client, cast, booked: Booked, db: Session
) -> None:  # type: ignore[no-untyped-def]
    Chair(client, signed_in(client, NURSE), booked.session_id).to_predose(
        systolic_mmhg="186", diastolic_mmhg="104"
    )
    prescriber = Chair(client, signed_in(client, PRESCRIBER), booked.session_id)
    page = prescriber.page()
    assert "<strong>BLOCK</strong>" in page and "cannot be overridden" in page
    assert "Record the decision" not in page and 'name="dose_mg"' not in page
    response = prescriber.post("hold-decision", release="release", hold_reason="I insist")
    assert response.status_code == 422
    assert "a block cannot be overridden" in response.text
    assert count(db, PredoseDecision) == 0


def test_an_alert_is_shown_until_acknowledged_with_a_note(
    nurse: Chair, db: Session, booked: Booked, clock: FixedClock
) -> None:
    nurse.dosed(booked.lot_id)
    clock.advance(minutes=10)
    nurse.ok("vitals", **(NORMAL | {"systolic_mmhg": "166", "diastolic_mmhg": "92"}))
    page = nurse.page()
    assert 'class="alert-banner"' in page and "CAUTION" in page
    [alert] = db.query(VitalAlert).all()
    response = nurse.post(f"alerts/{alert.id}/acknowledge", note="  ")
    assert response.status_code == 422
    assert f'id="ack-note-{alert.id}-error"' in response.text
    assert count(db, AlertAcknowledgement) == 0
    nurse.ok(f"alerts/{alert.id}/acknowledge", note="Reassured; repeat in 5 minutes.")
    page = nurse.page()
    assert 'class="alert-banner"' not in page
    assert "Reassured; repeat in 5 minutes." in page


def test_the_vitals_chart_is_an_svg_with_the_table_as_its_text_alternative(
    nurse: Chair, booked: Booked, clock: FixedClock
) -> None:
    nurse.dosed(booked.lot_id)
    clock.advance(minutes=10)
    nurse.ok("vitals", **NORMAL)
    page = nurse.page()
    assert 'aria-label="Blood pressure, heart rate and SpO2 over the session"' in page
    assert page.count("<svg") >= 1
    assert "124/78" in page and "vitals-table" in page
    assert "min since dose" in page


def test_discharge_is_refused_beside_the_button_until_the_checklist_passes(
    nurse: Chair, db: Session, booked: Booked, clock: FixedClock
) -> None:
    nurse.dosed(booked.lot_id)
    clock.advance(minutes=40)
    nurse.ok("dosing/end")
    nurse.ok("vitals", **NORMAL, vitals_moaas="5")
    nurse.ok("scores", kind="cadss6", **{f"cadss_{n}": "0" for n in range(1, 7)})
    page = nurse.page()
    assert "Not met" in page and "Minimum observation" in page
    response = nurse.post("discharge", discharge_escort_name="Bob Escort")
    assert response.status_code == 422
    assert 'id="discharge-error"' in response.text and "not before" in response.text
    assert 'value="Bob Escort"' in response.text
    assert count(db, SessionDischarge) == 0
    clock.advance(minutes=120)
    nurse.ok("vitals", **NORMAL, vitals_moaas="5")
    page = nurse.page()
    assert "Every criterion passes" in page and "Not met" not in page
    response = nurse.post("discharge", discharge_escort_name="")
    assert response.status_code == 422 and 'id="discharge_escort_name-error"' in response.text
    nurse.ok("discharge", discharge_escort_name="Bob Escort")
    assert status_of(db, booked.session_id) == "discharged"
    page = nurse.page()
    assert "Discharged at" in page and 'name="note_text"' in page
    nurse.ok("note", note_text="Uneventful session.", action="sign")
    assert "signed" in nurse.page()
    response = nurse.post("note", note_text="Changed.", action="save")
    assert response.status_code == 422 and "amendment" in response.text
    assert count(db, SessionNote) == 2


def test_adverse_events_need_a_type_and_record_the_treatment_given(
    nurse: Chair, db: Session, booked: Booked
) -> None:
    nurse.dosed(booked.lot_id)
    response = nurse.post("adverse-events", severity="mild", treatment_given="ondansetron 4 mg IV")
    assert response.status_code == 422
    assert 'id="event_type-error"' in response.text
    assert 'value="ondansetron 4 mg IV"' in response.text
    assert count(db, AdverseEvent) == 0
    nurse.ok(
        "adverse-events",
        event_type="nausea",
        severity="mild",
        treatment_given="ondansetron 4 mg IV",
    )
    assert "ondansetron 4 mg IV" in nurse.page()


def test_a_moaas_rating_out_of_range_is_refused_beside_the_field(
    nurse: Chair, booked: Booked
) -> None:
    nurse.dosed(booked.lot_id)
    response = nurse.post("scores", kind="moaas", moaas_score="7")
    assert response.status_code == 422
    assert 'id="moaas_score-error"' in response.text


def test_stopping_needs_a_reason(nurse: Chair, db: Session, booked: Booked) -> None:
    nurse.check_in()
    response = nurse.post("stop", stop_reason="")
    assert response.status_code == 422 and 'id="stop_reason-error"' in response.text
    assert status_of(db, booked.session_id) == "checked_in"
    nurse.ok("stop", stop_reason="Patient unwell on arrival")
    assert status_of(db, booked.session_id) == "stopped"


def test_the_observation_timer_refreshes_as_a_fragment(
    nurse: Chair, client, booked: Booked, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse.dosed(booked.lot_id)
    clock.advance(minutes=12)
    fragment = client.get(f"/sessions/{booked.session_id}/timer", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert '<span class="timer-value">12</span>' in fragment.text
    assert 'hx-trigger="every 30s"' in fragment.text


def test_an_htmx_refusal_still_answers_422_with_the_flowsheet_to_swap(nurse: Chair) -> None:
    response = nurse.client.post(
        f"/sessions/{nurse.sid}/check-in",
        data={"escort_confirmed": "on"},
        headers={"HX-Request": "true", "X-CSRF-Token": nurse.token},
    )
    assert response.status_code == 422
    assert 'id="flowsheet"' in response.text


def test_another_clinics_session_is_a_404_and_its_forms_change_nothing(
    client, cast, booked: Booked, db: Session
) -> None:  # type: ignore[no-untyped-def]
    other = Chair(client, signed_in(client, "nurse@b.example"), booked.session_id)
    assert other.client.get(f"/sessions/{booked.session_id}").status_code == 404
    response = other.post(
        "check-in",
        hours_since_food="6",
        minutes_since_liquids="90",
        escort_confirmed="on",
        escort_name="X",
    )
    assert response.status_code == 404
    assert count(db, SessionCheckIn) == 0


def test_a_patient_cannot_open_the_flowsheet(client, cast, booked: Booked) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, "alice@a.example")
    assert client.get(f"/sessions/{booked.session_id}").status_code in (403, 404)


def test_a_form_without_the_csrf_token_is_refused(
    client, cast, booked: Booked, db: Session
) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, NURSE)
    response = client.post(
        f"/sessions/{booked.session_id}/stop", data={"stop_reason": "x"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert status_of(db, booked.session_id) == "scheduled"


def test_dosing_before_check_in_is_refused_with_the_reason(
    nurse: Chair, booked: Booked, db: Session
) -> None:
    response = nurse.post("dosing", drug="ketamine_hcl", lot_id=str(booked.lot_id), dose_mg="32")
    assert response.status_code == 422
    assert "dosing starts after a pre-dose check" in response.text
    assert count(db, DoseAdministration) == 0
