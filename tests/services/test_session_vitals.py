"""Vitals ingest: each reading checked by the core, alerts with their level until acknowledged,
the cadence's overdue report, monitor messages recognised once, and no reading lost when 50
arrive at once (real commits on a database of its own)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings, get_settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.models import LocationKind, Patient, ReadingSource, Role, VitalReadingRow
from ketacare.db.uow import unit_of_work
from ketacare.domain.errors import Conflict, InvalidInput
from ketacare.domain.routes import Route
from ketacare.services import clinics, vitals_ingest
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from tests.services.session_support import book, chairs, checked_in, dosed_iv


def _vitals(db: Session, actor: Actor, clock: FixedClock, session_id: int, **values: object):  # type: ignore[no-untyped-def]
    reading = {"systolic_mmhg": 124, "diastolic_mmhg": 78, "heart_rate_bpm": 74, "spo2_pct": 98}
    reading.update(values)
    return vitals_ingest.record_vitals(
        session=db, actor=actor, clock=clock, session_id=session_id, **reading
    )


def test_an_in_session_reading_over_160_raises_a_caution_alert_until_acknowledged(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    clock.advance(minutes=60)
    dosed_iv(db, nurse, clock, row)
    clock.advance(minutes=10)
    recorded = _vitals(db, nurse, clock, row.id, systolic_mmhg=164, diastolic_mmhg=88)
    assert [(a.rule_id, a.level.value) for a in recorded.alerts] == [
        ("vitals.session_bp", "caution")
    ]
    assert recorded.reading.phase.value == "dosing"
    alert = recorded.alerts[0]
    with pytest.raises(InvalidInput):
        vitals_ingest.acknowledge_alert(
            session=db, actor=nurse, clock=clock, alert_id=alert.id, note="  "
        )
    vitals_ingest.acknowledge_alert(
        session=db,
        actor=nurse,
        clock=clock,
        alert_id=alert.id,
        note="Patient calm; re-check in 5 min.",
    )
    open_alerts = vitals_ingest.list_alerts(
        session=db, actor=nurse, clock=clock, session_id=row.id, only_open=True
    )
    assert open_alerts == []
    with pytest.raises(Conflict, match="already acknowledged"):
        vitals_ingest.acknowledge_alert(
            session=db, actor=nurse, clock=clock, alert_id=alert.id, note="again"
        )


def test_a_reading_within_every_line_raises_no_alert(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    clock.advance(minutes=60)
    dosed_iv(db, nurse, clock, row)
    clock.advance(minutes=10)
    assert _vitals(db, nurse, clock, row.id, systolic_mmhg=159).alerts == ()


def test_the_same_monitor_message_is_stored_once(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    clock.advance(minutes=60)
    checked_in(db, nurse, clock, row)
    device = Actor.system("monitor", cast.clinic_a.id)
    first = _vitals(db, device, clock, row.id, source=ReadingSource.DEVICE, external_id="MSG-1")
    again = _vitals(db, device, clock, row.id, source=ReadingSource.DEVICE, external_id="MSG-1")
    assert again.duplicate and again.reading.id == first.reading.id


def test_vitals_are_refused_before_check_in_and_from_the_future(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    with pytest.raises(Conflict, match="from check-in"):
        _vitals(db, nurse, clock, row.id)
    checked_in(db, nurse, clock, row)
    with pytest.raises(InvalidInput, match="future"):
        _vitals(db, nurse, clock, row.id, taken_at=clock.now() + timedelta(minutes=1))


def test_the_overdue_report_lists_an_iv_session_whose_10_minute_reading_is_late(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    clock.advance(minutes=60)
    dosed_iv(db, nurse, clock, row)
    clock.advance(minutes=10)
    assert vitals_ingest.overdue_report(session=db, actor=nurse, clock=clock) == []
    clock.advance(minutes=2)
    [line] = vitals_ingest.overdue_report(session=db, actor=nurse, clock=clock)
    assert line.session.id == row.id and line.status.overdue_by_min == 2
    assert line.status.findings[-1].rule_id == "monitoring.iv_cadence"


# --- 50 concurrent recordings, real commits ----------------------------------------------------


@pytest.fixture
def committed_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A database of its own with real commits: a SQLite file, or a fresh PostgreSQL schema when
    KETACARE_TEST_DATABASE_URL is set (dropped afterwards)."""
    url = os.environ.get("KETACARE_TEST_DATABASE_URL", "")
    settings = get_settings(
        data_dir=tmp_path,
        database_url=url or f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        environment="test",
        secret_key="test-secret-" + "x" * 40,
    )
    schema = f"concurrency_{uuid.uuid4().hex[:10]}"
    engine = _engine(settings, schema)
    with engine.begin() as connection:
        migrate.upgrade(settings, connection=connection)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        if not settings.is_sqlite:
            bare = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
            with bare.connect() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            bare.dispose()


def _engine(settings: Settings, schema: str) -> Engine:
    if settings.is_sqlite:
        return make_engine(settings)
    bare = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    with bare.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    bare.dispose()
    return create_engine(
        settings.database_url,
        pool_size=10,
        max_overflow=40,
        connect_args={"options": f"-csearch_path={schema}"},
    )


def test_50_concurrent_vitals_recordings_for_one_session_lose_none(
    committed_factory: sessionmaker[Session],
) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    with unit_of_work(committed_factory) as db:
        clinic = clinics.create_clinic(session=db, clock=clock, name="C", slug="c")
        setup = Actor.system("setup", clinic.id)
        clinics.add_location(
            session=db,
            actor=setup,
            clock=clock,
            name="Chair 1",
            kind=LocationKind.CHAIR,
            clinic_id=clinic.id,
        )
        user = clinics.create_user(
            session=db,
            actor=setup,
            clock=clock,
            email="n@c.example",
            full_name="N",
            role=Role.NURSE,
            password="correct-horse-battery",
            clinic_id=clinic.id,
        )
        patient = Patient(
            clinic_id=clinic.id,
            given_name="A",
            family_name="B",
            date_of_birth=datetime(1980, 1, 1).date(),
            sex="female",
            email="",
            phone="",
            created_at=clock.now(),
        )
        db.add(patient)
        db.flush()
        nurse = Actor.for_user(user)
        row = book(
            db,
            nurse,
            clock,
            patient.id,
            chairs(db, clinic, 1)[0],
            user.id,
            route=Route.IV,
            start=clock.now(),
        )
        checked_in(db, nurse, clock, row)
        session_id = row.id

    def record(i: int) -> int:
        with unit_of_work(committed_factory) as db:
            recorded = vitals_ingest.record_vitals(
                session=db,
                actor=nurse,
                clock=clock,
                session_id=session_id,
                systolic_mmhg=120 + i % 30,
                diastolic_mmhg=80,
                heart_rate_bpm=70,
                spo2_pct=98,
                source=ReadingSource.DEVICE,
                external_id=f"MSG-{i}",
            )
            return recorded.reading.id

    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(record, range(50)))
    assert len(set(ids)) == 50
    with unit_of_work(committed_factory) as db:
        stored = db.scalar(
            select(func.count())
            .select_from(VitalReadingRow)
            .where(VitalReadingRow.session_id == session_id)
        )
    assert stored == 50
