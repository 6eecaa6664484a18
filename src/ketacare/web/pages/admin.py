"""Admin pages of a clinic: users, chairs and rooms, and the audit trail (the policy and the
finder listing have their own modules). Every page sits under the Admin sub-navigation."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from ketacare.db.models import LocationKind, Role
from ketacare.db.models.audit import AuditOutcome
from ketacare.domain.errors import InvalidInput
from ketacare.services import access, audit, clinics
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.passwords import MIN_PASSWORD_LENGTH
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
ADMINS = frozenset({Role.ADMIN})
STAFF_ROLES = (Role.NURSE, Role.PRESCRIBER, Role.ADMIN)
KIND_LABELS = {LocationKind.CHAIR: "Treatment chair", LocationKind.RECOVERY_ROOM: "Recovery room"}


def require_admin(session: SessionDep, actor: Actor, clock: Clock, action: str) -> None:
    access.require_role(session=session, actor=actor, clock=clock, roles=ADMINS, action=action)


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


# --- users -----------------------------------------------------------------------------------


def _users_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    users = clinics.list_users(session=session, actor=actor, clock=clock)
    context = {
        "users": users,
        "form": form or FormState.of({"role": Role.NURSE.value}),
        "roles": [(r.value, r.value.capitalize()) for r in STAFF_ROLES],
        "min_password": MIN_PASSWORD_LENGTH,
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "admin/users.html", context, status_code=status_code)


@router.get("/users")
def users(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    return _users_page(request, session, actor, clock)


@router.post("/users", dependencies=[Depends(verify_csrf)])
def create_user(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    full_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require_admin(session, actor, clock, "user.create")
    form = FormState.of({"full_name": full_name, "email": email, "role": role})

    def create() -> object:
        chosen = _staff_role(role)
        if not password:
            raise InvalidInput(
                f"give a first password of at least {MIN_PASSWORD_LENGTH} characters",
                field="password",
            )
        return clinics.create_user(
            session=session,
            actor=actor,
            clock=clock,
            email=email,
            full_name=full_name,
            role=chosen,
            password=password,
        )

    return submit(
        session,
        form,
        create,
        then=f"/admin/users?saved={quote(email.strip().lower())}",
        again=lambda: _users_page(request, session, actor, clock, form, 422),
    )


def _staff_role(value: str) -> Role:
    for role in STAFF_ROLES:
        if role.value == value:
            return role
    raise InvalidInput(
        "choose nurse, prescriber or admin (patient accounts are created by inviting the "
        "patient from their chart)",
        field="role",
    )


# --- chairs and recovery rooms ---------------------------------------------------------------


def _locations_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    require_admin(session, actor, clock, "location.list")
    rows = clinics.list_locations(session=session, actor=actor)
    context = {
        "chairs": [r for r in rows if r.kind is LocationKind.CHAIR],
        "rooms": [r for r in rows if r.kind is LocationKind.RECOVERY_ROOM],
        "form": form or FormState.of({"kind": LocationKind.CHAIR.value}),
        "kinds": [(k.value, label) for k, label in KIND_LABELS.items()],
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "admin/locations.html", context, status_code=status_code)


@router.get("/locations")
def locations(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    return _locations_page(request, session, actor, clock)


@router.post("/locations", dependencies=[Depends(verify_csrf)])
def add_location(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=80)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    require_admin(session, actor, clock, "location.create")
    form = FormState.of({"name": name, "kind": kind})

    def add() -> object:
        if kind not in {k.value for k in LocationKind}:
            raise InvalidInput("choose a treatment chair or a recovery room", field="kind")
        return clinics.add_location(
            session=session, actor=actor, clock=clock, name=name, kind=LocationKind(kind)
        )

    return submit(
        session,
        form,
        add,
        then=f"/admin/locations?saved={quote(name.strip())}",
        again=lambda: _locations_page(request, session, actor, clock, form, 422),
    )


# --- audit trail -----------------------------------------------------------------------------


@router.get("/audit")
def audit_trail(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    action: Annotated[str, Query(max_length=80)] = "",
    patient_id: str = "",
    actor_user_id: str = "",
    outcome: str = "",
) -> Response:
    chosen = AuditOutcome(outcome) if outcome in {o.value for o in AuditOutcome} else None
    filters = audit.AuditFilter(
        actor_user_id=_int_or_none(actor_user_id),
        patient_id=_int_or_none(patient_id),
        action=action or None,
        outcome=chosen,
    )
    rows, total = audit.list_events(
        session=session, actor=actor, clock=clock, filters=filters, limit=200
    )
    return render(
        request,
        "admin/audit.html",
        {
            "rows": rows,
            "total": total,
            "filters": filters,
            "outcomes": [o.value for o in AuditOutcome],
        },
    )
