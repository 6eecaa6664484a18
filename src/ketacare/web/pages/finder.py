"""The public finder pages (no sign-in): search near a ZIP code or city, and a listing page that
explains each signal in plain words. With htmx, a search swaps only the results block."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import QueryParams

from ketacare.domain.errors import DomainError, NotFound
from ketacare.domain.routes import Route
from ketacare.finder.model import QUALITY_SIGNALS, Condition, Payment, SignalKind
from ketacare.finder.signals import BASIS_EXPLANATION, SIGNAL_GUIDE, STATUS_WORDS
from ketacare.finder.zips import UnknownPlace
from ketacare.services import finder
from ketacare.web.deps import OptionalPageActor, SessionDep
from ketacare.web.schemas.finder import (
    ATTRIBUTION,
    RADIUS_CHOICES,
    ROUTE_LABELS,
    SearchParams,
    label,
)
from ketacare.web.templating import render

router = APIRouter(prefix="/find", include_in_schema=False)

SHOWN_CONDITIONS = (
    Condition.ANXIETY,
    Condition.DEPRESSION,
    Condition.PTSD,
    Condition.OCD,
    Condition.BIPOLAR_DEPRESSION,
    Condition.CHRONIC_PAIN,
    Condition.SUBSTANCE_USE,
    Condition.EATING_DISORDERS,
)
SHOWN_PAYMENTS = (
    Payment.INSURANCE,
    Payment.MEDICARE,
    Payment.MEDICAID,
    Payment.MILITARY_INSURANCE,
    Payment.SELF_PAY,
    Payment.SLIDING_SCALE,
)
_TRUE = frozenset({"1", "true", "on", "yes"})


def _members(query: QueryParams, name: str, enum: type[Any]) -> list[Any]:
    allowed = {member.value: member for member in enum}
    return [allowed[v] for v in query.getlist(name) if v in allowed]


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def params_from(query: QueryParams) -> SearchParams:
    """Read the form tolerantly: unknown choices are ignored, bad numbers fall back."""
    radius = _number(query.get("radius_miles")) or 25.0
    return SearchParams(
        zip=query.get("zip", "")[:12],
        city=query.get("city", "")[:100],
        state=query.get("state", "")[:2],
        lat=_number(query.get("lat")),
        lon=_number(query.get("lon")),
        radius_miles=min(max(radius, 1.0), 3000.0),
        k=20,
        routes=_members(query, "route", Route),
        conditions=_members(query, "condition", Condition),
        payment=_members(query, "payment", Payment),
        signals=_members(query, "signal", SignalKind),
        telehealth=query.get("telehealth", "") in _TRUE,
        accepting_new_patients=query.get("accepting_new_patients", "") in _TRUE,
        exclude_red_flags=query.get("exclude_red_flags", "") in _TRUE,
        all_facilities=query.get("all_facilities", "") in _TRUE,
    )


def _common() -> dict[str, object]:
    return {
        "route_labels": ROUTE_LABELS,
        "conditions": SHOWN_CONDITIONS,
        "payments": SHOWN_PAYMENTS,
        "quality_signals": QUALITY_SIGNALS,
        "guide": SIGNAL_GUIDE,
        "status_words": STATUS_WORDS,
        "basis_explanation": BASIS_EXPLANATION,
        "label": label,
        "attribution": ATTRIBUTION,
        "radius_choices": RADIUS_CHOICES,
    }


@router.get("")
def find(request: Request, session: SessionDep, actor: OptionalPageActor) -> Response:
    params = params_from(request.query_params)
    context: dict[str, object] = {**_common(), "params": params, "searched": params.has_origin}
    if params.has_origin:
        try:
            place = finder.resolve_origin(
                zip_code=params.zip,
                city=params.city,
                state=params.state,
                latitude=params.lat,
                longitude=params.lon,
            )
            hits = finder.search(
                session=session,
                place=place,
                radius_miles=params.radius_miles,
                k=params.k,
                filters=params.filters(),
            )
            context.update(place=place, hits=hits)
        except DomainError as error:
            context.update(
                error=error.message,
                error_field=error.field,
                suggestions=getattr(error, "suggestions", ())
                if isinstance(error, UnknownPlace)
                else (),
            )
    # htmx swaps only 2xx answers: its request gets the message in the results block with 200;
    # a plain page load keeps the honest 422.
    htmx = bool(request.headers.get("HX-Request"))
    status = 422 if "error" in context and not htmx else 200
    return render(request, "finder/find.html", context, status_code=status)


@router.get("/listings/{listing_id}")
def listing_page(
    listing_id: str, request: Request, session: SessionDep, actor: OptionalPageActor
) -> Response:
    try:
        listing = finder.get_listing(session=session, listing_id=listing_id)
    except NotFound:
        return render(request, "finder/not_found.html", _common(), status_code=404)
    return render(request, "finder/listing.html", {**_common(), "listing": listing})


@router.get("/signals")
def signals_page(request: Request, actor: OptionalPageActor) -> Response:
    return render(request, "finder/signals.html", _common())
