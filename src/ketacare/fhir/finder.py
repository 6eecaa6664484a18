"""Finder listings ↔ FHIR R4B Organization + Location bundles (via `fhir.resources.R4B`).

Each listing is one Organization (name, alias, telecom, address) and one Location (address,
`position`, `managingOrganization`). What FHIR has no element for — routes, conditions, payment,
signals… — travels in one complex extension on the Location (`LISTING_EXTENSION`), so our own
exports round-trip; bundles from elsewhere import without it (those fields stay unknown).
Search results are `searchset` bundles whose match entries carry the standard
`location-distance` extension on `entry.search`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from pydantic import ValidationError

from ketacare.domain.errors import DomainError, InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder import parsing as p
from ketacare.finder.index import SearchHit
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
    complete_signals,
)
from ketacare.finder.report import ImportReport

FINDER_BASE = "https://ketacare.example/fhir"
LISTING_EXTENSION = f"{FINDER_BASE}/StructureDefinition/finder-listing"
LISTING_ID_SYSTEM = f"{FINDER_BASE}/sid/finder-listing"
LOCATION_DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"
_ID_NAMESPACE = uuid.UUID("6f1c8a52-3d1e-4c55-9a3b-1d2f0e7a9b10")
_SET_FIELDS: tuple[tuple[str, type[Any]], ...] = (
    ("route", Route),
    ("condition", Condition),
    ("payment", Payment),
    ("population", Population),
    ("therapy-approach", TherapyApproach),
)
_FLAGS = (
    "telehealth",
    "accepting-new-patients",
    "ketamine-provider",
    "esketamine-rems-certified",
    "coordinates-approximate",
)


def fhir_id(listing_id: str) -> str:
    """A FHIR-legal id ([A-Za-z0-9-.]{1,64}) for a listing id."""
    cleaned = re.sub(r"[^A-Za-z0-9.\-]", "-", listing_id)[:64]
    return cleaned or uuid.uuid5(_ID_NAMESPACE, listing_id).hex


def _full_url(kind: str, listing_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, kind + '/' + listing_id)}"


def _telecom(listing: Listing) -> list[dict[str, str]]:
    telecom = []
    if listing.phone:
        telecom.append({"system": "phone", "value": listing.phone, "use": "work"})
    if listing.website:
        telecom.append({"system": "url", "value": listing.website, "use": "work"})
    return telecom


def _address(address: Address) -> dict[str, Any]:
    return {
        "use": "work",
        "type": "physical",
        "line": [line for line in (address.street1, address.street2) if line],
        "city": address.city,
        "state": address.state,
        "postalCode": address.zip_code,
        "country": "US",
    }


def _listing_extension(listing: Listing) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for name, values in (
        ("route", listing.routes),
        ("condition", listing.conditions),
        ("payment", listing.payment),
        ("population", listing.populations),
        ("therapy-approach", listing.therapy_approaches),
    ):
        parts += [{"url": name, "valueCode": str(v)} for v in sorted(values)]
    flags = (
        listing.telehealth,
        listing.accepting_new_patients,
        listing.is_ketamine_provider,
        listing.esketamine_rems_certified,
        listing.coordinates_approximate,
    )
    parts += [
        {"url": name, "valueBoolean": value}
        for name, value in zip(_FLAGS, flags, strict=True)
        if value is not None
    ]
    for signal in listing.signals:
        inner = [
            {"url": "kind", "valueCode": str(signal.kind)},
            {"url": "status", "valueCode": str(signal.status)},
            {"url": "basis", "valueCode": str(signal.basis)},
        ]
        if signal.note:
            inner.append({"url": "note", "valueString": signal.note})
        parts.append({"url": "signal", "extension": inner})
    if listing.service_codes:  # one string, like SAMHSA's service_code_info, to stay compact
        parts.append({"url": "service-codes", "valueString": " ".join(listing.service_codes)})
    parts.append({"url": "source", "valueCode": str(listing.source)})
    return {"url": LISTING_EXTENSION, "extension": parts}


def organization_resource(listing: Listing) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": fhir_id(listing.listing_id),
        "active": True,
        "identifier": [{"system": LISTING_ID_SYSTEM, "value": listing.listing_id}],
        "name": listing.name,
        "address": [_address(listing.address)],
    }
    if listing.site_name:
        resource["alias"] = [listing.site_name]
    if telecom := _telecom(listing):
        resource["telecom"] = telecom
    return resource


def location_resource(listing: Listing) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Location",
        "id": fhir_id(listing.listing_id),
        "extension": [_listing_extension(listing)],
        "identifier": [{"system": LISTING_ID_SYSTEM, "value": listing.listing_id}],
        "status": "active",
        "mode": "instance",
        "name": listing.display_name,
        "address": _address(listing.address),
        "position": {
            "latitude": round(listing.latitude, 7),
            "longitude": round(listing.longitude, 7),
        },
        "managingOrganization": {
            "reference": _full_url("Organization", listing.listing_id),
            "display": listing.name,
        },
    }
    if telecom := _telecom(listing):
        resource["telecom"] = telecom
    return resource


def _entries(listing: Listing) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {
            "fullUrl": _full_url("Organization", listing.listing_id),
            "resource": organization_resource(listing),
        },
        {
            "fullUrl": _full_url("Location", listing.listing_id),
            "resource": location_resource(listing),
        },
    )


def listings_bundle(listings: Iterable[Listing]) -> dict[str, Any]:
    """A `collection` Bundle (JSON-ready dict): an Organization and a Location per listing.

    Built as plain JSON for speed (R4B validation of the extension costs ~15 ms a Location);
    `validate_bundle` checks a bundle against fhir.resources.R4B (the tests do, for every shape).
    """
    entries = [entry for listing in listings for entry in _entries(listing)]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def search_bundle(hits: Iterable[SearchHit]) -> dict[str, Any]:
    """A `searchset` Bundle: Locations (mode match, with location-distance in miles)
    in distance order, then their Organizations (mode include)."""
    matches: list[dict[str, Any]] = []
    includes: list[dict[str, Any]] = []
    for hit in hits:
        organization, location = _entries(hit.listing)
        distance = {
            "value": round(hit.distance_miles, 3),
            "unit": "mi",
            "system": "http://unitsofmeasure.org",
            "code": "[mi_i]",
        }
        location["search"] = {
            "mode": "match",
            "extension": [{"url": LOCATION_DISTANCE, "valueDistance": distance}],
        }
        organization["search"] = {"mode": "include"}
        matches.append(location)
        includes.append(organization)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(matches),
        "entry": matches + includes,
    }


def validate_bundle(bundle: dict[str, Any]) -> Bundle:
    """Parse a bundle with fhir.resources.R4B; raises pydantic's ValidationError if invalid."""
    return Bundle.model_validate(bundle)


