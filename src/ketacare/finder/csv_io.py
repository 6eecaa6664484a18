"""The finder's CSV format (documented in docs/finder.md): read with validation, write.

One listing per row; multi-valued cells separated by ';'; yes/no cells blank when not reported;
signal cells `status` or `status/basis`. Reading returns an ImportReport; it never raises for a
bad row, only for a file that is not a finder CSV at all (missing required columns).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from ketacare.domain.errors import DomainError, InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder import parsing as p
from ketacare.finder.model import (
    ALL_SIGNAL_KINDS,
    Address,
    Condition,
    Listing,
    ListingSource,
    Payment,
    Population,
    SignalKind,
    TherapyApproach,
    complete_signals,
)
from ketacare.finder.report import ImportReport

BASE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "site_name",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "phone",
    "website",
    "latitude",
    "longitude",
    "coordinates_approximate",
    "is_ketamine_provider",
    "routes",
    "esketamine_rems_certified",
    "conditions",
    "payment",
    "populations",
    "therapy_approaches",
    "telehealth",
    "accepting_new_patients",
)
SIGNAL_COLUMNS: tuple[str, ...] = tuple(str(kind) for kind in ALL_SIGNAL_KINDS)
NOTE_COLUMNS: tuple[str, ...] = tuple(f"{kind}_note" for kind in ALL_SIGNAL_KINDS)
CSV_COLUMNS: tuple[str, ...] = BASE_COLUMNS + SIGNAL_COLUMNS + NOTE_COLUMNS
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "street1", "city", "state", "zip")


def read_listings_csv(content: str, *, source_name: str = "CSV file") -> ImportReport:
    """Validate every row of a finder CSV. Row numbers are spreadsheet rows (header = row 1).

    Raises InvalidInput only when the header lacks a required column.
    """
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or ()]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            f"{source_name} is missing required column(s): {', '.join(missing)}. "
            f"Expected columns: {', '.join(CSV_COLUMNS)}",
            field="file",
        )
    report = ImportReport(source=source_name)
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        report.warnings.append(f"ignored unknown column(s): {', '.join(unknown)}")
    seen: set[str] = set()
    for row_number, row in enumerate(reader, start=2):
        cells = {key: p.text(value) for key, value in row.items() if key is not None}
        if not any(cells.values()):
            continue  # blank line
        if None in row:
            report.reject(
                row_number, "the row has more cells than the header", cells.get("name", "")
            )
            continue
        try:
            listing = listing_from_cells(cells, row_number, report.warnings)
        except DomainError as error:
            report.reject(row_number, error.message, cells.get("name", ""))
            continue
        if listing.listing_id in seen:
            report.reject(
                row_number, f"id {listing.listing_id} appears twice in the file", listing.name
            )
            continue
        seen.add(listing.listing_id)
        report.accept(row_number, listing)
    return report


def listing_from_cells(cells: Mapping[str, str], row_number: int, warnings: list[str]) -> Listing:
    """Build one listing from CSV cells; InvalidInput names the first bad column."""

    def cell(column: str) -> str:
        return cells.get(column, "") or ""

    name = p.required(cell("name"), "name")
    zip_code = p.zip5(cell("zip"))
    address = Address(
        street1=p.required(cell("street1"), "street1"),
        street2=cell("street2"),
        city=p.required(cell("city"), "city"),
        state=p.state_code(cell("state")),
        zip_code=zip_code,
    )
    lat, lon, approximate = p.position(
        cell("latitude"), cell("longitude"), zip_code, cell("coordinates_approximate")
    )
    routes = p.enum_set(cell("routes"), Route, "routes")
    ketamine = p.tri_state(cell("is_ketamine_provider"), "is_ketamine_provider")
    if ketamine is False and routes:
        raise InvalidInput(
            "is_ketamine_provider is no but routes lists ketamine routes",
            field="is_ketamine_provider",
        )
    rems = p.tri_state(cell("esketamine_rems_certified"), "esketamine_rems_certified")
    if rems and Route.ESKETAMINE_NASAL not in routes:
        raise InvalidInput(
            "esketamine_rems_certified is yes but routes does not include esketamine_nasal",
            field="esketamine_rems_certified",
        )
    signals = [
        p.signal_cell(kind, cell(str(kind)), cell(f"{kind}_note"), warnings, row_number)
        for kind in ALL_SIGNAL_KINDS
    ]
    return Listing(
        listing_id=cell("id")
        or p.stable_id("csv", name, address.street1, address.city, address.state, zip_code),
        name=name,
        site_name=cell("site_name"),
        address=address,
        phone=cell("phone"),
        website=cell("website"),
        latitude=lat,
        longitude=lon,
        coordinates_approximate=approximate,
        source=ListingSource.CSV,
        routes=routes,
        conditions=p.enum_set(cell("conditions"), Condition, "conditions"),
        payment=p.enum_set(cell("payment"), Payment, "payment"),
        populations=p.enum_set(cell("populations"), Population, "populations"),
        therapy_approaches=p.enum_set(
            cell("therapy_approaches"), TherapyApproach, "therapy_approaches"
        ),
        telehealth=p.tri_state(cell("telehealth"), "telehealth"),
        accepting_new_patients=p.tri_state(
            cell("accepting_new_patients"), "accepting_new_patients"
        ),
        is_ketamine_provider=bool(routes) if ketamine is None else ketamine,
        esketamine_rems_certified=rems,
        signals=complete_signals(signals),
    )


def listing_to_row(listing: Listing) -> dict[str, str]:
    a = listing.address
    row = {
        "id": listing.listing_id,
        "name": listing.name,
        "site_name": listing.site_name,
        "street1": a.street1,
        "street2": a.street2,
        "city": a.city,
        "state": a.state,
        "zip": a.zip_code,
        "phone": listing.phone,
        "website": listing.website,
        "latitude": repr(listing.latitude),
        "longitude": repr(listing.longitude),
        "coordinates_approximate": p.yes_no(listing.coordinates_approximate),
        "is_ketamine_provider": p.yes_no(listing.is_ketamine_provider),
        "routes": p.join_enums(listing.routes),
        "esketamine_rems_certified": p.yes_no(listing.esketamine_rems_certified),
        "conditions": p.join_enums(listing.conditions),
        "payment": p.join_enums(listing.payment),
        "populations": p.join_enums(listing.populations),
        "therapy_approaches": p.join_enums(listing.therapy_approaches),
        "telehealth": p.yes_no(listing.telehealth),
        "accepting_new_patients": p.yes_no(listing.accepting_new_patients),
    }
    for signal in listing.signals:
        row[str(signal.kind)] = p.signal_text(signal)
        row[f"{signal.kind}_note"] = signal.note
    return row


def write_listings_csv(listings: Iterable[Listing]) -> str:
    """All listings as a finder CSV (header included), round-trippable by read_listings_csv."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for listing in listings:
        writer.writerow(listing_to_row(listing))
    return buffer.getvalue()


__all__ = [
    "CSV_COLUMNS",
    "REQUIRED_COLUMNS",
    "SignalKind",
    "listing_to_row",
    "read_listings_csv",
    "write_listings_csv",
]
