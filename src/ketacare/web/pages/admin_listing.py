"""The clinic's own finder listing: a preview of what would be published, each signal marked
verified (with the records that show it) or self-reported, and a publish button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from ketacare.domain.routes import Route
from ketacare.finder.model import Condition, Payment, Signal, SignalBasis, SignalKind, SignalStatus
from ketacare.finder.signals import SIGNAL_GUIDE
from ketacare.services import finder_publish
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, attempt
from ketacare.web.pages.admin import require_admin
from ketacare.web.schemas.finder import ROUTE_LABELS, label
from ketacare.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
TEMPLATE = "admin/listing.html"
TRI = [("", "Not said"), ("yes", "Yes"), ("no", "No")]
SIGNAL_CHOICES = [
    (SignalStatus.UNKNOWN.value, "Not said"),
    (SignalStatus.PRESENT.value, "Yes"),
    (SignalStatus.ABSENT.value, "No"),
]


def _tri(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _from_tri(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text)


def _stored_details(
    session: SessionDep, actor: Actor
) -> finder_publish.ClinicListingDetails | None:
    listing = finder_publish.published_listing(session, actor.clinic_id or 0)
    return finder_publish.details_of(listing) if listing else None


def _render(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    details: finder_publish.ClinicListingDetails,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    preview_form = form or FormState()
    preview = attempt(
        session,
        lambda: finder_publish.preview_clinic_listing(
            session=session, actor=actor, clock=clock, details=details
        ),
        preview_form,
    )
    own = {s.kind: s.status.value for s in details.self_reported}
    context = {
        "details": details,
        "preview": preview,
        "evidence": {e.kind: e for e in preview.evidence} if preview else {},
        "guide": SIGNAL_GUIDE,
        "form": preview_form,
        "own": own,
        "routes": [(r.value, ROUTE_LABELS[r]) for r in Route],
        "conditions": [(c.value, label(c.value)) for c in Condition],
        "payments": [(p.value, label(p.value)) for p in Payment],
        "signal_kinds": list(SignalKind),
        "signal_choices": SIGNAL_CHOICES,
        "tri": TRI,
        "tri_of": _tri,
        "verified": SignalBasis.VERIFIED,
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, TEMPLATE, context, status_code=status_code)


async def _posted(request: Request) -> FormData:
    # The self-reported signals are one field per signal kind (names built from the kinds).
    return await request.form()


@router.get("/listing")
def listing(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    require_admin(session, actor, clock, "finder.preview")
    details = _stored_details(session, actor) or finder_publish.ClinicListingDetails(
        routes=frozenset()
    )
    return _render(request, session, actor, clock, details)


@router.post("/listing", dependencies=[Depends(verify_csrf)])
def publish(
    request: Request,
    posted: Annotated[FormData, Depends(_posted)],
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    action: Annotated[str, Form(max_length=20)] = "preview",
    website: Annotated[str, Form(max_length=300)] = "",
    telehealth: Annotated[str, Form(max_length=5)] = "",
    accepting_new_patients: Annotated[str, Form(max_length=5)] = "",
    route: Annotated[list[str], Form()] = [],  # noqa: B006
    condition: Annotated[list[str], Form()] = [],  # noqa: B006
    payment: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    require_admin(session, actor, clock, "finder.publish")
    stored = _stored_details(session, actor)
    own = tuple(
        Signal(kind, SignalStatus(str(posted.get(f"signal_{kind.value}"))))
        for kind in SignalKind
        if posted.get(f"signal_{kind.value}") in {s.value for s in SignalStatus}
    )
    details = finder_publish.ClinicListingDetails(
        routes=frozenset(Route(v) for v in route if v in {r.value for r in Route}),
        conditions=frozenset(Condition(v) for v in condition if v in set(Condition)),
        payment=frozenset(Payment(v) for v in payment if v in set(Payment)),
        populations=stored.populations if stored else frozenset(),
        therapy_approaches=stored.therapy_approaches if stored else frozenset(),
        telehealth=_from_tri(telehealth),
        accepting_new_patients=_from_tri(accepting_new_patients),
        esketamine_rems_certified=stored.esketamine_rems_certified if stored else None,
        website=website.strip(),
        self_reported=own,
    )
    if action != "publish":
        return _render(request, session, actor, clock, details)
    form = FormState.of({"website": website})
    done = attempt(
        session,
        lambda: finder_publish.publish_clinic_listing(
            session=session, actor=actor, clock=clock, details=details
        ),
        form,
    )
    if done is None:
        return _render(request, session, actor, clock, details, form, 422)
    return RedirectResponse("/admin/listing?saved=published", status_code=303)