def read_fhir_bundle(content: str, *, source_name: str = "FHIR bundle") -> ImportReport:
    """Listings from the Locations of a Bundle; row numbers are entry positions (from 1).

    Each Location must validate as R4B and have an address; its Organization (by reference) may
    supply the name and telecom. InvalidInput if the file is not a JSON Bundle.
    """
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{source_name} is not valid JSON: {error.msg}", field="file") from None
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        raise InvalidInput(f"{source_name} is not a FHIR Bundle", field="file")
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidInput(f"{source_name}: Bundle.entry must be a list", field="file")
    report = ImportReport(source=source_name)
    organizations = _organizations(entries, report)
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Location":
            continue
        try:
            # R4B validates the standard elements; our own extension is parsed (and checked)
            # from the raw JSON, because R4B's Extension model is slow on large extensions.
            standard = {
                **resource,
                "extension": [
                    e for e in resource.get("extension") or () if e.get("url") != LISTING_EXTENSION
                ],
            }
            location = Location.model_validate(standard)
            extras = _read_extension(resource, report.warnings, number)
            listing = _listing(location, organizations, extras)
        except ValidationError as error:
            report.reject(
                number,
                f"not a valid R4B Location: {_first_error(error)}",
                str(resource.get("name", "")),
            )
            continue
        except DomainError as error:
            report.reject(number, error.message, str(resource.get("name", "")))
            continue
        if listing.listing_id in seen:
            report.reject(number, f"listing {listing.listing_id} appears twice", listing.name)
            continue
        seen.add(listing.listing_id)
        report.accept(number, listing)
    return report


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}"


def _organizations(entries: list[Any], report: ImportReport) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Organization":
            continue
        try:
            organization = Organization.model_validate(resource)
        except ValidationError as error:
            report.warnings.append(f"entry {number}: Organization ignored ({_first_error(error)})")
            continue
        if entry.get("fullUrl"):
            found[str(entry["fullUrl"])] = organization
        if organization.id:
            found[f"Organization/{organization.id}"] = organization
    return found


def _telecom_value(telecoms: Iterable[Any] | None, system: str) -> str:
    for contact in telecoms or ():
        if contact.system == system and contact.value:
            return str(contact.value)
    return ""


@dataclass
class _Extras:
    """What our listing extension carries (defaults: nothing known)."""

    sets: dict[str, frozenset[Any]] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)

    def members(self, name: str) -> frozenset[Any]:
        return self.sets.get(name, frozenset())


