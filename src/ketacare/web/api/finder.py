"""The public facility finder API (no sign-in): search, a listing, the signal guide, exports."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ketacare.domain.routes import Route
from ketacare.fhir.finder import listings_bundle, search_bundle
from ketacare.finder.index import MAX_RADIUS_MILES, MAX_RESULTS, SearchHit
from ketacare.finder.model import Condition, Payment, SignalKind
from ketacare.services import finder, finder_publish
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.finder import (
    ATTRIBUTION,
    ListingRead,
    SearchParams,
    SearchRead,
    SignalGuideRead,
    guide_reads,
    listing_read,
    place_read,
)
from ketacare.web.schemas.finder_publish import ClinicListingIn, PublishRead, publish_read

router = APIRouter(prefix="/finder", tags=["finder"])
FHIR_JSON = "application/fhir+json"


def search_params(
    zip: Annotated[str, Query(max_length=12, description="US ZIP code, e.g. 94110")] = "",
    city: Annotated[str, Query(max_length=100, description="city (with state)")] = "",
    state: Annotated[str, Query(max_length=2, description="two-letter state code")] = "",
    lat: Annotated[float | None, Query(ge=-90, le=90, description="latitude, degrees")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="longitude, degrees")] = None,
    radius_miles: Annotated[float, Query(gt=0, le=MAX_RADIUS_MILES)] = 25.0,
    k: Annotated[int, Query(ge=1, le=MAX_RESULTS, description="at most this many")] = 20,
    route: Annotated[list[Route], Query(description="any of these routes")] = [],  # noqa: B006
    condition: Annotated[list[Condition], Query(description="any of these")] = [],  # noqa: B006
    payment: Annotated[list[Payment], Query(description="any of these")] = [],  # noqa: B006
    signal: Annotated[
        list[SignalKind], Query(description="quality signals that must all be present")
    ] = [],  # noqa: B006
    telehealth: bool = False,
    accepting_new_patients: bool = False,
    exclude_red_flags: bool = False,
    all_facilities: Annotated[
        bool, Query(description="include mental-health facilities without ketamine")
    ] = False,
) -> SearchParams:
    return SearchParams(
        zip=zip,
        city=city,
        state=state,
        lat=lat,
        lon=lon,
        radius_miles=radius_miles,
        k=k,
        routes=route,
        conditions=condition,
        payment=payment,
        signals=signal,
        telehealth=telehealth,
        accepting_new_patients=accepting_new_patients,
        exclude_red_flags=exclude_red_flags,
        all_facilities=all_facilities,
    )


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]


def _run(session: SessionDep, params: SearchParams) -> tuple[SearchRead, list[SearchHit]]:
    place = finder.resolve_origin(
        zip_code=params.zip,
        city=params.city,
        state=params.state,
        latitude=params.lat,
        longitude=params.lon,
    )
    filters = params.filters()
    hits = finder.search(
        session=session, place=place, radius_miles=params.radius_miles, k=params.k, filters=filters
    )
    read = SearchRead(
        origin=place_read(place),
        radius_miles=params.radius_miles,
        count=len(hits),
        ketamine_only=filters.ketamine_only,
        results=[listing_read(h.listing, h) for h in hits],
        attribution=list(ATTRIBUTION),
    )
    return read, hits


@router.get("/search", response_model=SearchRead)
def search(session: SessionDep, params: SearchParamsDep) -> SearchRead:
    """Listings nearest a ZIP code, a city and state, or coordinates, within the radius,
    nearest first, each with its distance and signals. Ketamine providers only unless
    `all_facilities`. An unknown ZIP answers 422 with nearby suggestions in `detail`."""
    return _run(session, params)[0]


@router.get("/search.fhir", responses={200: {"content": {FHIR_JSON: {}}}})
def search_fhir(session: SessionDep, params: SearchParamsDep) -> Response:
    """The same search as a FHIR R4 `searchset` Bundle; each Location entry carries the
    location-distance extension (miles)."""
    _, hits = _run(session, params)
    return Response(json.dumps(search_bundle(hits)), media_type=FHIR_JSON)


@router.get("/signals", response_model=list[SignalGuideRead])
def signals() -> list[SignalGuideRead]:
    """What each quality signal and red flag means, what to look for, what should worry you."""
    return guide_reads()


@router.get("/listings/{listing_id}", response_model=ListingRead)
def read_listing(listing_id: str, session: SessionDep) -> ListingRead:
    return listing_read(finder.get_listing(session=session, listing_id=listing_id))


@router.get("/listings/{listing_id}/fhir", responses={200: {"content": {FHIR_JSON: {}}}})
def read_listing_fhir(listing_id: str, session: SessionDep) -> Response:
    """One listing as a FHIR Bundle: its Organization and Location."""
    listing = finder.get_listing(session=session, listing_id=listing_id)
    return Response(json.dumps(listings_bundle([listing])), media_type=FHIR_JSON)


@router.get("/export")
def export(
    session: SessionDep,
    format: Literal["csv", "locator", "fhir"] = "csv",
    ketamine_only: bool = True,
) -> Response:
    """The directory as finder CSV, FindTreatment.gov locator JSON or a FHIR Bundle."""
    body = finder.export_directory(session=session, fmt=format, ketamine_only=ketamine_only)
    extension = {"csv": "csv", "locator": "json", "fhir": "fhir.json"}[format]
    return Response(
        body,
        media_type=finder.EXPORT_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="ketacare-finder.{extension}"'},
    )


# --- a ketacare clinic's own listing (clinic admins; signals verified from its records) -------


@router.post("/publish/preview", response_model=PublishRead)
def preview_own_listing(
    body: ClinicListingIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PublishRead:
    """What publishing would put in the finder now, with the evidence for each signal."""
    preview = finder_publish.preview_clinic_listing(
        session=session, actor=actor, clock=clock, details=body.details()
    )
    return publish_read(preview, published=False)


@router.post("/publish", response_model=PublishRead)
def publish_own_listing(
    body: ClinicListingIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PublishRead:
    """Publish (or update) the clinic's listing; verified signals come from its records."""
    details = body.details()
    finder_publish.publish_clinic_listing(
        session=session, actor=actor, clock=clock, details=details
    )
    preview = finder_publish.preview_clinic_listing(
        session=session, actor=actor, clock=clock, details=details
    )
    return publish_read(preview, published=True)
