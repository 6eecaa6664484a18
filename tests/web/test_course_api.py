"""The patient's course through the JSON API: register → intake → screening → review → consent
→ plan, as a new clinic would run it; bad input; who may do what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Intake, Patient, Role
from ketacare.db.models.audit import AuditOutcome
from ketacare.services import clinics
from ketacare.services.actors import Actor
from tests.conftest import PASSWORD

GAD7 = [2, 2, 2, 2, 2, 2, 2]
PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 0]


def intake_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "diagnoses": ["gad"],
        "psychiatric_history": "GAD for 10 years",
        "medications": [
            {"name": "Zoloft", "dose_mg": 100, "frequency": "once daily", "daily_dose_mg": 100}
        ],
        "prior_trials": [
            {
                "kind": "drug",
                "name": "sertraline",
                "weeks": 10,
                "outcome": "failed",
                "daily_dose_mg": 150,
            },
            {
                "kind": "drug",
                "name": "escitalopram",
                "weeks": 8,
                "outcome": "failed",
                "daily_dose_mg": 20,
            },
            {"kind": "psychotherapy", "name": "CBT", "weeks": 12, "outcome": "partial"},
        ],
        "pregnancy_status": "not_pregnant",
        "resting_bp": [{"systolic_mmhg": 122, "diastolic_mmhg": 78}],
        "gad7": GAD7,
        "phq9": PHQ9,
    }
    body.update(changes)
    return body


def register(client, headers, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {
        "given_name": "Nora",
        "family_name": "Newman",
        "date_of_birth": "1988-04-02",
        "sex": "female",
        "email": "nora@example.org",
        "weight_kg": 70,
        "height_cm": 168,
        "usual_escort_name": "Sam Newman",
        "usual_escort_phone": "555-0101",
    }
    body.update(changes)
    response = client.post("/api/patients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_scripted_journey_runs_end_to_end_and_every_step_is_audited(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse, doc, doc2 = (
        token_for(cast.nurse_a),
        token_for(cast.prescriber_a),
        token_for(cast.second_prescriber_a),
    )
    patient = register(client, nurse)
    pid = patient["id"]
    intake = client.post(
        f"/api/patients/{pid}/intake",
        headers=nurse,
        json=intake_body(conditions=["stroke_history"]),
    )
    assert intake.status_code == 201, intake.text
    assert intake.json()["data"]["medications"][0]["name"] == "sertraline"

    first = client.post(f"/api/patients/{pid}/screenings", headers=nurse).json()
    assert first["verdict"] == "not_eligible"
    assert any(f["severity"] == "block" for f in first["findings"])
    assert first["policy_version"] == 0
    refused = client.post(
        f"/api/patients/{pid}/courses", headers=doc, json={"route": "iv", "starts_on": "2026-03-09"}
    )
    assert refused.status_code == 409

    amended = client.post(
        f"/api/patients/{pid}/intake/amendments",
        headers=nurse,
        json={"reason": "stroke was a TIA ruled out by neurology", "intake": intake_body()},
    )
    assert amended.status_code == 201 and amended.json()["version"] == 2
    history = client.get(f"/api/patients/{pid}/screenings", headers=nurse).json()
    assert history["total"] == 2
    second = history["items"][0]
    assert second["verdict"] != "not_eligible" and second["is_current"]
    assert not history["items"][1]["is_current"]

    # The earlier, not-eligible screening is history now; the journey overrides a fresh
    # not-eligible one: add the contraindication back, then override with a co-signature.
    client.post(
        f"/api/patients/{pid}/intake/amendments",
        headers=nurse,
        json={
            "reason": "neurology letter confirms the stroke",
            "intake": intake_body(conditions=["stroke_history"]),
        },
    )
    blocked = client.get(f"/api/patients/{pid}/screenings", headers=nurse).json()["items"][0]
    assert blocked["verdict"] == "not_eligible"
    no_reason = client.post(
        f"/api/screenings/{blocked['id']}/reviews", headers=doc, json={"decision": "override"}
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    overridden = client.post(
        f"/api/screenings/{blocked['id']}/reviews",
        headers=doc,
        json={"decision": "override", "reason": "remote minor stroke, cardiology cleared"},
    ).json()
    assert overridden["status"] == "awaiting_cosignature"
    review_id = overridden["reviews"][0]["id"]
    self_cosign = client.post(
        f"/api/screenings/reviews/{review_id}/cosignature", headers=doc, json={}
    )
    assert self_cosign.status_code == 403
    cosigned = client.post(
        f"/api/screenings/reviews/{review_id}/cosignature", headers=doc2, json={"note": "agree"}
    ).json()
    assert cosigned["status"] == "cleared"
    assert cosigned["reviews"][0]["cosigner_user_id"] == cast.second_prescriber_a.id

    course = client.post(
        f"/api/patients/{pid}/courses", headers=doc, json={"route": "iv", "starts_on": "2026-03-09"}
    )
    assert course.status_code == 201, course.text
    cid = course.json()["id"]
    consent = client.post(f"/api/courses/{cid}/consents", headers=nurse, json={})
    assert consent.status_code == 201 and consent.json()["status"] == "current"

    plan = client.post(f"/api/courses/{cid}/plan", headers=doc, json={})
    assert plan.status_code == 201, plan.text
    body = plan.json()
    assert body["next_mg_per_kg"] == 0.5 and body["next_dose_mg"] == 35.0
    assert len(body["schedule"]) == 6 and body["status"] == "loading"

    actions = {
        e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.patient_id == pid)).all()
    }
    assert {
        "patient.register",
        "patient.measurement.record",
        "intake.record",
        "intake.amend",
        "screening.run",
        "screening.review",
        "screening.cosign",
        "course.create",
        "consent.record",
        "plan.create",
    } <= actions


def test_an_amended_intake_keeps_the_old_version_readable_and_rescreens(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse = token_for(cast.nurse_a)
    pid = register(client, nurse)["id"]
    client.post(f"/api/patients/{pid}/intake", headers=nurse, json=intake_body())
    client.post(f"/api/patients/{pid}/screenings", headers=nurse)
    changed = intake_body(medications=[{"name": "alprazolam", "daily_dose_mg": 2}])
    response = client.post(
        f"/api/patients/{pid}/intake/amendments",
        headers=nurse,
        json={"reason": "patient forgot her Xanax", "intake": changed},
    )
    assert response.status_code == 201
    versions = client.get(f"/api/patients/{pid}/intake/versions", headers=nurse).json()
    assert [v["version"] for v in versions["items"]] == [2, 1]
    assert versions["items"][1]["data"]["medications"][0]["name"] == "sertraline"
    assert versions["items"][0]["supersedes_id"] == versions["items"][1]["id"]
    assert versions["items"][0]["amendment_reason"] == "patient forgot her Xanax"
    screenings = client.get(f"/api/patients/{pid}/screenings", headers=nurse).json()
    assert screenings["total"] == 2
    assert screenings["items"][0]["intake_id"] == versions["items"][0]["id"]
    assert _count(db, Intake) == 2


def test_bad_registration_input_names_the_field_and_changes_nothing(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse = token_for(cast.nurse_a)
    before = _count(db, Patient)
    cases = [
        ({"weight_kg": 0}, "weight_kg"),
        ({"weight_kg": 900}, "weight_kg"),
        ({"date_of_birth": "2027-01-01"}, "date_of_birth"),
        ({"given_name": "  "}, "given_name"),
        ({"sex": "robot"}, "sex"),
    ]
    for change, field in cases:
        body = {
            "given_name": "Nora",
            "family_name": "Newman",
            "date_of_birth": "1988-04-02",
            "sex": "female",
            "weight_kg": 70,
            **change,
        }
        response = client.post("/api/patients", json=body, headers=nurse)
        assert response.status_code == 422, change
        assert response.json()["errors"][0]["field"] == field, response.json()
    assert _count(db, Patient) == before


def test_bad_intake_input_names_the_field_and_changes_nothing(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse = token_for(cast.nurse_a)
    pid = register(client, nurse)["id"]
    cases = [
        (intake_body(gad7=[0, 0, 0, 4, 0, 0, 0]), "gad7.item4", "GAD-7 item 4"),
        (
            intake_body(medications=[{"name": "notadrugazine"}]),
            "medications[0].name",
            "notadrugazine",
        ),
        (
            intake_body(prior_trials=[{"name": "madeupamine", "weeks": 8, "outcome": "failed"}]),
            "prior_trials[0].name",
            "madeupamine",
        ),
        (intake_body(diagnoses=["ptsd"]), "pcl5", "PCL-5"),
    ]
    for body, field, words in cases:
        response = client.post(f"/api/patients/{pid}/intake", headers=nurse, json=body)
        assert response.status_code == 422, field
        problem = response.json()
        assert problem["errors"][0]["field"] == field
        assert words in problem["detail"]
    assert _count(db, Intake) == 0


def test_a_nurse_cannot_review_a_screening_and_the_attempt_is_audited(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse = token_for(cast.nurse_a)
    pid = register(client, nurse)["id"]
    client.post(
        f"/api/patients/{pid}/intake",
        headers=nurse,
        json=intake_body(conditions=["stroke_history"]),
    )
    sid = client.post(f"/api/patients/{pid}/screenings", headers=nurse).json()["id"]
    response = client.post(
        f"/api/screenings/{sid}/reviews",
        headers=nurse,
        json={"decision": "override", "reason": "I think it is fine"},
    )
    assert response.status_code == 403
    denied = db.scalars(select(AuditEvent).where(AuditEvent.outcome == AuditOutcome.DENIED)).all()
    assert [(e.action, e.actor_user_id) for e in denied] == [("screening.review", cast.nurse_a.id)]


def _planned_course(client, cast, token_for) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    nurse, doc = token_for(cast.nurse_a), token_for(cast.prescriber_a)
    pid = cast.patient_a.id
    client.post(
        f"/api/patients/{pid}/measurements", headers=nurse, json={"weight_kg": 64, "height_cm": 165}
    )
    client.post(f"/api/patients/{pid}/intake", headers=nurse, json=intake_body())
    screening = client.post(f"/api/patients/{pid}/screenings", headers=nurse).json()
    decision = "accept" if screening["verdict"] == "eligible" else "clear"
    client.post(
        f"/api/screenings/{screening['id']}/reviews",
        headers=doc,
        json={"decision": decision, "reason": "reviewed with the patient"},
    )
    cid = client.post(
        f"/api/patients/{pid}/courses", headers=doc, json={"route": "iv", "starts_on": "2026-03-09"}
    ).json()["id"]
    assert client.post(f"/api/courses/{cid}/plan", headers=doc, json={}).status_code == 201
    return pid, cid


def test_a_patient_reads_their_own_plan_and_nobody_elses(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    _, cid = _planned_course(client, cast, token_for)
    own = client.get(f"/api/courses/{cid}/plan", headers=token_for(cast.patient_user_a))
    assert own.status_code == 200
    assert own.json()["flags"]  # no integration work yet
    other = token_for(cast.nurse_b)
    assert client.get(f"/api/courses/{cid}/plan", headers=other).status_code == 404


def test_another_patient_cannot_read_the_plan(client, cast, token_for, db: Session, clock) -> None:  # type: ignore[no-untyped-def]
    _, cid = _planned_course(client, cast, token_for)
    olga = clinics.create_user(
        session=db,
        actor=Actor.system("setup", cast.clinic_a.id),
        clock=clock,
        email="olga@a.example",
        full_name="Olga",
        role=Role.PATIENT,
        password=PASSWORD,
        clinic_id=cast.clinic_a.id,
        patient_id=cast.other_patient_a.id,
    )
    db.commit()
    response = client.get(f"/api/courses/{cid}/plan", headers=token_for(olga))
    assert response.status_code == 404


def test_plan_adjustments_are_new_versions_with_reason_and_author(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    doc = token_for(cast.prescriber_a)
    _, cid = _planned_course(client, cast, token_for)
    adjusted = client.post(
        f"/api/courses/{cid}/plan/adjustments",
        headers=doc,
        json={
            "outcomes": [
                {"session_number": 1, "improvement_pct": 10, "tolerated": True, "mg_per_kg": 0.5}
            ]
        },
    )
    assert adjusted.status_code == 201, adjusted.text
    assert adjusted.json()["change"] == "titrate_up"
    assert adjusted.json()["next_mg_per_kg"] == 0.6
    integration = client.post(
        f"/api/courses/{cid}/plan/integration",
        headers=doc,
        json={"therapist_name": "Dr Kim", "therapist_role": "therapist"},
    )
    assert integration.status_code == 201
    client.post(
        f"/api/courses/{cid}/integration-sessions",
        headers=doc,
        json={"held_on": "2026-03-01", "facilitator": "Dr Kim"},
    )
    current = client.get(f"/api/courses/{cid}/plan", headers=doc).json()
    assert current["flags"] == [] and current["plan"]["version"] == 3
    assert current["plan"]["next_mg_per_kg"] == 0.6
    stopped = client.post(
        f"/api/courses/{cid}/plan/stop", headers=doc, json={"reason": "patient chose to stop"}
    ).json()
    assert stopped["status"] == "stopped" and stopped["author_user_id"] == cast.prescriber_a.id
    versions = client.get(f"/api/courses/{cid}/plan/versions", headers=doc).json()
    assert [v["change"] for v in versions["items"]] == [
        "stop",
        "integration",
        "titrate_up",
        "created",
    ]
    nurse_try = client.post(
        f"/api/courses/{cid}/plan/stop", headers=token_for(cast.nurse_a), json={"reason": "x"}
    )
    assert nurse_try.status_code == 403


def test_the_invitation_page_sets_the_password_once(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_bad_input import csrf_from

    issued = client.post(
        f"/api/patients/{cast.other_patient_a.id}/invitation", headers=token_for(cast.nurse_a)
    )
    assert issued.status_code == 201
    path = issued.json()["path"]
    form = client.get(path)
    assert form.status_code == 200 and "olga@example.org" in form.text
    data = {
        "password": "a-long-new-password",
        "confirm": "a-long-new-password",
        "csrf_token": csrf_from(form.text),
    }
    assert "Your password is set" in client.post(path, data=data).text
    signed_in = client.post(
        "/api/auth/token", json={"email": "olga@example.org", "password": "a-long-new-password"}
    )
    assert signed_in.status_code == 200
    assert client.get(path).status_code == 404
