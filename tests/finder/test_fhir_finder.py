"""FHIR R4B bundles: Organization + Location per listing; search results carry distance."""

from __future__ import annotations

import dataclasses
import json

from ketacare.fhir.finder import (
    LISTING_EXTENSION,
    LOCATION_DISTANCE,
    listings_bundle,
    search_bundle,
    validate_bundle,
)
from ketacare.fhir.finder_read import read_fhir_bundle
from ketacare.finder.index import ListingIndex
from ketacare.finder.model import Listing, ListingSource, SignalBasis, SignalKind
from ketacare.finder.signals import VerificationFacts, verified_signals
from ketacare.finder.zips import resolve_zip


def test_export_is_a_valid_r4b_bundle_with_an_organization_and_a_location_each(
    ketamine_listings: list[Listing],
) -> None:
    bundle = listings_bundle(ketamine_listings[:10])
    parsed = validate_bundle(bundle)
    kinds = [e.resource.__resource_type__ for e in parsed.entry or [] if e.resource]
    assert kinds == ["Organization", "Location"] * 10
    location = bundle["entry"][1]["resource"]
    assert location["position"] == {
        "latitude": ketamine_listings[0].latitude,
        "longitude": ketamine_listings[0].longitude,
    }
    assert location["managingOrganization"]["reference"] == bundle["entry"][0]["fullUrl"]


def test_search_results_carry_the_location_distance_extension_in_miles(
    samhsa_listings: list[Listing],
) -> None:
    place = resolve_zip("94110")
    hits = ListingIndex(samhsa_listings).search(
        place.latitude, place.longitude, radius_miles=100, k=5
    )
    bundle = search_bundle(hits)
    validate_bundle(bundle)
    assert bundle["type"] == "searchset" and bundle["total"] == 5
    matches = [e for e in bundle["entry"] if e["search"]["mode"] == "match"]
    for entry, hit in zip(matches, hits, strict=True):
        (extension,) = entry["search"]["extension"]
        assert extension["url"] == LOCATION_DISTANCE
        assert extension["valueDistance"]["code"] == "[mi_i]"
        assert extension["valueDistance"]["value"] == round(hit.distance_miles, 3)


def test_listings_round_trip_through_a_bundle(ketamine_listings: list[Listing]) -> None:
    report = read_fhir_bundle(json.dumps(listings_bundle(ketamine_listings)))
    assert report.rejected == []
    assert report.accepted == [
        dataclasses.replace(x, source=ListingSource.FHIR) for x in ketamine_listings
    ]


def test_a_bundle_from_elsewhere_imports_without_our_extension() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:org-1",
                "resource": {
                    "resourceType": "Organization",
                    "id": "org-1",
                    "name": "Elsewhere Clinic",
                    "telecom": [{"system": "phone", "value": "555-0100"}],
                },
            },
            {
                "resource": {
                    "resourceType": "Location",
                    "id": "loc-1",
                    "address": {
                        "line": ["2 Side St"],
                        "city": "Provo",
                        "state": "UT",
                        "postalCode": "84601",
                    },
                    "managingOrganization": {"reference": "Organization/org-1"},
                }
            },
        ],
    }
    report = read_fhir_bundle(json.dumps(bundle))
    (listing,) = report.accepted
    assert listing.name == "Elsewhere Clinic"
    assert listing.phone == "555-0100"
    assert listing.listing_id == "fhir-loc-1"
    assert listing.coordinates_approximate  # no position: the ZIP centroid


def test_invalid_locations_are_rejected_with_their_entry_number() -> None:
    good = {
        "resourceType": "Location",
        "name": "A",
        "address": {"line": ["1 A St"], "city": "Provo", "state": "UT", "postalCode": "84601"},
    }
    bad_position = {**good, "position": {"latitude": "north", "longitude": 1}}
    no_address = {"resourceType": "Location", "name": "B"}
    bad_code = {
        **good,
        "extension": [
            {"url": LISTING_EXTENSION, "extension": [{"url": "route", "valueCode": "rectal"}]}
        ],
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in (good, bad_position, no_address, bad_code)],
    }
    report = read_fhir_bundle(json.dumps(bundle))
    assert len(report.accepted) == 1
    reasons = {r.row_number: r.reason for r in report.rejected}
    assert "not a valid R4B Location" in reasons[2]
    assert reasons[3] == "Location has no address"
    assert reasons[4] == "route: unknown code 'rectal'"


def test_an_imported_bundle_cannot_claim_verification(ketamine_listings: list[Listing]) -> None:
    verified = dataclasses.replace(
        ketamine_listings[0], signals=verified_signals(VerificationFacts(screening_in_use=True))
    )
    report = read_fhir_bundle(json.dumps(listings_bundle([verified])))
    signal = report.accepted[0].signal(SignalKind.COMPREHENSIVE_SCREENING)
    assert signal.basis is SignalBasis.SELF_REPORTED
    assert "cannot verify" in report.warnings[0]
