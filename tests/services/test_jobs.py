"""The durable job queue: idempotent enqueue, leases, retries, and several workers at once.

The concurrency test runs two workers in two threads, each with its own engine and sessions,
claiming from the same table: on PostgreSQL (KETACARE_TEST_DATABASE_URL) with
`FOR UPDATE SKIP LOCKED`, on SQLite serialised by `BEGIN IMMEDIATE`. It needs committed data
visible to both engines, so it runs on its own freshly migrated database (a temporary SQLite
file, or a temporary PostgreSQL schema), not inside the per-test rolled-back transaction.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.models import Job, JobStatus, Patient, Role
from ketacare.db.uow import unit_of_work
from ketacare.services import check_ins, clinics, jobs
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from tests.services.check_in_support import Inbox, inbox, mail_settings, make_worker, smtp

__all__ = ["inbox", "mail_settings", "smtp"]


def test_enqueueing_the_same_key_twice_keeps_one_job(db: Session, clock: FixedClock) -> None:
    first = jobs.enqueue(session=db, clock=clock, kind="plan", key="k-1", due_at=clock.now())
    again = jobs.enqueue(session=db, clock=clock, kind="plan", key="k-1", due_at=clock.now())
    assert first is not None and again is None
    assert db.scalar(select(func.count()).select_from(Job)) == 1


def test_an_empty_key_is_refused(db: Session, clock: FixedClock) -> None:
    from ketacare.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        jobs.enqueue(session=db, clock=clock, kind="plan", key="", due_at=clock.now())


def test_a_job_is_claimed_only_when_due_and_only_by_one_worker_while_leased(
    db: Session, clock: FixedClock
) -> None:
    jobs.enqueue(
        session=db, clock=clock, kind="plan", key="k", due_at=clock.now() + timedelta(minutes=10)
    )
    assert jobs.claim_due(session=db, clock=clock, worker="a", lease_s=60) == []
    clock.advance(minutes=10)
    claimed = jobs.claim_due(session=db, clock=clock, worker="a", lease_s=60)
    assert len(claimed) == 1
    assert jobs.claim_due(session=db, clock=clock, worker="b", lease_s=60) == []
    clock.advance(seconds=60)
    assert jobs.claim_due(session=db, clock=clock, worker="b", lease_s=60) == claimed
    job = db.get(Job, claimed[0])
    db.refresh(job)
    assert (job.locked_by, job.attempts) == ("b", 2)


def test_a_worker_that_lost_its_lease_cannot_mark_the_job_sent(
    db: Session, clock: FixedClock
) -> None:
    job = jobs.enqueue(session=db, clock=clock, kind="plan", key="k", due_at=clock.now())
    assert job is not None
    jobs.claim_due(session=db, clock=clock, worker="a", lease_s=60)
    clock.advance(seconds=61)
    jobs.claim_due(session=db, clock=clock, worker="b", lease_s=60)
    assert not jobs.mark_sent(session=db, clock=clock, job_id=job.id, worker="a", outcome="x")
    assert jobs.mark_sent(session=db, clock=clock, job_id=job.id, worker="b", outcome="x")
    db.refresh(job)
    assert job.status is JobStatus.SENT and job.locked_by is None


def test_a_failing_job_is_retried_with_back_off_then_given_up(
    db: Session, clock: FixedClock
) -> None:
    job = jobs.enqueue(session=db, clock=clock, kind="plan", key="k", due_at=clock.now())
    assert job is not None
    waits = []
    for _ in range(jobs.MAX_ATTEMPTS):
        (claimed,) = jobs.claim_due(session=db, clock=clock, worker="a", lease_s=60)
        failed = jobs.record_failure(
            session=db, clock=clock, job_id=claimed, worker="a", error="smtp down"
        )
        assert failed is not None
        if failed.status is JobStatus.PENDING:
            assert failed.locked_until is not None
            waits.append(failed.locked_until - clock.now())
            clock.current = failed.locked_until
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    db.refresh(job)
    assert job.status is JobStatus.FAILED and job.last_error == "smtp down"
    assert jobs.claim_due(session=db, clock=clock, worker="a", lease_s=60) == []


def test_an_smtp_server_that_is_down_leaves_the_job_for_a_retry(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    down = mail_settings.model_copy(update={"smtp_port": 9, "smtp_timeout_s": 2.0})
    assert make_worker(session_factory, down, clock, "w").run_once() == 0
    (job,) = jobs.jobs_for(session=db, key_prefix="check-in:on-request")
    db.refresh(job)
    assert job.status is JobStatus.PENDING and job.last_error
    clock.advance(minutes=1)
    assert make_worker(session_factory, mail_settings, clock, "w").run_once() == 1
    assert len(inbox.messages) == 1


# --- several workers on one database -----------------------------------------------------------


@pytest.fixture
def own_database(settings: Settings, tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """A fresh, migrated database of the same kind as the suite's; yields an engine maker."""
    if settings.is_sqlite:
        url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
        own = settings.model_copy(update={"database_url": url})

        def engine() -> Engine:
            return make_engine(own)

        teardown: Callable[[], None] = lambda: None  # noqa: E731
    else:
        schema = f"workers_{uuid.uuid4().hex[:10]}"
        admin = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))

        def engine() -> Engine:
            return create_engine(
                settings.database_url,
                connect_args={"options": f"-csearch_path={schema}"},
                pool_pre_ping=True,
            )

        def teardown() -> None:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

    setup = engine()
    with setup.begin() as connection:
        migrate.upgrade(settings, connection=connection)
    setup.dispose()
    yield engine
    teardown()


