"""The finder CSV: every row validated, bad rows reported with reasons, round trip exact."""

from __future__ import annotations

import dataclasses

import pytest

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder.csv_io import CSV_COLUMNS, read_listings_csv, write_listings_csv
from ketacare.finder.model import Listing, ListingSource, SignalBasis, SignalKind, SignalStatus

HEADER = (
    "id,name,street1,city,state,zip,latitude,longitude,routes,payment,telehealth,"
    "prescriber_oversight,packages_sold_upfront"
)
GOOD = (
    "c1,Calm Clinic,1 Main St,San Francisco,CA,94110,37.75,-122.41,iv; im,insurance,yes,"
    "present,absent"
)


def read(*rows: str) -> tuple[list[Listing], list[tuple[int, str]], list[str]]:
    report = read_listings_csv("\n".join((HEADER, *rows)) + "\n")
    return report.accepted, [(r.row_number, r.reason) for r in report.rejected], report.warnings


def test_a_good_row_becomes_a_listing() -> None:
    accepted, rejected, _ = read(GOOD)
    assert rejected == []
    listing = accepted[0]
    assert listing.routes == {Route.IV, Route.IM}
    assert listing.is_ketamine_provider
    assert listing.telehealth is True
    assert listing.coordinates_approximate is False
    assert listing.source is ListingSource.CSV
    oversight = listing.signal(SignalKind.PRESCRIBER_OVERSIGHT)
    assert (oversight.status, oversight.basis) == (SignalStatus.PRESENT, SignalBasis.SELF_REPORTED)
    assert listing.signal(SignalKind.FOLLOW_UP_TRACKING).status is SignalStatus.UNKNOWN


def test_blank_coordinates_fall_back_to_the_zip_centroid_marked_approximate() -> None:
    accepted, _, _ = read("c2,Calm Clinic,1 Main St,San Francisco,CA,94110,,,iv,,,,")
    assert (accepted[0].latitude, accepted[0].longitude) == (37.7509, -122.4153)
    assert accepted[0].coordinates_approximate


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("b1,,1 Main St,SF,CA,94110,,,,,,,", "name: a value is required"),
        ("b2,X,1 Main St,SF,CA,9411,,,,,,,", "ZIP code must be five digits"),
        ("b3,X,1 Main St,SF,California,94110,,,,,,,", "state: expected a two-letter code"),
        ("b4,X,1 Main St,SF,CA,94110,95,-122,,,,,", "latitude: must be between -90 and 90"),
        ("b5,X,1 Main St,SF,CA,94110,37.7,,,,,,", "both be given or both be blank"),
        ("b6,X,1 Main St,SF,CA,94110,,,ketamine,,,,", "routes: unknown value 'ketamine'"),
        ("b7,X,1 Main St,SF,CA,94110,,,,cash,,,", "payment: unknown value 'cash'"),
        ("b8,X,1 Main St,SF,CA,94110,,,,,maybe,,", "telehealth: expected yes or no"),
        ("b9,X,1 Main St,SF,CA,94110,,,,,,sometimes,", "prescriber_oversight: expected present"),
        ("b10,X,1 Main St,SF,CA,00000,,,,,,,", "ZIP code 00000 has no known position"),
        ("b11,X,1 Main St,SF,CA,94110,abc,-122,,,,,", "latitude: expected a number"),
    ],
)
def test_a_bad_row_is_rejected_with_its_row_number_and_reason(row: str, reason: str) -> None:
    accepted, rejected, _ = read(GOOD, row)
    assert [x.listing_id for x in accepted] == ["c1"]
    assert len(rejected) == 1
    assert rejected[0][0] == 3  # spreadsheet row: header is row 1
    assert reason in rejected[0][1]


def test_a_duplicate_id_is_rejected() -> None:
    _, rejected, _ = read(GOOD, GOOD)
    assert rejected == [(3, "id c1 appears twice in the file")]


def test_a_row_with_extra_cells_is_rejected() -> None:
    _, rejected, _ = read(GOOD + ",extra")
    assert rejected == [(2, "the row has more cells than the header")]


def test_a_file_without_the_required_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(InvalidInput, match="missing required column"):
        read_listings_csv("name,city\nX,Y\n")


def test_a_file_cannot_claim_a_verified_signal() -> None:
    accepted, _, warnings = read(GOOD.replace("present,absent", "present/verified,absent"))
    assert accepted[0].signal(SignalKind.PRESCRIBER_OVERSIGHT).basis is SignalBasis.SELF_REPORTED
    assert "cannot verify" in warnings[0]


def test_rems_certification_needs_the_esketamine_route() -> None:
    report = read_listings_csv(
        "name,street1,city,state,zip,routes,esketamine_rems_certified\n"
        "X,1 Main St,SF,CA,94110,iv,yes\n"
        "Y,1 Main St,SF,CA,94110,esketamine_nasal,yes\n"
    )
    assert [r.row_number for r in report.rejected] == [2]
    assert report.accepted[0].esketamine_rems_certified is True


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    report = read_listings_csv("name,street1,city,state,zip,colour\nX,1 Main St,SF,CA,94110,red\n")
    assert len(report.accepted) == 1
    assert report.warnings == ["ignored unknown column(s): colour"]


def test_samhsa_ketamine_listings_round_trip_through_csv(
    ketamine_listings: list[Listing],
) -> None:
    text = write_listings_csv(ketamine_listings)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    report = read_listings_csv(text)
    assert report.rejected == []
    expected = [
        dataclasses.replace(x, source=ListingSource.CSV, service_codes=())
        for x in ketamine_listings
    ]
    assert report.accepted == expected
