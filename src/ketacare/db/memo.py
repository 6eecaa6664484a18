"""A per-transaction memo for reads a unit of work repeats: the clinic's policy version, a
patient's current course, a course's current plan.

Each of these is the newest row of an append-only table (the database refuses UPDATE and
DELETE), so within one transaction it changes only when this session adds a row of that kind.
The memo lives in `session.info`. Each key is a tuple whose first item names the kind of read
("plan", "course", …); a model is watched for the kinds that depend on it. Entries are dropped
- whenever an instance of a watched model is added to the session (`transient_to_pending`,
  cascades included): the entries of the kinds it affects — so the next such read runs the
  query, which autoflushes the new row first, exactly as without the memo;
- whenever a watched row is updated or deleted through the ORM (belt and braces: append-only);
- all of them, whenever the transaction or a savepoint ends (commit, rollback, release): a
  rolled-back row must not linger, and a new transaction may see rows other connections
  committed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, object_session

T = TypeVar("T")
_KEY = "ketacare.memo"
# model → the kinds of read that depend on its rows
_WATCHED: dict[type, set[str]] = {}


def remember(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per transaction for `key` (see the module docstring for when it is
    forgotten). `key[0]` is the kind of read; the key must name everything the value depends
    on."""
    memo: dict[Hashable, Any] = session.info.setdefault(_KEY, {})
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    value = compute()
    memo[key] = value
    return value


def forget(session: Session | None, kinds: set[str] | None = None) -> None:
    """Drop the entries of `kinds` (all entries when None)."""
    if session is None:
        return
    if kinds is None:
        session.info.pop(_KEY, None)
        return
    memo: dict[tuple[Hashable, ...], Any] = session.info.get(_KEY, {})
    for key in [k for k in memo if k[0] in kinds]:
        del memo[key]


def watch(model: type, kind: str) -> None:
    """Forget the entries of `kind` whenever a `model` row is added, updated or deleted."""
    if model not in _WATCHED:
        _WATCHED[model] = set()
        event.listen(model, "after_update", _on_changed)
        event.listen(model, "after_delete", _on_changed)
    _WATCHED[model].add(kind)


def _kinds_of(instance: object) -> set[str] | None:
    kinds: set[str] = set()
    for model, its_kinds in _WATCHED.items():
        if isinstance(instance, model):
            kinds |= its_kinds
    return kinds or None


def _on_changed(_mapper: object, _connection: object, target: object) -> None:
    kinds = _kinds_of(target)
    if kinds:
        forget(object_session(target), kinds)


@event.listens_for(Session, "transient_to_pending")
def _on_added(session: Session, instance: object) -> None:
    kinds = _kinds_of(instance)
    if kinds:
        forget(session, kinds)


@event.listens_for(Session, "after_transaction_end")
def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A flush's internal subtransaction (neither the root nor a savepoint) changes nothing.
    if transaction.nested or transaction.parent is None:
        forget(session)
