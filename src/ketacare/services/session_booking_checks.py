"""What every booking must pass, for booking, rescheduling and the free-slot finder alike.

A proposed `Booking` is refused when its chair or its patient is already booked at an
overlapping time (Conflict naming the other session), when its recovery room is held
(`session_recovery.check_room`), when its nurse would exceed the clinic's nurse-to-patient
ratio (`staffing.check_nurse_load`), or when the core's schedule rules refuse it
(`schedule.validate_schedule`: spacing, weekly and 30-day limits, the esketamine calendar).
The chair is held for its chair time; the patient and the nurse until the end of recovery.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
from ketacare.db.models import Location, LocationKind, Role, TreatmentSession, User
from ketacare.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from ketacare.domain.findings import Finding, Severity
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route
from ketacare.domain.schedule import validate_schedule
from ketacare.domain.session_flow import RELEASED, SessionStatus
from ketacare.domain.staffing import check_nurse_load
from ketacare.services.session_recovery import check_room, held_end_column, held_until

# Sessions that no longer count towards the patient's schedule limits (never given).
NOT_GIVEN = frozenset({SessionStatus.CANCELLED, SessionStatus.NO_SHOW})


@dataclass(frozen=True)
class Booking:
    """What a proposed booking is: times, chair, nurse, patient, route."""

    patient_id: int
    route: Route
    start: datetime
    end: datetime
    chair_id: int
    nurse_user_id: int
    recovery_room_id: int | None = None
    recovery_end: datetime | None = None  # the room is held from `end` until then

    @property
    def held_until(self) -> datetime:
        return self.recovery_end or self.end


def check_booking(
    *,
    session: Session,
    clinic_id: int,
    booking: Booking,
    policy: ClinicPolicy,
    course_start: date | None,
    exclude_session_id: int | None = None,
) -> tuple[Finding, ...]:
    """Refuse a booking that collides (Conflict naming the other booking) or that a rule
    forbids (RuleViolation with the findings); return the passing findings otherwise."""
    chair = _chair(session, clinic_id, booking.chair_id)
    _nurse(session, clinic_id, booking.nurse_user_id)
    if booking.recovery_room_id is not None:
        check_room(
            session,
            clinic_id,
            booking.recovery_room_id,
            booking.end,
            booking.held_until,
            exclude_session_id,
        )
    # The patient and the nurse are held until the end of recovery; the chair only its time.
    held = held_sessions(session, clinic_id, booking.start, booking.held_until, exclude_session_id)
    for other in held:
        in_chair_time = other.scheduled_start < booking.end and other.scheduled_end > booking.start
        if other.chair_id == chair.id and in_chair_time:
            raise Conflict(
                f"{chair.name} is already booked {_span(other)} by session {other.id}; choose "
                "another chair or time",
                field="chair_id",
            )
        if other.patient_id == booking.patient_id:
            raise Conflict(
                f"the patient already has session {other.id} booked {_span(other)}",
                field="start",
            )
    nurse_sessions = [s for s in held if s.nurse_user_id == booking.nurse_user_id]
    load = check_nurse_load(
        most_at_once(nurse_sessions, booking.start, booking.held_until), policy.staffing
    )
    history = patient_starts(session, booking.patient_id, exclude_session_id)
    findings = (
        load,
        *validate_schedule(
            booking.route, history, booking.start, policy.plans, course_start=course_start
        ),
    )
    blocking = [f for f in findings if f.severity.rank >= Severity.BLOCK.rank]
    if blocking:
        raise RuleViolation(
            "the booking is refused: " + " ".join(f.message for f in blocking),
            blocking,
            field="start",
        )
    return findings


def most_at_once(sessions: Iterable[TreatmentSession], start: datetime, end: datetime) -> int:
    """The most of `sessions` overlapping any one moment of [start, end) (a session counts
    until the end of its recovery window, if it has one)."""
    edges: list[tuple[datetime, int]] = []
    for s in sessions:
        lo, hi = max(s.scheduled_start, start), min(held_until(s), end)
        if lo < hi:
            edges += [(lo, 1), (hi, -1)]
    most = current = 0
    for _, step in sorted(edges, key=lambda e: (e[0], e[1])):
        current += step
        most = max(most, current)
    return most


def held_sessions(
    session: Session, clinic_id: int, start: datetime, end: datetime, exclude: int | None
) -> Sequence[TreatmentSession]:
    """Sessions still holding their chair, room or nurse that overlap [start, end)."""
    query = select(TreatmentSession).where(
        TreatmentSession.clinic_id == clinic_id,
        TreatmentSession.status.not_in(RELEASED),
        TreatmentSession.scheduled_start < end,
        held_end_column() > start,
    )
    if exclude is not None:
        query = query.where(TreatmentSession.id != exclude)
    return session.scalars(query.order_by(TreatmentSession.scheduled_start)).all()


def patient_starts(session: Session, patient_id: int, exclude: int | None) -> list[datetime]:
    """When the patient's sessions that count for the schedule rules were (or are) given:
    the actual dose start once dosed, else the booked start."""
    query = select(TreatmentSession.scheduled_start, TreatmentSession.dose_start_at).where(
        TreatmentSession.patient_id == patient_id,
        TreatmentSession.status.not_in(NOT_GIVEN),
    )
    if exclude is not None:
        query = query.where(TreatmentSession.id != exclude)
    return [dose or booked for booked, dose in session.execute(query)]


def _chair(session: Session, clinic_id: int, chair_id: int) -> Location:
    # Locking the chair serialises concurrent bookings of it (PostgreSQL).
    chair = get_locked(session, Location, chair_id)
    if chair is None or chair.clinic_id != clinic_id or chair.kind is not LocationKind.CHAIR:
        raise NotFound(f"chair {chair_id} was not found")
    if not chair.active:
        raise Conflict(f"{chair.name} is out of service", field="chair_id")
    return chair


def _nurse(session: Session, clinic_id: int, user_id: int) -> User:
    nurse = session.get(User, user_id)
    if (
        nurse is None
        or nurse.clinic_id != clinic_id
        or nurse.role is not Role.NURSE
        or (not nurse.active)
    ):
        raise InvalidInput(
            "nurse_user_id must be an active nurse of the clinic", field="nurse_user_id"
        )
    return nurse


def _span(row: TreatmentSession) -> str:
    return f"from {row.scheduled_start:%Y-%m-%d %H:%M} to {row.scheduled_end:%H:%M} UTC"
