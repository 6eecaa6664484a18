"""Whole sessions through the API with a simulated clock: IV and esketamine, each with a
pre-dose hold released by a prescriber, an in-session alert acknowledged, the discharge gate
refusing too early and allowing later, and the controlled-substance log reconciled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentSession
from ketacare.domain.routes import Route
from ketacare.services.clock import FixedClock
from tests.factories.courses import consented_course
from tests.services.session_support import START, chairs
from tests.web.chair_support import count

NORMAL = {"systolic_mmhg": 126, "diastolic_mmhg": 80, "heart_rate_bpm": 76, "spo2_pct": 98}


def _ok(response, status: int = 200) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text
    return response.json()


def _start(client, cast, db, clock, headers, route: str, device_count=None) -> int:  # type: ignore[no-untyped-def]
    chair = chairs(db, cast.clinic_a)[0]
    course = consented_course(db, clock=clock, patient_id=cast.patient_a.id, route=Route(route))
    db.commit()
    body = {
        "patient_id": cast.patient_a.id,
        "start": START.isoformat(),
        "chair_id": chair.id,
        "nurse_user_id": cast.nurse_a.id,
        "course_id": course.id,
        "route": route,
    }
    if device_count:
        body["device_count"] = device_count
    session_id = _ok(client.post("/api/sessions", json=body, headers=headers), 201)["id"]
    clock.current = START
    _ok(
        client.post(
            f"/api/sessions/{session_id}/check-in",
            headers=headers,
            json={
                "hours_since_food": 6,
                "minutes_since_liquids": 90,
                "escort_confirmed": True,
                "escort_name": "Bob Escort",
                "drugs_taken_today": [],
            },
        )
    )
    return session_id


def _hold_and_release(client, session_id: int, nurse: dict, prescriber: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    reading = _ok(
        client.post(
            f"/api/sessions/{session_id}/vitals",
            headers=nurse,
            json=NORMAL | {"systolic_mmhg": 148, "diastolic_mmhg": 88},
        ),
        201,
    )
    assert reading["reading"]["phase"] == "pre_dose"
    check = _ok(client.post(f"/api/sessions/{session_id}/predose-check", headers=nurse, json={}))
    assert check["outcome"] == "hold"
    assert [f["rule_id"] for f in check["findings"]] == ["vitals.predose_bp_hold"]
    refused = client.post(
        f"/api/sessions/{session_id}/predose-decision",
        headers=nurse,
        json={"release": True, "reason": "I think it is fine"},
    )
    assert refused.status_code == 403
    _ok(
        client.post(
            f"/api/sessions/{session_id}/predose-decision",
            headers=prescriber,
            json={"release": True, "reason": "White-coat pattern, usual 135/85."},
        )
    )


def _alert_and_acknowledge(client, session_id: int, nurse: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    high = _ok(
        client.post(
            f"/api/sessions/{session_id}/vitals",
            headers=nurse,
            json=NORMAL | {"systolic_mmhg": 166, "diastolic_mmhg": 92},
        ),
        201,
    )
    [alert] = high["alerts"]
    assert (alert["rule_id"], alert["level"]) == ("vitals.session_bp", "caution")
    assert [
        a["id"]
        for a in _ok(client.get(f"/api/sessions/{session_id}/alerts?open=true", headers=nurse))
    ] == [alert["id"]]
    done = _ok(
        client.post(
            f"/api/alerts/{alert['id']}/acknowledge",
            headers=nurse,
            json={"note": "Reassured; repeat in 5 minutes."},
        )
    )
    assert done["acknowledgement_note"] == "Reassured; repeat in 5 minutes."
    assert _ok(client.get(f"/api/sessions/{session_id}/alerts?open=true", headers=nurse)) == []


def _recovered(client, session_id: int, nurse: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    _ok(
        client.post(
            f"/api/sessions/{session_id}/vitals", headers=nurse, json=NORMAL | {"moaas": 5}
        ),
        201,
    )
    _ok(
        client.post(
            f"/api/sessions/{session_id}/scores",
            headers=nurse,
            json={"kind": "cadss6", "answers": [0, 0, 0, 0, 0, 0]},
        ),
        201,
    )


def test_a_whole_iv_session_from_booking_to_signed_note(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse, prescriber = token_for(cast.nurse_a), token_for(cast.prescriber_a)
    lot = _ok(
        client.post(
            "/api/controlled-substances/receipts",
            headers=nurse,
            json={
                "drug": "ketamine_hcl",
                "lot_number": "K-7",
                "expiry": "2027-01-31",
                "quantity_mg": 500,
                "concentration_mg_per_ml": 10,
            },
        ),
        201,
    )["lot_id"]
    session_id = _start(client, cast, db, clock, nurse, "iv")
    _hold_and_release(client, session_id, nurse, prescriber)
    _ok(
        client.post(
            "/api/controlled-substances/draws",
            headers=nurse,
            json={"lot_id": lot, "session_id": session_id, "quantity_mg": 50},
        ),
        201,
    )
    dose = _ok(
        client.post(
            f"/api/sessions/{session_id}/dosing",
            headers=nurse,
            json={"drug": "ketamine_hcl", "dose_mg": 35, "weight_kg": 70, "lot_id": lot},
        ),
        201,
    )
    assert (dose["dose_mg_per_kg"], dose["lot_number"]) == (0.5, "K-7")
    clock.advance(minutes=10)
    _alert_and_acknowledge(client, session_id, nurse)
    clock.advance(minutes=30)
    _ok(client.post(f"/api/sessions/{session_id}/dosing/end", headers=nurse))
    _ok(
        client.post(
            "/api/controlled-substances/wastes",
            headers=nurse,
            json={
                "lot_id": lot,
                "session_id": session_id,
                "quantity_mg": 15,
                "witness_user_id": cast.prescriber_a.id,
            },
        ),
        201,
    )
    clock.advance(minutes=30)  # 30 min after the infusion: the 60-min observation is not over
    _recovered(client, session_id, nurse)
    early = client.post(
        f"/api/sessions/{session_id}/discharge", headers=nurse, json={"escort_name": "Bob Escort"}
    )
    assert early.status_code == 422
    assert [f["rule_id"] for f in early.json()["findings"]] == [
        "discharge.minimum_observation_racemic"
    ]
    clock.advance(minutes=31)
    _ok(client.post(f"/api/sessions/{session_id}/recovery", headers=nurse))
    _recovered(client, session_id, nurse)
    done = _ok(
        client.post(
            f"/api/sessions/{session_id}/discharge",
            headers=nurse,
            json={"escort_name": "Bob Escort"},
        ),
        201,
    )
    assert any("Do not drive" in i for i in done["instructions"])
    [draft] = _ok(client.get(f"/api/sessions/{session_id}/notes", headers=nurse))
    assert draft["generated"] and "ketamine_hcl 35 mg (0.5 mg/kg)" in draft["text"]
    signed = _ok(
        client.post(
            f"/api/sessions/{session_id}/notes",
            headers=prescriber,
            json={"text": draft["text"] + "\nTolerated well.", "sign": True},
        ),
        201,
    )
    assert signed["signed"] and signed["version"] == 2
    detail = _ok(client.get(f"/api/sessions/{session_id}", headers=nurse))
    assert detail["session"]["status"] == "discharged"
    assert [e["to_status"] for e in detail["events"]][-1] == "discharged"
    report = _ok(client.get("/api/controlled-substances/reconciliation", headers=nurse))
    assert report["balanced"] and report["balances"][0]["balance_mg"] == 450


def test_a_whole_esketamine_session_is_discharged_at_125_minutes_not_at_90(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse, prescriber = token_for(cast.nurse_a), token_for(cast.prescriber_a)
    lot = _ok(
        client.post(
            "/api/controlled-substances/receipts",
            headers=nurse,
            json={
                "drug": "esketamine",
                "lot_number": "E-1",
                "expiry": "2027-06-30",
                "quantity_mg": 280,
            },
        ),
        201,
    )["lot_id"]
    session_id = _start(client, cast, db, clock, nurse, "esketamine_nasal", device_count=2)
    _hold_and_release(client, session_id, nurse, prescriber)
    _ok(
        client.post(
            "/api/controlled-substances/draws",
            headers=nurse,
            json={"lot_id": lot, "session_id": session_id, "quantity_mg": 56},
        ),
        201,
    )
    wrong = client.post(
        f"/api/sessions/{session_id}/dosing",
        headers=nurse,
        json={"drug": "esketamine", "dose_mg": 84, "device_count": 3, "lot_id": lot},
    )
    assert wrong.status_code == 422  # day 1 of a 40-year-old is 56 mg on the label
    _ok(
        client.post(
            f"/api/sessions/{session_id}/dosing",
            headers=nurse,
            json={"drug": "esketamine", "dose_mg": 56, "device_count": 2, "lot_id": lot},
        ),
        201,
    )
    clock.advance(minutes=5)
    _ok(client.post(f"/api/sessions/{session_id}/dosing/end", headers=nurse))
    clock.advance(minutes=35)  # the 40-minute check
    _alert_and_acknowledge(client, session_id, nurse)
    cadence = _ok(client.get(f"/api/sessions/{session_id}/cadence", headers=nurse))
    assert cadence["overdue"] is False
    clock.advance(minutes=50)  # 90 minutes after the first device
    _recovered(client, session_id, nurse)
    early = client.post(
        f"/api/sessions/{session_id}/discharge", headers=nurse, json={"escort_name": "Bob Escort"}
    )
    assert early.status_code == 422
    assert [f["rule_id"] for f in early.json()["findings"]] == [
        "discharge.minimum_observation_esketamine"
    ]
    clock.advance(minutes=35)  # 125 minutes
    _recovered(client, session_id, nurse)
    check = _ok(client.get(f"/api/sessions/{session_id}/discharge-check", headers=nurse))
    assert check["allowed"]
    done = _ok(
        client.post(
            f"/api/sessions/{session_id}/discharge",
            headers=nurse,
            json={"escort_name": "Bob Escort"},
        ),
        201,
    )
    assert done["discharged_at"].startswith("2026-03-02T17:05")
    assert _ok(client.get("/api/controlled-substances/reconciliation", headers=nurse))["balanced"]


def test_two_bookings_of_one_chair_at_overlapping_times_the_second_is_refused_with_the_conflict(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    alice, olga = (
        consented_course(db, clock=clock, patient_id=p.id).id
        for p in (cast.patient_a, cast.other_patient_a)
    )
    db.commit()
    body = {
        "start": START.isoformat(),
        "chair_id": chair.id,
        "nurse_user_id": cast.nurse_a.id,
        "route": "iv",
    }
    first = _ok(
        client.post(
            "/api/sessions",
            headers=headers,
            json=body | {"patient_id": cast.patient_a.id, "course_id": alice},
        ),
        201,
    )
    later = (START + timedelta(minutes=60)).isoformat()
    second = client.post(
        "/api/sessions",
        headers=headers,
        json=body | {"patient_id": cast.other_patient_a.id, "course_id": olga, "start": later},
    )
    assert second.status_code == 409
    assert (
        f"Chair 1 is already booked from 2026-03-02 15:00 to 16:55 UTC by session {first['id']}"
        in (second.json()["detail"])
    )


def test_a_block_at_the_pre_dose_gate_cannot_be_overridden(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse, prescriber = token_for(cast.nurse_a), token_for(cast.prescriber_a)
    session_id = _start(client, cast, db, clock, nurse, "iv")
    _ok(
        client.post(
            f"/api/sessions/{session_id}/vitals",
            headers=nurse,
            json=NORMAL | {"systolic_mmhg": 184, "diastolic_mmhg": 96},
        ),
        201,
    )
    check = _ok(client.post(f"/api/sessions/{session_id}/predose-check", headers=nurse, json={}))
    assert check["outcome"] == "block"
    release = client.post(
        f"/api/sessions/{session_id}/predose-decision",
        headers=prescriber,
        json={"release": True, "reason": "try anyway"},
    )
    assert release.status_code == 422
    assert "cannot be overridden" in release.json()["detail"]
    illegal = client.post(f"/api/sessions/{session_id}/dosing/end", headers=nurse)
    assert illegal.status_code == 409
    assert "cannot become monitoring" in illegal.json()["detail"]
    _ok(
        client.post(
            f"/api/sessions/{session_id}/stop",
            headers=nurse,
            json={"reason": "BP 184/96: not today"},
        )
    )


def test_booking_without_a_course_id_is_a_422_naming_course_id_and_books_nothing(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    db.commit()
    body = {
        "patient_id": cast.patient_a.id,
        "start": START.isoformat(),
        "chair_id": chair.id,
        "nurse_user_id": cast.nurse_a.id,
        "route": "iv",
    }
    response = client.post("/api/sessions", headers=headers, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["course_id"]
    assert count(db, TreatmentSession) == 0


def test_booking_another_patients_course_through_the_api_is_refused_naming_course_id(
    client, cast, token_for, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_a)
    chair = chairs(db, cast.clinic_a)[0]
    olgas = consented_course(db, clock=clock, patient_id=cast.other_patient_a.id)
    db.commit()
    response = client.post(
        "/api/sessions",
        headers=headers,
        json={
            "patient_id": cast.patient_a.id,
            "start": START.isoformat(),
            "chair_id": chair.id,
            "nurse_user_id": cast.nurse_a.id,
            "course_id": olgas.id,
        },
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["course_id"]
    assert "is not a treatment course of this patient" in response.json()["detail"]
    assert count(db, TreatmentSession) == 0
