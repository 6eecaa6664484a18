"""The demo clinic: what `ketacare demo` and the first `make run` load into an empty database.

Deterministic (fixed names, fixed passwords printed on start-up). The passwords are for the demo
only; a real clinic creates its own accounts with `ketacare users create`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Clinic, LocationKind, Patient, Role
from ketacare.services import clinics
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock

DEMO_SLUG = "harbor"


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str


DEMO_STAFF = (
    DemoSignIn("admin", "admin@harbor.example", "harbor-admin-demo"),
    DemoSignIn("prescriber", "dr.okafor@harbor.example", "harbor-prescriber-demo"),
    DemoSignIn("nurse", "nurse.lee@harbor.example", "harbor-nurse-demo"),
    DemoSignIn("nurse", "nurse.garcia@harbor.example", "harbor-nurse2-demo"),
)
DEMO_PATIENT = DemoSignIn("patient", "maya.patel@patient.example", "harbor-patient-demo")
_NAMES = {
    "admin@harbor.example": "Sam Rivera",
    "dr.okafor@harbor.example": "Dr. Ada Okafor",
    "nurse.lee@harbor.example": "Jordan Lee, RN",
    "nurse.garcia@harbor.example": "Elena Garcia, RN",
}
_PATIENTS = (
    ("Maya", "Patel", date(1988, 4, 12), "female", "maya.patel@patient.example"),
    ("Daniel", "Brooks", date(1975, 9, 3), "male", "daniel.brooks@patient.example"),
    ("Aisha", "Johnson", date(1993, 1, 27), "female", "aisha.johnson@patient.example"),
    ("Tom", "Nguyen", date(1961, 11, 8), "male", "tom.nguyen@patient.example"),
    ("Grace", "Miller", date(2000, 6, 19), "female", "grace.miller@patient.example"),
)


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(Clinic.id).where(Clinic.slug == DEMO_SLUG)) is not None


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(Clinic.id).limit(1)) is None


def load_demo(*, session: Session, clock: Clock) -> Clinic:
    """Create the demo clinic: 6 chairs, 2 recovery rooms, 4 staff, 5 patients (one signs in)."""
    clinic = clinics.create_clinic(
        session=session,
        clock=clock,
        name="Harbor Ketamine Clinic",
        slug=DEMO_SLUG,
        timezone="America/New_York",
        address="210 Harbor Street",
        city="Boston",
        state="MA",
        zip="02210",
        phone="(617) 555-0142",
    )
    operator = Actor.system("demo loader", clinic.id)
    for number in range(1, 7):
        clinics.add_location(
            session=session,
            actor=operator,
            clock=clock,
            name=f"Chair {number}",
            kind=LocationKind.CHAIR,
            clinic_id=clinic.id,
        )
    for name in ("Recovery A", "Recovery B"):
        clinics.add_location(
            session=session,
            actor=operator,
            clock=clock,
            name=name,
            kind=LocationKind.RECOVERY_ROOM,
            clinic_id=clinic.id,
        )
    for staff in DEMO_STAFF:
        clinics.create_user(
            session=session,
            actor=operator,
            clock=clock,
            email=staff.email,
            full_name=_NAMES[staff.email],
            role=Role(staff.role),
            password=staff.password,
            clinic_id=clinic.id,
        )
    for given, family, born, sex, email in _PATIENTS:
        patient = Patient(
            clinic_id=clinic.id,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex=sex,
            email=email,
            phone="",
            created_at=clock.now(),
        )
        session.add(patient)
        session.flush()
        if email == DEMO_PATIENT.email:
            clinics.create_user(
                session=session,
                actor=operator,
                clock=clock,
                email=email,
                full_name=f"{given} {family}",
                role=Role.PATIENT,
                password=DEMO_PATIENT.password,
                clinic_id=clinic.id,
                patient_id=patient.id,
            )
    return clinic
