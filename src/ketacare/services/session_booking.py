"""Booking sessions: a chair and a nurse for the route's chair time, with every limit checked.

A session holds its chair from its start for the route's chair time (`session_shape(...)`
`.chair_min`: pre-dose time + dosing + the minimum observation). A booking is refused when the
chair or the patient is already booked at an overlapping time (the conflict is named), when the
nurse would exceed the clinic's nurse-to-patient ratio (`staffing.check_nurse_load`), or when
the core's schedule rules refuse it (`schedule.validate_schedule`: spacing, weekly and 30-day
limits, the esketamine calendar). Rescheduling re-checks everything; cancelling and no-shows
keep the booking with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
from ketacare.db.models import (
    Clinic,
    Location,
    LocationKind,
    Role,
    SessionEvent,
    TreatmentSession,
    User,
)
from ketacare.db.models.course import PlanStatus, TreatmentCourse
from ketacare.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from ketacare.domain.findings import Finding, Severity
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route, session_shape
from ketacare.domain.schedule import validate_schedule
from ketacare.domain.session_flow import RELEASED, SessionStatus
from ketacare.domain.staffing import check_nurse_load
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.courses import current_plan
from ketacare.services.policy import current_policy
from ketacare.services.session_common import STAFF, findings_json, load_session, move, record
from ketacare.services.session_recovery import (
    DEFAULT_RECOVERY_MIN,
    check_room,
    held_end_column,
    held_until,
    recovery_end,
)

# Sessions that no longer count towards the patient's schedule limits (never given).
NOT_GIVEN = frozenset({SessionStatus.CANCELLED, SessionStatus.NO_SHOW})
# Operational defaults of the slot finder (not clinical thresholds).
OPENING = time(8, 0)
CLOSING = time(18, 0)
SLOT_STEP_MIN = 15
SEARCH_DAYS = 28


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


def book_session(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    start: datetime,
    chair_id: int,
    nurse_user_id: int,
    route: Route | None = None,
    course_id: int | None = None,
    device_count: int | None = None,
    recovery_room_id: int | None = None,
    recovery_min: int | None = None,
) -> TreatmentSession:
    """Book a session (status scheduled). With `course_id` the route is the course's; without
    it `route` is required. `device_count` (esketamine) sets the planned dosing time (None:
    the largest dose, so the chair is never held too short). `recovery_room_id` also holds a
    recovery room after the chair time for `recovery_min` minutes (default 30; see
    `session_recovery`)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="session.book",
        roles=STAFF,
    )
    route = _route(session, patient_id, course_id, route)
    _check_start(start, clock)
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    shape = session_shape(route, policy.dosing, device_count=device_count)
    chair_end = start + timedelta(minutes=shape.chair_min)
    booking = Booking(
        patient_id,
        route,
        start,
        chair_end,
        chair_id,
        nurse_user_id,
        recovery_room_id,
        recovery_end(chair_end, recovery_room_id, recovery_min),
    )
    findings = check_booking(
        session=session,
        clinic_id=patient.clinic_id,
        booking=booking,
        policy=policy,
        course_start=_course_start(session, course_id),
    )
    row = TreatmentSession(
        clinic_id=patient.clinic_id,
        patient_id=patient_id,
        course_id=course_id,
        route=route,
        planned_device_count=device_count,
        chair_id=chair_id,
        nurse_user_id=nurse_user_id,
        scheduled_start=booking.start,
        scheduled_end=booking.end,
        recovery_room_id=booking.recovery_room_id,
        recovery_end=booking.recovery_end,
        status=SessionStatus.SCHEDULED,
        created_at=clock.now(),
        created_by_user_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    session.add(
        SessionEvent(
            session_id=row.id,
            kind="booked",
            to_status=SessionStatus.SCHEDULED.value,
            detail={"findings": findings_json(findings)},
            at=clock.now(),
            actor_user_id=actor.user_id,
        )
    )
    session.flush()
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        action="session.book",
        detail={
            "start": start.isoformat(),
            "chair_id": chair_id,
            "nurse_user_id": nurse_user_id,
            "recovery_room_id": recovery_room_id,
        },
    )
    return row


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
    held = _held(session, clinic_id, booking.start, booking.held_until, exclude_session_id)
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
    history = _patient_starts(session, booking.patient_id, exclude_session_id)
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


