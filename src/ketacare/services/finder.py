"""The public facility finder: search the directory, read a listing, export, publish.

Reads need no actor: the directory is public. The search index is built from the database once
per directory version (the newest `finder_changes.token`) and shared by every request of the
process. Imports live in `ketacare.services.finder_import`.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, TypeVar

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from ketacare.db.models import FinderChange, FinderListing, Role
from ketacare.domain.errors import InvalidInput, NotFound
from ketacare.domain.routes import Route
from ketacare.fhir.finder import listings_bundle
from ketacare.finder.codes import load_service_codes
from ketacare.finder.csv_io import write_listings_csv
from ketacare.finder.index import ListingIndex, SearchFilters, SearchHit
from ketacare.finder.locator import write_locator_json
from ketacare.finder.model import (
    Address,
    Condition,
    Listing,
    ListingSource,
    Payment,
    Population,
    Signal,
    SignalBasis,
    SignalKind,
    SignalStatus,
    TherapyApproach,
)
from ketacare.finder.zips import Place, resolve_city, resolve_coordinates, resolve_zip
from ketacare.services.clock import Clock

ExportFormat = Literal["csv", "locator", "fhir"]
EXPORT_MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "locator": "application/json",
    "fhir": "application/fhir+json",
}
ADMINS = frozenset({Role.ADMIN})


# --- rows ↔ listings ------------------------------------------------------------------------


E = TypeVar("E", bound=StrEnum)


def _members(enum: type[E]) -> dict[str, E]:
    return {member.value: member for member in enum}


# Plain dict lookups: calling an Enum class per value dominated loading 100,000 listings.
_ROUTES, _CONDITIONS, _PAYMENTS = _members(Route), _members(Condition), _members(Payment)
_POPULATIONS, _THERAPIES = _members(Population), _members(TherapyApproach)
_SOURCES = _members(ListingSource)


@functools.lru_cache(maxsize=4096)
def _signal(kind: str, status: str, basis: str, note: str) -> Signal:
    # Signals repeat across listings (same notes from the same source): share the objects.
    return Signal(SignalKind(kind), SignalStatus(status), SignalBasis(basis), note)


def to_listing(row: FinderListing | Row[Any]) -> Listing:
    """A listing from an ORM row or a plain result row of the finder_listings table."""
    return Listing(
        listing_id=row.listing_id,
        name=row.name,
        site_name=row.site_name,
        address=Address(row.street1, row.city, row.state, row.zip, row.street2),
        phone=row.phone,
        website=row.website,
        latitude=row.latitude,
        longitude=row.longitude,
        coordinates_approximate=row.coordinates_approximate,
        source=_SOURCES[row.source],
        routes=frozenset(_ROUTES[v] for v in row.routes),
        conditions=frozenset(_CONDITIONS[v] for v in row.conditions),
        payment=frozenset(_PAYMENTS[v] for v in row.payment),
        populations=frozenset(_POPULATIONS[v] for v in row.populations),
        therapy_approaches=frozenset(_THERAPIES[v] for v in row.therapy_approaches),
        telehealth=row.telehealth,
        accepting_new_patients=row.accepting_new_patients,
        is_ketamine_provider=row.is_ketamine_provider,
        esketamine_rems_certified=row.esketamine_rems_certified,
        signals=tuple(
            _signal(s["kind"], s["status"], s["basis"], str(s.get("note", ""))) for s in row.signals
        ),
        service_codes=tuple(row.service_codes),
    )


def row_values(listing: Listing) -> dict[str, Any]:
    """Column values for a listing (without id, clinic_id and updated_at)."""
    a = listing.address
    return {
        "listing_id": listing.listing_id,
        "source": listing.source,
        "name": listing.name,
        "site_name": listing.site_name,
        "street1": a.street1,
        "street2": a.street2,
        "city": a.city,
        "state": a.state,
        "zip": a.zip_code,
        "phone": listing.phone,
        "website": listing.website,
        "latitude": listing.latitude,
        "longitude": listing.longitude,
        "coordinates_approximate": listing.coordinates_approximate,
        "is_ketamine_provider": listing.is_ketamine_provider,
        "routes": sorted(listing.routes),
        "conditions": sorted(listing.conditions),
        "payment": sorted(listing.payment),
        "populations": sorted(listing.populations),
        "therapy_approaches": sorted(listing.therapy_approaches),
        "telehealth": listing.telehealth,
        "accepting_new_patients": listing.accepting_new_patients,
        "esketamine_rems_certified": listing.esketamine_rems_certified,
        "signals": [
            {"kind": str(s.kind), "status": str(s.status), "basis": str(s.basis), "note": s.note}
            for s in listing.signals
        ],
        "service_codes": list(listing.service_codes),
    }


def record_change(
    *,
    session: Session,
    clock: Clock,
    kind: str,
    actor_label: str,
    source_name: str = "",
    accepted: int = 0,
    rejected: int = 0,
    detail: dict[str, Any] | None = None,
) -> FinderChange:
    """Log a change to the directory; its fresh token makes every search index rebuild."""
    change = FinderChange(
        at=clock.now(),
        token=str(uuid.uuid4()),
        kind=kind,
        source_name=source_name[:300],
        actor_label=actor_label[:254],
        accepted=accepted,
        rejected=rejected,
        detail=detail or {},
    )
    session.add(change)
    session.flush()
    _INDEXES.changed()
    return change


# --- reading and searching ------------------------------------------------------------------


def load_listings(*, session: Session) -> list[Listing]:
    """Every listing, in insertion order (the index breaks distance ties by this order)."""
    # Plain rows, not ORM objects: building the index reads every listing at once.
    table = FinderListing.__table__
    rows = session.execute(select(table).order_by(table.c.id))
    return [to_listing(row) for row in rows]


def directory_is_empty(*, session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(FinderListing))


# How long a built index is trusted before the change token is read again. Reading it is a
# database transaction, and on SQLite every transaction takes the write lock (BEGIN IMMEDIATE):
# a warm public search must not queue behind it. Changes made in this process are seen at once.
INDEX_FRESHNESS_S = 2.0


@dataclass
class _Entry:
    token: str | None
    index: ListingIndex
    checked_at: float
    generation: int


class _IndexCache:
    """One index per database, rebuilt when the directory's change token moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self.generation = 0  # bumped by every change made in this process

    def get(self, session: Session) -> ListingIndex:
        key = str(session.get_bind().engine.url)
        with self._lock:
            entry = self._entries.get(key)
            generation = self.generation
        now = time.monotonic()
        if (
            entry is not None
            and entry.generation == generation
            and now - entry.checked_at < INDEX_FRESHNESS_S
        ):
            return entry.index
        token = session.scalar(select(FinderChange.token).order_by(FinderChange.id.desc()).limit(1))
        if entry is not None and entry.token == token:
            index = entry.index
        else:
            index = ListingIndex(load_listings(session=session))
        with self._lock:
            self._entries[key] = _Entry(token, index, now, generation)
        return index

    def changed(self) -> None:
        with self._lock:
            self.generation += 1


