"""The care-queue page without JavaScript: urgent alerts first, then the booster due with its
reason and three slots; Book and Dismiss post and come back with 303; refusals come back with
422 and the error beside the field."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BoosterDecision,
    BoosterDecisionKind,
    BoosterRecommendation,
    PatientAlert,
    PatientAlertAcknowledgement,
    SymptomSource,
)
from ketacare.services import session_booking, symptom_scores
from ketacare.services.clock import FixedClock
from ketacare.web.pages import care_queue as care_queue_page
from ketacare.web.templating import STAFF_NAV
from tests.services.care_support import (
    at,
    complete_loading,
    course_in_loading,
    move_to,
    score,
)
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in


def _due_booster_and_an_urgent_alert(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    course = course_in_loading(db, cast, clock)
    for day, total in ((date(2026, 3, 9), 9), (date(2026, 3, 17), 5)):
        move_to(clock, at(day))
        score(db, course.nurse, clock, cast.patient_a.id, total)
    complete_loading(db, course, clock)
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)
    symptom_scores.record_symptom_score(
        session=db,
        actor=course.nurse,
        clock=clock,
        patient_id=cast.other_patient_a.id,
        instrument="phq9",
        answers=[1] * 9,
        source=SymptomSource.CLINIC,
    )
    db.commit()


def _book_forms(html: str) -> list[dict[str, str]]:
    forms = re.findall(
        r'<form method="post" action="(/care-queue/\d+/book)"(.*?)</form>', html, re.S
    )
    out = []
    for action, body in forms:
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
        out.append({"action": action, **fields})
    return out


def test_the_queue_shows_the_urgent_alert_first_then_the_booster_with_its_reason_and_3_slots(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    page = client.get("/care-queue")
    assert page.status_code == 200
    html = page.text
    assert html.index("Olga Other") < html.index("Alice Anders")  # the alert comes first
    assert "URGENT" in html
    assert "GAD-7 rose from 5 after loading to 10 on 2026-03-31" in html
    assert "31 Mar – 07 Apr 2026" in html
    assert "No tolerance or overuse flag" in html
    assert len(_book_forms(html)) == 3
    assert ("/care-queue", "Care queue") in STAFF_NAV


def test_booking_a_slot_through_the_page_redirects_and_closes_the_recommendation(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "nurse@a.example")
    first = _book_forms(client.get("/care-queue").text)[0]
    action = first.pop("action")
    response = client.post(action, data=first, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/care-queue?done=booked"
    decision = db.scalar(select(BoosterDecision))
    assert decision is not None and decision.kind is BoosterDecisionKind.BOOKED
    assert "Booster booked." in client.get(response.headers["location"]).text
    assert "No booster is due." in client.get("/care-queue").text


def test_a_taken_slot_is_refused_with_422_and_the_reason_beside_the_booking(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "nurse@a.example")
    form = _book_forms(client.get("/care-queue").text)[0]
    action = form.pop("action")
    form["nurse_user_id"] = str(cast.prescriber_a.id)  # not a nurse: the booking rule refuses
    refused = client.post(action, data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "nurse_user_id must be an active nurse of the clinic" in refused.text
    assert db.scalar(select(BoosterDecision)) is None


def test_dismissing_without_a_reason_is_refused_beside_the_field_and_with_one_it_closes(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    html = client.get("/care-queue").text
    action = re.search(r'action="(/care-queue/\d+/dismiss)"', html).group(1)  # type: ignore[union-attr]
    token = csrf_from(html)
    refused = client.post(action, data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 422
    rec_id = action.split("/")[2]
    assert re.search(
        rf'id="reason-{rec_id}"[^>]*aria-invalid="true"[^>]*aria-describedby="reason-{rec_id}-error"',
        refused.text,
    )
    assert f'id="reason-{rec_id}-error" role="alert">say why the booster is not needed' in (
        refused.text
    )
    done = client.post(
        action,
        data={"csrf_token": token, "reason": "Seen today: settled, wants to wait"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    decision = db.scalar(select(BoosterDecision))
    assert decision is not None and decision.kind is BoosterDecisionKind.DISMISSED


def test_acknowledging_an_alert_needs_a_note_and_then_clears_it(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "nurse@a.example")
    html = client.get("/care-queue").text
    alert = db.scalar(select(PatientAlert))
    assert alert is not None
    action = f"/care-queue/alerts/{alert.id}/acknowledge"
    refused = client.post(action, data={"csrf_token": csrf_from(html), "note": ""})
    assert refused.status_code == 422
    assert f'id="note-{alert.id}-error" role="alert">say what was done' in refused.text
    done = client.post(
        action,
        data={"csrf_token": csrf_from(html), "note": "Called; safety plan reviewed"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert db.scalar(select(PatientAlertAcknowledgement)) is not None
    assert "No open patient alerts." in client.get("/care-queue").text


def test_a_patient_cannot_open_the_care_queue(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice@a.example")
    assert client.get("/care-queue").status_code == 403


def test_a_booster_booked_on_the_schedule_leaves_the_page_and_a_cancellation_brings_it_back(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "nurse@a.example")
    slot = _book_forms(client.get("/care-queue").text)[0]
    nurse = cast.actor(cast.nurse_a)
    course_id = db.scalar(select(BoosterRecommendation.course_id))
    booked = session_booking.book_session(
        session=db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        start=datetime.fromisoformat(slot["start"]),
        chair_id=int(slot["chair_id"]),
        nurse_user_id=int(slot["nurse_user_id"]),
        course_id=course_id,
    )
    db.commit()
    assert "No booster is due." in client.get("/care-queue").text
    session_booking.cancel(
        session=db, actor=nurse, clock=clock, session_id=booked.id, reason="patient unwell"
    )
    db.commit()
    html = client.get("/care-queue").text
    assert "Alice Anders" in html and len(_book_forms(html)) == 3


def test_items_past_the_first_few_load_their_slots_on_demand_with_or_without_javascript(
    client, cast, db: Session, clock: FixedClock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(care_queue_page, "EAGER_SLOTS", 0)
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "nurse@a.example")
    html = client.get("/care-queue").text
    rec_id = db.scalar(select(BoosterRecommendation.id))
    assert _book_forms(html) == []
    link = f'href="/care-queue/{rec_id}/slots"'
    assert link in html
    assert f'hx-get="/care-queue/{rec_id}/slots" hx-trigger="intersect once"' in html
    # Without JavaScript: a page of its own with the item and its three slots.
    page = client.get(f"/care-queue/{rec_id}/slots")
    assert page.status_code == 200
    assert "Book a booster" in page.text and "Back to the care queue" in page.text
    assert "GAD-7 rose from 5 after loading to 10" in page.text
    forms = _book_forms(page.text)
    assert len(forms) == 3
    # With htmx: the slots alone, swapped into the item.
    fragment = client.get(f"/care-queue/{rec_id}/slots", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'id="slots-{rec_id}"' in fragment.text and len(_book_forms(fragment.text)) == 3
    # Booking from the page of its own closes the recommendation.
    first = forms[0]
    response = client.post(first.pop("action"), data=first, follow_redirects=False)
    assert response.status_code == 303
    decision = db.scalar(select(BoosterDecision))
    assert decision is not None and decision.kind is BoosterDecisionKind.BOOKED
    closed = client.get(f"/care-queue/{rec_id}/slots")
    assert closed.status_code == 409


def test_a_refused_booking_shows_its_items_slots_again_even_past_the_first_few(
    client, cast, db: Session, clock: FixedClock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    sign_in(client, "nurse@a.example")
    form = _book_forms(client.get("/care-queue").text)[0]
    monkeypatch.setattr(care_queue_page, "EAGER_SLOTS", 0)
    action = form.pop("action")
    form["nurse_user_id"] = str(cast.prescriber_a.id)
    refused = client.post(action, data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "nurse_user_id must be an active nurse of the clinic" in refused.text
    assert len(_book_forms(refused.text)) == 3


def test_another_clinics_recommendation_slots_answer_404(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster_and_an_urgent_alert(db, cast, clock)
    rec_id = db.scalar(select(BoosterRecommendation.id))
    sign_in(client, "nurse@b.example")
    assert client.get(f"/care-queue/{rec_id}/slots").status_code == 404
