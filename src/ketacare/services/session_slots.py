"""The free-slot finder: the next times a patient could be booked, and only bookable ones.

A slot needs a free chair for the route's chair time, an active nurse under the ratio, the
patient free, and the core's schedule rules passing — the same conditions as
`session_booking_checks.check_booking`. Asked `with_room=True`, a slot also needs one of the
clinic's recovery rooms free for the recovery window after the chair time (`session_recovery`);
the slot then names the room, the patient and the nurse count as held until the window ends (as
they will be once booked), and the window too must end by closing time. The finder books
nothing.

Opening hours, step and horizon are operational defaults of the finder, not clinical thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Location, Role, TreatmentSession, User
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route, session_shape
from ketacare.domain.schedule import validate_schedule
from ketacare.domain.staffing import check_nurse_load
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.session_booking_checks import held_sessions, most_at_once, patient_starts
from ketacare.services.session_common import STAFF, active_chairs, clinic_of
from ketacare.services.session_course import agreeing_route, check_plan, patients_course
from ketacare.services.session_recovery import held_until, recovery_rooms, recovery_window

OPENING = time(8, 0)
CLOSING = time(18, 0)
SLOT_STEP_MIN = 15
SEARCH_DAYS = 28


@dataclass(frozen=True)
class FreeSlot:
    """A bookable time: the chair from `start` to `end` with `nurse`; with a recovery room,
    `room` from `end` until `recovery_end` (both None when no room was asked for)."""

    start: datetime
    end: datetime
    chair: Location
    nurse: User
    room: Location | None = None
    recovery_end: datetime | None = None


@dataclass(frozen=True)
class _Wanted:
    """What one candidate time must fit: the chair time, and the room's window if any."""

    start: datetime
    chair_end: datetime
    room_end: datetime | None

    @property
    def held_end(self) -> datetime:
        return self.room_end or self.chair_end


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
    with_room: bool = False,
    recovery_min: int | None = None,
) -> list[FreeSlot]:
    """The next `count` times this patient could be booked: a free chair, a nurse under the
    ratio, and the schedule rules passing; searched in 15-minute steps within opening hours
    (08:00–18:00 clinic time) over the next 28 days. Give the course (`course_id`: its plan
    is checked as for booking, its route and start date used) or, to explore before a course
    exists, a `route`; the finder books nothing, and booking still needs the course.

    `with_room=True` proposes only times when a recovery room is also free for `recovery_min`
    minutes (5–240, default 30) after the chair time, naming the first free room by name; a
    clinic without an active room is refused naming `with_room`. `recovery_min` without
    `with_room` is refused naming `recovery_min`."""
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
    if recovery_min is not None and not with_room:
        raise InvalidInput("recovery_min needs with_room (a recovery room)", field="recovery_min")
    recovery = recovery_window(recovery_min) if with_room else timedelta(0)
    if course_id is None:
        if route is None:
            raise InvalidInput("give the course (course_id) or the route", field="route")
        course_start = None
    else:
        course = patients_course(session, patient_id, course_id)
        check_plan(session, course_id)
        route = agreeing_route(course, route)
        course_start = course.starts_on
    clinic = clinic_of(session, actor)
    rooms = recovery_rooms(session, clinic.id) if with_room else ()
    if with_room and not rooms:
        raise InvalidInput(
            "the clinic has no recovery room in service; search without one", field="with_room"
        )
    policy, _ = current_policy(session=session, clinic_id=clinic.id)
    length = timedelta(
        minutes=session_shape(route, policy.dosing, device_count=device_count).chair_min
    )
    begin = _round_up(max(after or clock.now(), clock.now()))
    horizon = begin + timedelta(days=SEARCH_DAYS)
    held = held_sessions(session, clinic.id, begin, horizon + length + recovery, None)
    chairs = active_chairs(session, clinic.id)
    nurses = session.scalars(
        select(User)
        .where(User.clinic_id == clinic.id, User.role == Role.NURSE, User.active.is_(True))
        .order_by(User.id)
    ).all()
    history = patient_starts(session, patient_id, None)
    found: list[FreeSlot] = []
    # The whole stay, recovery room included, falls within opening hours.
    for start in _candidates(begin, horizon, ZoneInfo(clinic.timezone), length + recovery):
        wanted = _Wanted(start, start + length, start + length + recovery if with_room else None)
        slot = _slot_at(wanted, held, chairs, rooms, nurses, patient_id, policy)
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
        detail={"found": len(found), "with_room": with_room},
    )
    return found


def _slot_at(
    wanted: _Wanted,
    held: Sequence[TreatmentSession],
    chairs: Sequence[Location],
    rooms: Sequence[Location],
    nurses: Sequence[User],
    patient_id: int,
    policy: ClinicPolicy,
) -> FreeSlot | None:
    start, chair_end, held_end = wanted.start, wanted.chair_end, wanted.held_end
    # As in check_booking: others hold the patient and their nurse until their recovery ends;
    # a chair only for its chair time; a room for its recovery window.
    around = [s for s in held if s.scheduled_start < held_end and held_until(s) > start]
    if any(s.patient_id == patient_id for s in around):
        return None
    busy_chairs = {
        s.chair_id for s in around if s.scheduled_start < chair_end and s.scheduled_end > start
    }
    chair = next((c for c in chairs if c.id not in busy_chairs), None)
    if chair is None:
        return None
    room = None
    if wanted.room_end is not None:
        busy_rooms = {
            s.recovery_room_id
            for s in around
            if s.recovery_end is not None
            and s.scheduled_end < wanted.room_end
            and s.recovery_end > chair_end
        }
        room = next((r for r in rooms if r.id not in busy_rooms), None)
        if room is None:
            return None
    for nurse in nurses:
        mine = [s for s in around if s.nurse_user_id == nurse.id]
        load = check_nurse_load(most_at_once(mine, start, held_end), policy.staffing)
        if load.severity is Severity.INFO:
            return FreeSlot(start, chair_end, chair, nurse, room, wanted.room_end)
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
