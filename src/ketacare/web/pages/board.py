"""Today's board: every chair of the clinic today, each session's state, patient, minutes since
dose, overdue readings and open alerts; the live part refreshes itself every 15 seconds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.services import board
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.pages.chair_common import view_helpers
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)


def board_context(session: Session, actor: Actor, clock: Clock) -> dict[str, object]:
    today = board.today_board(session=session, actor=actor, clock=clock)
    return {"board": today, **view_helpers(today.zone)}


def render_board(request: Request, session: Session, actor: Actor, clock: Clock) -> Response:
    """The full board page (the staff branch of `/`)."""
    return render(request, "board/board.html", board_context(session, actor, clock))


@router.get("/board/live")
def board_live(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    """The live part of the board, polled by htmx (a plain visit gets the whole page)."""
    if not request.headers.get("HX-Request"):
        return render_board(request, session, actor, clock)
    return render(request, "board/_live.html", board_context(session, actor, clock))
