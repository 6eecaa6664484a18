"""Durable jobs (the outbox): enqueue once, claim under a lease, prepare, mark sent.

A job is a row in `jobs` with a UNIQUE idempotency key, so enqueueing the same reminder twice
inserts nothing the second time. The worker (`ketacare.worker`, the owner of the transactions)
drives each job through three short transactions:

1. `claim_due`: pick due, unleased jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the
   engine's `BEGIN IMMEDIATE` serialises writers) and lease them to this worker.
2. `prepare`: under a row lock, re-check the lease, run the kind's handler. A handler that only
   writes to the database (the planning run) or decides to skip finishes the job here, in the
   same transaction as its writes — exactly once. An email handler returns the message; the
   link it carries is committed before the email leaves.
3. `mark_sent`, after the SMTP server accepted the message: the job is done.

Between the SMTP server's acceptance and step 3 the two are not one transaction: if the process
dies there, the lease runs out and another worker sends the email again, with the same
Message-ID (derived from the job). See docs/check-ins.md.

Handlers are registered per kind with `handler(kind)`; they receive the session, the job and a
`JobContext` (clock, settings values) and return a `Prepared`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ketacare.db.models import Job, JobStatus
from ketacare.db.models.audit import AuditOutcome
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock

MAX_ATTEMPTS = 6
# Retry after a failure: 1, 2, 4, 8, 16 minutes.
BACKOFF_BASE_S = 60


@dataclass(frozen=True)
class JobContext:
    """What handlers need besides the database: the time, where links point, who sends."""

    clock: Clock
    public_base_url: str
    sender: str
    worker: str


@dataclass
class Prepared:
    """A handler's answer. `message` set: send it, then mark the job sent. `message` None: the
    job is finished now (`skipped` or done) in the prepare transaction — unless
    `postpone_until` is set: then the job stays pending, due at that time (e.g. held until the
    patient's sending window opens), and this claim does not count as an attempt."""

    outcome: str
    message: EmailMessage | None = None
    skipped: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    postpone_until: datetime | None = None


Handler = Callable[[Session, Job, JobContext], Prepared]
_handlers: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind (one per kind)."""

    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return register


def enqueue(
    *,
    session: Session,
    clock: Clock,
    kind: str,
    key: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    clinic_id: int | None = None,
) -> Job | None:
    """Add a job unless one with `key` exists; returns the new job, or None when it existed.

    Safe under concurrency: the insert runs in a savepoint, and a unique-key clash (another
    planner enqueued the same key first) is a no-op, not an error.
    """
    if not key or len(key) > 200:
        raise InvalidInput("a job needs an idempotency key of 1–200 characters", field="key")
    if session.scalar(select(Job.id).where(Job.idempotency_key == key)) is not None:
        return None
    job = Job(
        clinic_id=clinic_id,
        kind=kind,
        payload=payload or {},
        idempotency_key=key,
        due_at=due_at,
        status=JobStatus.PENDING,
        attempts=0,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        return None
    return job


def claim_due(
    *, session: Session, clock: Clock, worker: str, lease_s: int, limit: int = 20
) -> list[int]:
    """Lease up to `limit` due jobs to `worker`; returns their ids, oldest due first.

    A job is claimable when pending, due, and not leased (or its lease — also the retry
    back-off — has run out). Rows another transaction is claiming are skipped, not waited for.
    """
    now = clock.now()
    query = (
        select(Job.id)
        .where(
            Job.status == JobStatus.PENDING,
            Job.due_at <= now,
            or_(Job.locked_until.is_(None), Job.locked_until <= now),
        )
        .order_by(Job.due_at, Job.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(ids))
            .values(
                locked_by=worker,
                locked_until=now + timedelta(seconds=lease_s),
                attempts=Job.attempts + 1,
            )
        )
        session.flush()
    return ids


def _leased_job(session: Session, job_id: int, worker: str, now: datetime) -> Job | None:
    """The job, row-locked, if `worker` still holds its lease (None: lost or finished)."""
    job = session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job is None or job.status is not JobStatus.PENDING or job.locked_by != worker:
        return None
    if job.locked_until is None or job.locked_until <= now:
        return None
    return job


def prepare(*, session: Session, job_id: int, context: JobContext) -> Prepared | None:
    """Run the job's handler under its lease. Returns None when the lease was lost (another
    worker owns the job now, or it is finished). A job with nothing to send is finished here."""
    now = context.clock.now()
    job = _leased_job(session, job_id, context.worker, now)
    if job is None:
        return None
    run = _handlers.get(job.kind)
    if run is None:
        raise LookupError(f"no handler for job kind {job.kind!r}")
    prepared = run(session, job, context)
    if prepared.postpone_until is not None:
        _postpone(job, prepared.postpone_until, prepared.outcome)
    elif prepared.message is not None:
        prepared.message["Message-ID"] = message_id(job, context.sender)
        job.message_id = prepared.message["Message-ID"]
    else:
        _finish(job, JobStatus.SKIPPED if prepared.skipped else JobStatus.SENT, prepared, now)
    session.flush()
    return prepared


def mark_sent(*, session: Session, clock: Clock, job_id: int, worker: str, outcome: str) -> bool:
    """Record that the SMTP server accepted the job's email. False when the lease was lost
    meanwhile (the caller logs it: another worker may send it again)."""
    now = clock.now()
    job = _leased_job(session, job_id, worker, now)
    if job is None:
        return False
    _finish(job, JobStatus.SENT, Prepared(outcome), now)
    session.flush()
    return True


def record_failure(
    *, session: Session, clock: Clock, job_id: int, worker: str, error: str
) -> Job | None:
    """A failed attempt: retry later with back-off, or give up after MAX_ATTEMPTS."""
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None or job.status is not JobStatus.PENDING or job.locked_by != worker:
        return None
    job.last_error = error[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        job.status = JobStatus.FAILED
        job.locked_by = None
        job.locked_until = None
    else:
        delay = BACKOFF_BASE_S * 2 ** max(0, job.attempts - 1)
        job.locked_until = clock.now() + timedelta(seconds=delay)
    session.flush()
    return job


def retry_job(*, session: Session, actor: Actor, clock: Clock, job_id: int) -> Job:
    """Staff give a failed job another round: pending again, due now, attempts from zero (so it
    gets the full back-off again). Only failed jobs (a sent or skipped one is finished; a
    pending one is still being tried) — anything else is refused with Conflict and changes
    nothing. A job of another clinic is NotFound (audited as denied). The last error stays on
    the row until the next attempt; the audit keeps it too."""
    access.require_staff(session=session, actor=actor, clock=clock, action="jobs.retry")
    job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None or job.clinic_id is None or job.clinic_id != actor.clinic_id:
        audit.record(
            session=session,
            actor=actor,
            clock=clock,
            action="jobs.retry",
            outcome=AuditOutcome.DENIED,
            object_type="job",
            object_id=job_id,
            detail={"reason": "not found or outside the actor's clinic"},
        )
        raise NotFound(f"message {job_id} was not found", field="job")
    if job.status is not JobStatus.FAILED:
        raise Conflict(
            f"only a failed message can be retried; this one is {job.status.value}",
            field="job",
        )
    previous = {"attempts": job.attempts, "last_error": job.last_error[:500]}
    now = clock.now()
    job.status = JobStatus.PENDING
    job.due_at = now
    job.attempts = 0
    job.locked_by = None
    job.locked_until = None
    session.flush()
    patient_id = job.payload.get("patient_id")
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="jobs.retry",
        patient_id=int(patient_id) if patient_id is not None else None,
        object_type="job",
        object_id=job.id,
        detail={"kind": job.kind, "due_at": now.isoformat(), **previous},
    )
    return job


def skip_pending(*, session: Session, clock: Clock, job: Job, outcome: str) -> bool:
    """Finish a pending job as skipped without running it (a message no longer wanted, e.g.
    the patient opted out). False when the job is no longer pending (sent, skipped, failed).
    A worker holding the job's lease finds it finished and drops it (`prepare`), or — if it
    was already handing the email to the SMTP server — cannot mark it sent and logs that."""
    if job.status is not JobStatus.PENDING:
        return False
    _finish(job, JobStatus.SKIPPED, Prepared(outcome), clock.now())
    session.flush()
    return True


def _postpone(job: Job, due_at: datetime, outcome: str) -> None:
    job.due_at = due_at
    job.outcome = outcome
    job.locked_by = None
    job.locked_until = None
    job.attempts = max(0, job.attempts - 1)  # waiting for a window is not a failed attempt


def _finish(job: Job, status: JobStatus, prepared: Prepared, now: datetime) -> None:
    job.status = status
    job.sent_at = now
    job.outcome = prepared.outcome
    job.locked_by = None
    job.locked_until = None


def message_id(job: Job, sender: str) -> str:
    """A Message-ID stable across retries of the same job (a receiving system that dedupes by
    Message-ID shows a re-sent email once)."""
    domain = sender.rpartition("@")[2] or "ketacare.local"
    return f"<job-{job.id}.{hash_key(job.idempotency_key):x}@{domain}>"


def hash_key(key: str) -> int:
    # Stable across processes (unlike hash()): the first 8 bytes of SHA-256.
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def jobs_for(*, session: Session, key_prefix: str) -> list[Job]:
    """Jobs whose idempotency key starts with `key_prefix`, oldest due first (for views/tests)."""
    return list(
        session.scalars(
            select(Job)
            .where(Job.idempotency_key.startswith(key_prefix))
            .order_by(Job.due_at, Job.id)
        )
    )
