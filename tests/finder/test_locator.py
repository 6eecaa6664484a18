"""FindTreatment.gov locator JSON: rows validated, service names mapped back to codes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder.codes import ServiceCode
from ketacare.finder.index import SearchHit
from ketacare.finder.locator import read_locator_json, write_locator_json, write_locator_search
from ketacare.finder.model import Listing, Payment, SignalBasis, SignalKind, SignalStatus

ROW = {
    "name1": "Region Clinic",
    "name2": "Main Site",
    "street1": "1014 East Market Street",
    "street2": "",
    "city": "Charlottesville",
    "state": "VA",
    "zip": "22902",
    "phone": "434-979-8871",
    "website": "http://example.org",
    "latitude": "38.0282239",
    "longitude": "-78.4725231",
    "typeFacility": "MH",
    "services": [
        {"f1": "Type of Care", "f2": "TC", "f3": "Mental health treatment"},
        {
            "f1": "Treatment Approaches",
            "f2": "TAP",
            "f3": "Cognitive behavioral therapy; Ketamine Infusion Therapy; "
            "Telemedicine/telehealth therapy",
        },
        {
            "f1": "Payment/Insurance/Funding Accepted",
            "f2": "PAY",
            "f3": "Medicaid; Private health insurance; Cash or self-payment",
        },
    ],
}


def test_a_locator_row_becomes_a_listing_with_routes_payment_and_signals(
    service_codes: dict[str, ServiceCode],
) -> None:
    report = read_locator_json(json.dumps({"recordCount": 1, "rows": [ROW]}), service_codes)
    assert report.rejected == []
    listing = report.accepted[0]
    assert listing.routes == {Route.IV}
    assert listing.payment == {Payment.MEDICAID, Payment.INSURANCE, Payment.SELF_PAY}
    assert listing.telehealth is True
    assert (listing.latitude, listing.longitude) == (38.0282239, -78.4725231)
    assert not listing.coordinates_approximate
    therapy = listing.signal(SignalKind.THERAPY_INTEGRATION)
    assert (therapy.status, therapy.basis) == (SignalStatus.PRESENT, SignalBasis.SAMHSA_SURVEY)


def test_bad_rows_are_rejected_with_their_position_and_reason(
    service_codes: dict[str, ServiceCode],
) -> None:
    rows = [
        ROW,
        {**ROW, "name1": ""},
        {**ROW, "zip": "2290"},
        "not an object",
        {**ROW, "latitude": "95", "name1": "Far"},
        {**ROW, "services": "TAP"},
    ]
    report = read_locator_json(json.dumps({"rows": rows}), service_codes)
    assert len(report.accepted) == 1
    expected = [
        (2, "name1: a value is required"),
        (3, "ZIP code must be five digits"),
        (4, "a row must be a JSON object"),
        (5, "latitude: must be between"),
        (6, "services must be a list of {f1, f2, f3} objects"),
    ]
    assert [r.row_number for r in report.rejected] == [n for n, _ in expected]
    for rejected, (_, start) in zip(report.rejected, expected, strict=True):
        assert rejected.reason.startswith(start)


def test_zero_coordinates_mean_none_and_fall_back_to_the_zip_centroid(
    service_codes: dict[str, ServiceCode],
) -> None:
    report = read_locator_json(
        json.dumps([{**ROW, "latitude": "0", "longitude": "0"}]), service_codes
    )
    assert report.accepted[0].coordinates_approximate


def test_unknown_service_names_are_ignored_with_a_warning(
    service_codes: dict[str, ServiceCode],
) -> None:
    row = {**ROW, "services": [{"f1": "x", "f2": "TAP", "f3": "Anger management"}]}
    report = read_locator_json(json.dumps([row]), service_codes)
    assert len(report.accepted) == 1
    assert "Anger management" in report.warnings[0]


@pytest.mark.parametrize("content", ["{", '{"rows": 3}', '"text"'])
def test_a_file_that_is_not_a_locator_export_is_refused(
    content: str, service_codes: dict[str, ServiceCode]
) -> None:
    with pytest.raises(InvalidInput):
        read_locator_json(content, service_codes)


def test_samhsa_ketamine_listings_round_trip_through_the_locator_format(
    ketamine_listings: list[Listing], service_codes: dict[str, ServiceCode]
) -> None:
    document = json.loads(write_locator_json(ketamine_listings, service_codes))
    assert document["recordCount"] == 104
    row = document["rows"][0]
    assert {
        "name1",
        "street1",
        "city",
        "state",
        "zip",
        "phone",
        "website",
        "latitude",
        "longitude",
        "services",
    } <= set(row)
    assert all({"f1", "f2", "f3"} == set(s) for s in row["services"])
    report = read_locator_json(json.dumps(document), service_codes)
    assert report.rejected == []
    for original, back in zip(ketamine_listings, report.accepted, strict=True):
        # The locator format has no "approximate" flag: given coordinates count as exact.
        assert back == dataclasses.replace(
            original, source=back.source, listing_id=back.listing_id, coordinates_approximate=False
        )


def test_search_results_in_the_locator_shape_carry_miles(
    ketamine_listings: list[Listing], service_codes: dict[str, ServiceCode]
) -> None:
    hit = SearchHit(ketamine_listings[0], 16.09344)
    row = json.loads(write_locator_search([hit], service_codes))["rows"][0]
    assert row["miles"] == 10.0
