"""Distances agree with great-circle distance on held-out real coordinates.

The reference coordinates below are NOT from the `zipcodes` package: Census ZCTA gazetteer
internal points (00601–00603 from the 2010 file, 10020 from the 2022 file), a Census-2000-based
ZIP table (35004, 35005, 35007, 35010), and geocoded facility addresses from FindTreatment.gov
(22901, 22902). They are only used here.
"""

from __future__ import annotations

import math
from itertools import combinations

import pytest

from ketacare.finder.geo import haversine_km
from ketacare.finder.index import ListingIndex, SearchFilters
from ketacare.finder.model import Address, Listing, ListingSource
from ketacare.finder.zips import resolve_zip

HELD_OUT: dict[str, tuple[float, float]] = {
    "00601": (18.180555, -66.749961),
    "00602": (18.361945, -67.175597),
    "00603": (18.455183, -67.119887),
    "10020": (40.759174, -73.980715),
    "35004": (33.603543, -86.466833),
    "35005": (33.578097, -86.987228),
    "35007": (33.193415, -86.794377),
    "35010": (32.930079, -85.805026),
    "22901": (38.0745616, -78.4980579),
    "22902": (38.0282239, -78.4725231),
}


def vincenty_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance on the WGS84 ellipsoid (Vincenty's inverse formula)."""
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    lon = lam = math.radians(lon2 - lon1)
    for _ in range(200):
        sin_sigma = math.hypot(
            math.cos(u2) * math.sin(lam),
            math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * math.cos(lam),
        )
        cos_sigma = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * math.cos(lam)
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = math.cos(u1) * math.cos(u2) * math.sin(lam) / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * math.sin(u1) * math.sin(u2) / cos2_alpha
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = lon + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (a**2 - b**2) / b**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return b * big_a * (sigma - delta) / 1000


def listing_at(zip_code: str, lat: float, lon: float) -> Listing:
    return Listing(
        listing_id=f"held-out-{zip_code}",
        name=f"Facility {zip_code}",
        address=Address("1 Main Street", "Somewhere", "ZZ", zip_code),
        latitude=lat,
        longitude=lon,
        coordinates_approximate=False,
        source=ListingSource.SYNTHETIC,
    )


INDEX = ListingIndex([listing_at(z, *c) for z, c in HELD_OUT.items()])
EVERYONE = SearchFilters(ketamine_only=False)


@pytest.mark.parametrize("origin", sorted(HELD_OUT))
def test_search_distances_agree_with_the_ellipsoidal_geodesic_within_half_a_percent(
    origin: str,
) -> None:
    place = resolve_zip(origin)
    hits = INDEX.search(place.latitude, place.longitude, radius_miles=3000, k=20, filters=EVERYONE)
    assert len(hits) == len(HELD_OUT)
    for hit in hits:
        geodesic = vincenty_km(
            place.latitude, place.longitude, hit.listing.latitude, hit.listing.longitude
        )
        if geodesic > 1.0:  # relative error is meaningless between near-identical points
            assert hit.distance_km == pytest.approx(geodesic, rel=0.005)


def test_zip_centroids_lie_within_15_km_of_the_census_reference_points() -> None:
    for zip_code, (lat, lon) in HELD_OUT.items():
        place = resolve_zip(zip_code)
        assert haversine_km(place.latitude, place.longitude, lat, lon) < 15.0, zip_code


def test_distances_between_distant_zip_codes_agree_with_the_reference_within_half_a_percent() -> (
    None
):
    checked = 0
    for a, b in combinations(sorted(HELD_OUT), 2):
        reference = vincenty_km(*HELD_OUT[a], *HELD_OUT[b])
        if reference < 1500:  # centroids differ from reference points by up to ~12 km
            continue
        pa, pb = resolve_zip(a), resolve_zip(b)
        ours = haversine_km(pa.latitude, pa.longitude, pb.latitude, pb.longitude)
        assert ours == pytest.approx(reference, rel=0.005), (a, b)
        checked += 1
    assert checked >= 20


def test_the_san_francisco_to_new_york_distance_is_about_4130_km() -> None:
    sf, ny = resolve_zip("94110"), resolve_zip("10020")
    assert haversine_km(sf.latitude, sf.longitude, ny.latitude, ny.longitude) == pytest.approx(
        vincenty_km(sf.latitude, sf.longitude, ny.latitude, ny.longitude), rel=0.005
    )