def reschedule(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    start: datetime,
    reason: str,
    chair_id: int | None = None,
    nurse_user_id: int | None = None,
    recovery_room_id: int | None = None,
) -> TreatmentSession:
    """Move a scheduled session to a new time (and optionally chair/nurse/recovery room),
    re-checking all; a recovery window keeps its length."""
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="session.reschedule",
        for_update=True,
    )
    row = loaded.row
    if row.status is not SessionStatus.SCHEDULED:
        raise Conflict(f"session {row.id} is {row.status.value}; only a scheduled one moves")
    _reason(reason)
    _check_start(start, clock)
    length = row.scheduled_end - row.scheduled_start
    room_id = recovery_room_id or row.recovery_room_id
    recovery = (
        row.recovery_end - row.scheduled_end
        if row.recovery_end
        else timedelta(minutes=DEFAULT_RECOVERY_MIN)
    )
    booking = Booking(
        row.patient_id,
        row.route,
        start,
        start + length,
        chair_id or row.chair_id,
        nurse_user_id or row.nurse_user_id,
        room_id,
        start + length + recovery if room_id is not None else None,
    )
    check_booking(
        session=session,
        clinic_id=row.clinic_id,
        booking=booking,
        policy=loaded.policy,
        course_start=_course_start(session, row.course_id),
        exclude_session_id=row.id,
    )
    before = {
        "start": row.scheduled_start.isoformat(),
        "chair_id": row.chair_id,
        "nurse_user_id": row.nurse_user_id,
        "recovery_room_id": row.recovery_room_id,
    }
    row.scheduled_start, row.scheduled_end = booking.start, booking.end
    row.chair_id, row.nurse_user_id = booking.chair_id, booking.nurse_user_id
    row.recovery_room_id, row.recovery_end = booking.recovery_room_id, booking.recovery_end
    after = {
        "start": start.isoformat(),
        "chair_id": row.chair_id,
        "nurse_user_id": row.nurse_user_id,
        "recovery_room_id": row.recovery_room_id,
    }
    session.add(
        SessionEvent(
            session_id=row.id,
            kind="rescheduled",
            from_status=row.status.value,
            to_status=row.status.value,
            reason=reason.strip(),
            detail={"before": before, "after": after},
            at=clock.now(),
            actor_user_id=actor.user_id,
        )
    )
    session.flush()
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        action="session.reschedule",
        detail={"before": before, "after": after},
    )
    return row


def cancel(
    *, session: Session, actor: Actor, clock: Clock, session_id: int, reason: str
) -> TreatmentSession:
    """Cancel a scheduled session, with the reason; the chair and nurse are freed."""
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="session.cancel",
        for_update=True,
    )
    _reason(reason)
    move(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        target=SessionStatus.CANCELLED,
        reason=reason.strip(),
    )
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        action="session.cancel",
        detail={"reason": reason.strip()},
    )
    return loaded.row


def mark_no_show(
    *, session: Session, actor: Actor, clock: Clock, session_id: int, note: str = ""
) -> TreatmentSession:
    """Record that the patient did not come (only once the booked start has passed)."""
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="session.no_show",
        for_update=True,
    )
    if clock.now() < loaded.row.scheduled_start:
        raise Conflict(
            f"session {loaded.row.id} starts at {loaded.row.scheduled_start:%Y-%m-%d %H:%M} "
            "UTC; a no-show is recorded only after that"
        )
    move(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        target=SessionStatus.NO_SHOW,
        reason=note.strip(),
    )
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="session.no_show")
    return loaded.row


@dataclass(frozen=True)
class ChairDay:
    chair: Location
    sessions: tuple[TreatmentSession, ...]


def day_view(*, session: Session, actor: Actor, clock: Clock, day: date) -> list[ChairDay]:
    """Every active chair of the actor's clinic with its sessions on `day` (clinic time)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="session.day_view"
    )
    clinic = _clinic(session, actor)
    zone = ZoneInfo(clinic.timezone)
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = start + timedelta(days=1)
    chairs = _chairs(session, clinic.id)
    rows = session.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.clinic_id == clinic.id,
            TreatmentSession.scheduled_start < end,
            TreatmentSession.scheduled_end > start,
        )
        .order_by(TreatmentSession.scheduled_start)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="session.day_view",
        detail={"day": day.isoformat(), "sessions": len(rows)},
    )
    return [ChairDay(c, tuple(r for r in rows if r.chair_id == c.id)) for c in chairs]


@dataclass(frozen=True)
class FreeSlot:
    start: datetime
    end: datetime
    chair: Location
    nurse: User


def free_slots(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    route: Route | None = None,
    course_id: int | None = None,
    after: datetime | None = None,
    count: int = 3,
    device_count: int | None = None,
) -> list[FreeSlot]:
    """The next `count` times this patient could be booked: a free chair, a nurse under the
    ratio, and the schedule rules passing; searched in 15-minute steps within opening hours
    (08:00–18:00 clinic time) over the next 28 days."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="session.free_slots",
        roles=STAFF,
    )
    if not 1 <= count <= 20:
        raise InvalidInput("count must be 1 to 20", field="count")
    route = _route(session, patient_id, course_id, route)
    clinic = _clinic(session, actor)
    policy, _ = current_policy(session=session, clinic_id=clinic.id)
    length = timedelta(
        minutes=session_shape(route, policy.dosing, device_count=device_count).chair_min
    )
    begin = _round_up(max(after or clock.now(), clock.now()))
    horizon = begin + timedelta(days=SEARCH_DAYS)
    held = _held(session, clinic.id, begin, horizon + length, None)
    chairs = _chairs(session, clinic.id)
    nurses = session.scalars(
        select(User)
        .where(User.clinic_id == clinic.id, User.role == Role.NURSE, User.active.is_(True))
        .order_by(User.id)
    ).all()
    history = _patient_starts(session, patient_id, None)
    course_start = _course_start(session, course_id)
    found: list[FreeSlot] = []
    for start in _candidates(begin, horizon, ZoneInfo(clinic.timezone), length):
        slot = _slot_at(start, start + length, held, chairs, nurses, patient_id, policy)
        if slot is None:
            continue
        findings = validate_schedule(route, history, start, policy.plans, course_start=course_start)
        if any(f.severity.rank >= Severity.BLOCK.rank for f in findings):
            continue
        found.append(slot)
        if len(found) == count:
            break
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="session.free_slots",
        patient_id=patient.id,
        detail={"found": len(found)},
    )
    return found


