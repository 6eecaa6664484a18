"""Offline place resolution: US ZIP code or city + state → a point, with clear errors.

The data is the `zipcodes` package (compiled in; no network at run time): ZIP records from
unitedstateszipcodes.org, coordinates from GeoNames (CC BY 4.0, attribution required — show
`ZIP_ATTRIBUTION` wherever a ZIP-derived position is used), active ZIPs from USPS. A ZIP
position is the centroid GeoNames publishes, so it is approximate.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import zipcodes

from ketacare.domain.errors import InvalidInput
from ketacare.finder.geo import check_coordinates, mean_position

ZIP_ATTRIBUTION = (
    "ZIP code locations: GeoNames (geonames.org), licensed CC BY 4.0 "
    "(creativecommons.org/licenses/by/4.0/); ZIP records from unitedstateszipcodes.org and "
    "USPS, via the zipcodes package. ZIP-code positions are approximate centroids."
)

# The package's Python wrapper is unannotated; its compiled core is typed (see _zipcodes.pyi).
_list_all: Callable[[], list[dict[str, Any]]] = zipcodes.list_all

_ZIP_RE = re.compile(r"^(\d{5})(?:[- ]?\d{4})?$")
_STATE_RE = re.compile(r"^[A-Za-z]{2}$")


class UnknownPlace(InvalidInput):
    """A well-formed ZIP code or city that the offline data does not know.

    `suggestions` holds nearby real ZIP codes or similarly named cities ("94112 (San Francisco,
    CA)"), best first; it may be empty.
    """

    code = "unknown_place"

    def __init__(self, message: str, *, field: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, field=field)
        self.suggestions = suggestions


@dataclass(frozen=True)
class Place:
    """A search origin. `approximate` is True for ZIP and city centroids."""

    label: str
    latitude: float
    longitude: float
    approximate: bool
    zip_code: str | None = None
    city: str = ""
    state: str = ""


@dataclass(frozen=True)
class ZipRecord:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float
    kind: str  # STANDARD, PO BOX, UNIQUE, MILITARY
    other_cities: tuple[str, ...] = ()

    @property
    def has_position(self) -> bool:
        # Military APO/FPO ZIPs are published at (0, 0): they have no map position.
        return not (self.latitude == 0.0 and self.longitude == 0.0)

    def describe(self) -> str:
        return f"{self.zip_code} ({self.city}, {self.state})"


@dataclass
class ZipDirectory:
    """All US ZIP records, indexed by code, by 3-digit prefix and by (CITY, STATE)."""

    records: dict[str, ZipRecord]
    by_prefix: dict[str, list[str]] = field(default_factory=dict)
    by_city: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for code in sorted(self.records):
            record = self.records[code]
            self.by_prefix.setdefault(code[:3], []).append(code)
            if not record.has_position:
                continue
            for city in (record.city, *record.other_cities):
                self.by_city.setdefault((city.upper(), record.state), []).append(code)

    @functools.cached_property
    def states(self) -> frozenset[str]:
        return frozenset(state for _, state in self.by_city)


@functools.cache
def zip_directory() -> ZipDirectory:
    """The ZIP directory, built once per process (about a second) from the zipcodes package."""
    records: dict[str, ZipRecord] = {}
    for raw in _list_all():
        code = str(raw["zip_code"])
        records[code] = ZipRecord(
            zip_code=code,
            city=str(raw["city"]),
            state=str(raw["state"]),
            latitude=float(raw["lat"]),
            longitude=float(raw["long"]),
            kind=str(raw["zip_code_type"]),
            other_cities=tuple(str(c) for c in raw.get("acceptable_cities") or ()),
        )
    return ZipDirectory(records)


def normalize_zip(text: str) -> str:
    """The five-digit ZIP in `text` ("94110", " 94110-1234 "); InvalidInput if malformed."""
    match = _ZIP_RE.match(text.strip())
    if match is None:
        raise InvalidInput(
            f"ZIP code must be five digits, like 94110 (ZIP+4 like 94110-1234 is fine); "
            f"got {text.strip()!r}",
            field="zip",
        )
    return match.group(1)


def lookup_zip(text: str) -> ZipRecord:
    """The ZIP record for `text`, which must have a map position.

    Raises InvalidInput (malformed), UnknownPlace (not a real ZIP; with suggestions from the same
    3-digit prefix, numerically closest first), or InvalidInput (real but has no position).
    """
    code = normalize_zip(text)
    directory = zip_directory()
    record = directory.records.get(code)
    if record is None:
        suggestions = _nearby_zips(directory, code)
        hint = (
            f" Nearby ZIP codes: {', '.join(suggestions)}."
            if suggestions
            else f" No ZIP code starts with {code[:3]}; check the number."
        )
        raise UnknownPlace(
            f"ZIP code {code} is not a US ZIP code we know.{hint}",
            field="zip",
            suggestions=suggestions,
        )
    if not record.has_position:
        raise InvalidInput(
            f"ZIP code {code} is a military (APO/FPO) ZIP code with no map position; "
            "search by a stateside ZIP code or city instead.",
            field="zip",
        )
    return record


def resolve_zip(text: str) -> Place:
    """The centroid of a ZIP code as a search origin (see `lookup_zip` for the errors)."""
    record = lookup_zip(text)
    return Place(
        label=f"ZIP {record.zip_code} ({record.city}, {record.state})",
        latitude=record.latitude,
        longitude=record.longitude,
        approximate=True,
        zip_code=record.zip_code,
        city=record.city,
        state=record.state,
    )


def resolve_city(city: str, state: str) -> Place:
    """The spherical centroid of a city's ZIP codes (case-insensitive; aliases count).

    Raises InvalidInput for a malformed state and UnknownPlace (with similarly named cities in
    that state) for a city the data does not know.
    """
    state_code = state.strip().upper()
    if not _STATE_RE.match(state_code):
        raise InvalidInput(
            f"state must be a two-letter code like CA, got {state.strip()!r}", field="state"
        )
    directory = zip_directory()
    if state_code not in directory.states:
        raise UnknownPlace(
            f"{state_code} is not a US state or territory code we know.", field="state"
        )
    name = " ".join(city.split()).upper()
    if not name:
        raise InvalidInput("city must not be empty", field="city")
    codes = directory.by_city.get((name, state_code))
    if not codes:
        suggestions = _similar_cities(directory, name, state_code)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise UnknownPlace(
            f"We do not know a city called {city.strip()!r} in {state_code}.{hint}",
            field="city",
            suggestions=suggestions,
        )
    records = [directory.records[code] for code in codes]
    lat, lon = mean_position(
        np.array([r.latitude for r in records]), np.array([r.longitude for r in records])
    )
    display = records[0].city if records[0].city.upper() == name else city.strip().title()
    return Place(
        label=f"{display}, {state_code}",
        latitude=lat,
        longitude=lon,
        approximate=True,
        city=display,
        state=state_code,
    )


def resolve_coordinates(latitude: float, longitude: float) -> Place:
    check_coordinates(latitude, longitude)
    return Place(
        label=f"{latitude:.4f}, {longitude:.4f}",
        latitude=latitude,
        longitude=longitude,
        approximate=False,
    )


def zip_centroid(code: str) -> tuple[float, float] | None:
    """(lat, lon) of a five-digit ZIP, or None if unknown or without a position. No errors."""
    record = zip_directory().records.get(code)
    if record is None or not record.has_position:
        return None
    return record.latitude, record.longitude


def _nearby_zips(directory: ZipDirectory, code: str, limit: int = 5) -> tuple[str, ...]:
    candidates = [
        c for c in directory.by_prefix.get(code[:3], ()) if directory.records[c].has_position
    ]
    candidates.sort(key=lambda c: (abs(int(c) - int(code)), c))
    return tuple(directory.records[c].describe() for c in candidates[:limit])


def _similar_cities(directory: ZipDirectory, name: str, state: str) -> tuple[str, ...]:
    cities = sorted({city for city, st in directory.by_city if st == state})
    close = difflib.get_close_matches(name, cities, n=5, cutoff=0.75)
    return tuple(f"{c.title()}, {state}" for c in close)
