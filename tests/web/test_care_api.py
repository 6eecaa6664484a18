"""The care API: a PHQ-9 with item 9 = 1 produces the urgent alert within the same request;
bad answers are refused naming the item and change nothing; other clinics see nothing; the
booster queue is read, booked and dismissed through the API."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BoosterDecision,
    PatientAlert,
    PatientAlertAcknowledgement,
    SymptomScore,
    TreatmentSession,
)
from ketacare.domain.findings import Severity
from ketacare.services.clock import FixedClock
from tests.services.care_support import at, complete_loading, course_in_loading, move_to, score

PHQ9_ITEM9_ONE = [1, 1, 1, 1, 1, 1, 1, 1, 1]


def _post_score(client, token_for, user, patient_id: int, instrument: str, answers):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/patients/{patient_id}/symptom-scores",
        json={"instrument": instrument, "answers": answers},
        headers=token_for(user),
    )


def test_a_phq9_with_item_9_at_1_returns_the_urgent_alert_and_crisis_text_in_the_same_response(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    response = _post_score(
        client, token_for, cast.nurse_a, cast.patient_a.id, "phq9", PHQ9_ITEM9_ONE
    )
    assert response.status_code == 201
    body = response.json()
    assert body["urgent"] is True
    [alert] = body["alerts"]
    assert alert["level"] == "urgent" and alert["rule_id"].startswith("instruments.phq9")
    assert "988" in body["crisis_resources"]
    # Already in the database, before any other request.
    stored = db.scalars(select(PatientAlert).where(PatientAlert.patient_id == cast.patient_a.id))
    assert [(a.id, a.level) for a in stored] == [(alert["id"], Severity.URGENT)]


def test_the_patient_recording_their_own_phq9_sees_the_crisis_text_at_once(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    response = _post_score(
        client, token_for, cast.patient_user_a, cast.patient_a.id, "phq9", PHQ9_ITEM9_ONE
    )
    assert response.status_code == 201
    body = response.json()
    assert body["urgent"] and "988" in body["crisis_resources"]
    assert body["score"]["source"] == "check_in"


def test_a_phq9_with_item_9_at_0_is_not_urgent_and_carries_no_crisis_text(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    body = _post_score(
        client, token_for, cast.nurse_a, cast.patient_a.id, "phq9", [2] * 8 + [0]
    ).json()
    assert body["urgent"] is False and body["alerts"] == [] and body["crisis_resources"] is None


def test_an_answer_out_of_range_is_refused_naming_the_item_and_nothing_is_stored(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    response = _post_score(
        client, token_for, cast.nurse_a, cast.patient_a.id, "gad7", [1, 1, 4, 1, 1, 1, 1]
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "gad7.item3", "message": body["detail"]},
    ]
    assert "item 3" in body["detail"] and "0–3" in body["detail"]
    assert db.scalar(select(func.count()).select_from(SymptomScore)) == 0


def test_a_missing_answer_and_a_non_number_are_refused_with_422(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    short = _post_score(client, token_for, cast.nurse_a, cast.patient_a.id, "gad7", [1] * 6)
    assert short.status_code == 422 and "needs 7 answers" in short.json()["detail"]
    word = _post_score(
        client, token_for, cast.nurse_a, cast.patient_a.id, "gad7", [1, "x", 1, 1, 1, 1, 1]
    )
    assert word.status_code == 422 and word.json()["errors"][0]["field"] == "answers.1"
    assert db.scalar(select(func.count()).select_from(SymptomScore)) == 0


def test_clinic_b_staff_get_404_for_clinic_a_patients_scores_state_and_alerts(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    urgent = _post_score(
        client, token_for, cast.nurse_a, cast.patient_a.id, "phq9", PHQ9_ITEM9_ONE
    ).json()
    headers = token_for(cast.nurse_b)
    patient = cast.patient_a.id
    assert _post_score(client, token_for, cast.nurse_b, patient, "gad7", [1] * 7).status_code == 404
    assert client.get(f"/api/patients/{patient}/symptom-scores", headers=headers).status_code == 404
    assert client.get(f"/api/patients/{patient}/outcome-state", headers=headers).status_code == 404
    ack = client.post(
        f"/api/patient-alerts/{urgent['alerts'][0]['id']}/acknowledge",
        json={"note": "called"},
        headers=headers,
    )
    assert ack.status_code == 404
    assert client.get("/api/patient-alerts", headers=headers).json()["total"] == 0


def test_staff_list_and_acknowledge_patient_alerts_with_a_note(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    urgent = _post_score(
        client, token_for, cast.nurse_a, cast.patient_a.id, "phq9", PHQ9_ITEM9_ONE
    ).json()
    headers = token_for(cast.prescriber_a)
    listed = client.get("/api/patient-alerts", headers=headers).json()
    assert [a["id"] for a in listed["items"]] == [urgent["alerts"][0]["id"]]
    ack = client.post(
        f"/api/patient-alerts/{listed['items'][0]['id']}/acknowledge",
        json={"note": "Called the patient; safety plan reviewed; seen tomorrow."},
        headers=headers,
    )
    assert ack.status_code == 200
    assert db.scalar(select(func.count()).select_from(PatientAlertAcknowledgement)) == 1
    assert client.get("/api/patient-alerts", headers=headers).json()["total"] == 0


def test_scores_are_listed_and_struck_through_the_api_and_the_state_follows(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_a)
    patient = cast.patient_a.id
    first = _post_score(client, token_for, cast.nurse_a, patient, "gad7", [2] * 7).json()
    second = _post_score(client, token_for, cast.nurse_a, patient, "gad7", [1] * 7).json()
    state = client.get(f"/api/patients/{patient}/outcome-state", headers=headers).json()
    assert [(s["instrument"], s["baseline_score"], s["latest_score"]) for s in state] == [
        ("gad7", 14, 7)
    ]
    struck = client.post(
        f"/api/symptom-scores/{second['score']['id']}/strike",
        json={"reason": "entered for the wrong patient"},
        headers=headers,
    )
    assert struck.status_code == 201
    listed = client.get(f"/api/patients/{patient}/symptom-scores", headers=headers).json()
    assert [s["id"] for s in listed["items"]] == [first["score"]["id"]]
    state = client.get(f"/api/patients/{patient}/outcome-state", headers=headers).json()
    assert state[0]["latest_score"] == 14 and state[0]["state"] == "not_started"


def _due_booster(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    course = course_in_loading(db, cast, clock)
    for day, total in ((date(2026, 3, 9), 9), (date(2026, 3, 17), 5)):
        move_to(clock, at(day))
        score(db, course.nurse, clock, cast.patient_a.id, total)
    complete_loading(db, course, clock)
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)
    db.commit()


def test_the_queue_is_read_and_a_booster_booked_through_the_api(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster(db, cast, clock)
    headers = token_for(cast.nurse_a)
    [item] = client.get("/api/care-queue", headers=headers).json()
    assert item["patient_name"] == "Alice Anders"
    assert item["reason"]["window_latest"] == "2026-04-07"
    assert len(item["slots"]) == 3
    slot = item["slots"][0]
    other_clinic = client.post(
        f"/api/care-queue/{item['id']}/book",
        json={k: slot[k] for k in ("start", "chair_id", "nurse_user_id")},
        headers=token_for(cast.nurse_b),
    )
    assert other_clinic.status_code == 404
    booked = client.post(
        f"/api/care-queue/{item['id']}/book",
        json={k: slot[k] for k in ("start", "chair_id", "nurse_user_id")},
        headers=headers,
    )
    assert booked.status_code == 201
    assert booked.json()["kind"] == "booked"
    assert db.get(TreatmentSession, booked.json()["session_id"]) is not None
    assert client.get("/api/care-queue", headers=headers).json() == []


def test_dismissing_through_the_api_needs_a_reason(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    _due_booster(db, cast, clock)
    headers = token_for(cast.prescriber_a)
    [item] = client.get("/api/care-queue?with_slots=false", headers=headers).json()
    empty = client.post(
        f"/api/care-queue/{item['id']}/dismiss", json={"reason": ""}, headers=headers
    )
    assert empty.status_code == 422
    assert db.scalar(select(BoosterDecision)) is None
    done = client.post(
        f"/api/care-queue/{item['id']}/dismiss",
        json={"reason": "patient travelling; re-check in a week"},
        headers=headers,
    )
    assert done.status_code == 201 and done.json()["kind"] == "dismissed"
