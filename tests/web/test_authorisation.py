"""Who may see what: staff their clinic, a patient their own record, admins the trail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent
from ketacare.db.models.audit import AuditOutcome


def test_a_nurse_of_another_clinic_gets_404_for_a_patient_and_the_attempt_is_audited(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/patients/{cast.patient_a.id}", headers=token_for(cast.nurse_b))
    assert response.status_code == 404
    assert response.json()["detail"] == f"patient {cast.patient_a.id} was not found"
    denied = db.scalars(select(AuditEvent).where(AuditEvent.outcome == AuditOutcome.DENIED)).all()
    assert [(e.actor_user_id, e.action, e.patient_id) for e in denied] == [
        (cast.nurse_b.id, "patient.read", cast.patient_a.id)
    ]
    assert denied[0].request_id == response.headers["X-Request-ID"]


def test_the_404_for_another_clinics_patient_looks_like_a_missing_one(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_b)
    foreign = client.get(f"/api/patients/{cast.patient_a.id}", headers=headers).json()
    missing = client.get("/api/patients/999999", headers=headers).json()
    assert foreign["status"] == missing["status"] == 404
    assert foreign["code"] == missing["code"] == "not_found"


def test_a_nurse_reads_her_own_clinics_patient_and_the_read_is_audited(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/patients/{cast.patient_a.id}", headers=token_for(cast.nurse_a))
    assert response.status_code == 200
    assert response.json()["family_name"] == "Anders"
    reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "patient.read")).all()
    assert [(e.actor_user_id, e.outcome) for e in reads] == [
        (cast.nurse_a.id, AuditOutcome.ALLOWED)
    ]


def test_staff_list_only_their_own_clinics_patients(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/patients", headers=token_for(cast.nurse_a)).json()
    assert {p["family_name"] for p in body["items"]} == {"Anders", "Other"}
    assert body["total"] == 2
    body_b = client.get("/api/patients", headers=token_for(cast.nurse_b)).json()
    assert {p["family_name"] for p in body_b["items"]} == {"Brandt"}


def test_a_patient_reads_their_own_record_and_nobody_elses(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.patient_user_a)
    assert client.get(f"/api/patients/{cast.patient_a.id}", headers=headers).status_code == 200
    assert (
        client.get(f"/api/patients/{cast.other_patient_a.id}", headers=headers).status_code == 404
    )
    assert client.get("/api/patients", headers=headers).status_code == 403


def test_only_an_admin_reads_the_audit_trail_and_only_their_clinics(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    client.get(f"/api/patients/{cast.patient_a.id}", headers=token_for(cast.nurse_b))
    client.get(f"/api/patients/{cast.patient_a.id}", headers=token_for(cast.nurse_a))
    assert client.get("/api/audit", headers=token_for(cast.nurse_a)).status_code == 403
    trail = client.get(
        "/api/audit",
        params={"patient_id": cast.patient_a.id, "action": "patient.read"},
        headers=token_for(cast.admin_a),
    ).json()
    # The clinic-B nurse's denied attempt is recorded under clinic B, not shown to clinic A.
    assert [(e["action"], e["outcome"]) for e in trail["items"]] == [("patient.read", "allowed")]
    denied = client.get(
        "/api/audit", params={"outcome": "denied"}, headers=token_for(cast.admin_a)
    ).json()
    assert [e["action"] for e in denied["items"]] == ["audit.list"]


def test_the_api_refuses_a_request_without_a_token(client, cast) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/patients/{cast.patient_a.id}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]
