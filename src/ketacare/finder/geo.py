"""Great-circle geometry on a spherical Earth: haversine distances and 3-D unit vectors.

Distances use the IUGG mean Earth radius (6371.0088 km); against the WGS84 ellipsoid the
spherical great-circle distance is off by at most about 0.5%, and far less over the short
distances a clinic search covers. The chord between two unit vectors is a strictly increasing
function of their great-circle angle, so a nearest-neighbour search on unit vectors ranks points
exactly as great-circle distance does.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ketacare.domain.errors import InvalidInput

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344

FloatArray = NDArray[np.float64]


def km_to_miles(km: float) -> float:
    return km / KM_PER_MILE


def miles_to_km(miles: float) -> float:
    return miles * KM_PER_MILE


def check_coordinates(latitude: float, longitude: float) -> None:
    """Raise InvalidInput unless latitude is in [-90, 90] and longitude in [-180, 180] degrees."""
    if not (math.isfinite(latitude) and -90.0 <= latitude <= 90.0):
        raise InvalidInput(
            f"latitude must be a number between -90 and 90 degrees, got {latitude}",
            field="latitude",
        )
    if not (math.isfinite(longitude) and -180.0 <= longitude <= 180.0):
        raise InvalidInput(
            f"longitude must be a number between -180 and 180 degrees, got {longitude}",
            field="longitude",
        )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km_many(lat: float, lon: float, lats: FloatArray, lons: FloatArray) -> FloatArray:
    """Great-circle distances in km from one point to arrays of points (all in degrees)."""
    phi1 = math.radians(lat)
    phi2 = np.radians(lats)
    dphi = phi2 - phi1
    dlmb = np.radians(lons) - math.radians(lon)
    h = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return result


def unit_vectors(lats: FloatArray, lons: FloatArray) -> FloatArray:
    """(n, 3) array of unit vectors for latitudes/longitudes in degrees."""
    phi = np.radians(lats)
    lmb = np.radians(lons)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)))


def unit_vector(lat: float, lon: float) -> FloatArray:
    phi, lmb = math.radians(lat), math.radians(lon)
    return np.array([math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi)])


def chord_for_km(km: float) -> float:
    """Straight-line distance between unit vectors whose great-circle distance is `km`."""
    angle = min(km / EARTH_RADIUS_KM, math.pi)
    return 2.0 * math.sin(angle / 2.0)


def mean_position(lats: FloatArray, lons: FloatArray) -> tuple[float, float]:
    """The spherical centroid (normalised mean of unit vectors) of points, in degrees."""
    mean = unit_vectors(lats, lons).mean(axis=0)
    x, y, z = (float(v) for v in mean)
    return (
        math.degrees(math.atan2(z, math.hypot(x, y))),
        math.degrees(math.atan2(y, x)),
    )