def _slot_at(
    start: datetime,
    end: datetime,
    held: Sequence[TreatmentSession],
    chairs: Sequence[Location],
    nurses: Sequence[User],
    patient_id: int,
    policy: ClinicPolicy,
) -> FreeSlot | None:
    overlapping = [s for s in held if s.scheduled_start < end and s.scheduled_end > start]
    if any(s.patient_id == patient_id for s in overlapping):
        return None
    busy = {s.chair_id for s in overlapping}
    chair = next((c for c in chairs if c.id not in busy), None)
    if chair is None:
        return None
    for nurse in nurses:
        mine = [s for s in overlapping if s.nurse_user_id == nurse.id]
        if check_nurse_load(most_at_once(mine, start, end), policy.staffing).severity is (
            Severity.INFO
        ):
            return FreeSlot(start, end, chair, nurse)
    return None


def _candidates(
    begin: datetime, horizon: datetime, zone: ZoneInfo, length: timedelta
) -> Iterable[datetime]:
    current = begin
    step = timedelta(minutes=SLOT_STEP_MIN)
    while current < horizon:
        local = current.astimezone(zone)
        closing = datetime.combine(local.date(), CLOSING, zone)
        if local.time() >= OPENING and local + length <= closing:
            yield current
            current += step
        elif local.time() < OPENING:
            current = datetime.combine(local.date(), OPENING, zone).astimezone(UTC)
        else:
            next_day = local.date() + timedelta(days=1)
            current = datetime.combine(next_day, OPENING, zone).astimezone(UTC)


def _round_up(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0)
    extra = (-moment.minute) % SLOT_STEP_MIN
    return moment + timedelta(minutes=extra)


def _held(
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


def _patient_starts(session: Session, patient_id: int, exclude: int | None) -> list[datetime]:
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


def _chairs(session: Session, clinic_id: int) -> Sequence[Location]:
    return session.scalars(
        select(Location)
        .where(
            Location.clinic_id == clinic_id,
            Location.kind == LocationKind.CHAIR,
            Location.active.is_(True),
        )
        .order_by(Location.name, Location.id)
    ).all()


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


def _clinic(session: Session, actor: Actor) -> Clinic:
    clinic = session.get(Clinic, actor.clinic_id) if actor.clinic_id is not None else None
    if clinic is None:
        raise InvalidInput("the actor belongs to no clinic", field="clinic_id")
    return clinic


def _route(session: Session, patient_id: int, course_id: int | None, route: Route | None) -> Route:
    if course_id is None:
        if route is None:
            raise InvalidInput("give the course (course_id) or the route", field="route")
        return route
    course = session.get(TreatmentCourse, course_id)
    if course is None or course.patient_id != patient_id:
        raise NotFound(f"course {course_id} was not found")
    check_plan(session, course_id)
    if route is not None and route is not course.route:
        raise InvalidInput(
            f"the course is {course.route.value}; a {route.value} session cannot be booked in it",
            field="route",
        )
    return course.route


def check_plan(session: Session, course_id: int) -> None:
    """Refuse a session in a course with no plan, a stopped plan or one awaiting review."""
    plan = current_plan(session=session, course_id=course_id)
    if plan is None:
        raise Conflict(f"course {course_id} has no treatment plan yet", field="course_id")
    if plan.status in (PlanStatus.STOPPED, PlanStatus.REVIEW):
        raise Conflict(
            f"the plan of course {course_id} is {plan.status.value}: a prescriber must decide "
            "before the next session",
            field="course_id",
        )


def _course_start(session: Session, course_id: int | None) -> date | None:
    if course_id is None:
        return None
    course = session.get(TreatmentCourse, course_id)
    return course.starts_on if course is not None else None


def _check_start(start: datetime, clock: Clock) -> None:
    if start.tzinfo is None:
        raise InvalidInput("start must carry a timezone", field="start")
    if start < clock.now() - timedelta(minutes=SLOT_STEP_MIN):
        raise InvalidInput("start cannot be in the past", field="start")


def _reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("give the reason", field="reason")


def _span(row: TreatmentSession) -> str:
    return f"from {row.scheduled_start:%Y-%m-%d %H:%M} to {row.scheduled_end:%H:%M} UTC"
