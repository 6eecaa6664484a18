"""Test fixtures: a real database (SQLite by default, PostgreSQL when KETACARE_TEST_DATABASE_URL
is set), schema from `alembic upgrade heads`, each test inside a transaction rolled back at the
end; a fixed clock; the app bound to that transaction; a cast of users across two clinics."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings, get_settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine
from ketacare.db.models import Clinic, LocationKind, Patient, Role, User
from ketacare.services import auth, clinics, passwords
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.web.app import create_app

passwords.use_fast_parameters_for_tests()
TEST_DATABASE_URL = os.environ.get("KETACARE_TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery"
_skipped: list[str] = []


# --- CI: a skipped test is a failure (no component may be missing) ---------------------------


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") == "true" and _skipped:
        print(f"\nCI forbids skipped tests; {len(_skipped)} skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = 1


# --- database -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("ketacare-data")
    url = TEST_DATABASE_URL or f"sqlite:///{data_dir / 'test.sqlite3'}"
    return get_settings(
        data_dir=data_dir,
        database_url=url,
        environment="test",
        secret_key="test-secret-" + "x" * 40,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    if not settings.is_sqlite:
        _reset_postgres(settings.database_url)
    engine = make_engine(settings)
    with engine.begin() as connection:
        migrate.upgrade(settings, connection=connection)
    yield engine
    engine.dispose()


def _reset_postgres(url: str) -> None:
    bare = create_engine(url, isolation_level="AUTOCOMMIT")
    with bare.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    bare.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Services' and requests' commits become SAVEPOINT releases inside the test's transaction.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))


# --- the app --------------------------------------------------------------------------------


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session], clock: FixedClock):  # type: ignore[no-untyped-def]
    return create_app(settings, session_factory=session_factory, clock=clock)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# --- the cast: nurse of clinic A, nurse of clinic B, a patient, an admin ---------------------


@dataclass
class Cast:
    clinic_a: Clinic
    clinic_b: Clinic
    admin_a: User
    prescriber_a: User
    second_prescriber_a: User
    nurse_a: User
    nurse_b: User
    patient_a: Patient
    patient_user_a: User
    other_patient_a: Patient
    patient_b: Patient

    def actor(self, user: User) -> Actor:
        return Actor.for_user(user)


def _patient(
    session: Session, clinic: Clinic, given: str, family: str, clock: FixedClock
) -> Patient:
    patient = Patient(
        clinic_id=clinic.id,
        given_name=given,
        family_name=family,
        date_of_birth=date(1985, 5, 17),
        sex="female",
        email=f"{given.lower()}@example.org",
        phone="",
        created_at=clock.now(),
    )
    session.add(patient)
    session.flush()
    return patient


@pytest.fixture
def cast(db: Session, clock: FixedClock) -> Cast:
    clinic_a = clinics.create_clinic(session=db, clock=clock, name="Clinic A", slug="clinic-a")
    clinic_b = clinics.create_clinic(session=db, clock=clock, name="Clinic B", slug="clinic-b")
    for clinic in (clinic_a, clinic_b):
        for n in (1, 2):
            clinics.add_location(
                session=db,
                actor=Actor.system("setup", clinic.id),
                clock=clock,
                name=f"Chair {n}",
                kind=LocationKind.CHAIR,
                clinic_id=clinic.id,
            )

    def user(clinic: Clinic, email: str, role: Role, patient: Patient | None = None) -> User:
        return clinics.create_user(
            session=db,
            actor=Actor.system("setup", clinic.id),
            clock=clock,
            email=email,
            full_name=email.split("@")[0],
            role=role,
            password=PASSWORD,
            clinic_id=clinic.id,
            patient_id=patient.id if patient else None,
        )

    patient_a = _patient(db, clinic_a, "Alice", "Anders", clock)
    other_patient_a = _patient(db, clinic_a, "Olga", "Other", clock)
    patient_b = _patient(db, clinic_b, "Bella", "Brandt", clock)
    cast = Cast(
        clinic_a=clinic_a,
        clinic_b=clinic_b,
        admin_a=user(clinic_a, "admin@a.example", Role.ADMIN),
        prescriber_a=user(clinic_a, "prescriber@a.example", Role.PRESCRIBER),
        second_prescriber_a=user(clinic_a, "prescriber2@a.example", Role.PRESCRIBER),
        nurse_a=user(clinic_a, "nurse@a.example", Role.NURSE),
        nurse_b=user(clinic_b, "nurse@b.example", Role.NURSE),
        patient_a=patient_a,
        patient_user_a=user(clinic_a, "alice@a.example", Role.PATIENT, patient_a),
        other_patient_a=other_patient_a,
        patient_b=patient_b,
    )
    db.commit()
    return cast


@pytest.fixture
def token_for(db: Session, settings: Settings, clock: FixedClock):  # type: ignore[no-untyped-def]
    """Bearer headers for a user of the cast: `token_for(cast.nurse_a)`."""

    def make(user: User) -> dict[str, str]:
        token = auth.issue_api_token(session=db, settings=settings, clock=clock, user=user)
        db.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
