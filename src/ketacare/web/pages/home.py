"""The start page: staff see their clinic at a glance; a patient sees their own care."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.pages.board import render_board
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    if actor.is_staff:
        # Staff start at today's board (web/pages/board.py).
        return render_board(request, session, actor, clock)
    if actor.patient_id is not None:
        # A signed-in patient's start page is their own care (web/pages/my_care.py).
        return RedirectResponse("/my", status_code=303)
    context: dict[str, object] = {"user_name": request.session.get("user_name", actor.label)}
    return render(request, "home.html", context)
