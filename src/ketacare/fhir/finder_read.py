"""FHIR R4B Bundles → finder listings (imports). R4B validates each Location's standard
elements; our listing extension is parsed from the raw JSON (R4B's Extension model is slow on
large extensions) and checked code by code. A file cannot verify anything: `verified` signals
become self-reported, with a warning."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from pydantic import ValidationError

from ketacare.domain.errors import DomainError, InvalidInput
from ketacare.domain.routes import Route
from ketacare.fhir.finder import FLAGS, LISTING_EXTENSION, LISTING_ID_SYSTEM, SET_FIELDS
from ketacare.finder import parsing as p
from ketacare.finder.model import (
    Address,
    Listing,
    ListingSource,
    Signal,
    SignalBasis,
    SignalKind,
    SignalStatus,
    complete_signals,
)
from ketacare.finder.report import ImportReport


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
    enums = dict(SET_FIELDS)
    for extension in resource.get("extension") or ():
        if not isinstance(extension, dict) or extension.get("url") != LISTING_EXTENSION:
            continue
        sets: dict[str, set[Any]] = {}
        for part in _parts(extension, LISTING_EXTENSION):
            name = part["url"]
            if name in enums:
                sets.setdefault(name, set()).add(_member(enums[name], part.get("valueCode"), name))
            elif name in FLAGS:
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
