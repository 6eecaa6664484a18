"""Benchmark: how long the care-queue page takes with many open booster recommendations.

    .venv/bin/python benchmarks/care_queue.py [--open 40] [--repeats 5]

A fresh SQLite database in a temporary directory, migrated; one clinic (4 chairs, 3 nurses, a
prescriber); `--open` patients, each taken through the real services to a due booster (intake,
screening, an IV course with plan and consent, GAD-7 16 → 9 → 5 over loading, the plan moved to
maintenance, then a GAD-7 of 10 today: a recommendation opens). Then, signed in as a nurse
through the sign-in page, `GET /care-queue` (and `GET /api/care-queue` for comparison) is timed
`--repeats` times after one warm-up, at a fixed "now". Reports the median and best wall-clock
milliseconds and the machine's load average (2 shared cores: wall time inflates when others
work). Writes benchmarks/results/care_queue.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.config import get_settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.models import (
    Clinic,
    Location,
    LocationKind,
    Role,
    SymptomSource,
    TreatmentSession,
    User,
)
from ketacare.db.uow import unit_of_work
from ketacare.domain.plans import SessionOutcome
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import auth, clinics, consent, courses, passwords, patients, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock

RESULTS = Path(__file__).parent / "results" / "care_queue.txt"
sys.path.insert(0, str(Path(__file__).parent.parent))  # the tests' factories
NOW = datetime(2026, 4, 1, 14, 0, tzinfo=UTC)  # a Wednesday
PASSWORD = "benchmark-password-1"


def _answers(total: int) -> list[int]:
    items = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    return items + [0] * (7 - len(items))


def _seed(session: Session, open_count: int) -> None:
    from tests.factories.courses import screened_course  # the tests' course factory

    past = FixedClock(NOW - timedelta(days=30))
    clinic = clinics.create_clinic(session=session, clock=past, name="Bench", slug="bench")
    setup = Actor.system("setup", clinic.id)
    for n in range(1, 5):
        clinics.add_location(
            session=session, actor=setup, clock=past, name=f"Chair {n}",
            kind=LocationKind.CHAIR, clinic_id=clinic.id,
        )  # fmt: skip

    def user(email: str, role: Role) -> Actor:
        row = clinics.create_user(
            session=session, actor=setup, clock=past, email=email, full_name=email.split("@")[0],
            role=role, password=PASSWORD, clinic_id=clinic.id,
        )  # fmt: skip
        return Actor.for_user(row)

    prescriber = user("prescriber@bench.example", Role.PRESCRIBER)
    nurse = user("nurse@bench.example", Role.NURSE)
    for n in (2, 3):
        user(f"nurse{n}@bench.example", Role.NURSE)

    def on(days_ago: int) -> FixedClock:
        return FixedClock(NOW - timedelta(days=days_ago))

    for i in range(open_count):
        patient = patients.register_patient(
            session=session,
            actor=nurse,
            clock=past,
            registration=patients.Registration(
                given_name="Pat", family_name=f"Bench{i:03d}", date_of_birth=date(1980, 1, 1),
                sex="female",
            ),
        )  # fmt: skip
        course = screened_course(
            session, actor=nurse, clock=past, patient_id=patient.id,
            prescriber_id=prescriber.user_id or 0, starts_on=(NOW - timedelta(days=28)).date(),
        )  # fmt: skip
        courses.create_plan(session=session, actor=prescriber, clock=past, course_id=course.id)
        consent.record_consent(session=session, actor=nurse, clock=past, course_id=course.id)
        for total, clock in ((16, on(29)), (9, on(20)), (5, on(10))):
            symptom_scores.record_symptom_score(
                session=session, actor=nurse, clock=clock, patient_id=patient.id,
                instrument="gad7", answers=_answers(total), source=SymptomSource.CLINIC,
            )  # fmt: skip
        courses.adjust_plan(
            session=session, actor=prescriber, clock=on(9), course_id=course.id,
            outcomes=[SessionOutcome(n, 69.0, True, mg_per_kg=0.5) for n in range(1, 7)],
        )  # fmt: skip
        symptom_scores.record_symptom_score(
            session=session, actor=nurse, clock=FixedClock(NOW - timedelta(hours=2)),
            patient_id=patient.id, instrument="gad7", answers=_answers(10),
            source=SymptomSource.CLINIC,
        )  # fmt: skip


def _fill_chairs(session: Session, days: int) -> int:
    """Book every chair back to back, 08:00–18:00 clinic time, for the next `days` days (rows
    written directly for one filler patient, nurses in turn): a busy clinic, where the slot
    finder has to look further."""
    clinic = session.scalar(select(Clinic).where(Clinic.slug == "bench"))
    assert clinic is not None
    zone = ZoneInfo(clinic.timezone)
    chairs = session.scalars(
        select(Location).where(Location.clinic_id == clinic.id, Location.kind == LocationKind.CHAIR)
    ).all()
    nurses = session.scalars(
        select(User).where(User.clinic_id == clinic.id, User.role == Role.NURSE)
    ).all()
    filler = patients.register_patient(
        session=session, actor=Actor.system("setup", clinic.id), clock=FixedClock(NOW),
        registration=patients.Registration(
            given_name="Busy", family_name="Filler", date_of_birth=date(1970, 1, 1), sex="male"
        ),
    )  # fmt: skip
    count = 0
    for d in range(days + 1):
        day = NOW.astimezone(zone).date() + timedelta(days=d)
        for c, chair in enumerate(chairs):
            start = datetime.combine(day, time(8, 0), zone)
            while start + timedelta(hours=2) <= datetime.combine(day, time(18, 0), zone):
                session.add(
                    TreatmentSession(
                        clinic_id=clinic.id, patient_id=filler.id, route=Route.IV,
                        chair_id=chair.id, nurse_user_id=nurses[(count + c) % len(nurses)].id,
                        scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                        status=SessionStatus.SCHEDULED, created_at=NOW,
                    )
                )  # fmt: skip
                count += 1
                start += timedelta(hours=2)
    session.flush()
    return count


def _time(client: TestClient, path: str, repeats: int) -> tuple[list[float], int]:
    first = client.get(path)
    assert first.status_code == 200, first.text[:500]
    times = []
    for _ in range(repeats):
        t0 = timer.perf_counter()
        response = client.get(path)
        times.append((timer.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times, len(response.content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--busy-days", type=int, default=0, help="chairs fully booked for the next N days"
    )
    parser.add_argument(
        "--eager",
        type=int,
        default=None,
        help="items with their slots in the page (default: the page's EAGER_SLOTS; a large "
        "number gives the behaviour before slots were loaded on demand)",
    )
    parser.add_argument("--label", default="", help="a note for the results line")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    passwords.use_fast_parameters_for_tests()
    from ketacare.web.app import create_app
    from ketacare.web.pages import care_queue as page

    if args.eager is not None:
        page.EAGER_SLOTS = args.eager

    with tempfile.TemporaryDirectory(prefix="care-queue-bench-") as data_dir:
        settings = get_settings(
            data_dir=Path(data_dir),
            environment="test",
            database_url=f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}",
            secret_key="bench-secret-" + "x" * 40,
        )
        engine = make_engine(settings)
        with engine.begin() as connection:
            migrate.upgrade(settings, connection=connection)
        factory = make_session_factory(engine)
        t0 = timer.perf_counter()
        with unit_of_work(factory) as session:
            _seed(session, args.open)
            filled = _fill_chairs(session, args.busy_days) if args.busy_days else 0
        seeded_s = timer.perf_counter() - t0
        with unit_of_work(factory) as session:
            nurse = session.scalar(select(User).where(User.email == "nurse@bench.example"))
            assert nurse is not None
            bearer = auth.issue_api_token(
                session=session, settings=settings, clock=FixedClock(NOW), user=nurse
            )
        app = create_app(settings, session_factory=factory, clock=FixedClock(NOW))
        with TestClient(app) as client:
            from tests.web.test_bad_input import csrf_from

            token = csrf_from(client.get("/signin").text)
            signed = client.post(
                "/signin",
                data={"email": "nurse@bench.example", "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert signed.status_code == 303, signed.text[:300]
            page_html = client.get("/care-queue").text
            shown = page_html.count('class="card queue-item"')
            client.headers["Authorization"] = f"Bearer {bearer}"  # for the API (pages: cookie)
            last = re.findall(r'hx-get="(/care-queue/\d+/slots)"', page_html)
            paths = ["/care-queue", "/api/care-queue", "/api/care-queue?with_slots=false"]
            results = {path: _time(client, path, args.repeats) for path in paths}
            if last:  # one item's slots on demand (the last item), as htmx asks for them
                client.headers["HX-Request"] = "true"
                results[last[-1] + " (htmx)"] = _time(client, last[-1], args.repeats)
        engine.dispose()

    load = os.getloadavg()
    lines = [
        f"care_queue — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
        + (f" — {args.label}" if args.label else ""),
        f"open recommendations {args.open} (shown on the page: {shown}, with their slots: "
        f"{min(shown, page.EAGER_SLOTS)}), SQLite, "
        f"{filled} other sessions filling the chairs for {args.busy_days} day(s), "
        f"seeded in {seeded_s:.1f} s; median / best of {args.repeats} after a warm-up",
    ]
    for path, (times, size) in results.items():
        lines.append(
            f"  GET {path:<40} median {statistics.median(times):8.1f} ms, best "
            f"{min(times):8.1f} ms, {size / 1024:.0f} KiB"
        )
    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as fh:
        fh.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
