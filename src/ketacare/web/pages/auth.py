"""Sign-in and sign-out pages (session cookie: signed, HttpOnly, SameSite=Lax)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ketacare.domain.errors import Unauthenticated
from ketacare.services import auth
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, SessionDep, SettingsDep
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    # Only same-site paths: never bounce a fresh session to another host.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin")
def signin_form(request: Request, next: str = "/") -> Response:
    return render(request, "signin.html", {"next": _safe_next(next), "email": ""})


@router.post("/signin", dependencies=[Depends(verify_csrf)])
def signin(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    client = request.client.host if request.client else ""
    try:
        user = auth.sign_in(
            session=session,
            settings=settings,
            clock=clock,
            email=email,
            password=password,
            client=client,
        )
    except Unauthenticated as refused:
        return render(
            request,
            "signin.html",
            {"error": refused.message, "email": email, "next": _safe_next(next)},
            status_code=401,
        )
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["user_name"] = user.full_name
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/signout", dependencies=[Depends(verify_csrf)])
def signout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)
