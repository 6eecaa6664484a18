"""The demo clinic: what `ketacare demo` and the first `make run` load into an empty database.

Deterministic (fixed names, fixed passwords printed on start-up). The passwords are for the demo
only; a real clinic creates its own accounts with `ketacare users create`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ketacare.db.models import Clinic, LocationKind, Role
from ketacare.services import clinics
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock, FixedClock
from ketacare.services.demo_history import (
    DEFAULT_SEED,
    HISTORY_DAYS,
    NamedPatient,
    Progress,
    build_history,
    staff_team,
)
from ketacare.services.patients import Registration

DEMO_SLUG = "harbor"
DEMO_PATIENTS = 200
__all__ = ["DEFAULT_SEED", "DEMO_PATIENTS", "DEMO_SLUG", "load_demo"]


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


# (weight kg, height cm, stage, first session days ago; None = a session on today's board)
_NAMED_STORIES = (
    (64.0, 165.0, "history", 96),
    (88.0, 180.0, "loading", None),
    (70.0, 168.0, "awaiting_review", 0),
    (79.0, 175.0, "history", 150),
    (58.0, 162.0, "history", 40),
)
_TEAM = {
    "admin": "admin@harbor.example",
    "prescriber": "dr.okafor@harbor.example",
    "nurse1": "nurse.lee@harbor.example",
    "nurse2": "nurse.garcia@harbor.example",
}


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(Clinic.id).where(Clinic.slug == DEMO_SLUG)) is not None


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(Clinic.id).limit(1)) is None


def load_demo(
    *,
    session: Session,
    clock: Clock,
    patients: int = DEMO_PATIENTS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> Clinic:
    """Create the lived-in demo clinic as of `clock.now()`: 6 chairs, 2 recovery rooms, 4 staff
    and `patients` patients (5 named ones among them; Maya Patel signs in) with their history
    over the past months and today's board (demo_history.py). Same seed → same clinic.
    `progress(done, total)` is told how many of the history's days have been lived so far."""
    with _held_in_session(session):
        return _load(session, clock, patients, seed, progress)


@contextmanager
def _held_in_session(session: Session) -> Iterator[None]:
    """Keep every row the load reads from the database referenced until it ends.

    The session's identity map holds rows weakly: a row no story keeps is forgotten between two
    service calls, and the next call reads it again (each of a session's ~14 steps re-loads the
    session and its patient). Held, `session.get` answers from memory with the same object the
    query would have returned. Only rows *read* are held, not rows just written: a written row
    keeps its values as assigned (an int in a float column) until it is read back, and the
    services must see exactly what they saw before. Only the demo's unit of work is affected.
    """
    held: list[Any] = []

    def hold(_session: Session, instance: Any) -> None:
        held.append(instance)

    events = ("loaded_as_persistent",)
    for name in events:
        event.listen(session, name, hold)
    try:
        yield
    finally:
        for name in events:
            event.remove(session, name, hold)
        held.clear()


def _load(
    session: Session, clock: Clock, patients: int, seed: int, progress: Progress | None
) -> Clinic:
    now = clock.now()
    walk = FixedClock(now - timedelta(days=HISTORY_DAYS + 30))
    clinic = clinics.create_clinic(
        session=session,
        clock=walk,
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
            clock=walk,
            name=f"Chair {number}",
            kind=LocationKind.CHAIR,
            clinic_id=clinic.id,
        )
    for name in ("Recovery A", "Recovery B"):
        clinics.add_location(
            session=session,
            actor=operator,
            clock=walk,
            name=name,
            kind=LocationKind.RECOVERY_ROOM,
            clinic_id=clinic.id,
        )
    users = {
        staff.email: clinics.create_user(
            session=session,
            actor=operator,
            clock=walk,
            email=staff.email,
            full_name=_NAMES[staff.email],
            role=Role(staff.role),
            password=staff.password,
            clinic_id=clinic.id,
        ).id
        for staff in DEMO_STAFF
    }
    team = staff_team(users, clinic.id, _TEAM)
    ids, _ = build_history(
        session=session,
        clinic=clinic,
        team=team,
        named=_named(),
        patients=patients,
        seed=seed,
        now=now,
        clock=walk,
        progress=progress,
    )
    given, family = "Maya", "Patel"
    clinics.create_user(
        session=session,
        actor=operator,
        clock=walk,
        email=DEMO_PATIENT.email,
        full_name=f"{given} {family}",
        role=Role.PATIENT,
        password=DEMO_PATIENT.password,
        clinic_id=clinic.id,
        patient_id=ids[DEMO_PATIENT.email],
    )
    return clinic


def _named() -> tuple[NamedPatient, ...]:
    return tuple(
        NamedPatient(
            Registration(
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex=sex,
                email=email,
                phone="(617) 555-0100",
                emergency_contact_name="Sam Patel" if given == "Maya" else f"Alex {family}",
                emergency_contact_phone="(617) 555-0101",
                emergency_contact_relationship="partner",
                usual_escort_name="Sam Patel" if given == "Maya" else f"Alex {family}",
                usual_escort_phone="(617) 555-0101",
                weight_kg=weight,
                height_cm=height,
            ),
            stage,
            days_ago,
        )
        for (given, family, born, sex, email), (weight, height, stage, days_ago) in zip(
            _PATIENTS, _NAMED_STORIES, strict=True
        )
    )
