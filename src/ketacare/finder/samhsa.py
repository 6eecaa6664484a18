"""Import SAMHSA's 2022 National Directory of Mental Health Treatment Facilities.

9,037 facilities, public domain, no coordinates: each is placed at its ZIP-code centroid and
marked approximate. What the directory lists is what facilities reported to the survey, so every
signal derived from it has basis `samhsa_survey`.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping
from pathlib import Path

from ketacare.domain.errors import DomainError, InvalidInput
from ketacare.finder.codes import (
    DATA_DIR,
    ServiceCode,
    fields_from_codes,
    load_service_codes,
    split_service_codes,
)
from ketacare.finder.model import Address, Listing, ListingSource
from ketacare.finder.report import ImportReport
from ketacare.finder.zips import zip_centroid

DIRECTORY_CSV = DATA_DIR / "national-directory-mh-facilities-2022.csv"
SAMHSA_ATTRIBUTION = (
    "Facility data: Substance Abuse and Mental Health Services Administration (SAMHSA), "
    "National Directory of Mental Health Treatment Facilities, 2022. A U.S. Government work in "
    "the public domain. Facilities reported these services themselves; SAMHSA did not verify them."
)
DIRECTORY_COLUMNS = (
    "name1",
    "name2",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "phone",
    "intake1",
    "intake2",
    "intake1a",
    "intake2a",
    "service_code_info",
)


def samhsa_listing_id(row: Mapping[str, str]) -> str:
    """A stable id from the facility's name and address (row order may change between files)."""
    columns = ("name1", "name2", "street1", "street2", "city", "state", "zip", "phone")
    key = "|".join(row.get(c, "").strip().lower() for c in columns)
    return "samhsa-2022-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def parse_samhsa_directory(
    path: Path = DIRECTORY_CSV,
    codes: Mapping[str, ServiceCode] | None = None,
    *,
    ketamine_only: bool = False,
) -> ImportReport:
    """Read the directory CSV into listings (rows are spreadsheet rows: the header is row 1).

    Raises InvalidInput if the file lacks the directory's columns. With `ketamine_only`, rows
    without a ketamine route are skipped (neither accepted nor rejected).
    """
    names = codes if codes is not None else load_service_codes()
    report = ImportReport(source=f"SAMHSA directory 2022 ({path.name})")
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in DIRECTORY_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise InvalidInput(
                f"{path.name} is not the SAMHSA directory: missing columns {', '.join(missing)}",
                field="file",
            )
        for row_number, row in enumerate(reader, start=2):
            try:
                listing = _listing_from_row(row, names)
            except DomainError as error:
                report.reject(row_number, error.message, row.get("name1", ""))
                continue
            if ketamine_only and not listing.is_ketamine_provider:
                continue
            if listing.listing_id in seen:
                report.reject(
                    row_number, "duplicate of an earlier row (same name and address)", listing.name
                )
                continue
            seen.add(listing.listing_id)
            report.accept(row_number, listing)
    return report


def _listing_from_row(row: Mapping[str, str], names: Mapping[str, ServiceCode]) -> Listing:
    zip_code = row["zip"].strip()[:5]
    position = zip_centroid(zip_code)
    if position is None:
        raise InvalidInput(f"ZIP code {zip_code!r} has no known position", field="zip")
    service_codes = split_service_codes(row["service_code_info"])
    fields = fields_from_codes(service_codes, names)
    return Listing(
        listing_id=samhsa_listing_id(row),
        name=row["name1"].strip(),
        site_name=row["name2"].strip(),
        address=Address(
            street1=row["street1"].strip(),
            street2=row["street2"].strip(),
            city=row["city"].strip(),
            state=row["state"].strip().upper(),
            zip_code=zip_code,
        ),
        phone=(row["phone"] or row["intake1"]).strip(),
        latitude=position[0],
        longitude=position[1],
        coordinates_approximate=True,
        source=ListingSource.SAMHSA_2022,
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
