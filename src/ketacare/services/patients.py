"""Patients: read and list within the clinic (registration and intake build on this)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ketacare.db.models import Patient
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock


def get_patient(*, session: Session, actor: Actor, clock: Clock, patient_id: int) -> Patient:
    patient = access.patient_for(
        session=session, actor=actor, clock=clock, patient_id=patient_id, action="patient.read"
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.read",
        patient_id=patient.id,
        object_type="patient",
        object_id=patient.id,
    )
    return patient


def list_patients(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    search: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Patient], int]:
    """The clinic's patients, by family name; `search` matches name, email or phone."""
    access.require_staff(session=session, actor=actor, clock=clock, action="patient.list")
    query = select(Patient).where(Patient.clinic_id == actor.clinic_id)
    if search.strip():
        needle = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Patient.given_name + " " + Patient.family_name).like(needle),
                func.lower(Patient.email).like(needle),
                Patient.phone.like(needle),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Patient.family_name, Patient.given_name, Patient.id)
        .limit(limit)
        .offset(offset)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.list",
        detail={"search": search, "returned": len(rows)},
    )
    return rows, total
