"""Today's board at `/` for staff: chairs with today's sessions, their state, patient, minutes
since dose, overdue readings and open alerts (patient alerts urgent first), refreshed by htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import SymptomSource, TreatmentSession
from ketacare.services import session_flow, symptom_scores, vitals_ingest
from ketacare.services.clock import FixedClock
from tests.services.session_support import checked_in, dosed_iv
from tests.web.chair_support import START, Booked, booked_session, signed_in


@pytest.fixture
def booked(db: Session, cast, clock: FixedClock) -> Booked:  # type: ignore[no-untyped-def]
    return booked_session(db, cast, clock)


def _board(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    return response.text


def test_the_board_lists_every_chair_and_todays_session_linked_to_its_flowsheet(
    client, cast, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, "nurse@a.example")
    page = _board(client)
    assert "Chair 1" in page and "Chair 2" in page
    assert "Alice Anders" in page
    assert "Scheduled" in page and "10:00–" in page  # 15:00 UTC is 10:00 in New York
    assert f'href="/sessions/{booked.session_id}"' in page
    assert "Free all day" in page


def test_the_board_refreshes_itself_every_15_seconds_with_a_fragment(
    client, cast, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, "nurse@a.example")
    page = _board(client)
    assert 'hx-get="/board/live"' in page and 'hx-trigger="every 15s"' in page
    fragment = client.get("/board/live", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Alice Anders" in fragment.text
    assert "<html" in client.get("/board/live").text


def test_a_dosed_session_shows_minutes_since_dose_an_open_alert_and_an_overdue_reading(
    client, cast, db: Session, clock: FixedClock, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    clock.current = START
    row = db.get(TreatmentSession, booked.session_id)
    dosed_iv(db, nurse, clock, row, dose_mg=32)
    clock.advance(minutes=5)
    vitals_ingest.record_vitals(
        session=db,
        actor=nurse,
        clock=clock,
        session_id=row.id,
        systolic_mmhg=166,
        diastolic_mmhg=92,
        heart_rate_bpm=80,
        spo2_pct=98,
    )
    clock.advance(minutes=20)  # IV: a reading is due every 10 minutes during the infusion
    db.commit()
    signed_in(client, "nurse@a.example")
    page = _board(client)
    assert "<strong>25</strong> min since dose" in page
    assert "Vitals overdue by" in page
    assert "CAUTION:" in page
    assert "Dosing" in page


def test_open_patient_alerts_are_on_the_board_urgent_first(
    client, cast, db: Session, clock: FixedClock, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    symptom_scores.record_symptom_score(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.other_patient_a.id,
        instrument="phq9",
        answers=[2, 2, 2, 2, 2, 2, 2, 2, 3],
        source=SymptomSource.CLINIC,
    )
    db.commit()
    signed_in(client, "nurse@a.example")
    page = _board(client)
    assert "Open patient alerts" in page
    assert "Olga Other" in page
    assert page.index("URGENT") < page.index("Chair 1</h2>")


def test_another_clinics_board_does_not_show_this_clinics_sessions(
    client, cast, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, "nurse@b.example")
    page = _board(client)
    assert "Alice Anders" not in page


def test_a_session_on_another_day_is_not_on_todays_board(
    client, cast, db: Session, clock: FixedClock, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    clock.current = START + timedelta(days=1)
    signed_in(client, "nurse@a.example")
    assert "Alice Anders" not in _board(client)


def test_a_stopped_session_shows_its_state_in_words(
    client, cast, db: Session, clock: FixedClock, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    clock.current = START

    checked_in(db, nurse, clock, db.get(TreatmentSession, booked.session_id))
    session_flow.stop_session(
        session=db, actor=nurse, clock=clock, session_id=booked.session_id, reason="unwell"
    )
    db.commit()
    signed_in(client, "nurse@a.example")
    assert "Stopped" in _board(client)


def test_a_patient_sees_their_own_start_page_and_not_the_board(
    client, cast, booked: Booked
) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, "alice@a.example")
    home = client.get("/")
    assert home.status_code == 200
    assert "board-grid" not in home.text
    assert client.get("/board/live", headers={"HX-Request": "true"}).status_code == 403
