"""`ketacare worker [--once]`: send due check-ins and reminders (the durable job queue)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer

from ketacare.cli.common import console
from ketacare.config import get_settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.services.clock import SystemClock
from ketacare.services.mailer import MailConfig
from ketacare.worker import Worker


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="process what is due now, then exit")
    ] = False,
    name: Annotated[str | None, typer.Option(help="worker name in the job leases")] = None,
) -> None:
    """Run the job worker: check-in links, reminders, session reminders (email by SMTP, or
    files in development)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    engine = make_engine(settings)
    try:
        runner = Worker(
            make_session_factory(engine), settings=settings, clock=SystemClock(), name=name
        )
        if once:
            runner.bootstrap()
            done = runner.run_once()
            console.print(f"worker {runner.name}: {done} job(s) finished")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        console.print(
            f"worker {runner.name} polling every {settings.worker_poll_s:g} s "
            f"(mail: {MailConfig.of(settings).describe()}); Ctrl-C stops"
        )
        runner.run_forever(stop)
    finally:
        engine.dispose()
