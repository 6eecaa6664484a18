"""The staff page of check-ins and outgoing messages (`/check-ins`): the clinic's check-ins
(scheduled, awaiting an answer, answered with the score and its band — urgent ones marked —
or cancelled), the messages outbox with a Retry for a failed message, and "send a check-in
now". Plain forms: a post answers 303 back to the page; a refusal renders the page again (422)
with the error beside the field it concerns.

Paging: `?page=N` (check-ins) and `?outbox_page=N` (messages), `size` items per page (one of
SIZES, default 50), kept with the status filter in the previous/next links. A page number past
the end shows the last page; a bad number or size falls back to the default (a GET never
refuses)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.db.models import CheckInStatus, JobStatus
from ketacare.domain.check_ins import PlannedKind
from ketacare.services import check_in_overview, check_ins, jobs
from ketacare.services.actors import Actor
from ketacare.services.care_data import clinic_zone
from ketacare.services.check_in_jobs import INSTRUMENT_NAMES
from ketacare.services.check_in_overview import CheckInLine, OutboxLine, Paged
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "/check-ins"
TEMPLATE = "care/check_ins_page.html"
KIND_LABELS = {
    PlannedKind.BEFORE_SESSION.value: "Before a session",
    PlannedKind.AFTER_SESSION.value: "After a session",
    PlannedKind.AFTER_LOADING.value: "After loading",
    PlannedKind.MAINTENANCE.value: "Maintenance",
    PlannedKind.ON_REQUEST.value: "On request",
    check_ins.CHECK_IN_JOB: "Check-in link",
    check_ins.CHECK_IN_REMINDER_JOB: "Check-in reminder",
    check_ins.SESSION_REMINDER_JOB: "Session reminder",
    check_ins.PLAN_JOB: "Planning run",
}
STATUS_FILTERS = [("", "All"), *((s.value, s.value.capitalize()) for s in CheckInStatus)]
P = TypeVar("P", bound=Paged[Any])
SIZES = (25, 50, 100, 200)
DEFAULT_SIZE = 50
DONE = {
    "requested": "Check-in requested: the link goes out with the next worker run (or when the "
    "patient's sending window opens).",
    "retried": "Message queued again: the worker sends it on its next run.",
}


def _when(moment: datetime | None, zone: ZoneInfo, fmt: str = "%a %d %b, %H:%M") -> str:
    return moment.astimezone(zone).strftime(fmt) if moment else ""


SHORT = "%d %b %H:%M"  # the outbox is wide: no weekday


def _check_in_view(line: CheckInLine, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    row = line.check_in
    if row.status is CheckInStatus.PENDING:
        state = (
            ("awaiting", "Awaiting answer") if line.awaiting(now) else ("scheduled", "Scheduled")
        )
    else:
        state = (row.status.value, row.status.value.capitalize())
    return {
        "row": row,
        "patient": line.patient,
        "due": _when(row.due_at, zone),
        "kind": KIND_LABELS.get(row.kind.value, row.kind.value),
        "instruments": [INSTRUMENT_NAMES.get(i, i) for i in row.instruments],
        "state": state[0],
        "state_label": state[1],
        "answered": _when(row.answered_at, zone),
        "scores": [
            {
                "name": INSTRUMENT_NAMES.get(s.instrument, s.instrument),
                "total": s.total,
                "band": s.band,
            }
            for s in line.scores
        ],
    }


def _job_view(line: OutboxLine, zone: ZoneInfo) -> dict[str, Any]:
    job = line.job
    return {
        "job": job,
        "patient": line.patient,
        "kind": KIND_LABELS.get(job.kind, job.kind),
        "due": _when(job.due_at, zone, SHORT),
        "sent": _when(job.sent_at, zone, SHORT),
        "failed": job.status is JobStatus.FAILED,
    }


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else default


def _paged(fetch: Callable[[int, int], P], number: int, size: int) -> P:
    """The page `number` (1-based) of `fetch(limit, offset)`; past the end: the last page."""
    page = fetch(size, (number - 1) * size)
    if not page.items and page.total and number > 1:
        page = fetch(size, (max(1, -(-page.total // size)) - 1) * size)
    return page


def _pager(request: Request, page: Paged[Any], param: str) -> dict[str, Any]:
    """Previous/next links for one list, keeping every other query parameter (filters, the
    other list's page, the size)."""
    kept = {k: v for k, v in request.query_params.items() if k not in (param, "done")}
    number = page.offset // page.limit + 1
    pages = max(1, -(-page.total // page.limit))

    def link(n: int) -> str:
        return f"{PAGE}?{urlencode(kept | {param: str(n)})}"

    return {
        "number": number,
        "pages": pages,
        "total": page.total,
        "first": page.offset + 1 if page.items else 0,
        "last": page.offset + len(page.items),
        "previous": link(number - 1) if page.has_previous else None,
        "next": link(number + 1) if page.has_next else None,
    }


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    clock: Clock,
    forms: dict[str, FormState] | None = None,
    status_code: int = 200,
) -> Response:
    query = request.query_params
    wanted = query.get("status", "")
    status = CheckInStatus(wanted) if wanted in {s.value for s in CheckInStatus} else None
    size = _number(query.get("size"), DEFAULT_SIZE)
    size = size if size in SIZES else DEFAULT_SIZE
    check_in_page = _paged(
        lambda limit, offset: check_in_overview.check_in_page(
            session=session, actor=actor, clock=clock, status=status, limit=limit, offset=offset
        ),
        _number(query.get("page"), 1),
        size,
    )
    outbox_page = _paged(
        lambda limit, offset: check_in_overview.outbox_page(
            session=session, actor=actor, clock=clock, limit=limit, offset=offset
        ),
        _number(query.get("outbox_page"), 1),
        size,
    )
    lines, outbox = check_in_page.items, outbox_page.items
    candidates = check_in_overview.check_in_candidates(session=session, actor=actor, clock=clock)
    zone = clinic_zone(session, actor.clinic_id or 0)
    now = clock.now()
    context = {
        "check_ins": [_check_in_view(line, zone, now) for line in lines],
        "outbox": [_job_view(line, zone) for line in outbox],
        "failed_count": outbox_page.failed,
        "check_in_pager": _pager(request, check_in_page, "page"),
        "outbox_pager": _pager(request, outbox_page, "outbox_page"),
        "size": size,
        "sizes": SIZES,
        "patients": [
            (
                str(p.id),
                f"{p.family_name}, {p.given_name}" + ("" if p.email else " (no email)"),
            )
            for p in candidates
        ],
        "status": status.value if status else "",
        "status_filters": STATUS_FILTERS,
        "forms": forms or {},
        "done": DONE.get(request.query_params.get("done", ""), ""),
    }
    return render(request, TEMPLATE, context, status_code=status_code)


@router.get(PAGE)
def check_ins_page(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _page(request, session, actor, clock)


@router.post(PAGE + "/request", dependencies=[Depends(verify_csrf)])
def request_now(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    patient_id: Annotated[str, Form()] = "",
) -> Response:
    form = FormState.of({"patient_id": patient_id})
    if not patient_id.strip().isdigit():
        form.add("patient_id", "choose the patient to ask for a check-in")
    return submit(
        session,
        form,
        lambda: check_ins.request_check_in(
            session=session, actor=actor, clock=clock, patient_id=int(patient_id)
        ),
        then=f"{PAGE}?done=requested",
        again=lambda: _page(request, session, actor, clock, {"request": form}, 422),
        aliases={"email": "patient_id", "due_at": "patient_id", "opted_out": "patient_id"},
    )


@router.post(PAGE + "/jobs/{job_id}/retry", dependencies=[Depends(verify_csrf)])
def retry(
    job_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    form = FormState()
    return submit(
        session,
        form,
        lambda: jobs.retry_job(session=session, actor=actor, clock=clock, job_id=job_id),
        then=f"{PAGE}?done=retried",
        again=lambda: _page(request, session, actor, clock, {f"retry-{job_id}": form}, 422),
    )
