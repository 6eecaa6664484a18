"""The patient's one-time invitation page: set a password, then sign in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ketacare.db.models import User
from ketacare.domain.errors import InvalidInput, NotFound
from ketacare.services import invitations
from ketacare.services.passwords import MIN_PASSWORD_LENGTH
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, SessionDep
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
TEMPLATE = "invite/set_password.html"


@router.get("/invite/{token}")
def invite_form(token: str, request: Request, session: SessionDep, clock: ClockDep) -> Response:
    try:
        invitation = invitations.open_invitation(session=session, clock=clock, token=token)
    except NotFound as error:
        return render(request, TEMPLATE, {"invalid": error.message}, status_code=404)
    user = session.get(User, invitation.user_id)
    context = {
        "token": token,
        "email": user.email if user else "",
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return render(request, TEMPLATE, context)


@router.post("/invite/{token}", dependencies=[Depends(verify_csrf)])
def invite_submit(
    token: str,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        invitation = invitations.open_invitation(session=session, clock=clock, token=token)
    except NotFound as error:
        return render(request, TEMPLATE, {"invalid": error.message}, status_code=404)
    user = session.get(User, invitation.user_id)
    context = {
        "token": token,
        "email": user.email if user else "",
        "min_length": MIN_PASSWORD_LENGTH,
    }
    if password != confirm:
        return render(
            request, TEMPLATE, {**context, "error": "the two passwords differ"}, status_code=422
        )
    try:
        invitations.accept_invitation(session=session, clock=clock, token=token, password=password)
    except InvalidInput as error:
        return render(request, TEMPLATE, {**context, "error": error.message}, status_code=422)
    return render(request, TEMPLATE, {**context, "done": True})
