"""The unit of work: the one owner of each transaction (request dependency, CLI, jobs).

Services flush, never commit. The owner commits when the work succeeds and rolls back when it
fails. Some facts must survive a rollback — an audit row for a denied attempt, above all — so a
service can register an `after_rollback` writer; the owner runs those writers in a fresh
transaction after rolling back and commits them alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

AfterRollback = Callable[[Session], None]
_KEY = "after_rollback"


def after_rollback(session: Session, writer: AfterRollback) -> None:
    """Run `writer(session)` in its own committed transaction if this unit of work fails."""
    session.info.setdefault(_KEY, []).append(writer)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
        session.info.pop(_KEY, None)
    except BaseException:
        session.rollback()
        _run_after_rollback(session)
        raise
    finally:
        session.close()


def _run_after_rollback(session: Session) -> None:
    writers: list[AfterRollback] = session.info.pop(_KEY, [])
    if not writers:
        return
    for writer in writers:
        writer(session)
    session.commit()
