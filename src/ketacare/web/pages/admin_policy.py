"""The clinic policy page: every value by section beside its published default, unit,
statement and source; change a value with a reason (admins); confirm UNCONFIRMED defaults
(prescribers); the version history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ketacare.domain.errors import InvalidInput
from ketacare.domain.policy import ClinicPolicy, PolicyValue
from ketacare.services import admin_views, policy
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, attempt
from ketacare.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
TEMPLATE = "admin/policy.html"
_KNOWN = {v.key: v for v in ClinicPolicy().values()}


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    *,
    change: FormState | None = None,
    confirm: FormState | None = None,
    status_code: int = 200,
) -> Response:
    view = admin_views.policy_page(session=session, actor=actor, clock=clock)
    chosen = request.query_params.get("key", "")
    context = {
        "view": view,
        "change": change or FormState.of({"key": chosen if chosen in _KNOWN else ""}),
        "confirm": confirm or FormState(),
        "chosen_confirm": set(confirm.values.get("confirm", "").split(",")) if confirm else set(),
        "saved": request.query_params.get("saved", ""),
        "shown": show,
    }
    return render(request, TEMPLATE, context, status_code=status_code)


@router.get("/policy")
def policy_page(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _page(request, session, actor, clock)


@router.post("/policy", dependencies=[Depends(verify_csrf)])
def change_value(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    key: Annotated[str, Form(max_length=120)] = "",
    value: Annotated[str, Form(max_length=2000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState.of({"key": key, "value": value, "reason": reason})

    def change() -> object:
        current = _KNOWN.get(key)
        if current is None:
            raise InvalidInput("choose the policy value to change", field="key")
        return policy.change_policy(
            session=session,
            actor=actor,
            clock=clock,
            overrides={key: parse_value(current, value)},
            reason=reason,
        )

    if attempt(session, change, form, aliases={key: "value"}) is None:
        return _page(request, session, actor, clock, change=form, status_code=422)
    return RedirectResponse("/admin/policy?saved=changed", status_code=303)


@router.post("/policy/confirm", dependencies=[Depends(verify_csrf)])
def confirm_values(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    confirm: Annotated[list[str], Form()] = [],  # noqa: B006
    confirm_reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState.of({"confirm": ",".join(confirm), "confirm_reason": confirm_reason})

    def sign_off() -> object:
        if not confirm:
            raise InvalidInput("tick the values you confirm", field="confirm")
        return policy.change_policy(
            session=session,
            actor=actor,
            clock=clock,
            overrides={},
            confirm=[k for k in confirm if k in _KNOWN] or confirm,
            reason=confirm_reason,
        )

    if attempt(session, sign_off, form, aliases={"reason": "confirm_reason"}) is None:
        return _page(request, session, actor, clock, confirm=form, status_code=422)
    return RedirectResponse("/admin/policy?saved=confirmed", status_code=303)


def parse_value(current: PolicyValue, typed: str) -> Any:
    """The typed text as the value's type (the bounds are the core's to check)."""
    text = typed.strip()
    default = current.default
    try:
        if isinstance(default, bool):
            if text.lower() in {"true", "yes", "on", "1"}:
                return True
            if text.lower() in {"false", "no", "off", "0"}:
                return False
            raise ValueError
        if isinstance(default, tuple):
            kind = type(default[0]) if default else float
            return tuple(kind(part.strip()) for part in text.split(",") if part.strip())
        if isinstance(default, int):
            number = float(text)
            if number != int(number):
                raise InvalidInput(
                    f"{current.key} must be a whole number ({current.info.unit})", field="value"
                )
            return int(number)
        if isinstance(default, float):
            return float(text)
    except ValueError:
        raise InvalidInput(_expected(current), field="value") from None
    return typed


def _expected(current: PolicyValue) -> str:
    default = current.default
    if isinstance(default, bool):
        return f"{current.key} must be yes or no"
    if isinstance(default, tuple):
        return f"{current.key} must be numbers separated by commas ({current.info.unit})"
    return f"{current.key} must be a number ({current.info.unit})"


def show(value: Any) -> str:
    """A policy value as the page prints it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(show(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
