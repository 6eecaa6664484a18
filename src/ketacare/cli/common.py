"""Shared CLI plumbing: settings, a unit of work per command, a rich console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy.orm import Session

from ketacare.config import Settings, get_settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.uow import unit_of_work
from ketacare.services.request_context import new_request_id, set_request_id

console = Console()
err_console = Console(stderr=True)


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction for one CLI command: committed on success, rolled back on error."""
    settings = settings or get_settings()
    set_request_id("cli-" + new_request_id()[:12])
    engine = make_engine(settings)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
