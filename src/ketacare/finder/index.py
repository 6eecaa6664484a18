"""Exact k-nearest listings within a radius, with filters, in well under a millisecond.

Listings are points on the unit sphere in a SciPy `cKDTree`. The chord between unit vectors
grows strictly with great-circle distance, so the tree's nearest neighbours by chord are exactly
the nearest by great-circle distance, and a radius in km becomes a chord bound. Filters are
bit masks checked on each batch of candidates; the batch grows (×4) until k listings pass or the
radius is exhausted, and a very selective filter falls back to a scan of the radius ball.
Results are sorted by haversine distance (ties by insertion order).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route
from ketacare.finder.geo import (
    EARTH_RADIUS_KM,
    check_coordinates,
    chord_for_km,
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
SUBINDEX_CACHE_SIZE = 32  # filter combinations whose own tree is kept

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


def _bits(values: Iterable[object], order: Sequence[object], offset: int) -> int:
    mask = 0
    for value in values:
        mask |= 1 << (offset + order.index(value))
    return mask


# One int64 of feature bits per listing, so a filter is a few bit operations on one gather.
_ROUTES = tuple(Route)
_CONDITIONS = tuple(Condition)
_PAYMENTS = tuple(Payment)
_KETAMINE_BIT, _TELEHEALTH_BIT, _ACCEPTING_BIT = 1 << 0, 1 << 1, 1 << 2
_ROUTE_AT = 3
_SIGNAL_AT = _ROUTE_AT + len(_ROUTES)
_PAYMENT_AT = _SIGNAL_AT + len(ALL_SIGNAL_KINDS)
_CONDITION_AT = _PAYMENT_AT + len(_PAYMENTS)
assert _CONDITION_AT + len(_CONDITIONS) < 63
_RED_FLAG_BITS = _bits(RED_FLAGS, ALL_SIGNAL_KINDS, _SIGNAL_AT)


def _features(listing: Listing) -> int:
    present = (s.kind for s in listing.signals if s.status is SignalStatus.PRESENT)
    return (
        (_KETAMINE_BIT if listing.is_ketamine_provider else 0)
        | (_TELEHEALTH_BIT if listing.telehealth is True else 0)
        | (_ACCEPTING_BIT if listing.accepting_new_patients is True else 0)
        | _bits(listing.routes, _ROUTES, _ROUTE_AT)
        | _bits(present, ALL_SIGNAL_KINDS, _SIGNAL_AT)
        | _bits(listing.payment, _PAYMENTS, _PAYMENT_AT)
        | _bits(listing.conditions, _CONDITIONS, _CONDITION_AT)
    )


@dataclass(frozen=True)
class _CompiledFilter:
    need_all: int  # every one of these bits set
    need_any: tuple[int, ...]  # at least one bit of each mask set
    need_none: int  # none of these bits set


@functools.lru_cache(maxsize=256)
def _compile(wanted: SearchFilters) -> _CompiledFilter:
    need_all = _bits(wanted.signals, ALL_SIGNAL_KINDS, _SIGNAL_AT)
    need_all |= _KETAMINE_BIT if wanted.ketamine_only else 0
    need_all |= _TELEHEALTH_BIT if wanted.telehealth else 0
    need_all |= _ACCEPTING_BIT if wanted.accepting_new_patients else 0
    need_any = tuple(
        mask
        for mask in (
            _bits(wanted.routes, _ROUTES, _ROUTE_AT),
            _bits(wanted.payment, _PAYMENTS, _PAYMENT_AT),
            _bits(wanted.conditions, _CONDITIONS, _CONDITION_AT),
        )
        if mask
    )
    return _CompiledFilter(need_all, need_any, _RED_FLAG_BITS if wanted.exclude_red_flags else 0)


class ListingIndex:
    """An immutable spatial index over listings (build once, share across threads)."""

    def __init__(self, listings: Sequence[Listing]) -> None:
        self.listings: tuple[Listing, ...] = tuple(listings)
        n = len(self.listings)
        self._lats = np.fromiter((x.latitude for x in self.listings), np.float64, n)
        self._lons = np.fromiter((x.longitude for x in self.listings), np.float64, n)
        self._tree = cKDTree(unit_vectors(self._lats, self._lons) if n else np.zeros((0, 3)))
        self._features = np.fromiter((_features(x) for x in self.listings), np.int64, n)
        self._subtrees: OrderedDict[_CompiledFilter, tuple[cKDTree, IntArray]] = OrderedDict()
        self._lock = threading.Lock()
        self._by_id = {x.listing_id: i for i, x in enumerate(self.listings)}
        if len(self._by_id) != n:
            raise InvalidInput("listing ids must be unique", field="listing_id")

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
        if not self.listings:
            return []
        radius_km = miles_to_km(radius_miles)
        # Pad the chord bound by a hair so float rounding never drops a boundary point; the
        # great-circle check below is the real radius test.
        bound = chord_for_km(radius_km) * (1 + 1e-9) + 1e-12
        chosen, chords = self._nearest_passing(unit_vector(latitude, longitude), bound, k, wanted)
        # Central angle from the chord: the same great-circle distance haversine gives (to
        # ~1e-12 relative), without recomputing trigonometry from the coordinates.
        km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chords / 2.0, 1.0))
        keep = km <= radius_km
        return [
            SearchHit(self.listings[int(i)], float(d))
            for i, d in zip(chosen[keep], km[keep], strict=True)
        ]

    def _nearest_passing(
        self, centre: NDArray[np.float64], bound: float, k: int, wanted: SearchFilters
    ) -> tuple[IntArray, NDArray[np.float64]]:
        """Positions and chords of the k nearest passing listings, ties by position."""
        tree, positions = self._subindex(_compile(wanted))
        size = len(positions)
        if size == 0:
            return positions, np.zeros(0)
        batch = min(size, k + 8)
        while True:
            chords, found = tree.query(centre, k=batch, distance_upper_bound=bound)
            chords, found = np.atleast_1d(chords), np.atleast_1d(found)
            inside = found < size  # missing neighbours come back as index `size`, distance inf
            chords, found = chords[inside], found[inside]
            exhausted = len(found) < batch or batch == size
            # Listings tied with the k-th may lie beyond the batch: grow until past the tie.
            if exhausted or chords[k - 1] < chords[-1]:
                kth = chords[min(k, len(chords)) - 1] if len(chords) else np.inf
                within = chords <= kth
                # `positions` is sorted, so local order is global order for the tie-break.
                order = np.lexsort((found[within], chords[within]))[:k]
                return positions[found[within][order]], chords[within][order]
            batch = min(size, batch * 4)

    def _subindex(self, rule: _CompiledFilter) -> tuple[cKDTree, IntArray]:
        """A tree over only the listings that pass `rule` (built once per filter combination,
        kept for the most recent ones), so a query needs no filtering at all."""
        with self._lock:
            cached = self._subtrees.get(rule)
            if cached is not None:
                self._subtrees.move_to_end(rule)
                return cached
        positions = np.flatnonzero(self._passes(self.all_positions(), rule)).astype(np.int64)
        built = (cKDTree(self._tree.data[positions]) if len(positions) else self._tree, positions)
        with self._lock:
            self._subtrees[rule] = built
            while len(self._subtrees) > SUBINDEX_CACHE_SIZE:
                self._subtrees.popitem(last=False)
        return built

    def passes(self, positions: IntArray, wanted: SearchFilters) -> NDArray[np.bool_]:
        """Boolean mask: which of the listings at `positions` pass the filters."""
        return self._passes(positions, _compile(wanted))

    def _passes(self, positions: IntArray, rule: _CompiledFilter) -> NDArray[np.bool_]:
        features = self._features[positions]
        ok: NDArray[np.bool_] = (features & rule.need_all) == rule.need_all
        for mask in rule.need_any:
            ok &= (features & mask) != 0
        if rule.need_none:
            ok &= (features & rule.need_none) == 0
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
