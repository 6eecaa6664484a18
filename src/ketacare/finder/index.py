"""Exact k-nearest listings within a radius, with filters, in well under a millisecond.

Listings are points on the unit sphere in a SciPy `cKDTree`. The chord between unit vectors
grows strictly with great-circle distance, so the tree's nearest neighbours by chord are exactly
the nearest by great-circle distance, and a radius in km becomes a chord bound. Filters are
bit masks checked on each batch of candidates; the batch grows (×4) until k listings pass or the
radius is exhausted, and a very selective filter falls back to a scan of the radius ball.
Results are sorted by haversine distance (ties by insertion order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder.geo import (
    check_coordinates,
    chord_for_km,
    haversine_km_many,
    km_to_miles,
    miles_to_km,
    unit_vector,
    unit_vectors,
)
from ketacare.finder.model import (
    ALL_SIGNAL_KINDS,
    QUALITY_SIGNALS,
    RED_FLAGS,
    Condition,
    Listing,
    Payment,
    SignalKind,
    SignalStatus,
)

MAX_RESULTS = 200
MAX_RADIUS_MILES = 3000.0

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class SearchFilters:
    """What a result must offer. Empty sets mean "any".

    routes, conditions and payment match if the listing has ANY of the values asked;
    `signals` (quality signals) must ALL be present; `exclude_red_flags` drops listings with any
    red flag present. `telehealth`/`accepting_new_patients` = True keep only listings that say
    yes. `ketamine_only` (the public default) keeps ketamine providers only.
    """

    ketamine_only: bool = True
    routes: frozenset[Route] = frozenset()
    conditions: frozenset[Condition] = frozenset()
    payment: frozenset[Payment] = frozenset()
    telehealth: bool = False
    accepting_new_patients: bool = False
    signals: frozenset[SignalKind] = frozenset()
    exclude_red_flags: bool = False

    def __post_init__(self) -> None:
        flags = sorted(str(kind) for kind in self.signals if kind in RED_FLAGS)
        if flags:
            raise InvalidInput(
                f"signal filters take quality signals only, not red flags "
                f"({', '.join(flags)}); use exclude_red_flags",
                field="signals",
            )


@dataclass(frozen=True)
class SearchHit:
    listing: Listing
    distance_km: float

    @property
    def distance_miles(self) -> float:
        return km_to_miles(self.distance_km)


def _bits(values: Iterable[object], order: Sequence[object]) -> int:
    positions = {value: i for i, value in enumerate(order)}
    mask = 0
    for value in values:
        mask |= 1 << positions[value]
    return mask


_ROUTES = tuple(Route)
_CONDITIONS = tuple(Condition)
_PAYMENTS = tuple(Payment)
_RED_FLAG_BITS = _bits(RED_FLAGS, ALL_SIGNAL_KINDS)


class ListingIndex:
    """An immutable spatial index over listings (build once, share across threads)."""

    def __init__(self, listings: Sequence[Listing]) -> None:
        self.listings: tuple[Listing, ...] = tuple(listings)
        n = len(self.listings)
        self._lats = np.fromiter((x.latitude for x in self.listings), np.float64, n)
        self._lons = np.fromiter((x.longitude for x in self.listings), np.float64, n)
        self._tree = cKDTree(unit_vectors(self._lats, self._lons) if n else np.zeros((0, 3)))
        self._ketamine = np.fromiter((x.is_ketamine_provider for x in self.listings), bool, n)
        self._route_bits = self._bit_array((x.routes for x in self.listings), _ROUTES, n)
        self._condition_bits = self._bit_array(
            (x.conditions for x in self.listings), _CONDITIONS, n
        )
        self._payment_bits = self._bit_array((x.payment for x in self.listings), _PAYMENTS, n)
        self._telehealth = np.fromiter((x.telehealth is True for x in self.listings), bool, n)
        self._accepting = np.fromiter(
            (x.accepting_new_patients is True for x in self.listings), bool, n
        )
        self._signal_bits = self._bit_array(
            (
                (s.kind for s in x.signals if s.status is SignalStatus.PRESENT)
                for x in self.listings
            ),
            ALL_SIGNAL_KINDS,
            n,
        )
        self._by_id = {x.listing_id: i for i, x in enumerate(self.listings)}
        if len(self._by_id) != n:
            raise InvalidInput("listing ids must be unique", field="listing_id")

    @staticmethod
    def _bit_array(
        values: Iterable[Iterable[object]], order: Sequence[object], n: int
    ) -> NDArray[np.int64]:
        return np.fromiter((_bits(v, order) for v in values), np.int64, n)

    def __len__(self) -> int:
        return len(self.listings)

    def get(self, listing_id: str) -> Listing | None:
        position = self._by_id.get(listing_id)
        return None if position is None else self.listings[position]

    def search(
        self,
        latitude: float,
        longitude: float,
        *,
        radius_miles: float,
        k: int = 10,
        filters: SearchFilters | None = None,
    ) -> list[SearchHit]:
        """The k listings nearest to (latitude, longitude) within radius_miles that pass filters.

        Exact: the same listings, in the same order, as a great-circle scan of every listing.
        Raises InvalidInput for coordinates out of range, k outside 1..MAX_RESULTS or a radius
        outside (0, MAX_RADIUS_MILES].
        """
        check_coordinates(latitude, longitude)
        if not 1 <= k <= MAX_RESULTS:
            raise InvalidInput(f"k must be between 1 and {MAX_RESULTS}, got {k}", field="k")
        if not 0 < radius_miles <= MAX_RADIUS_MILES:
            raise InvalidInput(
                f"radius must be more than 0 and at most {MAX_RADIUS_MILES:g} "
                f"miles, got {radius_miles:g}",
                field="radius_miles",
            )
        wanted = filters or SearchFilters()
        n = len(self.listings)
        if n == 0:
            return []
        radius_km = miles_to_km(radius_miles)
        # Pad the chord bound by a hair so float rounding never drops a boundary point; the
        # haversine check below is the real radius test.
        bound = chord_for_km(radius_km) * (1 + 1e-9) + 1e-12
        centre = unit_vector(latitude, longitude)
        chosen = self._nearest_passing(centre, bound, k, wanted)
        km = haversine_km_many(latitude, longitude, self._lats[chosen], self._lons[chosen])
        keep = km <= radius_km
        chosen, km = chosen[keep], km[keep]
        order = np.lexsort((chosen, km))
        return [
            SearchHit(self.listings[int(i)], float(d))
            for i, d in zip(chosen[order], km[order], strict=True)
        ]

    def _nearest_passing(
        self, centre: NDArray[np.float64], bound: float, k: int, wanted: SearchFilters
    ) -> IntArray:
        n = len(self.listings)
        batch = min(n, max(4 * k, 32))
        while True:
            _, found = self._tree.query(centre, k=batch, distance_upper_bound=bound)
            found = np.atleast_1d(found)
            found = found[found < n]  # missing neighbours are reported as index n
            passing = found[self.passes(found, wanted)]
            if len(passing) >= k or len(found) < batch:
                return passing[:k]
            if batch >= n or batch * 4 > max(n // 8, 4096):
                # Very selective filters: scan the ball once instead of growing further.
                ball = np.asarray(self._tree.query_ball_point(centre, bound), dtype=np.int64)
                passing = ball[self.passes(ball, wanted)]
                chord = np.linalg.norm(self._tree.data[passing] - centre, axis=1)
                return passing[np.lexsort((passing, chord))][:k]
            batch = min(n, batch * 4)

    def passes(self, positions: IntArray, wanted: SearchFilters) -> NDArray[np.bool_]:
        """Boolean mask: which of the listings at `positions` pass the filters."""
        ok = np.ones(len(positions), dtype=bool)
        if wanted.ketamine_only:
            ok &= self._ketamine[positions]
        for values, order, bits in (
            (wanted.routes, _ROUTES, self._route_bits),
            (wanted.conditions, _CONDITIONS, self._condition_bits),
            (wanted.payment, _PAYMENTS, self._payment_bits),
        ):
            if values:
                ok &= (bits[positions] & _bits(values, order)) != 0
        if wanted.telehealth:
            ok &= self._telehealth[positions]
        if wanted.accepting_new_patients:
            ok &= self._accepting[positions]
        if wanted.signals:
            need = _bits(wanted.signals, ALL_SIGNAL_KINDS)
            ok &= (self._signal_bits[positions] & need) == need
        if wanted.exclude_red_flags:
            ok &= (self._signal_bits[positions] & _RED_FLAG_BITS) == 0
        return ok

    def all_positions(self) -> IntArray:
        return np.arange(len(self.listings), dtype=np.int64)


__all__ = [
    "MAX_RADIUS_MILES",
    "MAX_RESULTS",
    "QUALITY_SIGNALS",
    "ListingIndex",
    "SearchFilters",
    "SearchHit",
]
