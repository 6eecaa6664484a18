"""Imports into the facility directory: SAMHSA's 2022 directory, finder CSV, locator JSON, FHIR.

Every row is validated first (an ImportReport: accepted rows, rejected rows with reasons). The
accepted rows are then written in the caller's transaction, so a file that fails to apply — or
with `all_or_nothing`, a file with any bad row — leaves the directory unchanged. An import never
replaces a clinic's own ketacare listing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ketacare.db.models import FinderListing
from ketacare.domain.errors import InvalidInput
from ketacare.fhir.finder_read import read_fhir_bundle
from ketacare.finder.codes import load_service_codes
from ketacare.finder.csv_io import read_listings_csv
from ketacare.finder.locator import read_locator_json
from ketacare.finder.model import Listing, ListingSource
from ketacare.finder.report import ImportReport
from ketacare.finder.samhsa import parse_samhsa_directory
from ketacare.services.clock import Clock
from ketacare.services.finder import record_change, row_values

FORMATS = ("csv", "locator", "fhir")


@dataclass(frozen=True)
class ImportResult:
    report: ImportReport
    applied: bool  # False when nothing was written (all_or_nothing with rejected rows)
    created: int = 0
    updated: int = 0
    removed: int = 0


def detect_format(content: str, filename: str = "") -> str:
    """csv, locator or fhir, from the file name's extension or else from the content."""
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    stripped = content.lstrip("\ufeff \t\r\n")
    if lowered.endswith(".json") or stripped[:1] in ("{", "["):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError:
            return "locator"  # the locator reader explains the JSON error
        is_bundle = isinstance(document, dict) and document.get("resourceType") == "Bundle"
        return "fhir" if is_bundle else "locator"
    return "csv"


def read_file(content: str, *, fmt: str = "auto", source_name: str = "file") -> ImportReport:
    """Validate a file without touching the directory (InvalidInput if it is unreadable)."""
    chosen = detect_format(content, source_name) if fmt == "auto" else fmt
    if chosen == "csv":
        return read_listings_csv(content, source_name=source_name)
    if chosen == "locator":
        return read_locator_json(content, load_service_codes(), source_name=source_name)
    if chosen == "fhir":
        return read_fhir_bundle(content, source_name=source_name)
    raise InvalidInput(f"format must be auto, csv, locator or fhir, got {fmt!r}", field="format")


def import_file(
    *,
    session: Session,
    clock: Clock,
    actor_label: str,
    content: str,
    fmt: str = "auto",
    source_name: str = "file",
    all_or_nothing: bool = False,
) -> ImportResult:
    """Validate, then add or replace the accepted listings (matched by listing id)."""
    report = read_file(content, fmt=fmt, source_name=source_name)
    _refuse_clinic_listings(session, report)
    if all_or_nothing and report.rejected:
        return ImportResult(report, applied=False)
    created, updated = _upsert(session, report.accepted, clock)
    _log(session, clock, actor_label, report, created, updated, 0)
    return ImportResult(report, True, created, updated)


def import_samhsa(
    *, session: Session, clock: Clock, actor_label: str, ketamine_only: bool = False
) -> ImportResult:
    """Load the packaged SAMHSA 2022 directory, replacing the previous SAMHSA listings."""
    report = parse_samhsa_directory(ketamine_only=ketamine_only)
    created, updated = _upsert(session, report.accepted, clock)
    keep = {listing.listing_id for listing in report.accepted}
    stale = [
        listing_id
        for listing_id in session.scalars(
            select(FinderListing.listing_id).where(
                FinderListing.source == ListingSource.SAMHSA_2022
            )
        )
        if listing_id not in keep
    ]
    for start in range(0, len(stale), 500):
        session.execute(
            delete(FinderListing).where(FinderListing.listing_id.in_(stale[start : start + 500]))
        )
    _log(session, clock, actor_label, report, created, updated, len(stale))
    return ImportResult(report, True, created, updated, len(stale))


def _refuse_clinic_listings(session: Session, report: ImportReport) -> None:
    owned = set(
        session.scalars(
            select(FinderListing.listing_id).where(FinderListing.source == ListingSource.KETACARE)
        )
    )
    kept: list[tuple[int, Listing]] = []
    for row_number, listing in zip(report.accepted_rows, report.accepted, strict=True):
        if listing.listing_id in owned:
            report.reject(
                row_number,
                f"{listing.listing_id} is a clinic's own ketacare listing; "
                "only that clinic can change it",
                listing.name,
            )
        else:
            kept.append((row_number, listing))
    report.accepted = [listing for _, listing in kept]
    report.accepted_rows = [row for row, _ in kept]
    report.rejected.sort(key=lambda rejected: rejected.row_number)


def _upsert(session: Session, listings: list[Listing], clock: Clock) -> tuple[int, int]:
    rows = session.execute(select(FinderListing.listing_id, FinderListing.id))
    existing: dict[str, int] = {listing_id: row_id for listing_id, row_id in rows}
    now = clock.now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for listing in listings:
        values = {**row_values(listing), "updated_at": now}
        if listing.listing_id in existing:
            updates.append({**values, "id": existing[listing.listing_id]})
        else:
            inserts.append(values)
    if inserts:
        session.execute(insert(FinderListing), inserts)
    if updates:
        session.execute(update(FinderListing), updates)
    session.flush()
    return len(inserts), len(updates)


def _log(
    session: Session,
    clock: Clock,
    actor_label: str,
    report: ImportReport,
    created: int,
    updated: int,
    removed: int,
) -> None:
    record_change(
        session=session,
        clock=clock,
        kind="import",
        actor_label=actor_label,
        source_name=report.source,
        accepted=len(report.accepted),
        rejected=len(report.rejected),
        detail={
            "created": created,
            "updated": updated,
            "removed": removed,
            "rejected": [{"row": r.row_number, "reason": r.reason} for r in report.rejected],
            "warnings": report.warnings[:100],
        },
    )
