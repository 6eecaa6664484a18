"""A per-transaction memo for reads a unit of work repeats: the clinic's policy version, a
patient's current course, a course's current plan.

Each of these is the newest row of an append-only table (the database refuses UPDATE and
DELETE), so within one transaction it changes only when this session adds a row of that kind.
The memo lives in `session.info` and is dropped
- whenever an instance of a watched model is added to the session (`transient_to_pending`,
  cascades included) — so the next read runs the query, which autoflushes the new row first,
  exactly as without the memo;
- whenever a watched row is updated or deleted through the ORM (belt and braces: append-only);
- whenever the transaction or a savepoint ends (commit, rollback, release): a rolled-back row
  must not linger, and a new transaction may see rows other connections committed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, object_session

T = TypeVar("T")
_KEY = "ketacare.memo"
_WATCHED: list[type] = []


def remember(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per transaction for `key` (see the module docstring for when it is
    forgotten). The key must name everything the value depends on."""
    memo: dict[Hashable, Any] = session.info.setdefault(_KEY, {})
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    value = compute()
    memo[key] = value
    return value


def forget(session: Session | None) -> None:
    if session is not None:
        session.info.pop(_KEY, None)


def watch(model: type) -> None:
    """Forget the memo whenever a `model` row is added, updated or deleted in a session."""
    if model in _WATCHED:
        return
    _WATCHED.append(model)
    event.listen(model, "after_update", _on_changed)
    event.listen(model, "after_delete", _on_changed)


def _on_changed(_mapper: object, _connection: object, target: object) -> None:
    forget(object_session(target))


@event.listens_for(Session, "transient_to_pending")
def _on_added(session: Session, instance: object) -> None:
    if isinstance(instance, tuple(_WATCHED)):
        forget(session)


@event.listens_for(Session, "after_transaction_end")
def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A flush's internal subtransaction (neither the root nor a savepoint) changes nothing.
    if transaction.nested or transaction.parent is None:
        forget(session)
