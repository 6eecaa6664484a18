"""The schedule: a day of chairs and recovery rooms (date picker, previous/next day), booking a
session (optionally with a recovery room), the free-slot finder ("next 3 slots for this
patient", optionally needing a recovery room), and a booking's page to reschedule, cancel or
record a no-show. Every change is one `session_booking` service call; the day is
`session_day`, the finder `session_slots`.

A session is booked in the patient's current treatment course (`session_course.booking_course`,
shown once the patient is chosen); a patient with no course that has an approved plan and a
current consent is refused beside the patient field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentSession
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import (
    board,
    clinics,
    patients,
    session_booking,
    session_day,
    session_read,
    session_slots,
)
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_course import BookingCourse, booking_course
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, attempt, submit
from ketacare.web.pages.chair_common import (
    FormDep,
    checked,
    local_datetime,
    state_of,
    view_helpers,
    whole,
)
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
OFF_GRID = frozenset({SessionStatus.CANCELLED, SessionStatus.NO_SHOW})
STEP_MIN = session_slots.SLOT_STEP_MIN
FIRST_HOUR, LAST_HOUR = session_slots.OPENING.hour, session_slots.CLOSING.hour


def _day(raw: str, zone: ZoneInfo, clock: Clock) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return clock.now().astimezone(zone).date()


def _column(moment: datetime, day: date, zone: ZoneInfo) -> int:
    """The grid column of a moment (column 1 is the chair's name; one column per 15 min)."""
    opening = datetime.combine(day, session_slots.OPENING, zone)
    steps = int((moment - opening).total_seconds() // (STEP_MIN * 60))
    last = (LAST_HOUR - FIRST_HOUR) * 60 // STEP_MIN
    return 2 + max(0, min(last, steps))


def schedule_context(
    session: Session,
    actor: Actor,
    clock: Clock,
    *,
    day_text: str = "",
    finder: FormState | None = None,
) -> dict[str, Any]:
    zone = board.clinic_zone(session=session, actor=actor)
    day = _day(day_text, zone, clock)
    chair_days = session_day.day_view(session=session, actor=actor, clock=clock, day=day)
    room_days = session_day.rooms_view(session=session, actor=actor, clock=clock, day=day)
    rows = [s for c in chair_days for s in c.sessions]
    names = board.patient_names(
        session,
        {r.patient_id for r in rows} | {s.patient_id for d in room_days for s in d.sessions},
    )

    def block(row: TreatmentSession, start: datetime, end: datetime) -> dict[str, Any]:
        first = _column(start, day, zone)
        return {
            "row": row,
            "name": names.get(row.patient_id, ""),
            "from": start,
            "to": end,
            "start": first,
            "end": max(_column(end, day, zone), first + 1),
        }

    lanes = [
        {
            "chair": c.chair,
            "blocks": [
                block(r, r.scheduled_start, r.scheduled_end)
                for r in c.sessions
                if r.status not in OFF_GRID
            ],
        }
        for c in chair_days
    ]
    room_lanes = [
        {
            "room": d.room,
            "blocks": [
                block(r, r.scheduled_end, r.recovery_end)
                for r in d.sessions
                if r.status not in OFF_GRID and r.recovery_end is not None
            ],
        }
        for d in room_days
    ]
    room_names = {d.room.id: d.room.name for d in room_days}
    patient_rows, _ = patients.list_patients(session=session, actor=actor, clock=clock, limit=500)
    nurses = board.clinic_nurses(session=session, actor=actor, clock=clock)
    finder = finder or FormState()
    chosen = (
        whole(finder, "patient_id", "patient", required=False)
        if finder.value("patient_id")
        else None
    )
    course = (
        booking_course(session=session, actor=actor, clock=clock, patient_id=chosen)
        if chosen
        else None
    )
    if course is not None and course.problem:
        finder.add("patient_id", course.problem)
    slots = _slots(session, actor, clock, finder, course) if course else []
    return {
        "day": day,
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": clock.now().astimezone(zone).date(),
        "lanes": lanes,
        "room_lanes": room_lanes,
        "room_names": room_names,
        "off_grid": [(r, names.get(r.patient_id, "")) for r in rows if r.status in OFF_GRID],
        "hours": list(range(FIRST_HOUR, LAST_HOUR)),
        "steps_per_hour": 60 // STEP_MIN,
        "columns": (LAST_HOUR - FIRST_HOUR) * 60 // STEP_MIN,
        "patient_options": [(str(p.id), f"{p.family_name}, {p.given_name}") for p in patient_rows],
        "chair_options": [(str(c.chair.id), c.chair.name) for c in chair_days],
        "room_options": [(str(d.room.id), d.room.name) for d in room_days],
        "nurse_options": [(str(n.id), n.full_name) for n in nurses],
        "finder": finder,
        "chosen": chosen,
        "finder_course_note": course_note(course),
        "book_course_note": course_note(course),
        "slots": slots,
        "forms": {},
        **view_helpers(zone),
    }


def course_note(course: BookingCourse | None) -> str:
    """The course a booking goes into, as a hint under the patient (blank when none can be)."""
    if course is None or course.course is None or course.problem:
        return ""
    row = course.course
    return (
        f"Booked in {course.patient_name}'s current course: "
        f"{row.route.value.replace('_', ' ')} from {row.starts_on:%d %b %Y}"
    )


def _slots(
    session: Session, actor: Actor, clock: Clock, finder: FormState, course: BookingCourse
) -> list[session_slots.FreeSlot]:
    if not finder.ok or course.course is None:
        return []
    course_id, patient_id = course.course.id, course.course.patient_id
    found = attempt(
        session,
        lambda: session_slots.free_slots(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            course_id=course_id,
            with_room=checked(finder, "with_room"),
        ),
        finder,
        aliases={"course_id": "patient_id"},
    )
    return found or []


@router.get("/schedule")
def schedule(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    day: str = "",
    patient_id: str = "",
    with_room: str = "",
) -> Response:
    finder = FormState.of({"patient_id": patient_id, "with_room": with_room})
    context = schedule_context(session, actor, clock, day_text=day, finder=finder)
    return render(request, "schedule/day.html", context, status_code=200 if finder.ok else 422)


@router.post("/schedule/book", dependencies=CSRF)
def book(
    request: Request, data: FormDep, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    form, _ = state_of(data)
    zone = board.clinic_zone(session=session, actor=actor)
    patient_id = whole(form, "book_patient_id", "patient")
    chair_id = whole(form, "chair_id", "chair")
    nurse_id = whole(form, "nurse_user_id", "nurse")
    room_id = whole(form, "recovery_room_id", "recovery room", required=False)
    start = local_datetime(form, "start", "start", zone)
    day = start.astimezone(zone).date().isoformat() if start else ""
    # The session goes into the patient's current course; none fit: refused beside the patient.
    course = (
        booking_course(session=session, actor=actor, clock=clock, patient_id=patient_id)
        if patient_id is not None
        else None
    )
    if course is not None and course.problem:
        form.add("book_patient_id", course.problem)
    course_id = course.course.id if course is not None and course.course is not None else None

    def again() -> Response:
        context = schedule_context(session, actor, clock, day_text=day)
        context["forms"] = {"book": form}
        context["book_course_note"] = course_note(course)
        return render(request, "schedule/day.html", context, status_code=422)

    return submit(
        session,
        form,
        lambda: session_booking.book_session(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,  # type: ignore[arg-type]
            start=start,  # type: ignore[arg-type]
            chair_id=chair_id,  # type: ignore[arg-type]
            nurse_user_id=nurse_id,  # type: ignore[arg-type]
            course_id=course_id,
            recovery_room_id=room_id,
        ),
        then=f"/schedule?day={day}",
        again=again,
        aliases={"course_id": "book_patient_id", "patient_id": "book_patient_id"},
    )


# --- one booking: reschedule, cancel, no-show --------------------------------------------------


def booking_context(
    session: Session, actor: Actor, clock: Clock, session_id: int
) -> dict[str, Any]:
    detail = session_read.get_session(
        session=session, actor=actor, clock=clock, session_id=session_id
    )
    names = board.session_names(session=session, row=detail.row)
    chairs = clinics.list_locations(session=session, actor=actor)
    nurses = board.clinic_nurses(session=session, actor=actor, clock=clock)
    start_local = detail.row.scheduled_start.astimezone(names.zone)
    return {
        "row": detail.row,
        "names": names,
        "events": detail.events,
        "chair_options": [(str(c.id), c.name) for c in chairs if c.kind.value == "chair"],
        "nurse_options": [(str(n.id), n.full_name) for n in nurses],
        "start_value": start_local.strftime("%Y-%m-%dT%H:%M"),
        "forms": {},
        **view_helpers(names.zone),
    }


def _change_booking(
    request: Request,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    key: str,
    form: FormState,
    call: Callable[[], object],
    aliases: Mapping[str, str],
) -> Response:
    """Answer a post on a booking's page: 303 to the schedule of the day the session is now
    booked on, or the booking's page again with `form` as `forms[key]` (422)."""

    def back(_: object) -> str:
        detail = session_read.get_session(
            session=session, actor=actor, clock=clock, session_id=session_id
        )
        zone = board.clinic_zone(session=session, actor=actor)
        return f"/schedule?day={detail.row.scheduled_start.astimezone(zone).date().isoformat()}"

    def again() -> Response:
        context = booking_context(session, actor, clock, session_id)
        context["forms"] = {key: form}
        return render(request, "schedule/booking.html", context, status_code=422)

    return submit(session, form, call, then=back, again=again, aliases=aliases)


@router.get("/schedule/sessions/{session_id}")
def booking(
    session_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return render(
        request, "schedule/booking.html", booking_context(session, actor, clock, session_id)
    )


@router.post("/schedule/sessions/{session_id}/reschedule", dependencies=CSRF)
def reschedule(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    zone = board.clinic_zone(session=session, actor=actor)
    start = local_datetime(form, "new_start", "new start", zone)
    chair_id = whole(form, "new_chair_id", "chair", required=False)
    nurse_id = whole(form, "new_nurse_user_id", "nurse", required=False)
    return _change_booking(
        request,
        session,
        actor,
        clock,
        session_id,
        "reschedule",
        form,
        lambda: session_booking.reschedule(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            start=start,  # type: ignore[arg-type]
            reason=form.value("reschedule_reason"),
            chair_id=chair_id,
            nurse_user_id=nurse_id,
        ),
        {
            "start": "new_start",
            "reason": "reschedule_reason",
            "chair_id": "new_chair_id",
            "nurse_user_id": "new_nurse_user_id",
        },
    )


@router.post("/schedule/sessions/{session_id}/cancel", dependencies=CSRF)
def cancel(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    return _change_booking(
        request,
        session,
        actor,
        clock,
        session_id,
        "cancel",
        form,
        lambda: session_booking.cancel(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            reason=form.value("cancel_reason"),
        ),
        {"reason": "cancel_reason"},
    )


@router.post("/schedule/sessions/{session_id}/no-show", dependencies=CSRF)
def no_show(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    return _change_booking(
        request,
        session,
        actor,
        clock,
        session_id,
        "no_show",
        form,
        lambda: session_booking.mark_no_show(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            note=form.value("no_show_note"),
        ),
        {"note": "no_show_note"},
    )
