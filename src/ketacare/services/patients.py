"""Patients: register, read and list within the clinic; body measurements (append-only).
Changing contact details later: `patient_contact`."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ketacare.db.models import BodyMeasurement, Patient, Role
from ketacare.domain.dosing import HEIGHT_RANGE_CM, WEIGHT_RANGE_KG
from ketacare.domain.errors import InvalidInput
from ketacare.domain.screening_input import Sex
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock

# The oldest age the clinical core accepts (ScreeningInput.age_years); older is a typing error.
MAX_AGE_YEARS = 120
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REGISTRARS = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})


@dataclass(frozen=True)
class Registration:
    """What registering a patient takes. Weight and height are optional here (measured later)."""

    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    email: str = ""
    phone: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    emergency_contact_relationship: str = ""
    usual_escort_name: str = ""
    usual_escort_phone: str = ""
    weight_kg: float | None = None
    height_cm: float | None = None
    measured_on: date | None = None


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def register_patient(
    *, session: Session, actor: Actor, clock: Clock, registration: Registration
) -> Patient:
    """Validate everything first (nothing is written on bad input), then create the record."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=REGISTRARS, action="patient.register"
    )
    r = registration
    today = clock.now().date()
    given, family = _name(r.given_name, "given_name"), _name(r.family_name, "family_name")
    check_date_of_birth(r.date_of_birth, today)
    sex = check_sex(r.sex)
    email = r.email.strip().lower()
    if email and not EMAIL.match(email):
        raise InvalidInput(f"email: {r.email!r} is not an email address", field="email")
    if r.weight_kg is None and r.height_cm is not None:
        raise InvalidInput("weight_kg is needed with height_cm", field="weight_kg")
    if r.weight_kg is not None:
        check_measurement(r.weight_kg, r.height_cm, r.measured_on or today, today)
    patient = Patient(
        clinic_id=actor.clinic_id,
        given_name=given,
        family_name=family,
        date_of_birth=r.date_of_birth,
        sex=sex.value,
        email=email,
        phone=r.phone.strip(),
        address=r.address.strip(),
        emergency_contact_name=r.emergency_contact_name.strip(),
        emergency_contact_phone=r.emergency_contact_phone.strip(),
        emergency_contact_relationship=r.emergency_contact_relationship.strip(),
        usual_escort_name=r.usual_escort_name.strip(),
        usual_escort_phone=r.usual_escort_phone.strip(),
        created_at=clock.now(),
    )
    session.add(patient)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.register",
        patient_id=patient.id,
        object_type="patient",
        object_id=patient.id,
    )
    if r.weight_kg is not None:
        _add_measurement(session, actor, clock, patient, r.weight_kg, r.height_cm, r.measured_on)
    return patient


def check_date_of_birth(value: date, today: date) -> None:
    if value > today:
        raise InvalidInput(
            f"date_of_birth {value.isoformat()} is in the future (today is {today.isoformat()})",
            field="date_of_birth",
        )
    if age_on(value, today) > MAX_AGE_YEARS:
        raise InvalidInput(
            f"date_of_birth {value.isoformat()} gives an age over {MAX_AGE_YEARS} years; "
            "check the year",
            field="date_of_birth",
        )


def check_sex(value: str) -> Sex:
    try:
        return Sex(value.strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Sex)
        raise InvalidInput(f"sex must be one of {allowed}; got {value!r}", field="sex") from None


def check_measurement(
    weight_kg: float, height_cm: float | None, measured_on: date, today: date
) -> None:
    """Weight and height within the clinical core's dosing bounds; the date not in the future."""
    _in_range("weight_kg", weight_kg, WEIGHT_RANGE_KG, "kg")
    if height_cm is not None:
        _in_range("height_cm", height_cm, HEIGHT_RANGE_CM, "cm")
    if measured_on > today:
        raise InvalidInput(
            f"measured_on {measured_on.isoformat()} is in the future", field="measured_on"
        )


def _in_range(name: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(
            f"{name} must be between {low:g} and {high:g} {unit}; got {value:g}", field=name
        )


def _name(value: str, name: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput(f"{name} is required", field=name)
    if len(cleaned) > 100:
        raise InvalidInput(f"{name} must be at most 100 characters", field=name)
    return cleaned


def record_measurement(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    weight_kg: float,
    height_cm: float | None = None,
    measured_on: date | None = None,
) -> BodyMeasurement:
    """A new weight (and height) measurement; earlier ones stay as they were."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="patient.measurement.record",
        roles=REGISTRARS,
    )
    today = clock.now().date()
    check_measurement(weight_kg, height_cm, measured_on or today, today)
    return _add_measurement(session, actor, clock, patient, weight_kg, height_cm, measured_on)


def _add_measurement(
    session: Session,
    actor: Actor,
    clock: Clock,
    patient: Patient,
    weight_kg: float,
    height_cm: float | None,
    measured_on: date | None,
) -> BodyMeasurement:
    row = BodyMeasurement(
        patient_id=patient.id,
        measured_on=measured_on or clock.now().date(),
        weight_kg=float(weight_kg),
        height_cm=None if height_cm is None else float(height_cm),
        recorded_by_user_id=actor.user_id,
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.measurement.record",
        patient_id=patient.id,
        object_type="body_measurement",
        object_id=row.id,
        detail={"weight_kg": row.weight_kg, "height_cm": row.height_cm},
    )
    return row


def measurements(*, session: Session, patient_id: int) -> Sequence[BodyMeasurement]:
    """Every measurement of a patient, newest first (no access check: callers have done it)."""
    return session.scalars(
        select(BodyMeasurement)
        .where(BodyMeasurement.patient_id == patient_id)
        .order_by(BodyMeasurement.measured_on.desc(), BodyMeasurement.id.desc())
    ).all()


def latest_weight_and_height(
    *, session: Session, patient_id: int
) -> tuple[BodyMeasurement | None, float | None]:
    """The newest measurement, and the newest height recorded (heights are measured rarely)."""
    rows = measurements(session=session, patient_id=patient_id)
    height = next((r.height_cm for r in rows if r.height_cm is not None), None)
    return (rows[0] if rows else None), height


def list_measurements(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> Sequence[BodyMeasurement]:
    patient = access.patient_for(
        session=session, actor=actor, clock=clock, patient_id=patient_id, action="patient.read"
    )
    rows = measurements(session=session, patient_id=patient.id)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.measurement.list",
        patient_id=patient.id,
        object_type="patient",
        object_id=patient.id,
    )
    return rows


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
    date_of_birth: date | None = None,
) -> tuple[Sequence[Patient], int]:
    """The clinic's patients, by family name; `search` matches name, email or phone;
    `date_of_birth`, when given, must match exactly."""
    access.require_staff(session=session, actor=actor, clock=clock, action="patient.list")
    query = select(Patient).where(Patient.clinic_id == actor.clinic_id)
    if date_of_birth is not None:
        query = query.where(Patient.date_of_birth == date_of_birth)
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
        detail={
            "search": search,
            "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
            "returned": len(rows),
        },
    )
    return rows, total
