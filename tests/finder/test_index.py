"""The spatial index returns exactly what a great-circle scan of every listing returns."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder.index import ListingIndex, SearchFilters
from ketacare.finder.model import (
    RED_FLAGS,
    Condition,
    Listing,
    Payment,
    SignalKind,
    SignalStatus,
)
from ketacare.finder.synthetic import synthetic_listings
from ketacare.finder.zips import resolve_zip

EARTH_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Independent reference: the spherical law of haversines, written out here."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def passes(listing: Listing, f: SearchFilters) -> bool:
    present = {s.kind for s in listing.signals if s.status is SignalStatus.PRESENT}
    return (
        (not f.ketamine_only or listing.is_ketamine_provider)
        and (not f.routes or bool(f.routes & listing.routes))
        and (not f.conditions or bool(f.conditions & listing.conditions))
        and (not f.payment or bool(f.payment & listing.payment))
        and (not f.telehealth or listing.telehealth is True)
        and (not f.accepting_new_patients or listing.accepting_new_patients is True)
        and f.signals <= present
        and not (f.exclude_red_flags and present & set(RED_FLAGS))
    )


def scan(
    listings: list[Listing], lat: float, lon: float, radius_miles: float, k: int, f: SearchFilters
) -> list[tuple[str, float]]:
    scored = [
        (great_circle_km(lat, lon, x.latitude, x.longitude), i, x)
        for i, x in enumerate(listings)
        if passes(x, f)
    ]
    inside = sorted((d, i, x) for d, i, x in scored if d <= radius_miles * 1.609344)
    return [(x.listing_id, d) for d, _, x in inside[:k]]


SYNTHETIC = synthetic_listings(3000, seed=7)
SYNTHETIC_INDEX = ListingIndex(SYNTHETIC)

FILTER_CASES = [
    SearchFilters(),
    SearchFilters(ketamine_only=False),
    SearchFilters(routes=frozenset({Route.IM})),
    SearchFilters(
        routes=frozenset({Route.SUBLINGUAL, Route.ESKETAMINE_NASAL}),
        payment=frozenset({Payment.MEDICARE}),
    ),
    SearchFilters(conditions=frozenset({Condition.PTSD}), telehealth=True),
    SearchFilters(
        signals=frozenset({SignalKind.PRESCRIBER_OVERSIGHT, SignalKind.FOLLOW_UP_TRACKING}),
        exclude_red_flags=True,
    ),
    SearchFilters(accepting_new_patients=True, payment=frozenset({Payment.SLIDING_SCALE})),
]


def assert_same_as_scan(
    index: ListingIndex,
    listings: list[Listing],
    lat: float,
    lon: float,
    radius: float,
    k: int,
    f: SearchFilters,
) -> None:
    hits = index.search(lat, lon, radius_miles=radius, k=k, filters=f)
    expected = scan(listings, lat, lon, radius, k, f)
    assert [h.listing.listing_id for h in hits] == [i for i, _ in expected]
    for hit, (_, km) in zip(hits, expected, strict=True):
        assert hit.distance_km == pytest.approx(km, rel=1e-9, abs=1e-9)
        assert hit.distance_miles == pytest.approx(km / 1.609344, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("f", FILTER_CASES)
@pytest.mark.parametrize("zip_code", ["94110", "10001", "60614", "33139", "80202", "59801"])
def test_nearest_results_match_a_great_circle_scan_in_order(
    f: SearchFilters, zip_code: str
) -> None:
    place = resolve_zip(zip_code)
    assert_same_as_scan(SYNTHETIC_INDEX, SYNTHETIC, place.latitude, place.longitude, 150, 10, f)


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(24, 50),
    lon=st.floats(-125, -66),
    radius=st.floats(0.5, 800),
    k=st.integers(1, 40),
    case=st.sampled_from(FILTER_CASES),
)
def test_any_search_matches_the_scan(
    lat: float, lon: float, radius: float, k: int, case: SearchFilters
) -> None:
    assert_same_as_scan(SYNTHETIC_INDEX, SYNTHETIC, lat, lon, radius, k, case)


def test_samhsa_ketamine_facilities_nearest_a_zip_are_the_great_circle_nearest_in_order(
    samhsa_listings: list[Listing],
) -> None:
    index = ListingIndex(samhsa_listings)
    for zip_code in ("94110", "84101", "33602", "43215", "10001", "99501"):
        place = resolve_zip(zip_code)
        assert_same_as_scan(
            index, samhsa_listings, place.latitude, place.longitude, 3000, 15, SearchFilters()
        )


def test_listings_sharing_a_zip_centroid_are_ordered_by_directory_position(
    samhsa_listings: list[Listing],
) -> None:
    # Many SAMHSA facilities share a ZIP centroid: ties must be broken the same way every time.
    index = ListingIndex(samhsa_listings)
    place = resolve_zip("10001")
    everyone = SearchFilters(ketamine_only=False)
    for k in (1, 2, 3, 7, 25):
        assert_same_as_scan(
            index, samhsa_listings, place.latitude, place.longitude, 20, k, everyone
        )


def test_a_listing_exactly_on_the_radius_is_included_and_one_just_beyond_is_not() -> None:
    place = resolve_zip("94110")
    hits = SYNTHETIC_INDEX.search(
        place.latitude,
        place.longitude,
        radius_miles=3000,
        k=1,
        filters=SearchFilters(ketamine_only=False),
    )
    nearest = hits[0]
    exact = SYNTHETIC_INDEX.search(
        place.latitude,
        place.longitude,
        radius_miles=nearest.distance_miles,
        k=1,
        filters=SearchFilters(ketamine_only=False),
    )
    assert [h.listing.listing_id for h in exact] == [nearest.listing.listing_id]
    inside = SYNTHETIC_INDEX.search(
        place.latitude,
        place.longitude,
        radius_miles=nearest.distance_miles * (1 - 1e-6),
        k=1,
        filters=SearchFilters(ketamine_only=False),
    )
    assert inside == []


def test_fewer_than_k_results_when_the_radius_holds_fewer() -> None:
    hits = SYNTHETIC_INDEX.search(45.0, -100.0, radius_miles=5, k=10)
    assert len(hits) < 10


def test_an_empty_index_returns_nothing() -> None:
    assert ListingIndex([]).search(40.0, -100.0, radius_miles=50, k=10) == []


@pytest.mark.parametrize(("k", "radius"), [(0, 10), (201, 10), (10, 0), (10, -1), (10, 3001)])
def test_k_and_radius_out_of_range_are_refused(k: int, radius: float) -> None:
    with pytest.raises(InvalidInput):
        SYNTHETIC_INDEX.search(40.0, -100.0, radius_miles=radius, k=k)


def test_k_and_radius_on_their_limits_are_accepted() -> None:
    assert len(SYNTHETIC_INDEX.search(40.0, -100.0, radius_miles=3000, k=200)) == 200
    assert SYNTHETIC_INDEX.search(40.0, -100.0, radius_miles=1e-6, k=1) == []


def test_a_red_flag_cannot_be_asked_for_as_a_wanted_signal() -> None:
    with pytest.raises(InvalidInput, match="exclude_red_flags"):
        SearchFilters(signals=frozenset({SignalKind.PACKAGES_SOLD_UPFRONT}))


def test_duplicate_listing_ids_are_refused() -> None:
    with pytest.raises(InvalidInput, match="unique"):
        ListingIndex([SYNTHETIC[0], SYNTHETIC[0]])


def test_listings_are_found_by_id() -> None:
    assert SYNTHETIC_INDEX.get(SYNTHETIC[5].listing_id) == SYNTHETIC[5]
    assert SYNTHETIC_INDEX.get("nope") is None