def _listing(
    location: Location, organizations: Mapping[str, Organization], extras: _Extras
) -> Listing:
    reference = location.managingOrganization.reference if location.managingOrganization else None
    organization = organizations.get(str(reference)) if reference else None
    address = _parse_address(location)
    lat_text = lon_text = ""
    if location.position is not None:
        lat_text, lon_text = str(location.position.latitude), str(location.position.longitude)
    approximate = p.yes_no(extras.flags.get("coordinates-approximate"))
    lat, lon, is_approximate = p.position(lat_text, lon_text, address.zip_code, approximate)
    name = str(organization.name or "") if organization else ""
    name = p.required(name or str(location.name or ""), "name")
    site = str(organization.alias[0]) if organization and organization.alias else ""
    telecoms = [*(location.telecom or ()), *((organization.telecom or ()) if organization else ())]
    routes: frozenset[Route] = extras.members("route")
    listing_id = _identifier(location) or (
        f"fhir-{location.id}"
        if location.id
        else p.stable_id("fhir", name, address.street1, address.zip_code)
    )
    return Listing(
        listing_id=listing_id,
        name=name,
        site_name=site,
        address=address,
        phone=_telecom_value(telecoms, "phone"),
        website=_telecom_value(telecoms, "url"),
        latitude=lat,
        longitude=lon,
        coordinates_approximate=is_approximate,
        source=ListingSource.FHIR,
        routes=routes,
        conditions=extras.members("condition"),
        payment=extras.members("payment"),
        populations=extras.members("population"),
        therapy_approaches=extras.members("therapy-approach"),
        telehealth=extras.flags.get("telehealth"),
        accepting_new_patients=extras.flags.get("accepting-new-patients"),
        is_ketamine_provider=extras.flags.get("ketamine-provider", bool(routes)),
        esketamine_rems_certified=extras.flags.get("esketamine-rems-certified"),
        signals=complete_signals(extras.signals),
        service_codes=tuple(extras.service_codes),
    )


def _parse_address(location: Location) -> Address:
    if location.address is None:
        raise InvalidInput("Location has no address", field="address")
    address = location.address
    lines = [str(line) for line in address.line or ()]
    return Address(
        street1=p.required(lines[0] if lines else "", "address.line"),
        street2=", ".join(lines[1:]),
        city=p.required(str(address.city or ""), "address.city"),
        state=p.state_code(str(address.state or "")),
        zip_code=p.zip5(str(address.postalCode or "")),
    )


def _identifier(location: Location) -> str:
    for identifier in location.identifier or ():
        if identifier.system == LISTING_ID_SYSTEM and identifier.value:
            return str(identifier.value)
    return ""


def _read_extension(resource: Mapping[str, Any], warnings: list[str], number: int) -> _Extras:
    """Our listing extension from a raw Location; unknown codes raise InvalidInput.

    A file cannot verify anything: `verified` signals become self-reported, with a warning.
    """
    extras = _Extras()
    enums = dict(_SET_FIELDS)
    for extension in resource.get("extension") or ():
        if not isinstance(extension, dict) or extension.get("url") != LISTING_EXTENSION:
            continue
        sets: dict[str, set[Any]] = {}
        for part in _parts(extension, LISTING_EXTENSION):
            name = part["url"]
            if name in enums:
                sets.setdefault(name, set()).add(_member(enums[name], part.get("valueCode"), name))
            elif name in _FLAGS:
                extras.flags[name] = _boolean(part, name)
            elif name == "signal":
                extras.signals.append(_signal(part, warnings, number))
            elif name == "service-codes":
                extras.service_codes += str(part.get("valueString", "")).split()
        extras.sets.update({name: frozenset(members) for name, members in sets.items()})
    return extras


def _parts(extension: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    parts = extension.get("extension") or []
    if not isinstance(parts, list) or not all(
        isinstance(part, dict) and isinstance(part.get("url"), str) for part in parts
    ):
        raise InvalidInput(f"{where}: sub-extensions must be objects with a url", field="extension")
    return parts


def _boolean(part: Mapping[str, Any], name: str) -> bool:
    value = part.get("valueBoolean")
    if not isinstance(value, bool):
        raise InvalidInput(f"{name}: expected valueBoolean true or false", field=name)
    return value


def _member(enum: type[Any], value: object, name: str) -> Any:
    try:
        return enum(str(value))
    except ValueError:
        raise InvalidInput(f"{name}: unknown code {value!r}", field=name) from None


def _signal(part: Mapping[str, Any], warnings: list[str], number: int) -> Signal:
    fields = {sub["url"]: sub for sub in _parts(part, "signal")}

    def code(key: str, default: str = "") -> str:
        return str(fields[key].get("valueCode", default)) if key in fields else default

    basis = _member(SignalBasis, code("basis", "self_reported"), "signal.basis")
    kind = _member(SignalKind, code("kind"), "signal.kind")
    if basis is SignalBasis.VERIFIED:
        warnings.append(
            f"entry {number}: {kind} was marked verified; an imported file cannot "
            "verify a signal, so it is kept as self-reported"
        )
        basis = SignalBasis.SELF_REPORTED
    note = str(fields["note"].get("valueString", "")) if "note" in fields else ""
    return Signal(
        kind, _member(SignalStatus, code("status", "unknown"), "signal.status"), basis, note
    )


__all__ = [
    "LISTING_EXTENSION",
    "LOCATION_DISTANCE",
    "listings_bundle",
    "location_resource",
    "organization_resource",
    "read_fhir_bundle",
    "search_bundle",
]
