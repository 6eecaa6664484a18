"""The clinic's policy: published defaults plus the clinic's recorded overrides, versioned.

A change is a new `PolicyVersion` row (who, when, why); earlier versions stay readable, and each
stored decision records the version it used. Admins change values; confirming an UNCONFIRMED
default is a prescriber's act (the reference could not verify it, so a prescriber signs it off).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.memo import remember, watch
from ketacare.db.models import PolicyVersion, Role
from ketacare.domain.errors import InvalidInput
from ketacare.domain.policy import ClinicPolicy
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock


def latest_version(*, session: Session, clinic_id: int) -> PolicyVersion | None:
    return session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.clinic_id == clinic_id)
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    )


def current_policy(*, session: Session, clinic_id: int) -> tuple[ClinicPolicy, int]:
    """The clinic's policy in force and its version number (0 = the published defaults).

    Read once per transaction and clinic (`ketacare.db.memo`): a unit of work decides under one
    policy version, and one session step reads it many times. A version added in this unit of
    work — `change_policy` — drops the memo, so the next read sees it exactly as before.
    """

    def read() -> tuple[ClinicPolicy, int]:
        row = latest_version(session=session, clinic_id=clinic_id)
        return (ClinicPolicy(), 0) if row is None else (policy_of(row), row.version)

    return remember(session, ("policy", clinic_id), read)


watch(PolicyVersion, "policy")


def policy_of(row: PolicyVersion) -> ClinicPolicy:
    # Keyed by content, not row id: a rolled-back row id can come back with other values.
    overrides = json.dumps(row.overrides, sort_keys=True)
    return _built(overrides, tuple(sorted(row.confirmed_keys)))


@lru_cache(maxsize=256)
def _built(overrides: str, confirmed: tuple[str, ...]) -> ClinicPolicy:
    """Building a policy checks every value against its bounds; a version never changes, so
    each distinct version is built once per process (the result is frozen)."""
    return ClinicPolicy().with_overrides(json.loads(overrides), confirm=frozenset(confirmed))


def change_policy(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    overrides: Mapping[str, Any],
    confirm: Sequence[str] = (),
    reason: str,
) -> PolicyVersion:
    """Record a new version: admins override values; prescribers confirm unconfirmed defaults."""
    if overrides:
        access.require_role(
            session=session,
            actor=actor,
            clock=clock,
            roles=frozenset({Role.ADMIN}),
            action="policy.change",
        )
    if confirm:
        access.require_role(
            session=session,
            actor=actor,
            clock=clock,
            roles=frozenset({Role.PRESCRIBER}),
            action="policy.confirm",
        )
    if not reason.strip():
        raise InvalidInput("say why the policy changes", field="reason")
    if actor.clinic_id is None:
        raise InvalidInput("the actor belongs to no clinic", field="clinic_id")
    current, version = current_policy(session=session, clinic_id=actor.clinic_id)
    updated = current.with_overrides(overrides, confirm=frozenset(confirm))
    row = PolicyVersion(
        clinic_id=actor.clinic_id,
        version=version + 1,
        overrides=_jsonable(updated.overrides()),
        confirmed_keys=sorted(updated.confirmed_keys),
        reason=reason.strip(),
        created_by_user_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="policy.change",
        object_type="policy_version",
        object_id=row.version,
        detail={"overrides": _jsonable(dict(overrides)), "confirmed": list(confirm)},
    )
    return row


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
