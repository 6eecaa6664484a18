"""Helpers for the chair pages' tests: a consented IV course with a plan, a session booked in
it, a lot in stock, a signed-in page user and the CSRF token of a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Drug, TreatmentSession
from ketacare.services import consent, controlled_substances, courses, session_booking
from ketacare.services.clock import FixedClock
from tests.factories.courses import screened_course
from tests.services.session_support import START, chairs
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in

NORMAL = {"systolic_mmhg": "124", "diastolic_mmhg": "78", "heart_rate_bpm": "72", "spo2_pct": "98"}


@dataclass
class Booked:
    session_id: int
    course_id: int
    lot_id: int


def booked_session(db: Session, cast, clock: FixedClock) -> Booked:  # type: ignore[no-untyped-def]
    """Patient A: screened, an IV course with a plan and a current consent, a session booked at
    START (15:00 UTC) in chair 1 with nurse A, and 500 mg of ketamine in lot K-1."""
    nurse, prescriber = cast.actor(cast.nurse_a), cast.actor(cast.prescriber_a)
    course = screened_course(
        db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=date(2026, 3, 2),
    )
    courses.create_plan(session=db, actor=prescriber, clock=clock, course_id=course.id)
    consent.record_consent(session=db, actor=nurse, clock=clock, course_id=course.id)
    chair = chairs(db, cast.clinic_a)[0]
    row = session_booking.book_session(
        session=db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        start=START,
        chair_id=chair.id,
        nurse_user_id=cast.nurse_a.id,
        course_id=course.id,
    )
    entry = controlled_substances.receive_stock(
        session=db,
        actor=nurse,
        clock=clock,
        drug=Drug.KETAMINE_HCL,
        lot_number="K-1",
        expiry=clock.now().date() + timedelta(days=200),
        quantity_mg=500,
        concentration_mg_per_ml=10,
    )
    db.commit()
    return Booked(row.id, course.id, entry.lot_id)


def signed_in(client, email: str):  # type: ignore[no-untyped-def]
    """Sign `email` in and return a CSRF token for posting forms."""
    assert sign_in(client, email).status_code == 303
    return csrf_from(client.get("/signin").text)


def count(db: Session, model: type, **where: object) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.scalar(query) or 0


def status_of(db: Session, session_id: int) -> str:
    db.expire_all()
    row = db.get(TreatmentSession, session_id)
    assert row is not None
    return row.status.value


__all__ = ["NORMAL", "START", "Booked", "booked_session", "count", "signed_in", "status_of"]
