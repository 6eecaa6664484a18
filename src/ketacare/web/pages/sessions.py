"""The session flowsheet at the chair: `/sessions/{id}` shows everything documented in the
session and the form for each next step (`flowsheet_context`), and `/sessions/{id}/timer` the
observation timer alone. Every form posts to a sub-path of the session: see `session_forms`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.charts.vitals import VitalPoint, vitals_chart
from ketacare.db.models import Role
from ketacare.domain.drugs import DrugClass
from ketacare.domain.instruments import MOAAS
from ketacare.domain.predose import GateOutcome
from ketacare.domain.session_flow import DOSED, IN_CLINIC, SessionStatus
from ketacare.domain.vital_signs import CrisisSymptom
from ketacare.services import (
    board,
    controlled_substances,
    session_discharge,
    session_read,
    vitals_ingest,
)
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_discharge import AdverseEventType, AdverseSeverity
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.pages.chair_common import status_view, view_helpers
from ketacare.web.templating import render

router = APIRouter(prefix="/sessions", include_in_schema=False)
TEMPLATE = "sessions/flowsheet.html"
MONITORED = (SessionStatus.DOSING, SessionStatus.MONITORING, SessionStatus.RECOVERY)


def flowsheet_context(
    session: Session, actor: Actor, clock: Clock, session_id: int
) -> dict[str, Any]:
    """Everything the flowsheet shows, read through the session services (each read audited)."""
    detail = session_read.get_session(
        session=session, actor=actor, clock=clock, session_id=session_id
    )
    row = detail.row
    names = board.session_names(session=session, row=row)
    alerts = vitals_ingest.list_alerts(session=session, actor=actor, clock=clock, session_id=row.id)
    in_clinic = row.status in IN_CLINIC
    cadence = (
        vitals_ingest.cadence(session=session, actor=actor, clock=clock, session_id=row.id)
        if in_clinic
        else None
    )
    checkin = detail.checkins[-1] if detail.checkins else None
    gate = None
    if row.dose_start_at is not None and row.status in DOSED and row.status in IN_CLINIC:
        gate = session_discharge.discharge_check(
            session=session,
            actor=actor,
            clock=clock,
            session_id=row.id,
            escort_present=bool(checkin and checkin.escort_confirmed),
        )
    notes = session_discharge.notes(session=session, actor=actor, clock=clock, session_id=row.id)
    assessment = detail.assessments[-1] if detail.assessments else None
    decision = (
        next((d for d in detail.decisions if d.assessment_id == assessment.id), None)
        if assessment
        else None
    )
    may_dose = (
        row.status is SessionStatus.PRE_DOSE_CHECK
        and assessment is not None
        and (
            assessment.outcome is GateOutcome.PASS
            or (
                assessment.outcome is GateOutcome.HOLD and decision is not None and decision.release
            )
        )
    )
    lots = _lots(session, actor, clock, row.route) if may_dose else []
    points = [
        VitalPoint(r.taken_at, r.systolic_mmhg, r.diastolic_mmhg, r.heart_rate_bpm, r.spo2_pct)
        for r in detail.readings
    ]
    now = clock.now()
    return {
        "d": detail,
        "row": row,
        "names": names,
        "status": row.status,
        "in_clinic": in_clinic,
        "monitored": row.status in MONITORED,
        "open_alerts": [v for v in alerts if v.open],
        "closed_alerts": [v for v in alerts if not v.open],
        "cadence": cadence,
        "checkin": checkin,
        "assessment": assessment,
        "decision": decision,
        "may_dose": may_dose,
        "lots": lots,
        "gate": gate,
        "notes": notes,
        "note": notes[-1] if notes else None,
        "chart": vitals_chart(points, row.dose_start_at),
        "is_prescriber": actor.role is Role.PRESCRIBER,
        "timer": _timer(row.dose_start_at, names.observation_end, now) if in_clinic else None,
        "now": now,
        "drug_classes": [c.value for c in DrugClass],
        "crisis_symptoms": [c.value for c in CrisisSymptom],
        "lots_options": [
            (str(b.lot.id), f"{b.lot.lot_number} · exp. {b.lot.expiry} · {b.balance_mg:g} mg left")
            for b in lots
        ],
        "moaas_options": [(str(a.value), f"{a.value} — {a.label}") for a in MOAAS.answers],
        "event_options": [(t.value, t.value.replace("_", " ")) for t in AdverseEventType],
        "severity_options": [(s.value, s.value.replace("_", " ")) for s in AdverseSeverity],
        "status_view_of": lambda value: status_view(SessionStatus(value))["label"] if value else "",
        "forms": {},
        **view_helpers(names.zone),
    }


def _lots(session: Session, actor: Actor, clock: Clock, route: Any) -> list[Any]:
    drug = controlled_substances.drug_for_route(route)
    today = clock.now().date()
    return [
        b
        for b in controlled_substances.lot_balances(session=session, actor=actor, clock=clock)
        if b.lot.drug is drug and b.lot.expiry >= today and b.balance_mg > 0
    ]


def _timer(dose_start: Any, observation_end: Any, now: Any) -> dict[str, Any] | None:
    if dose_start is None:
        return None
    since = max(0, int((now - dose_start).total_seconds() // 60))
    left = None
    if observation_end is not None:
        left = max(0, int(-(-(observation_end - now).total_seconds() // 60)))
    return {"since": since, "left": left, "ends": observation_end}


@router.get("/{session_id}")
def flowsheet(
    session_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return render(request, TEMPLATE, flowsheet_context(session, actor, clock, session_id))


@router.get("/{session_id}/timer")
def timer(
    session_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    """The observation timer alone (htmx polls it); a plain visit gets the flowsheet."""
    if not request.headers.get("HX-Request"):
        return flowsheet(session_id, request, session, actor, clock)
    detail = session_read.get_session(
        session=session, actor=actor, clock=clock, session_id=session_id
    )
    names = board.session_names(session=session, row=detail.row)
    context = {
        "row": detail.row,
        "timer": _timer(detail.row.dose_start_at, names.observation_end, clock.now())
        if detail.row.status in IN_CLINIC
        else None,
        **view_helpers(names.zone),
    }
    return render(request, "sessions/_timer.html", context)
