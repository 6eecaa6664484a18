"""The job worker: the owner of the jobs' transactions (like a request or a CLI command).

`Worker.run_once()` claims due jobs under a lease, prepares each (its handler runs in a
transaction), hands an email to the SMTP server outside any transaction, and marks it sent in a
final short transaction. Several workers — threads, processes or machines — may run against the
same PostgreSQL database: claims use `FOR UPDATE SKIP LOCKED`, and every step re-checks the
lease. On SQLite the engine's `BEGIN IMMEDIATE` serialises the claims. See docs/check-ins.md for
what "exactly once" means here.

`ketacare worker` runs it; `ketacare serve` runs it in a background thread unless --no-worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.db.uow import unit_of_work
from ketacare.services import check_in_jobs, jobs, mailer
from ketacare.services.clock import Clock
from ketacare.services.request_context import set_request_id

log = logging.getLogger("ketacare.worker")
Sender = Callable[[EmailMessage], str]


class Worker:
    """One worker identity (name) with its own session factory."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        settings: Settings,
        clock: Clock,
        name: str | None = None,
        send: Sender | None = None,
        batch: int = 20,
    ) -> None:
        self.factory = session_factory
        self.settings = settings
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        smtp = mailer.SmtpConfig.of(settings)
        self.send: Sender = send or (lambda message: mailer.send(smtp, message))
        self.batch = batch
        self.context = jobs.JobContext(
            clock=clock,
            public_base_url=settings.public_base_url,
            sender=settings.smtp_sender,
            worker=self.name,
        )

    def bootstrap(self) -> None:
        """Make sure each clinic's planning run is queued (idempotent)."""
        with unit_of_work(self.factory) as session:
            check_in_jobs.ensure_plan_jobs(session=session, clock=self.clock)

    def run_once(self) -> int:
        """Process the jobs due now, batch by batch, until none is left; returns how many were
        finished (sent, done or skipped) by this worker."""
        done = 0
        while True:
            with unit_of_work(self.factory) as session:
                ids = jobs.claim_due(
                    session=session,
                    clock=self.clock,
                    worker=self.name,
                    lease_s=self.settings.worker_lease_s,
                    limit=self.batch,
                )
            if not ids:
                return done
            done += sum(self._process(job_id) for job_id in ids)

    def _process(self, job_id: int) -> bool:
        set_request_id(f"job-{job_id}")
        try:
            with unit_of_work(self.factory) as session:
                prepared = jobs.prepare(session=session, job_id=job_id, context=self.context)
            if prepared is None:
                log.warning("job %s: lease lost before sending; left to its new owner", job_id)
                return False
            if prepared.postpone_until is not None:
                return False  # still pending, due later (e.g. the patient's sending window)
            if prepared.message is None:
                return True
            # Outside any transaction: the SMTP server may take its time without holding locks.
            note = self.send(prepared.message)
            with unit_of_work(self.factory) as session:
                kept = jobs.mark_sent(
                    session=session,
                    clock=self.clock,
                    job_id=job_id,
                    worker=self.name,
                    outcome=f"{prepared.outcome}; {note}",
                )
            if not kept:
                log.error("job %s: sent, but the lease had run out; it may be sent again", job_id)
            return kept
        except Exception as error:  # a job's failure must not stop the others
            log.warning("job %s failed: %s", job_id, error)
            with unit_of_work(self.factory) as session:
                jobs.record_failure(
                    session=session,
                    clock=self.clock,
                    job_id=job_id,
                    worker=self.name,
                    error="".join(traceback.format_exception_only(error)).strip(),
                )
            return False

    def run_forever(self, stop: threading.Event) -> None:
        """Poll until `stop` is set (errors are logged and the loop goes on)."""
        while not stop.is_set():
            try:
                self.bootstrap()
                self.run_once()
            except Exception:
                log.exception("worker loop error; retrying after the poll interval")
            stop.wait(self.settings.worker_poll_s)


def start_in_thread(worker: Worker) -> tuple[threading.Thread, threading.Event]:
    """Run `worker.run_forever` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), name="ketacare-worker", daemon=True
    )
    thread.start()
    return thread, stop
