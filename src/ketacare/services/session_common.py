"""Shared plumbing of the session services: loading a session within reach, moving it through
the flow (with its history row), the clinic's policy, the route's session shape, the actor's
clinic and its chairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
from ketacare.db.models import (
    Clinic,
    Location,
    LocationKind,
    Patient,
    Role,
    SessionEvent,
    TreatmentSession,
)
from ketacare.db.models.audit import AuditOutcome
from ketacare.domain.errors import InvalidInput, NotFound
from ketacare.domain.findings import Finding
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import SessionShape, session_shape
from ketacare.domain.session_flow import SessionStatus, check_transition
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy

STAFF = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})
CLINICIANS = frozenset({Role.PRESCRIBER, Role.NURSE})
PRESCRIBERS = frozenset({Role.PRESCRIBER})


@dataclass(frozen=True)
class Loaded:
    """A session the actor may act on, with its patient and the clinic's policy."""

    row: TreatmentSession
    patient: Patient
    policy: ClinicPolicy
    policy_version: int

    @property
    def shape(self) -> SessionShape:
        return shape_of(self.row, self.policy)


def shape_of(row: TreatmentSession, policy: ClinicPolicy) -> SessionShape:
    return session_shape(row.route, policy.dosing, device_count=row.planned_device_count)


def load_session(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    action: str,
    roles: frozenset[Role] = STAFF,
    for_update: bool = False,
) -> Loaded:
    """The session `session_id` if the actor may take `action` on it (NotFound otherwise,
    Forbidden for a role outside `roles`; refusals are audited). `for_update` locks the row
    (PostgreSQL) so that two requests cannot move the same session at once."""
    if for_update:
        row = get_locked(session, TreatmentSession, session_id)
    else:
        row = session.get(TreatmentSession, session_id)
    if row is None or (actor.clinic_id is not None and row.clinic_id != actor.clinic_id):
        audit.record(
            session=session,
            actor=actor,
            clock=clock,
            action=action,
            outcome=AuditOutcome.DENIED,
            object_type="treatment_session",
            object_id=session_id,
            detail={"reason": "not found or outside the actor's reach"},
        )
        raise NotFound(f"session {session_id} was not found")
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=row.patient_id,
        action=action,
        roles=roles,
        object_type="treatment_session",
        object_id=row.id,
    )
    policy, version = current_policy(session=session, clinic_id=row.clinic_id)
    return Loaded(row, patient, policy, version)


def move(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    row: TreatmentSession,
    target: SessionStatus,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> SessionEvent:
    """Move `row` to `target` if the flow allows it (Conflict with the reason otherwise)."""
    check_transition(row.status, target)
    event = SessionEvent(
        session_id=row.id,
        kind="transition",
        from_status=row.status.value,
        to_status=target.value,
        reason=reason,
        detail=detail or {},
        at=at or clock.now(),
        actor_user_id=actor.user_id,
    )
    row.status = target
    session.add(event)
    session.flush()
    return event


def record(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    row: TreatmentSession,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit an allowed action on a session."""
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action=action,
        patient_id=row.patient_id,
        object_type="treatment_session",
        object_id=row.id,
        detail=detail,
    )


def clinic_of(session: Session, actor: Actor) -> Clinic:
    """The actor's clinic (InvalidInput naming `clinic_id` for an actor of no clinic)."""
    clinic = session.get(Clinic, actor.clinic_id) if actor.clinic_id is not None else None
    if clinic is None:
        raise InvalidInput("the actor belongs to no clinic", field="clinic_id")
    return clinic


def active_chairs(session: Session, clinic_id: int) -> Sequence[Location]:
    """The clinic's treatment chairs in service, by name."""
    return session.scalars(
        select(Location)
        .where(
            Location.clinic_id == clinic_id,
            Location.kind == LocationKind.CHAIR,
            Location.active.is_(True),
        )
        .order_by(Location.name, Location.id)
    ).all()


def findings_json(findings: tuple[Finding, ...] | list[Finding]) -> list[dict[str, Any]]:
    """Findings as stored (JSON-safe: data values that are not plain become text)."""
    return [_jsonable(f.as_dict()) for f in findings]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
