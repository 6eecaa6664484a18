"""Seeded synthetic listings for benchmarks and tests (never shown to the public).

Positions mimic where clinics are: most around metropolitan centres, the rest spread over the
contiguous United States. Attributes are drawn independently with fixed probabilities.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ketacare.domain.routes import Route
from ketacare.finder.model import (
    ALL_SIGNAL_KINDS,
    Address,
    Condition,
    Listing,
    ListingSource,
    Payment,
    Signal,
    SignalBasis,
    SignalStatus,
)

# (lat, lon) of large US metro areas, rounded; enough to create realistic clustering.
METRO_CENTRES: tuple[tuple[float, float], ...] = (
    (40.71, -74.01),
    (34.05, -118.24),
    (41.88, -87.63),
    (29.76, -95.37),
    (33.45, -112.07),
    (39.95, -75.17),
    (29.42, -98.49),
    (32.72, -117.16),
    (32.78, -96.80),
    (37.34, -121.89),
    (30.27, -97.74),
    (30.33, -81.66),
    (39.96, -83.00),
    (35.23, -80.84),
    (37.77, -122.42),
    (39.77, -86.16),
    (47.61, -122.33),
    (39.74, -104.99),
    (38.91, -77.04),
    (42.36, -71.06),
    (36.16, -86.78),
    (35.47, -97.52),
    (42.33, -83.05),
    (45.52, -122.68),
    (36.17, -115.14),
    (35.15, -90.05),
    (38.25, -85.76),
    (39.29, -76.61),
    (43.04, -87.91),
    (35.08, -106.65),
    (32.22, -110.97),
    (36.75, -119.77),
    (38.58, -121.49),
    (33.75, -84.39),
    (25.76, -80.19),
    (44.98, -93.27),
    (40.76, -111.89),
    (27.95, -82.46),
    (28.54, -81.38),
    (41.50, -81.69),
)
_CONDITIONS = tuple(Condition)[:8]
_PAYMENTS = tuple(Payment)


def synthetic_listings(count: int, seed: int) -> list[Listing]:
    """`count` listings, identical for the same seed."""
    rng = np.random.default_rng(seed)
    lats, lons = _positions(rng, count)
    routes = tuple(Route)
    listings: list[Listing] = []
    for i in range(count):
        ketamine = bool(rng.random() < 0.6)
        chosen_routes = (
            (frozenset(r for r in routes if rng.random() < 0.45) or frozenset({Route.IV}))
            if ketamine
            else frozenset()
        )
        statuses = rng.choice(3, size=len(ALL_SIGNAL_KINDS), p=(0.45, 0.25, 0.30))
        listings.append(
            Listing(
                listing_id=f"synthetic-{seed}-{i}",
                name=f"Synthetic clinic {i}",
                address=Address(
                    street1=f"{i} Example Street", city="Exampleton", state="ZZ", zip_code="00000"
                ),
                latitude=float(lats[i]),
                longitude=float(lons[i]),
                coordinates_approximate=False,
                source=ListingSource.SYNTHETIC,
                routes=chosen_routes,
                conditions=frozenset(c for c in _CONDITIONS if rng.random() < 0.35),
                payment=frozenset(p for p in _PAYMENTS if rng.random() < 0.3),
                telehealth=bool(rng.random() < 0.4),
                accepting_new_patients=bool(rng.random() < 0.7),
                is_ketamine_provider=ketamine,
                signals=tuple(
                    Signal(
                        kind,
                        (SignalStatus.PRESENT, SignalStatus.ABSENT, SignalStatus.UNKNOWN)[s],
                        SignalBasis.SELF_REPORTED,
                    )
                    for kind, s in zip(ALL_SIGNAL_KINDS, statuses, strict=True)
                ),
            )
        )
    return listings


def _positions(
    rng: np.random.Generator, count: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    clustered = rng.random(count) < 0.7
    centres = np.array(METRO_CENTRES)[rng.integers(0, len(METRO_CENTRES), count)]
    lats = np.where(
        clustered, centres[:, 0] + rng.normal(0, 0.4, count), rng.uniform(25.0, 49.0, count)
    )
    lons = np.where(
        clustered, centres[:, 1] + rng.normal(0, 0.5, count), rng.uniform(-124.0, -67.0, count)
    )
    return np.clip(lats, -90, 90), np.clip(lons, -180, 180)
