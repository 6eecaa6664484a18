"""Loading a row by primary key, locked for the rest of the transaction where the database
locks rows.

PostgreSQL: `SELECT … FOR UPDATE`, so two units of work cannot move the same row at once.
SQLite has no row locks (it renders no FOR UPDATE): a writing transaction holds the whole
database from `BEGIN IMMEDIATE` (see `engine.py`), so the row is as safe as it will get and the
locking query would only re-read what the session already holds. There the identity map answers
(one query the first time, none after), which returns the very object the query would have —
an ORM query never overwrites an object the session already holds.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

T = TypeVar("T")


def locks_rows(session: Session) -> bool:
    """Whether this session's database locks rows on `SELECT … FOR UPDATE`."""
    return session.get_bind().dialect.name != "sqlite"


def get_locked(session: Session, model: type[T], ident: int) -> T | None:
    """The `model` row with primary key `ident` (None if absent), row-locked where supported."""
    if not locks_rows(session):
        return session.get(model, ident)
    key = inspect(model).primary_key[0]
    return session.scalar(select(model).where(key == ident).with_for_update())
