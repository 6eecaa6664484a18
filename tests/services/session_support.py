"""Helpers shared by the session tests: chairs, extra patients, a session brought to a state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    Clinic,
    Drug,
    Location,
    LocationKind,
    Patient,
    TreatmentSession,
)
from ketacare.domain.routes import Route
from ketacare.services import controlled_substances, session_booking, session_flow, vitals_ingest
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from tests.factories.courses import bookable_course

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # the test clock starts at 14:00 UTC


def chairs(db: Session, clinic: Clinic, count: int = 2) -> list[Location]:
    """The clinic's chairs, adding chairs until there are `count`."""
    found = list(
        db.scalars(
            select(Location)
            .where(Location.clinic_id == clinic.id, Location.kind == LocationKind.CHAIR)
            .order_by(Location.name)
        )
    )
    for n in range(len(found) + 1, count + 1):
        chair = Location(clinic_id=clinic.id, name=f"Chair {n}", kind=LocationKind.CHAIR)
        db.add(chair)
        found.append(chair)
    db.flush()
    return found


def patient(db: Session, clinic: Clinic, name: str, clock: FixedClock) -> Patient:
    row = Patient(
        clinic_id=clinic.id,
        given_name=name,
        family_name="Test",
        date_of_birth=date(1980, 1, 1),
        sex="male",
        email="",
        phone="",
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return row


def book(
    db: Session,
    actor: Actor,
    clock: FixedClock,
    patient_id: int,
    chair: Location,
    nurse_id: int,
    *,
    route: Route = Route.IV,
    start: datetime = START,
    device_count: int | None = None,
    course_id: int | None = None,
) -> TreatmentSession:
    """Book through the service in `course_id`, or in the patient's bookable course of `route`
    (`bookable_course`: reused when it has a plan and a current consent, else created)."""
    if course_id is None:
        course_id = bookable_course(db, clock=clock, patient_id=patient_id, route=route).id
    return session_booking.book_session(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        start=start,
        chair_id=chair.id,
        nurse_user_id=nurse_id,
        course_id=course_id,
        device_count=device_count,
    )


def checked_in(db: Session, nurse: Actor, clock: FixedClock, row: TreatmentSession) -> None:
    session_flow.check_in(
        session=db,
        actor=nurse,
        clock=clock,
        session_id=row.id,
        hours_since_food=6,
        minutes_since_liquids=120,
        escort_confirmed=True,
        escort_name="Bob Escort",
    )


def dosed_iv(
    db: Session, nurse: Actor, clock: FixedClock, row: TreatmentSession, *, dose_mg: float = 35
) -> int:
    """Check in, normal pre-dose vitals, pass the gate, receive stock, draw 50 mg, dose.
    Returns the lot id."""
    checked_in(db, nurse, clock, row)
    vitals_ingest.record_vitals(
        session=db,
        actor=nurse,
        clock=clock,
        session_id=row.id,
        systolic_mmhg=122,
        diastolic_mmhg=78,
        heart_rate_bpm=72,
        spo2_pct=98,
    )
    session_flow.predose_check(session=db, actor=nurse, clock=clock, session_id=row.id)
    entry = controlled_substances.receive_stock(
        session=db,
        actor=nurse,
        clock=clock,
        drug=Drug.KETAMINE_HCL,
        lot_number="K-100",
        expiry=clock.now().date() + timedelta(days=300),
        quantity_mg=500,
        concentration_mg_per_ml=10,
    )
    controlled_substances.draw(
        session=db,
        actor=nurse,
        clock=clock,
        lot_id=entry.lot_id,
        session_id=row.id,
        quantity_mg=50,
    )
    session_flow.start_dosing(
        session=db,
        actor=nurse,
        clock=clock,
        session_id=row.id,
        drug=Drug.KETAMINE_HCL,
        dose_mg=dose_mg,
        lot_id=entry.lot_id,
        weight_kg=70,
    )
    return entry.lot_id
