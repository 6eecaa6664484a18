"""The audit trail: every read and write of patient data, denied attempts included.

Rows are only ever inserted (the database refuses UPDATE and DELETE). A denied attempt is also
registered to be written after a rollback, so refusing the request does not erase its trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Role
from ketacare.db.models.audit import AuditOutcome
from ketacare.db.uow import after_rollback
from ketacare.domain.errors import Forbidden
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.request_context import current_request_id


def record(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    action: str,
    outcome: AuditOutcome = AuditOutcome.ALLOWED,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    clinic_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the current unit of work (denials also survive its rollback)."""
    values = {
        "at": clock.now(),
        "clinic_id": clinic_id if clinic_id is not None else actor.clinic_id,
        "actor_user_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "patient_id": patient_id,
        "object_type": object_type,
        "object_id": str(object_id) if object_id != "" else "",
        "outcome": outcome,
        "request_id": current_request_id(),
        "detail": detail or {},
    }
    session.add(AuditEvent(**values))
    if outcome is not AuditOutcome.ALLOWED:
        after_rollback(session, lambda s: s.add(AuditEvent(**values)))


@dataclass(frozen=True)
class AuditFilter:
    actor_user_id: int | None = None
    patient_id: int | None = None
    action: str | None = None
    outcome: AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    filters: AuditFilter,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[AuditEvent], int]:
    """An admin's view of their clinic's trail, newest first (reading it is audited too)."""
    if actor.role is not Role.ADMIN:
        record(
            session=session,
            actor=actor,
            clock=clock,
            action="audit.list",
            outcome=AuditOutcome.DENIED,
        )
        raise Forbidden("only a clinic admin can read the audit trail")
    query = _filtered(select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    record(
        session=session,
        actor=actor,
        clock=clock,
        action="audit.list",
        detail={"filters": {k: str(v) for k, v in vars(filters).items() if v is not None}},
    )
    return rows, total


def _filtered(query: Select[AuditEvent], f: AuditFilter) -> Select[AuditEvent]:
    if f.actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == f.actor_user_id)
    if f.patient_id is not None:
        query = query.where(AuditEvent.patient_id == f.patient_id)
    if f.action:
        query = query.where(AuditEvent.action.startswith(f.action))
    if f.outcome is not None:
        query = query.where(AuditEvent.outcome == f.outcome)
    if f.since is not None:
        query = query.where(AuditEvent.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEvent.at < f.until)
    return query
