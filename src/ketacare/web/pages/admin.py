"""Admin pages: the audit trail viewer (users, rooms and policy pages build on this)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ketacare.db.models.audit import AuditOutcome
from ketacare.services import audit
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.get("/audit")
def audit_trail(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    action: Annotated[str, Query(max_length=80)] = "",
    patient_id: str = "",
    actor_user_id: str = "",
    outcome: str = "",
) -> Response:
    chosen = AuditOutcome(outcome) if outcome in {o.value for o in AuditOutcome} else None
    filters = audit.AuditFilter(
        actor_user_id=_int_or_none(actor_user_id),
        patient_id=_int_or_none(patient_id),
        action=action or None,
        outcome=chosen,
    )
    rows, total = audit.list_events(
        session=session, actor=actor, clock=clock, filters=filters, limit=200
    )
    return render(
        request,
        "admin/audit.html",
        {
            "rows": rows,
            "total": total,
            "filters": filters,
            "outcomes": [o.value for o in AuditOutcome],
        },
    )
