"""FindTreatment.gov locator JSON (`/locator/exportsAsJson/v2`): read with validation, write.

Shape: `{recordCount, totalPages, page, rows: [...]}` (a bare list of rows is accepted too).
Each row has name1, name2, street1, street2, city, state, zip, phone, website, latitude,
longitude (strings in the real export), typeFacility and services: `[{f1: category name,
f2: category code, f3: "; "-joined service names}]`. Service names are matched back to SAMHSA
codes through the 2022 reference, then mapped like the SAMHSA directory. Only the `KIT` code
expresses a route, so IM, esketamine and sublingual routes do not survive a locator export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ketacare.domain.errors import DomainError, InvalidInput
from ketacare.finder import parsing as p
from ketacare.finder.codes import ServiceCode, codes_for_fields, fields_from_codes
from ketacare.finder.index import SearchHit
from ketacare.finder.model import Address, Listing, ListingSource
from ketacare.finder.report import ImportReport


def _names_to_codes(codes: Mapping[str, ServiceCode]) -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for code in codes.values():
        key = " ".join(code.name.lower().split())
        table.setdefault((code.category_code, key), code.code)
        table.setdefault(("", key), code.code)
    return table


def read_locator_json(
    content: str, codes: Mapping[str, ServiceCode], *, source_name: str = "locator JSON"
) -> ImportReport:
    """Validate every row; row numbers count rows from 1. InvalidInput if not locator JSON."""
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source_name} is not valid JSON: {error.msg} at line {error.lineno}", field="file"
        ) from None
    rows = document.get("rows") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise InvalidInput(
            f"{source_name} is not a locator export: expected an object with a "
            "'rows' list (or a list of rows)",
            field="file",
        )
    report = ImportReport(source=source_name)
    names = _names_to_codes(codes)
    seen: set[str] = set()
    for row_number, row in enumerate(rows, start=1):
        label = p.text(row.get("name1")) if isinstance(row, dict) else ""
        try:
            if not isinstance(row, dict):
                raise InvalidInput("a row must be a JSON object", field="row")
            listing = _listing_from_row(row, names, codes, report.warnings, row_number)
        except DomainError as error:
            report.reject(row_number, error.message, label)
            continue
        if listing.listing_id in seen:
            report.reject(row_number, "duplicate of an earlier row (same facility)", label)
            continue
        seen.add(listing.listing_id)
        report.accept(row_number, listing)
    return report


def _listing_from_row(
    row: Mapping[str, Any],
    names: Mapping[tuple[str, str], str],
    codes: Mapping[str, ServiceCode],
    warnings: list[str],
    row_number: int,
) -> Listing:
    def cell(key: str) -> str:
        return p.text(row.get(key))

    name = p.required(cell("name1"), "name1")
    zip_code = p.zip5(cell("zip")[:5])
    address = Address(
        street1=p.required(cell("street1"), "street1"),
        street2=cell("street2"),
        city=p.required(cell("city"), "city"),
        state=p.state_code(cell("state")),
        zip_code=zip_code,
    )
    lat, lon, approximate = p.position(cell("latitude"), cell("longitude"), zip_code)
    service_codes = _service_codes(row.get("services"), names, warnings, row_number)
    fields = fields_from_codes(service_codes, codes)
    frid = cell("frid")
    return Listing(
        listing_id=(
            f"locator-{frid[:16]}"
            if frid
            else p.stable_id(
                "locator",
                name,
                cell("name2"),
                address.street1,
                address.city,
                address.state,
                zip_code,
            )
        ),
        name=name,
        site_name=cell("name2"),
        address=address,
        phone=cell("phone"),
        website=cell("website"),
        latitude=lat,
        longitude=lon,
        coordinates_approximate=approximate,
        source=ListingSource.LOCATOR_JSON,
        routes=fields.routes,
        conditions=fields.conditions,
        payment=fields.payment,
        populations=fields.populations,
        therapy_approaches=fields.therapy_approaches,
        telehealth=fields.telehealth,
        is_ketamine_provider=fields.is_ketamine_provider,
        signals=fields.signals,
        service_codes=service_codes,
    )


def _service_codes(
    services: object, names: Mapping[tuple[str, str], str], warnings: list[str], row_number: int
) -> tuple[str, ...]:
    if services in (None, ""):
        return ()
    if not isinstance(services, list):
        raise InvalidInput("services must be a list of {f1, f2, f3} objects", field="services")
    found: list[str] = []
    unmatched: list[str] = []
    for entry in services:
        if not isinstance(entry, dict):
            raise InvalidInput("services must be a list of {f1, f2, f3} objects", field="services")
        category = p.text(entry.get("f2")).upper()
        for service in p.text(entry.get("f3")).split(";"):
            key = service.strip().lower()
            if not key:
                continue
            code = names.get((category, key)) or names.get(("", key))
            if code is None:
                unmatched.append(service.strip())
            else:
                found.append(code)
    if unmatched:
        warnings.append(
            f"row {row_number}: {len(unmatched)} service name(s) not in the SAMHSA "
            f"2022 reference were ignored (e.g. {unmatched[0]!r})"
        )
    return tuple(dict.fromkeys(found))


def listing_to_locator_row(
    listing: Listing, codes: Mapping[str, ServiceCode], miles: float | None = None
) -> dict[str, Any]:
    a = listing.address
    row: dict[str, Any] = {
        "frid": listing.listing_id,
        "name1": listing.name,
        "name2": listing.site_name,
        "street1": a.street1,
        "street2": a.street2,
        "city": a.city,
        "state": a.state,
        "zip": a.zip_code,
        "phone": listing.phone,
        "website": listing.website,
        "latitude": f"{listing.latitude:.7f}",
        "longitude": f"{listing.longitude:.7f}",
        "typeFacility": "MH",
        "services": _services(listing, codes),
    }
    if miles is not None:
        row["miles"] = round(miles, 2)
    return row


def _services(listing: Listing, codes: Mapping[str, ServiceCode]) -> list[dict[str, str]]:
    service_codes: Sequence[str] = listing.service_codes or codes_for_fields(
        routes=listing.routes,
        conditions=listing.conditions,
        payment=listing.payment,
        populations=listing.populations,
        therapy_approaches=listing.therapy_approaches,
        telehealth=listing.telehealth,
    )
    grouped: dict[str, list[str]] = {}
    for code in service_codes:
        if code in codes:
            grouped.setdefault(codes[code].category_code, []).append(codes[code].name)
    category_names = {c.category_code: c.category_name for c in codes.values()}
    return [
        {"f1": category_names[cat], "f2": cat, "f3": "; ".join(items)}
        for cat, items in grouped.items()
    ]


def write_locator_json(listings: Iterable[Listing], codes: Mapping[str, ServiceCode]) -> str:
    rows = [listing_to_locator_row(listing, codes) for listing in listings]
    return json.dumps(
        {"recordCount": len(rows), "totalPages": 1, "page": 1, "rows": rows},
        indent=1,
        ensure_ascii=False,
    )


def write_locator_search(hits: Iterable[SearchHit], codes: Mapping[str, ServiceCode]) -> str:
    """Search results in the locator shape, each row with its `miles`."""
    rows = [listing_to_locator_row(hit.listing, codes, hit.distance_miles) for hit in hits]
    return json.dumps(
        {"recordCount": len(rows), "totalPages": 1, "page": 1, "rows": rows},
        indent=1,
        ensure_ascii=False,
    )
