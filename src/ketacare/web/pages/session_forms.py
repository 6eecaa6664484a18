"""The flowsheet's form posts: each step of a session (`/sessions/{id}/check-in`, `vitals`,
`predose-check`, `hold-decision`, `dosing`, `dosing/end`, `recovery`, alert acknowledgement,
`scores`, `adverse-events`, `discharge`, `note`, `stop`) calls one service.

A post answers 303 back to the flowsheet, at the part it concerns; a refusal (a typed value that
does not parse, or the service's InvalidInput / RuleViolation / Conflict, whose writes are
undone) renders the flowsheet again with 422, the typed values kept and the error beside the
field. htmx only swaps the `#flowsheet` part of the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.db.models import Drug, ScoreKind
from ketacare.domain.errors import InvalidInput
from ketacare.services import board, session_discharge, session_flow, vitals_ingest
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_discharge import AdverseEventType, AdverseSeverity
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.pages.chair_common import (
    FormDep,
    checked,
    clock_time_today,
    number,
    state_of,
    whole,
)
from ketacare.web.pages.sessions import TEMPLATE, flowsheet_context
from ketacare.web.templating import render

router = APIRouter(prefix="/sessions", include_in_schema=False)
post = router.post
CSRF = [Depends(verify_csrf)]


@dataclass(frozen=True)
class Step:
    """One post to a session's flowsheet: the request, its unit of work, who and when, and the
    session it concerns."""

    request: Request
    session: Session
    actor: Actor
    clock: Clock
    session_id: int

    def answer(
        self,
        key: str,
        form: FormState,
        call: Callable[[], object],
        aliases: Mapping[str, str] | None = None,
        anchor: str = "",
    ) -> Response:
        """303 back to the flowsheet at `#anchor` (default `#key`) once `call` succeeds; the
        flowsheet again with `form` as `forms[key]` (422) on a refusal."""
        return submit(
            self.session,
            form,
            call,
            then=f"/sessions/{self.session_id}#{anchor or key}",
            again=lambda: self.again(key, form),
            aliases=aliases,
        )

    def again(self, key: str, form: FormState) -> Response:
        context = flowsheet_context(self.session, self.actor, self.clock, self.session_id)
        context["forms"] = {key: form}
        return render(self.request, TEMPLATE, context, status_code=422)

    def zone_day(self) -> tuple[ZoneInfo, date]:
        """The clinic's zone and today's date there (typed HH:MM times are on this day)."""
        zone = board.clinic_zone(session=self.session, actor=self.actor)
        return zone, self.clock.now().astimezone(zone).date()


def _step(
    session_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Step:
    return Step(request, session, actor, clock, session_id)


StepDep = Annotated[Step, Depends(_step)]


@post("/{session_id}/check-in", dependencies=CSRF)
def check_in(step: StepDep, data: FormDep) -> Response:
    form, many = state_of(data, "drugs_taken_today")
    food = number(form, "hours_since_food", "hours since food", required=False)
    liquids = number(form, "minutes_since_liquids", "minutes since liquids", required=False)
    return step.answer(
        "checkin",
        form,
        lambda: session_flow.check_in(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            hours_since_food=food,
            minutes_since_liquids=liquids,
            escort_confirmed=checked(form, "escort_confirmed"),
            escort_name=form.value("escort_name"),
            drugs_taken_today=many["drugs_taken_today"],
            medications_note=form.value("medications_note"),
        ),
    )


@post("/{session_id}/vitals", dependencies=CSRF)
def record_vitals(step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    zone, day = step.zone_day()
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
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            taken_at=taken,
            moaas=moaas,
            **values,  # type: ignore[arg-type]
        )

    return step.answer("vitals", form, call, {"moaas": "vitals_moaas", "vitals": "systolic_mmhg"})


@post("/{session_id}/predose-check", dependencies=CSRF)
def predose_check(step: StepDep, data: FormDep) -> Response:
    form, many = state_of(data, "crisis_symptoms")
    return step.answer(
        "predose",
        form,
        lambda: session_flow.predose_check(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            crisis_symptoms=many["crisis_symptoms"],
        ),
    )


@post("/{session_id}/hold-decision", dependencies=CSRF)
def hold_decision(step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    choice = form.value("release")
    if choice not in {"release", "not_today"}:
        form.add("release", "choose: release the dose, or not today")
    return step.answer(
        "hold",
        form,
        lambda: session_flow.decide_hold(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            release=choice == "release",
            reason=form.value("hold_reason"),
        ),
        {"reason": "hold_reason"},
        anchor="predose",
    )


# A dose outside the route's range (or given in the wrong state) is refused beside the dose.
DOSE_ALIASES = {f: "dose_mg" for f in ("status", "mg_per_kg", "fixed_mg", "esketamine_mg")}


@post("/{session_id}/dosing", dependencies=CSRF)
def start_dosing(step: StepDep, data: FormDep) -> Response:
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
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            drug=Drug(drug),
            dose_mg=dose_mg,  # type: ignore[arg-type]
            lot_id=lot_id,  # type: ignore[arg-type]
            concentration_mg_per_ml=concentration,
            weight_kg=weight,
            infusion_rate_mg_per_h=rate,
            device_count=devices,
            override_reason=form.value("override_reason"),
        )

    return step.answer("dosing", form, call, DOSE_ALIASES)


@post("/{session_id}/dosing/end", dependencies=CSRF)
def end_dosing(step: StepDep) -> Response:
    return step.answer(
        "dosing",
        FormState(),
        lambda: session_flow.end_dosing(
            session=step.session, actor=step.actor, clock=step.clock, session_id=step.session_id
        ),
    )


@post("/{session_id}/recovery", dependencies=CSRF)
def recovery(step: StepDep) -> Response:
    return step.answer(
        "dosing",
        FormState(),
        lambda: session_flow.begin_recovery(
            session=step.session, actor=step.actor, clock=step.clock, session_id=step.session_id
        ),
    )


@post("/{session_id}/alerts/{alert_id}/acknowledge", dependencies=CSRF)
def acknowledge(alert_id: int, step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    alerts = vitals_ingest.list_alerts(
        session=step.session, actor=step.actor, clock=step.clock, session_id=step.session_id
    )
    if alert_id not in {v.alert.id for v in alerts}:
        form.add("note", f"alert {alert_id} is not an alert of this session")
    return step.answer(
        f"ack-{alert_id}",
        form,
        lambda: vitals_ingest.acknowledge_alert(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            alert_id=alert_id,
            note=form.value("note"),
        ),
        anchor="alerts",
    )


@post("/{session_id}/scores", dependencies=CSRF)
def record_score(step: StepDep, data: FormDep) -> Response:
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
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            kind=ScoreKind(kind),
            answers=[a for a in answers if a is not None],
        )

    aliases = {"moaas.items": fields[0], "cadss6.items": fields[0], "answers": fields[0]}
    aliases |= {f"{kind}.item{n}": name for n, name in enumerate(fields, start=1)}
    return step.answer(key, form, call, aliases, anchor="scores")


@post("/{session_id}/adverse-events", dependencies=CSRF)
def adverse_event(step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    event_type = form.value("event_type")
    severity = form.value("severity")
    if event_type not in {t.value for t in AdverseEventType}:
        form.add("event_type", "choose the type of event")
    if severity not in {s.value for s in AdverseSeverity}:
        form.add("severity", "choose the severity")
    return step.answer(
        "adverse",
        form,
        lambda: session_discharge.record_adverse_event(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            event_type=AdverseEventType(event_type),
            severity=AdverseSeverity(severity),
            action_taken=form.value("action_taken"),
            outcome=form.value("outcome"),
            treatment_given=form.value("treatment_given"),
        ),
    )


@post("/{session_id}/discharge", dependencies=CSRF)
def discharge(step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    zone, day = step.zone_day()
    ready = clock_time_today(form, "ready_to_leave_at", "ready-to-leave time", day, zone)
    return step.answer(
        "discharge",
        form,
        lambda: session_discharge.discharge(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            escort_name=form.value("discharge_escort_name"),
            ready_to_leave_at=ready,
        ),
        {"escort_name": "discharge_escort_name", "status": "discharge"},
    )


@post("/{session_id}/note", dependencies=CSRF)
def save_note(step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    return step.answer(
        "note",
        form,
        lambda: session_discharge.save_note(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            text=form.value("note_text"),
            sign=form.value("action") == "sign",
            amendment_reason=form.value("amendment_reason"),
        ),
        {"text": "note_text"},
    )


@post("/{session_id}/stop", dependencies=CSRF)
def stop(step: StepDep, data: FormDep) -> Response:
    form, _ = state_of(data)
    return step.answer(
        "stop",
        form,
        lambda: session_flow.stop_session(
            session=step.session,
            actor=step.actor,
            clock=step.clock,
            session_id=step.session_id,
            reason=form.value("stop_reason"),
        ),
        {"reason": "stop_reason"},
    )
