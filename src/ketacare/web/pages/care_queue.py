"""The clinician's care queue: open patient alerts first (acknowledge with a note), then the
booster recommendations (why due, window, flags, the next free slots to book, or dismiss with a
reason). Plain forms: a post answers 303 back to the queue, a refusal renders the queue again
(422) with the error beside the field of the item it concerns.

Free slots cost one search of the schedule per recommendation, so the page looks them up only
for the first EAGER_SLOTS items (the windows closing soonest) and for an item whose booking was
just refused; every other item links to `/care-queue/{id}/slots` — a page of its own without
JavaScript, the slots alone swapped into the item by htmx when it scrolls into view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.domain.findings import Severity
from ketacare.services import booster_queue, care, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.booster_queue import QueueItem
from ketacare.services.care_data import clinic_zone
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
TEMPLATE = "care/queue.html"
QUEUE = "/care-queue"
# How many items (the windows closing soonest) come with their free slots in the page itself.
EAGER_SLOTS = 5


@dataclass(frozen=True)
class SlotView:
    start: str  # ISO, posted back as is
    when: str
    where: str
    chair_id: int
    nurse_user_id: int


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b, %H:%M")


def _item_view(item: QueueItem, zone: ZoneInfo) -> dict[str, Any]:
    reason = item.reason
    due = [f for f in reason.findings if f["rule_id"] == "maintenance.booster_due"]
    lead = reason.evidence.get(reason.instrument, {})
    scores = [lead.get("post_loading", {}), *lead.get("recent", [])]
    return {
        "item": item,
        "why": due[0]["message"] if due else "",
        "instrument": reason.instrument,
        "scores": [
            {
                "total": s["total"],
                "day": datetime.fromisoformat(s["taken_at"]).astimezone(zone).strftime("%d %b"),
                "post_loading": i == 0,
            }
            for i, s in enumerate(scores)
            if s
        ],
        "other_findings": [f for f in reason.findings if f not in due],
        "slots": [
            SlotView(
                s.start.isoformat(),
                _when(s.start, zone),
                f"{s.chair.name} · {s.nurse.full_name}",
                s.chair.id,
                s.nurse.id,
            )
            for s in item.slots
        ],
    }


def _alert_view(item: care.AlertItem, zone: ZoneInfo) -> dict[str, Any]:
    return {"a": item, "raised": _when(item.alert.raised_at, zone)}


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    clock: Clock,
    forms: dict[str, FormState] | None = None,
    status_code: int = 200,
) -> Response:
    alerts = care.open_alerts(session=session, actor=actor, clock=clock)
    refused = {int(key.split("-")[1]) for key in forms or {} if key.startswith("book-")}
    items = booster_queue.care_queue(
        session=session, actor=actor, clock=clock, slots_for=EAGER_SLOTS, slots_also=refused
    )
    zone = clinic_zone(session, actor.clinic_id or 0)
    urgent = [_alert_view(a, zone) for a in alerts if a.alert.level is Severity.URGENT]
    others = [_alert_view(a, zone) for a in alerts if a.alert.level is not Severity.URGENT]
    context = {
        "alerts": urgent,
        "other_alerts": others,
        "others_open": any(f"ack-{a.alert.id}" in (forms or {}) for a in alerts),
        "items": [_item_view(i, zone) for i in items],
        "forms": forms or {},
        "done": request.query_params.get("done", ""),
    }
    return render(request, TEMPLATE, context, status_code=status_code)


@router.get(QUEUE)
def queue(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    return _page(request, session, actor, clock)


@router.get(QUEUE + "/{recommendation_id}/slots")
def slots(
    recommendation_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    """One recommendation's next free slots: the slots alone for htmx, else a page with the
    item. A closed (or answered) recommendation answers the error page (409)."""
    item = booster_queue.queue_item(
        session=session, actor=actor, clock=clock, recommendation_id=recommendation_id
    )
    zone = clinic_zone(session, actor.clinic_id or 0)
    name = "care/queue_slots.html" if request.headers.get("HX-Request") else "care/queue_one.html"
    return render(request, name, {"view": _item_view(item, zone), "forms": {}})


@router.post(QUEUE + "/alerts/{alert_id}/acknowledge", dependencies=[Depends(verify_csrf)])
def acknowledge(
    alert_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    form = FormState.of({"note": note})
    return submit(
        session,
        form,
        lambda: symptom_scores.acknowledge_patient_alert(
            session=session, actor=actor, clock=clock, alert_id=alert_id, note=note
        ),
        then=f"{QUEUE}?done=acknowledged",
        again=lambda: _page(request, session, actor, clock, {f"ack-{alert_id}": form}, 422),
    )


@router.post(QUEUE + "/{recommendation_id}/book", dependencies=[Depends(verify_csrf)])
def book(
    recommendation_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    start: Annotated[str, Form()] = "",
    chair_id: Annotated[int, Form()] = 0,
    nurse_user_id: Annotated[int, Form()] = 0,
) -> Response:
    form = FormState.of({"start": start})
    try:
        moment: datetime | None = datetime.fromisoformat(start)
    except ValueError:
        moment = None
        form.add("start", "choose one of the offered times")

    def call() -> object:
        assert moment is not None  # refused above when not one of the offered times
        return booster_queue.book_recommendation(
            session=session,
            actor=actor,
            clock=clock,
            recommendation_id=recommendation_id,
            start=moment,
            chair_id=chair_id,
            nurse_user_id=nurse_user_id,
        )

    return submit(
        session,
        form,
        call,
        then=f"{QUEUE}?done=booked",
        again=lambda: _page(
            request, session, actor, clock, {f"book-{recommendation_id}": form}, 422
        ),
        aliases={"chair_id": "start", "nurse_user_id": "start", "course_id": "start"},
    )


@router.post(QUEUE + "/{recommendation_id}/dismiss", dependencies=[Depends(verify_csrf)])
def dismiss(
    recommendation_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    reason: Annotated[str, Form()] = "",
) -> Response:
    form = FormState.of({"reason": reason})
    return submit(
        session,
        form,
        lambda: booster_queue.dismiss_recommendation(
            session=session,
            actor=actor,
            clock=clock,
            recommendation_id=recommendation_id,
            reason=reason,
        ),
        then=f"{QUEUE}?done=dismissed",
        again=lambda: _page(
            request, session, actor, clock, {f"dismiss-{recommendation_id}": form}, 422
        ),
    )
