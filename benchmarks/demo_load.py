"""Benchmark: how long `ketacare demo` takes to build the lived-in demo clinic.

    .venv/bin/python benchmarks/demo_load.py [--patients 200] [--seed 20240501] [--repeats 1]

Each run: a fresh SQLite database in a temporary data directory, migrated, then
`services.demo.load_demo` in one unit of work (as `ketacare demo` does), committed. Reports the
wall-clock and CPU seconds of the load and commit (the migration is timed apart), the machine's
load average (the development machine's 2 cores are shared, so wall time inflates when others
work: CPU seconds are the steadier figure), and what the demo contains. Writes
benchmarks/results/demo_load.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from ketacare.config import get_settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.models import (
    AdverseEvent,
    AuditEvent,
    ControlledLogEntry,
    PatientAlert,
    SymptomScore,
    TreatmentSession,
    VitalAlert,
    VitalReadingRow,
)
from ketacare.db.uow import unit_of_work
from ketacare.services import demo
from ketacare.services.clock import SystemClock
from ketacare.services.demo_history import demo_stages

RESULTS = Path(__file__).parent / "results" / "demo_load.txt"


def run_once(patients: int, seed: int) -> tuple[float, float, float, list[str]]:
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as data_dir:
        settings = get_settings(
            data_dir=Path(data_dir),
            environment="test",
            database_url=f"sqlite:///{Path(data_dir) / 'demo.sqlite3'}",
        )
        engine = make_engine(settings)
        began = time.perf_counter()
        with engine.begin() as connection:
            migrate.upgrade(settings, connection=connection)
        migrated = time.perf_counter() - began
        factory = make_session_factory(engine)
        wall, cpu = time.perf_counter(), time.process_time()
        with unit_of_work(factory) as session:
            clinic = demo.load_demo(
                session=session, clock=SystemClock(), patients=patients, seed=seed
            )
            clinic_id = clinic.id
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        with unit_of_work(factory) as session:
            lines = _contents(session, clinic_id)
        engine.dispose()
    return wall, cpu, migrated, lines


def _contents(session, clinic_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    def count(model, where) -> int:  # type: ignore[no-untyped-def]
        return int(session.scalar(select(func.count()).select_from(model).where(where)) or 0)

    sessions = TreatmentSession.clinic_id == clinic_id
    statuses = session.execute(
        select(TreatmentSession.status, func.count())
        .where(sessions)
        .group_by(TreatmentSession.status)
    ).all()
    in_clinic = select(TreatmentSession.id).where(sessions)
    stages = demo_stages(session, clinic_id)
    return [
        "stages: " + ", ".join(f"{k} {v}" for k, v in sorted(stages.items())),
        "sessions: " + ", ".join(f"{s.value} {n}" for s, n in sorted(statuses)),
        f"symptom scores: {count(SymptomScore, SymptomScore.clinic_id == clinic_id)}",
        f"vital readings: {count(VitalReadingRow, VitalReadingRow.session_id.in_(in_clinic))}",
        f"vital alerts: {count(VitalAlert, VitalAlert.session_id.in_(in_clinic))}",
        f"adverse events: {count(AdverseEvent, AdverseEvent.session_id.in_(in_clinic))}",
        f"patient alerts: {count(PatientAlert, PatientAlert.clinic_id == clinic_id)}",
        "controlled-substance log entries: "
        f"{count(ControlledLogEntry, ControlledLogEntry.clinic_id == clinic_id)}",
        f"audit events: {count(AuditEvent, AuditEvent.clinic_id == clinic_id)}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=demo.DEMO_PATIENTS)
    parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    runs = [run_once(args.patients, args.seed) for _ in range(args.repeats)]
    best = min(runs, key=lambda r: r[0])
    load = os.getloadavg()
    report = [
        f"demo_load — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        f"patients {args.patients}, seed {args.seed}, SQLite, best of {args.repeats}",
        f"load + commit: {best[0]:.1f} s wall, {best[1]:.1f} s CPU "
        f"(all runs wall: {', '.join(f'{r[0]:.1f}' for r in runs)} s); "
        f"migration apart: {best[2]:.1f} s",
        *best[3],
    ]
    text = "\n".join(report) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
