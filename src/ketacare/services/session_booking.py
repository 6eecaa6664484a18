"""Booking sessions: a chair and a nurse for the route's chair time, with every limit checked.

A session holds its chair from its start for the route's chair time (`session_shape(...)`
`.chair_min`: pre-dose time + dosing + the minimum observation), and optionally a recovery room
after it (`session_recovery`). What a booking must pass — no chair, room or patient collision,
the nurse ratio, the core's schedule rules — is `session_booking_checks.check_booking`.
Rescheduling re-checks everything; cancelling and no-shows keep the booking with the reason.
The day view is `session_day`; the free-slot finder is `session_slots`.

Every session belongs to a treatment course of the patient (`course_id` is required): the
course's plan must allow a session (not missing, stopped or under review) and the course must
have a current consent when booking; the route is the course's. Check-in and dosing check plan
and consent again at their moment (`session_flow`). Rows booked before this rule may have no
course (the column stays nullable for them); such a session cannot be checked in or moved.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ketacare.db.models import SessionEvent, TreatmentSession
from ketacare.db.models.course import TreatmentCourse
from ketacare.domain.errors import Conflict, InvalidInput
from ketacare.domain.routes import Route, session_shape
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import access
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.session_booking_checks import Booking, check_booking
from ketacare.services.session_common import STAFF, findings_json, load_session, move, record
from ketacare.services.session_course import agreeing_route, check_course
from ketacare.services.session_recovery import DEFAULT_RECOVERY_MIN, recovery_end

# A start up to 15 minutes in the past is still accepted: the booker chose it a moment ago
# (one step of the slot finder's grid). Operational, not a clinical threshold.
PAST_START_GRACE_MIN = 15


def book_session(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    start: datetime,
    chair_id: int,
    nurse_user_id: int,
    course_id: int | None,
    route: Route | None = None,
    device_count: int | None = None,
    recovery_room_id: int | None = None,
    recovery_min: int | None = None,
) -> TreatmentSession:
    """Book a session (status scheduled) in the patient's treatment course `course_id`
    (required; None is refused naming `course_id`). The course must be the patient's, its plan
    must allow a session and its consent must be current now (`check_course`). The route is
    the course's: `route` may be given as a cross-check and is refused when it differs.
    `device_count` (esketamine) sets the planned dosing time (None: the largest dose, so the
    chair is never held too short). `recovery_room_id` also holds a recovery room after the
    chair time for `recovery_min` minutes (default 30; see `session_recovery`)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="session.book",
        roles=STAFF,
    )
    if course_id is None:
        raise InvalidInput(
            "course_id is required: every session belongs to the patient's treatment course, "
            "with an approved plan and a current consent",
            field="course_id",
        )
    course = check_course(session, patient_id, course_id, clock.now())
    route = agreeing_route(course, route)
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
        course_start=course.starts_on,
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
            "course_id": course_id,
            "chair_id": chair_id,
            "nurse_user_id": nurse_user_id,
            "recovery_room_id": recovery_room_id,
        },
    )
    return row


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
    re-checking the booking rules; a recovery window keeps its length. The course's plan and
    consent are not re-checked here (postponing a session whose plan is under review must stay
    possible; check-in checks them), but a session without a course (booked before courses
    were required) is refused: cancel it and book it in the patient's course."""
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
    if row.course_id is None:
        raise Conflict(
            f"session {row.id} belongs to no treatment course; cancel it and book it in the "
            "patient's course",
            field="course_id",
        )
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


def _course_start(session: Session, course_id: int | None) -> date | None:
    if course_id is None:
        return None
    course = session.get(TreatmentCourse, course_id)
    return course.starts_on if course is not None else None


def _check_start(start: datetime, clock: Clock) -> None:
    if start.tzinfo is None:
        raise InvalidInput("start must carry a timezone", field="start")
    if start < clock.now() - timedelta(minutes=PAST_START_GRACE_MIN):
        raise InvalidInput("start cannot be in the past", field="start")


def _reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("give the reason", field="reason")
