"""Changing a patient's contact details after registration: staff only, validated field by
field (nothing changed on a refusal), audited with every changed value before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent
from ketacare.db.models.audit import AuditOutcome
from ketacare.domain.errors import Forbidden, InvalidInput, NotFound
from ketacare.services import patient_contact
from ketacare.services.actors import Actor


def _update(db: Session, clock, actor: Actor, patient_id: int, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("reason", "the patient has moved")
    return patient_contact.update_contact_details(
        session=db, actor=actor, clock=clock, patient_id=patient_id, **fields
    )


def _contact_audits(db: Session, patient_id: int) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.patient_id == patient_id, AuditEvent.action == "patient.contact.update"
            )
            .order_by(AuditEvent.id)
        )
    )


def test_a_nurse_changes_phone_and_address_and_the_audit_keeps_before_and_after(
    db: Session, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    patient = cast.patient_a
    old_phone, old_email = patient.phone, patient.email
    _update(
        db,
        clock,
        Actor.for_user(cast.nurse_a),
        patient.id,
        phone=" +44 20 7946 0018 ",
        address="1 New Street\nLeeds",
        email=old_email,  # given but unchanged: not in the audit's changes
    )
    assert patient.phone == "+44 20 7946 0018"
    assert patient.address == "1 New Street\nLeeds"
    [row] = _contact_audits(db, patient.id)
    assert row.outcome is AuditOutcome.ALLOWED
    assert row.actor_user_id == cast.nurse_a.id
    assert row.detail == {
        "reason": "the patient has moved",
        "changes": {
            "phone": {"before": old_phone, "after": "+44 20 7946 0018"},
            "address": {"before": "", "after": "1 New Street\nLeeds"},
        },
    }


def test_the_email_is_stored_lower_case_and_a_blank_clears_a_field(
    db: Session, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    patient = cast.patient_a
    _update(db, clock, Actor.for_user(cast.prescriber_a), patient.id, email=" Alice.New@A.Example ")
    assert patient.email == "alice.new@a.example"
    _update(db, clock, Actor.for_user(cast.prescriber_a), patient.id, email="", reason="no email")
    assert patient.email == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("phone", "call me maybe"),
        ("phone", "12345"),  # fewer than 6 digits
        ("emergency_contact_phone", "0800 abc"),
        ("address", "x" * 301),
        ("emergency_contact_relationship", "y" * 61),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_changes(
    db: Session, cast, clock, field: str, value: str
) -> None:  # type: ignore[no-untyped-def]
    patient = cast.patient_a
    before = {name: getattr(patient, name) for name in patient_contact.CONTACT_FIELDS}
    with pytest.raises(InvalidInput) as refused:
        _update(
            db,
            clock,
            Actor.for_user(cast.nurse_a),
            patient.id,
            # A valid change beside the bad one is not kept either.
            **{"usual_escort_name": "Sam Good", field: value},
        )
    assert refused.value.field == field
    assert {name: getattr(patient, name) for name in patient_contact.CONTACT_FIELDS} == before
    assert _contact_audits(db, patient.id) == []


@pytest.mark.parametrize("value", ["123456", "+44 (0) 7700-900.123", "0113/496 0000"])
def test_a_phone_number_with_six_digits_or_more_and_usual_punctuation_is_accepted(
    db: Session, cast, clock, value: str
) -> None:  # type: ignore[no-untyped-def]
    _update(db, clock, Actor.for_user(cast.nurse_a), cast.patient_a.id, usual_escort_phone=value)
    assert cast.patient_a.usual_escort_phone == value


def test_a_change_needs_a_reason(db: Session, cast, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        _update(
            db,
            clock,
            Actor.for_user(cast.nurse_a),
            cast.patient_a.id,
            phone="0113 496 0000",
            reason="  ",
        )
    assert refused.value.field == "reason"
    assert cast.patient_a.phone != "0113 496 0000"


def test_a_change_that_changes_nothing_is_refused(db: Session, cast, clock) -> None:  # type: ignore[no-untyped-def]
    patient = cast.patient_a
    with pytest.raises(InvalidInput, match="nothing to change"):
        _update(db, clock, Actor.for_user(cast.nurse_a), patient.id, phone=patient.phone)


def test_a_patient_in_another_clinic_is_not_found_and_the_attempt_is_audited(
    db: Session, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    patient_b = cast.patient_b
    with pytest.raises(NotFound):
        _update(db, clock, Actor.for_user(cast.nurse_a), patient_b.id, phone="0113 496 0000")
    [row] = _contact_audits(db, patient_b.id)
    assert row.outcome is AuditOutcome.DENIED
    assert patient_b.phone != "0113 496 0000"


def test_the_patient_cannot_change_their_own_details_through_this_service(
    db: Session, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        _update(
            db, clock, Actor.for_user(cast.patient_user_a), cast.patient_a.id, phone="0113 496 0000"
        )


def test_the_history_lists_each_change_newest_first(db: Session, cast, clock) -> None:  # type: ignore[no-untyped-def]
    nurse = Actor.for_user(cast.nurse_a)
    patient = cast.patient_a
    _update(db, clock, nurse, patient.id, phone="0113 496 0000", reason="new number")
    clock.advance(minutes=5)
    _update(db, clock, nurse, patient.id, phone="0113 496 0001", reason="typo")
    history = patient_contact.contact_history(
        session=db, actor=nurse, clock=clock, patient_id=patient.id
    )
    assert [h.reason for h in history] == ["typo", "new number"]
    assert history[0].changes == {"phone": {"before": "0113 496 0000", "after": "0113 496 0001"}}
