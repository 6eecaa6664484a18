"""The audit trail for clinic admins, filterable."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ketacare.db.models.audit import AuditOutcome
from ketacare.services import audit
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.audit import AuditEventRead
from ketacare.web.schemas.common import Page, PageParams, page_params

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEventRead])
def list_audit_events(
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
    actor_user_id: int | None = None,
    patient_id: int | None = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    outcome: AuditOutcome | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEventRead]:
    filters = audit.AuditFilter(actor_user_id, patient_id, action, outcome, since, until)
    rows, total = audit.list_events(
        session=session,
        actor=actor,
        clock=clock,
        filters=filters,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[AuditEventRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
