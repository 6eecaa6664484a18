"""Changing a patient's contact details after registration (staff only), and their history.

Contact details are not clinical records: the Patient row is updated in place, and the audit
row of each change keeps every changed field's value before and after, with the reason (the
audit table is append-only). See docs/decisions/patient-contact.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Patient
from ketacare.db.models.audit import AuditOutcome
from ketacare.domain.errors import InvalidInput
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patients import EMAIL, REGISTRARS

# The contact fields of the Patient row and the widest value each column holds.
CONTACT_FIELDS = {
    "email": 254,
    "phone": 40,
    "address": 300,
    "emergency_contact_name": 200,
    "emergency_contact_phone": 40,
    "emergency_contact_relationship": 60,
    "usual_escort_name": 200,
    "usual_escort_phone": 40,
}
PHONE_FIELDS = frozenset({"phone", "emergency_contact_phone", "usual_escort_phone"})
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")
MIN_PHONE_DIGITS = 6


def update_contact_details(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    reason: str,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    emergency_contact_name: str | None = None,
    emergency_contact_phone: str | None = None,
    emergency_contact_relationship: str | None = None,
    usual_escort_name: str | None = None,
    usual_escort_phone: str | None = None,
) -> Patient:
    """Change a patient's contact details (staff only). None leaves a field as it is; "" clears
    it. Contact details are not clinical records, so the Patient row is updated in place; the
    audit row keeps every changed field's value before and after, with the reason. Everything
    is validated before anything is written; a change that changes nothing is refused."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="patient.contact.update",
        roles=REGISTRARS,
    )
    given = {
        "email": email,
        "phone": phone,
        "address": address,
        "emergency_contact_name": emergency_contact_name,
        "emergency_contact_phone": emergency_contact_phone,
        "emergency_contact_relationship": emergency_contact_relationship,
        "usual_escort_name": usual_escort_name,
        "usual_escort_phone": usual_escort_phone,
    }
    changes: dict[str, dict[str, str]] = {}
    for name, value in given.items():
        if value is None:
            continue
        cleaned = _contact_value(name, value)
        before = getattr(patient, name)
        if cleaned != before:
            changes[name] = {"before": before, "after": cleaned}
    why = " ".join(reason.split())
    if not why or len(why) > 500:
        raise InvalidInput(
            "reason: say why the contact details change (1-500 characters)", field="reason"
        )
    if not changes:
        raise InvalidInput("nothing to change: the details given are the ones on record")
    for name, change in changes.items():
        setattr(patient, name, change["after"])
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.contact.update",
        patient_id=patient.id,
        object_type="patient",
        object_id=patient.id,
        detail={"reason": why, "changes": changes},
    )
    return patient


def _contact_value(name: str, value: str) -> str:
    """The value as stored (trimmed; email lower-cased), or InvalidInput naming the field."""
    cleaned = value.strip().lower() if name == "email" else value.strip()
    label = name.replace("_", " ")
    if len(cleaned) > CONTACT_FIELDS[name]:
        raise InvalidInput(f"{label} must be at most {CONTACT_FIELDS[name]} characters", field=name)
    if name == "email" and cleaned and not EMAIL.match(cleaned):
        raise InvalidInput(f"email: {value!r} is not an email address", field="email")
    if name in PHONE_FIELDS and cleaned:
        digits = sum(c.isdigit() for c in cleaned)
        if not _PHONE.match(cleaned) or digits < MIN_PHONE_DIGITS:
            raise InvalidInput(
                f"{label}: {value!r} is not a phone number (digits, spaces and + ( ) - . only, "
                f"at least {MIN_PHONE_DIGITS} digits)",
                field=name,
            )
    return cleaned


@dataclass(frozen=True)
class ContactChange:
    """One change of contact details: when, by whom, why, and each field's before and after."""

    at: datetime
    by: str
    reason: str
    changes: dict[str, dict[str, str]]


def contact_history(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> list[ContactChange]:
    """Every change of the patient's contact details, newest first, read from the audit trail
    (where each change keeps the values before and after); staff only."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="patient.contact.history",
        roles=REGISTRARS,
    )
    rows = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.patient_id == patient.id,
            AuditEvent.action == "patient.contact.update",
            AuditEvent.outcome == AuditOutcome.ALLOWED,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.contact.history",
        patient_id=patient.id,
        object_type="patient",
        object_id=patient.id,
    )
    return [
        ContactChange(r.at, r.actor_label, r.detail.get("reason", ""), r.detail.get("changes", {}))
        for r in rows
    ]
