"""The schedule: a day of chairs (date picker, previous/next day), booking a session, the
free-slot finder ("next 3 slots for this patient"), and a booking's page to reschedule, cancel
or record a no-show. Every change is one `session_booking` service call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import board, clinics, courses, patients, session_booking, session_read
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, attempt, submit
from ketacare.web.pages.chair_common import FormDep, local_datetime, state_of, view_helpers, whole
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
CSRF = [Depends(verify_csrf)]
OFF_GRID = frozenset({SessionStatus.CANCELLED, SessionStatus.NO_SHOW})
STEP_MIN = session_booking.SLOT_STEP_MIN
FIRST_HOUR, LAST_HOUR = session_booking.OPENING.hour, session_booking.CLOSING.hour


def _day(raw: str, zone: ZoneInfo, clock: Clock) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return clock.now().astimezone(zone).date()


def _column(moment: datetime, day: date, zone: ZoneInfo) -> int:
    """The grid column of a moment (column 1 is the chair's name; one column per 15 min)."""
    opening = datetime.combine(day, session_booking.OPENING, zone)
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
    chair_days = session_booking.day_view(session=session, actor=actor, clock=clock, day=day)
    rows = [s for c in chair_days for s in c.sessions]
    names = board.patient_names(session, {r.patient_id for r in rows})
    lanes = [
        {
            "chair": c.chair,
            "blocks": [
                {
                    "row": r,
                    "name": names.get(r.patient_id, ""),
                    "start": _column(r.scheduled_start, day, zone),
                    "end": max(
                        _column(r.scheduled_end, day, zone),
                        _column(r.scheduled_start, day, zone) + 1,
                    ),
                }
                for r in c.sessions
                if r.status not in OFF_GRID
            ],
        }
        for c in chair_days
    ]
    patient_rows, _ = patients.list_patients(session=session, actor=actor, clock=clock, limit=500)
    nurses = board.clinic_nurses(session=session, actor=actor, clock=clock)
    finder = finder or FormState()
    chosen = (
        whole(finder, "patient_id", "patient", required=False)
        if finder.value("patient_id")
        else None
    )
    patient_courses = (
        courses.list_courses(session=session, actor=actor, clock=clock, patient_id=chosen)
        if chosen
        else []
    )
    slots = _slots(session, actor, clock, finder, chosen) if chosen else []
    return {
        "day": day,
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": clock.now().astimezone(zone).date(),
        "lanes": lanes,
        "off_grid": [(r, names.get(r.patient_id, "")) for r in rows if r.status in OFF_GRID],
        "hours": list(range(FIRST_HOUR, LAST_HOUR)),
        "steps_per_hour": 60 // STEP_MIN,
        "columns": (LAST_HOUR - FIRST_HOUR) * 60 // STEP_MIN,
        "patient_options": [(str(p.id), f"{p.family_name}, {p.given_name}") for p in patient_rows],
        "chair_options": [(str(c.chair.id), c.chair.name) for c in chair_days],
        "nurse_options": [(str(n.id), n.full_name) for n in nurses],
        "route_options": [(r.value, r.value.replace("_", " ")) for r in Route],
        "course_options": [
            (str(c.id), f"{c.route.value.replace('_', ' ')} from {c.starts_on}")
            for c in patient_courses
        ],
        "finder": finder,
        "chosen": chosen,
        "slots": slots,
        "forms": {},
        **view_helpers(zone),
    }


def _course_and_route(form: FormState) -> tuple[int | None, Route | None]:
    course_id = whole(form, "course_id", "course", required=False)
    raw = form.value("route")
    route = Route(raw) if raw in {r.value for r in Route} else None
    if raw and route is None:
        form.add("route", "choose a route from the list")
    return course_id, route


def _slots(
    session: Session, actor: Actor, clock: Clock, finder: FormState, patient_id: int
) -> list[session_booking.FreeSlot]:
    course_id, route = _course_and_route(finder)
    if not finder.ok:
        return []
    found = attempt(
        session,
        lambda: session_booking.free_slots(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            route=route,
            course_id=course_id,
        ),
        finder,
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
    course_id: str = "",
    route: str = "",
) -> Response:
    finder = FormState.of({"patient_id": patient_id, "course_id": course_id, "route": route})
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
    start = local_datetime(form, "start", "start", zone)
    course_id = whole(form, "book_course_id", "course", required=False)
    raw_route = form.value("book_route")
    route = Route(raw_route) if raw_route in {r.value for r in Route} else None
    day = start.astimezone(zone).date().isoformat() if start else ""

    def again() -> Response:
        context = schedule_context(session, actor, clock, day_text=day)
        context["forms"] = {"book": form}
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
            route=route,
            course_id=course_id,
        ),
        then=f"/schedule?day={day}",
        again=again,
        aliases={
            "route": "book_route",
            "course_id": "book_course_id",
            "patient_id": "book_patient_id",
        },
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