_INDEXES = _IndexCache()


def directory_index(*, session: Session) -> ListingIndex:
    return _INDEXES.get(session)


def resolve_origin(
    *,
    zip_code: str | None = None,
    city: str | None = None,
    state: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Place:
    """Where to search from: a ZIP code, a city and state, or coordinates (exactly one)."""
    if zip_code and zip_code.strip():
        return resolve_zip(zip_code)
    if (city and city.strip()) or (state and state.strip()):
        if not (city and city.strip()):
            raise InvalidInput("give a city together with the state", field="city")
        return resolve_city(city, state or "")
    if latitude is not None or longitude is not None:
        if latitude is None or longitude is None:
            raise InvalidInput("give both latitude and longitude", field="latitude")
        return resolve_coordinates(latitude, longitude)
    raise InvalidInput(
        "say where to search: a ZIP code, a city and state, or coordinates", field="zip"
    )


def search(
    *, session: Session, place: Place, radius_miles: float, k: int, filters: SearchFilters
) -> list[SearchHit]:
    return directory_index(session=session).search(
        place.latitude, place.longitude, radius_miles=radius_miles, k=k, filters=filters
    )


def get_listing(*, session: Session, listing_id: str) -> Listing:
    """A listing by id, from the shared index (no database work while it is fresh)."""
    listing = directory_index(session=session).get(listing_id)
    if listing is None:
        raise NotFound(f"no listing {listing_id!r} in the directory", field="listing_id")
    return listing


# --- export ---------------------------------------------------------------------------------


def export_directory(*, session: Session, fmt: str, ketamine_only: bool = False) -> str:
    """The directory as finder CSV, locator JSON or a FHIR collection Bundle (JSON)."""
    import json

    listings = [
        x for x in load_listings(session=session) if x.is_ketamine_provider or not ketamine_only
    ]
    if fmt == "csv":
        return write_listings_csv(listings)
    if fmt == "locator":
        return write_locator_json(listings, load_service_codes())
    if fmt == "fhir":
        return json.dumps(listings_bundle(listings), ensure_ascii=False)
    raise InvalidInput(f"export format must be csv, locator or fhir, got {fmt!r}", field="format")
