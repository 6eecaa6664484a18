"""Finder through the HTTP API: requests per second at 20 concurrent clients.

A fresh SQLite database in a temporary directory gets the same 100,000 synthetic listings as the
k-NN benchmark; the real app (`create_app`) is served by uvicorn (one worker) on 127.0.0.1;
20 asyncio clients (httpx, keep-alive) send `GET /api/finder/search` with coordinates and the
benchmark's filters for a fixed time. Run through `finder_knn.py --http` or on its own:

    .venv/bin/python benchmarks/finder_http.py
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import insert

from ketacare.config import get_settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.models import FinderListing
from ketacare.db.uow import unit_of_work
from ketacare.finder.synthetic import METRO_CENTRES, synthetic_listings
from ketacare.services.clock import SystemClock
from ketacare.services.finder import record_change, row_values

CLIENTS = 20
SECONDS = 15.0
LISTINGS = 100_000
SEED = 20240901
PARAMS = {
    "radius_miles": "50",
    "k": "10",
    "route": ["iv", "esketamine_nasal"],
    "payment": ["insurance", "self_pay"],
    "signal": "prescriber_oversight",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _load_database(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "KETACARE_DATA_DIR": str(data_dir),
        "KETACARE_DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
    }
    settings = get_settings(data_dir=data_dir, database_url=env["KETACARE_DATABASE_URL"])
    engine = make_engine(settings)
    with engine.begin() as connection:  # the connection pins Alembic to this database
        migrate.upgrade(settings, connection=connection)
    clock = SystemClock()
    rows = [
        {**row_values(x), "updated_at": clock.now()} for x in synthetic_listings(LISTINGS, SEED)
    ]
    with unit_of_work(make_session_factory(engine)) as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(FinderListing), rows[start : start + 5000])
        record_change(
            session=session, clock=clock, kind="import", actor_label="benchmark", accepted=len(rows)
        )
    engine.dispose()
    return env


def _queries(count: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(SEED + 2)
    centres = np.array(METRO_CENTRES)[rng.integers(0, len(METRO_CENTRES), count)]
    lats = centres[:, 0] + rng.normal(0, 0.3, count)
    lons = centres[:, 1] + rng.normal(0, 0.3, count)
    return list(zip(lats.tolist(), lons.tolist(), strict=True))


async def _client(
    base: str,
    points: list[tuple[float, float]],
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        i = 0
        while time.perf_counter() < stop_at:
            lat, lon = points[i % len(points)]
            i += 1
            started = time.perf_counter()
            response = await client.get(
                "/api/finder/search", params={**PARAMS, "lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(response.status_code)


async def _load(base: str) -> tuple[int, list[float], list[int], float]:
    latencies: list[float] = []
    errors: list[int] = []
    points = _queries(5000)
    started = time.perf_counter()
    stop_at = started + SECONDS
    await asyncio.gather(
        *(_client(base, points[c::CLIENTS], stop_at, latencies, errors) for c in range(CLIENTS))
    )
    return len(latencies), latencies, errors, time.perf_counter() - started


def run_http() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        env = _load_database(Path(tmp))
        loaded = time.perf_counter() - started
        port = _free_port()
        code = (
            "import uvicorn; from ketacare.config import get_settings; "
            "from ketacare.web.app import create_app; "
            f"uvicorn.run(create_app(get_settings()), host='127.0.0.1', port={port}, "
            "log_level='warning', access_log=False)"
        )
        server = subprocess.Popen([sys.executable, "-c", code], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base)
            started = time.perf_counter()
            # The first search builds the index from the database.
            httpx.get(
                f"{base}/api/finder/search",
                params={**PARAMS, "lat": "40", "lon": "-74"},
                timeout=300,
            ).raise_for_status()
            first = time.perf_counter() - started
            count, latencies, errors, elapsed = asyncio.run(_load(base))
        finally:
            server.terminate()
            server.wait(timeout=30)
    ms = sorted(x * 1000 for x in latencies)
    return [
        f"HTTP: GET /api/finder/search, {CLIENTS} concurrent clients for {SECONDS:g} s, "
        f"uvicorn (1 worker) on 127.0.0.1, SQLite, {LISTINGS:,} listings",
        f"database loaded in {loaded:.1f} s; first search (builds the index from the database) "
        f"{first:.1f} s",
        f"requests: {count:,}, errors: {len(errors)}, requests/s: {count / elapsed:.0f}",
        f"latency per request: median {statistics.median(ms):.1f} ms, "
        f"p99 {ms[int(0.99 * (len(ms) - 1))]:.1f} ms",
    ]


def _wait_until_up(base: str) -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start within 60 s")


if __name__ == "__main__":
    print("\n".join(run_http()))
