"""The session flowsheet at the chair: `/sessions/{id}` shows everything documented in the
session and the form for each next step; every form posts to a sub-path of the session.

Each post calls one service through `attempt` (a refusal undoes its writes and lands beside the
field) and answers 303 back to the flowsheet; a refusal re-renders the flowsheet with 422 and
the typed values kept. htmx only swaps the `#flowsheet` part of the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ketacare.charts.vitals import VitalPoint, vitals_chart
from ketacare.db.models import Drug, Role, ScoreKind
from ketacare.domain.drugs import DrugClass
from ketacare.domain.errors import InvalidInput
from ketacare.domain.instruments import MOAAS
from ketacare.domain.predose import GateOutcome
from ketacare.domain.session_flow import DOSED, IN_CLINIC, SessionStatus
from ketacare.domain.vital_signs import CrisisSymptom
from ketacare.services import (
    board,
    controlled_substances,
    session_discharge,
    session_flow,
    session_read,
    vitals_ingest,
)
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_discharge import AdverseEventType, AdverseSeverity
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, attempt
from ketacare.web.pages.chair_common import (
    FormDep,
    checked,
    clock_time_today,
    number,
    state_of,
    status_view,
    view_helpers,
    whole,
)
from ketacare.web.templating import render

router = APIRouter(prefix="/sessions", include_in_schema=False)
post = router.post
CSRF = [Depends(verify_csrf)]
TEMPLATE = "sessions/flowsheet.html"
MONITORED = (SessionStatus.DOSING, SessionStatus.MONITORING, SessionStatus.RECOVERY)


# --- reading ---------------------------------------------------------------------------------


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


# --- writing ---------------------------------------------------------------------------------


def _submit(
    request: Request,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    key: str,
    form: FormState,
    call: Callable[[], object],
    aliases: Mapping[str, str] | None = None,
    anchor: str = "",
) -> Response:
    """Call the service unless the typed values were already refused; 303 back on success,
    the flowsheet again (422, values kept, errors beside the fields) otherwise."""
    if form.ok:
        attempt(session, call, form, aliases)
    if form.ok:
        return RedirectResponse(f"/sessions/{session_id}#{anchor or key}", status_code=303)
    context = flowsheet_context(session, actor, clock, session_id)
    context["forms"] = {key: form}
    return render(request, TEMPLATE, context, status_code=422)


def _zone_day(session: Session, actor: Actor, clock: Clock) -> tuple[Any, Any]:
    zone = board.clinic_zone(session=session, actor=actor)
    return zone, clock.now().astimezone(zone).date()


@post("/{session_id}/check-in", dependencies=CSRF)
def check_in(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, many = state_of(data, "drugs_taken_today")
    food = number(form, "hours_since_food", "hours since food", required=False)
    liquids = number(form, "minutes_since_liquids", "minutes since liquids", required=False)
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "checkin",
        form,
        lambda: session_flow.check_in(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            hours_since_food=food,
            minutes_since_liquids=liquids,
            escort_confirmed=checked(form, "escort_confirmed"),
            escort_name=form.value("escort_name"),
            drugs_taken_today=many["drugs_taken_today"],
            medications_note=form.value("medications_note"),
        ),
    )


@post("/{session_id}/vitals", dependencies=CSRF)
def record_vitals(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    zone, day = _zone_day(session, actor, clock)
    values = {
        "systolic_mmhg": number(form, "systolic_mmhg", "systolic pressure"),
        "diastolic_mmhg": number(form, "diastolic_mmhg", "diastolic pressure"),
        "heart_rate_bpm": number(form, "heart_rate_bpm", "heart rate"),
        "spo2_pct": number(form, "spo2_pct", "SpO2"),
        "respiratory_rate_per_min": number(
            form, "respiratory_rate_per_min", "respiratory rate", required=False
        ),
    }
    moaas = whole(form, "vitals_moaas", "MOAA/S score", required=False)
    taken = clock_time_today(form, "taken_at", "time taken", day, zone)

    def call() -> object:
        return vitals_ingest.record_vitals(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            taken_at=taken,
            moaas=moaas,
            **values,  # type: ignore[arg-type]
        )

    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "vitals",
        form,
        call,
        {"moaas": "vitals_moaas", "vitals": "systolic_mmhg"},
    )


@post("/{session_id}/predose-check", dependencies=CSRF)
def predose_check(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, many = state_of(data, "crisis_symptoms")
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "predose",
        form,
        lambda: session_flow.predose_check(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            crisis_symptoms=many["crisis_symptoms"],
        ),
    )


@post("/{session_id}/hold-decision", dependencies=CSRF)
def hold_decision(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    choice = form.value("release")
    if choice not in {"release", "not_today"}:
        form.add("release", "choose: release the dose, or not today")
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "hold",
        form,
        lambda: session_flow.decide_hold(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            release=choice == "release",
            reason=form.value("hold_reason"),
        ),
        {"reason": "hold_reason"},
        anchor="predose",
    )


@post("/{session_id}/dosing", dependencies=CSRF)
def start_dosing(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    drug = form.value("drug")
    if drug not in {d.value for d in Drug}:
        form.add("drug", "choose the drug given")
    lot_id = whole(form, "lot_id", "lot")
    dose_mg = number(form, "dose_mg", "dose in mg")
    weight = number(form, "weight_kg", "weight in kg", required=False)
    concentration = number(
        form, "concentration_mg_per_ml", "concentration in mg/mL", required=False
    )
    rate = number(form, "infusion_rate_mg_per_h", "infusion rate in mg/h", required=False)
    devices = whole(form, "device_count", "device count", required=False)

    def call() -> object:
        return session_flow.start_dosing(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            drug=Drug(drug),
            dose_mg=dose_mg,  # type: ignore[arg-type]
            lot_id=lot_id,  # type: ignore[arg-type]
            concentration_mg_per_ml=concentration,
            weight_kg=weight,
            infusion_rate_mg_per_h=rate,
            device_count=devices,
            override_reason=form.value("override_reason"),
        )

    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "dosing",
        form,
        call,
        {
            "status": "dose_mg",
            "mg_per_kg": "dose_mg",
            "fixed_mg": "dose_mg",
            "esketamine_mg": "dose_mg",
        },
    )


def _step(
    session_id: int,
    request: Request,
    session: Session,
    actor: Actor,
    clock: Clock,
    key: str,
    call: Callable[[], object],
) -> Response:
    return _submit(request, session, actor, clock, session_id, key, FormState(), call)


@post("/{session_id}/dosing/end", dependencies=CSRF)
def end_dosing(
    session_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _step(
        session_id,
        request,
        session,
        actor,
        clock,
        "dosing",
        lambda: session_flow.end_dosing(
            session=session, actor=actor, clock=clock, session_id=session_id
        ),
    )


@post("/{session_id}/recovery", dependencies=CSRF)
def recovery(
    session_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _step(
        session_id,
        request,
        session,
        actor,
        clock,
        "dosing",
        lambda: session_flow.begin_recovery(
            session=session, actor=actor, clock=clock, session_id=session_id
        ),
    )


@post("/{session_id}/alerts/{alert_id}/acknowledge", dependencies=CSRF)
def acknowledge(
    session_id: int,
    alert_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    alert_ids = {
        v.alert.id
        for v in vitals_ingest.list_alerts(
            session=session, actor=actor, clock=clock, session_id=session_id
        )
    }
    if alert_id not in alert_ids:
        form.add("note", f"alert {alert_id} is not an alert of this session")
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        f"ack-{alert_id}",
        form,
        lambda: vitals_ingest.acknowledge_alert(
            session=session, actor=actor, clock=clock, alert_id=alert_id, note=form.value("note")
        ),
        anchor="alerts",
    )


@post("/{session_id}/scores", dependencies=CSRF)
def record_score(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    kind = form.value("kind")
    if kind == ScoreKind.MOAAS.value:
        key, fields = "moaas", ["moaas_score"]
    elif kind == ScoreKind.CADSS6.value:
        key, fields = "cadss", [f"cadss_{n}" for n in range(1, 7)]
    else:
        raise InvalidInput("kind must be moaas or cadss6", field="kind")
    answers = [whole(form, name, "rating") for name in fields]

    def call() -> object:
        return session_discharge.record_score(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            kind=ScoreKind(kind),
            answers=[a for a in answers if a is not None],
        )

    aliases = {"moaas.items": fields[0], "cadss6.items": fields[0], "answers": fields[0]}
    aliases |= {f"{kind}.item{n}": name for n, name in enumerate(fields, start=1)}
    return _submit(
        request, session, actor, clock, session_id, key, form, call, aliases, anchor="scores"
    )


@post("/{session_id}/adverse-events", dependencies=CSRF)
def adverse_event(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    event_type = form.value("event_type")
    severity = form.value("severity")
    if event_type not in {t.value for t in AdverseEventType}:
        form.add("event_type", "choose the type of event")
    if severity not in {s.value for s in AdverseSeverity}:
        form.add("severity", "choose the severity")
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "adverse",
        form,
        lambda: session_discharge.record_adverse_event(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            event_type=AdverseEventType(event_type),
            severity=AdverseSeverity(severity),
            action_taken=form.value("action_taken"),
            outcome=form.value("outcome"),
            treatment_given=form.value("treatment_given"),
        ),
    )


@post("/{session_id}/discharge", dependencies=CSRF)
def discharge(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    zone, day = _zone_day(session, actor, clock)
    ready = clock_time_today(form, "ready_to_leave_at", "ready-to-leave time", day, zone)
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "discharge",
        form,
        lambda: session_discharge.discharge(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            escort_name=form.value("discharge_escort_name"),
            ready_to_leave_at=ready,
        ),
        {"escort_name": "discharge_escort_name", "status": "discharge"},
    )


@post("/{session_id}/note", dependencies=CSRF)
def save_note(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "note",
        form,
        lambda: session_discharge.save_note(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            text=form.value("note_text"),
            sign=form.value("action") == "sign",
            amendment_reason=form.value("amendment_reason"),
        ),
        {"text": "note_text"},
    )


@post("/{session_id}/stop", dependencies=CSRF)
def stop(
    session_id: int,
    request: Request,
    data: FormDep,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
) -> Response:
    form, _ = state_of(data)
    return _submit(
        request,
        session,
        actor,
        clock,
        session_id,
        "stop",
        form,
        lambda: session_flow.stop_session(
            session=session,
            actor=actor,
            clock=clock,
            session_id=session_id,
            reason=form.value("stop_reason"),
        ),
        {"reason": "stop_reason"},
    )
