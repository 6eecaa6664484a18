"""Editing a patient's contact details from the chart (`/patients/{id}/contact`) and through the
API (`PATCH /api/patients/{id}`): refusals beside the field with nothing changed, another
clinic's patient is not found, and each change leaves an audit row with before and after."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Patient
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in

CONTACT = {
    "email": "alice@a.example",
    "phone": "0113 496 0000",
    "address": "2 Park Row, Leeds",
    "emergency_contact_name": "Ben Anders",
    "emergency_contact_phone": "0113 496 0001",
    "emergency_contact_relationship": "brother",
    "usual_escort_name": "Ben Anders",
    "usual_escort_phone": "0113 496 0001",
}


def _post_contact(client, patient_id: int, **values: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/patients/{patient_id}/contact").text)
    data = {**CONTACT, "reason": "the patient has moved", **values, "csrf_token": token}
    return client.post(f"/patients/{patient_id}/contact", data=data, follow_redirects=False)


def _audits(db: Session, patient_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.patient_id == patient_id, AuditEvent.action == "patient.contact.update"
    )
    return list(db.scalars(query.order_by(AuditEvent.id)))


def test_the_chart_shows_the_contact_details_and_links_to_the_edit_form(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    chart = client.get(f"/patients/{cast.patient_a.id}")
    assert 'id="contact"' in chart.text
    assert f'href="/patients/{cast.patient_a.id}/contact"' in chart.text
    form = client.get(f"/patients/{cast.patient_a.id}/contact")
    assert form.status_code == 200
    assert "Edit contact details" in form.text and "No changes since registration" in form.text


def test_saving_the_form_changes_the_details_and_lists_the_change(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    patient_id = cast.patient_a.id
    answer = _post_contact(client, patient_id)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/patients/{patient_id}#contact"
    db.expire_all()
    assert db.get(Patient, patient_id).address == "2 Park Row, Leeds"  # type: ignore[union-attr]
    [row] = _audits(db, patient_id)
    assert row.detail["changes"]["address"] == {"before": "", "after": "2 Park Row, Leeds"}
    assert row.detail["reason"] == "the patient has moved"
    history = client.get(f"/patients/{patient_id}/contact").text
    assert "the patient has moved" in history and "2 Park Row, Leeds" in history


def test_a_bad_phone_is_refused_beside_the_field_with_nothing_changed(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    patient_id = cast.patient_a.id
    before = db.get(Patient, patient_id).phone  # type: ignore[union-attr]
    answer = _post_contact(client, patient_id, emergency_contact_phone="ring Ben")
    assert answer.status_code == 422
    # The error sits beside its input, which keeps the typed value.
    assert 'id="emergency_contact_phone-error"' in answer.text
    assert 'value="ring Ben"' in answer.text
    assert "is not a phone number" in answer.text
    db.expire_all()
    patient = db.get(Patient, patient_id)
    assert patient is not None and patient.phone == before and patient.address == ""
    assert _audits(db, patient_id) == []


def test_a_missing_reason_is_refused_beside_the_reason(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    answer = _post_contact(client, cast.patient_a.id, reason="")
    assert answer.status_code == 422
    assert 'id="reason-error"' in answer.text
    assert _audits(db, cast.patient_a.id) == []


def test_another_clinics_patient_is_not_found_on_the_page(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    assert client.get(f"/patients/{cast.patient_b.id}/contact").status_code == 404
    token = csrf_from(client.get(f"/patients/{cast.patient_a.id}/contact").text)
    answer = client.post(
        f"/patients/{cast.patient_b.id}/contact",
        data={**CONTACT, "reason": "x", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    db.expire_all()
    assert db.get(Patient, cast.patient_b.id).address == ""  # type: ignore[union-attr]


def test_the_api_patch_changes_only_the_fields_sent(client, cast, token_for, db: Session) -> None:  # type: ignore[no-untyped-def]
    patient = cast.patient_a
    email_before = patient.email
    answer = client.patch(
        f"/api/patients/{patient.id}",
        json={"phone": "0113 496 0002", "reason": "new mobile"},
        headers=token_for(cast.prescriber_a),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["phone"] == "0113 496 0002"
    assert answer.json()["email"] == email_before
    [row] = _audits(db, patient.id)
    assert list(row.detail["changes"]) == ["phone"]


def test_the_api_refuses_a_bad_email_naming_the_field_and_changes_nothing(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    patient = cast.patient_a
    before = patient.email
    answer = client.patch(
        f"/api/patients/{patient.id}",
        json={"email": "alice-at-home", "phone": "0113 496 0002", "reason": "moved"},
        headers=token_for(cast.nurse_a),
    )
    assert answer.status_code == 422
    assert "email" in answer.text
    db.expire_all()
    assert db.get(Patient, patient.id).email == before  # type: ignore[union-attr]
    assert _audits(db, patient.id) == []


def test_the_api_refuses_names_and_birth_date_as_contact_details(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    answer = client.patch(
        f"/api/patients/{cast.patient_a.id}",
        json={"family_name": "Else", "reason": "married"},
        headers=token_for(cast.nurse_a),
    )
    assert answer.status_code == 422


def test_the_api_answers_404_for_another_clinics_patient_and_403_for_the_patient(
    client, cast, token_for
) -> None:  # type: ignore[no-untyped-def]
    body = {"phone": "0113 496 0002", "reason": "moved"}
    other = client.patch(
        f"/api/patients/{cast.patient_b.id}", json=body, headers=token_for(cast.nurse_a)
    )
    assert other.status_code == 404
    own = client.patch(
        f"/api/patients/{cast.patient_a.id}", json=body, headers=token_for(cast.patient_user_a)
    )
    assert own.status_code == 403