def _seed(
    factory: sessionmaker[Session], clock: FixedClock, patients: int, per_patient: int
) -> None:
    with unit_of_work(factory) as session:
        clinic = clinics.create_clinic(session=session, clock=clock, name="Workers", slug="workers")
        nurse = clinics.create_user(
            session=session,
            actor=Actor.system("setup", clinic.id),
            clock=clock,
            email="nurse@workers.example",
            full_name="Nurse",
            role=Role.NURSE,
            password="correct-horse-battery",
            clinic_id=clinic.id,
        )
        for n in range(patients):
            patient = Patient(
                clinic_id=clinic.id,
                given_name=f"P{n}",
                family_name="Test",
                date_of_birth=date(1980, 1, 1),
                sex="female",
                email=f"p{n}@workers.example",
                created_at=clock.now(),
            )
            session.add(patient)
            session.flush()
            for k in range(per_patient):
                check_ins.request_check_in(
                    session=session,
                    actor=Actor.for_user(nurse),
                    clock=clock,
                    patient_id=patient.id,
                    due_at=clock.now() + timedelta(minutes=k),
                )


def test_two_workers_on_one_database_send_each_message_exactly_once(
    own_database: Callable[[], Engine], mail_settings: Settings, inbox: Inbox
) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    seed_engine = own_database()
    _seed(make_session_factory(seed_engine), clock, patients=6, per_patient=5)
    seed_engine.dispose()
    clock.advance(minutes=10)  # all 30 check-ins due; their reminders are 2 days away
    engines = [own_database(), own_database()]
    workers = [
        make_worker(make_session_factory(e), mail_settings, clock, f"worker-{i}")
        for i, e in enumerate(engines)
    ]
    for w in workers:
        w.batch = 3  # small batches: the two workers interleave their claims
    finished: dict[str, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(worker) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            finished[worker.name] = worker.run_once()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    counts = Counter(m["Message-ID"] for m in inbox.messages)
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert sum(finished.values()) == 30, finished
    with unit_of_work(make_session_factory(engines[0])) as session:
        sent = session.scalars(select(Job).where(Job.kind == "check_in")).all()
        assert {j.status for j in sent} == {JobStatus.SENT}
        assert all(j.attempts == 1 for j in sent)
    for e in engines:
        e.dispose()
