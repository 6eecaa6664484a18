"""The start page: staff see their clinic at a glance; a patient sees their own care."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ketacare.services import patients
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    context: dict[str, object] = {"user_name": request.session.get("user_name", actor.label)}
    if actor.is_staff:
        rows, total = patients.list_patients(session=session, actor=actor, clock=clock, limit=20)
        context.update(patients=rows, total=total)
    return render(request, "home.html", context)
