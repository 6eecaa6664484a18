"""Finder benchmark: k nearest listings within a radius, with filters, on 100,000 listings.

Ours (cKDTree on unit vectors + filter masks) beside a brute-force NumPy haversine scan of every
listing, over the same data and the same queries in the same run; every answer of ours is
checked against the scan. Prints a table and writes it to benchmarks/results/finder_knn.txt.

    .venv/bin/python benchmarks/finder_knn.py            # 100,000 listings, 2,000 queries
    .venv/bin/python benchmarks/finder_knn.py --http     # also requests/s through the API

Targets (issue 9): median ≤ 1 ms and ≥ 50× faster than the scan.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ketacare.domain.routes import Route
from ketacare.finder.geo import haversine_km_many, miles_to_km
from ketacare.finder.index import ListingIndex, SearchFilters
from ketacare.finder.model import Condition, Payment, SignalKind
from ketacare.finder.synthetic import METRO_CENTRES, synthetic_listings

RESULTS = Path(__file__).resolve().parent / "results" / "finder_knn.txt"
K = 10
RADIUS_MILES = 50.0
FILTERS = SearchFilters(
    ketamine_only=True,
    routes=frozenset({Route.IV, Route.ESKETAMINE_NASAL}),
    payment=frozenset({Payment.INSURANCE, Payment.SELF_PAY}),
    signals=frozenset({SignalKind.PRESCRIBER_OVERSIGHT}),
)


@dataclass
class Timing:
    name: str
    seconds: list[float]

    def ms(self, q: float) -> float:
        return float(np.quantile(np.array(self.seconds), q)) * 1000.0


def brute_force(
    index: ListingIndex,
    mask: NDArray[np.bool_],
    lats: NDArray[np.float64],
    lons: NDArray[np.float64],
    lat: float,
    lon: float,
) -> NDArray[np.int64]:
    """Haversine to every listing, keep those passing the filters and within the radius."""
    km = haversine_km_many(lat, lon, lats, lons)
    ok = mask & (km <= miles_to_km(RADIUS_MILES))
    candidates = np.flatnonzero(ok)
    order = np.lexsort((candidates, km[candidates]))[:K]
    return candidates[order]


def queries(count: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    centres = np.array(METRO_CENTRES)[rng.integers(0, len(METRO_CENTRES), count)]
    near_metro = rng.random(count) < 0.8
    lats = np.where(
        near_metro, centres[:, 0] + rng.normal(0, 0.3, count), rng.uniform(25, 49, count)
    )
    lons = np.where(
        near_metro, centres[:, 1] + rng.normal(0, 0.3, count), rng.uniform(-124, -67, count)
    )
    return list(zip(lats.tolist(), lons.tolist(), strict=True))


def run_knn(listings_count: int, query_count: int, seed: int) -> tuple[list[str], int]:
    started = time.perf_counter()
    listings = synthetic_listings(listings_count, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = ListingIndex(listings)
    built = time.perf_counter() - started
    lats = np.array([x.latitude for x in listings])
    lons = np.array([x.longitude for x in listings])
    mask = index.passes(index.all_positions(), FILTERS)
    ours, scan = Timing("ours (cKDTree + masks)", []), Timing("brute-force haversine scan", [])
    points = queries(query_count, seed + 1)
    # Each method runs over all queries in its own pass (after a warm-up), so neither evicts
    # the other's data from the CPU caches between queries; answers are compared afterwards.
    got: list[list[str]] = []
    expected: list[list[str]] = []
    for lat, lon in points[:50]:
        index.search(lat, lon, radius_miles=RADIUS_MILES, k=K, filters=FILTERS)
        brute_force(index, mask, lats, lons, lat, lon)
    for lat, lon in points:
        t0 = time.perf_counter()
        hits = index.search(lat, lon, radius_miles=RADIUS_MILES, k=K, filters=FILTERS)
        ours.seconds.append(time.perf_counter() - t0)
        got.append([hit.listing.listing_id for hit in hits])
    for lat, lon in points:
        t0 = time.perf_counter()
        found = brute_force(index, mask, lats, lons, lat, lon)
        scan.seconds.append(time.perf_counter() - t0)
        expected.append([listings[int(i)].listing_id for i in found])
    cold = SearchFilters(routes=frozenset({Route.IM}), conditions=frozenset({Condition.ANXIETY}))
    t0 = time.perf_counter()
    index.search(*points[0], radius_miles=RADIUS_MILES, k=K, filters=cold)
    cold_ms = (time.perf_counter() - t0) * 1000.0
    mismatches = sum(a != b for a, b in zip(got, expected, strict=True))
    returned = sum(len(ids) for ids in got)
    speedup = statistics.median(scan.seconds) / statistics.median(ours.seconds)
    lines = [
        f"finder k-NN benchmark — {listings_count:,} synthetic listings (seed {seed}), "
        f"{query_count:,} queries",
        f"k = {K}, radius = {RADIUS_MILES:g} miles, filters: ketamine providers, route IV or "
        "esketamine, insurance or self-pay, prescriber oversight present",
        f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}; "
        f"data generated in {generated:.1f} s, index built in {built:.2f} s",
        f"mean results per query: {returned / query_count:.2f}; "
        f"answers differing from the scan: {mismatches}",
        "",
        f"{'method':<30} {'median ms':>10} {'p99 ms':>10}",
        *(f"{t.name:<30} {t.ms(0.5):>10.4f} {t.ms(0.99):>10.4f}" for t in (ours, scan)),
        "",
        f"speed-up (median scan / median ours): {speedup:.0f}x",
        f"first query with a new filter combination (builds and caches its tree): {cold_ms:.1f} ms",
        f"targets: median <= 1 ms: {'met' if ours.ms(0.5) <= 1.0 else 'NOT met'}; "
        f">= 50x faster: {'met' if speedup >= 50 else 'NOT met'}",
    ]
    return lines, mismatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument(
        "--http",
        action="store_true",
        help="also measure requests/s through the HTTP API (20 clients)",
    )
    args = parser.parse_args()
    lines, mismatches = run_knn(args.listings, args.queries, args.seed)
    if args.http:
        from finder_http import run_http  # type: ignore[import-not-found]

        lines += ["", *run_http()]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    if mismatches:
        raise SystemExit(f"{mismatches} answers differ from the brute-force scan")


if __name__ == "__main__":
    main()
