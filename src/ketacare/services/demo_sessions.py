"""One demo session through the real session services, and the clinic's controlled-substance
stock that the sessions draw from.

`run_session` books nothing: it takes a booked session and walks it (moving the demo's fixed
clock) through check-in, pre-dose vitals, the core's pre-dose gate (a hold is released by the
prescriber), the draw, the dose, in-session vitals and scores (alerts acknowledged), adverse
events, the end of dosing, witnessed waste, recovery vitals, the discharge gate and the signed
note — or stops part-way for today's board (a session dosing or being monitored right now).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Drug, ScoreKind, SessionNote
from ketacare.domain.discharge import earliest_discharge
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.predose import GateOutcome
from ketacare.domain.routes import Route, session_shape
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import controlled_substances as cs
from ketacare.services import session_discharge, session_flow, vitals_ingest
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.session_discharge import AdverseEventType, AdverseSeverity

LOT_SIZE_MG = {Drug.KETAMINE_HCL: 20_000.0, Drug.ESKETAMINE: 2_800.0}
LOT_SHELF_LIFE_DAYS = 540


@dataclass
class Team:
    """The staff the demo acts as."""

    nurses: tuple[Actor, ...]
    prescriber: Actor
    admin: Actor


@dataclass
class Stock:
    """The lot currently in use per drug and what is left in it (mirrors the log; the log
    itself refuses a draw above the balance)."""

    current: dict[Drug, tuple[int, float, date]] = field(default_factory=dict)
    received: int = 0

    def lot_for(
        self, session: Session, actor: Actor, clock: FixedClock, drug: Drug, need_mg: float
    ) -> int:
        lot = self.current.get(drug)
        today = clock.now().date()
        if lot is None or lot[1] < need_mg or lot[2] <= today + timedelta(days=30):
            self.received += 1
            prefix = "K" if drug is Drug.KETAMINE_HCL else "E"
            entry = cs.receive_stock(
                session=session,
                actor=actor,
                clock=clock,
                drug=drug,
                lot_number=f"{prefix}-{today:%y%m}-{self.received:03d}",
                expiry=today + timedelta(days=LOT_SHELF_LIFE_DAYS),
                quantity_mg=LOT_SIZE_MG[drug],
                concentration_mg_per_ml=10.0 if drug is Drug.KETAMINE_HCL else None,
                note="delivery from the wholesaler, counted by two staff",
            )
            lot = (entry.lot_id, LOT_SIZE_MG[drug], today + timedelta(days=LOT_SHELF_LIFE_DAYS))
        self.current[drug] = (lot[0], lot[1] - need_mg, lot[2])
        return lot[0]


@dataclass(frozen=True)
class SessionFacts:
    """What the simulation says happens in one session (mmHg, MOAA/S 0–5, CADSS total)."""

    dose_mg: float
    weight_kg: float | None
    systolic_predose: float
    diastolic_predose: float
    systolic_rise: float
    diastolic_rise: float
    moaas: int
    cadss: int
    nausea: bool
    heart_rate: float = 74.0


@dataclass
class SessionResult:
    status: SessionStatus
    tolerated: bool = True
    alerts: int = 0
    adverse_events: int = 0


def _draw_quantity(route: Route, dose_mg: float) -> float:
    """Racemic injectables come in 10 mg/mL vials drawn to the next 10 mg; the rest is wasted.
    Esketamine devices and sublingual troches are drawn exactly."""
    if route in (Route.IV, Route.IM):
        return float(math.ceil(dose_mg / 10.0) * 10)
    return float(dose_mg)


def _cadss6_answers(cadss_total: int) -> list[int]:
    """Six CADSS-6 items adding up to the simulated CADSS total, capped at the CADSS-6's 24
    (so "above 4" means the same on both scales up to the cap)."""
    total = min(24, max(0, cadss_total))
    return [min(4, max(0, total - 4 * i)) for i in range(6)]


def run_session(
    *,
    session: Session,
    clock: FixedClock,
    team: Team,
    stock: Stock,
    policy: ClinicPolicy,
    session_id: int,
    nurse: Actor,
    route: Route,
    start: datetime,
    facts: SessionFacts,
    escort_name: str,
    stop_at: SessionStatus | None = None,
) -> SessionResult:
    """Walk booked session `session_id` from check-in to the signed note (or to `stop_at`)."""
    clock.current = start - timedelta(minutes=5)
    session_flow.check_in(
        session=session,
        actor=nurse,
        clock=clock,
        session_id=session_id,
        hours_since_food=6,
        minutes_since_liquids=120,
        escort_confirmed=True,
        escort_name=escort_name,
    )
    if stop_at is SessionStatus.CHECKED_IN:
        return SessionResult(SessionStatus.CHECKED_IN)
    # Pre-dose readings stay inside the gate's block lines (a blocked dose is not part of the
    # demo's history) and keep a plausible pulse pressure.
    systolic = min(max(facts.systolic_predose, 98.0), 158.0)
    diastolic = min(max(facts.diastolic_predose, 55.0), 94.0, systolic - 25.0)
    clock.current = start + timedelta(minutes=3)
    _vitals(session, clock, nurse, session_id, systolic, diastolic, facts.heart_rate)
    gate = session_flow.predose_check(
        session=session, actor=nurse, clock=clock, session_id=session_id
    )
    if gate.result.outcome is GateOutcome.HOLD:
        clock.current = start + timedelta(minutes=8)
        session_flow.decide_hold(
            session=session,
            actor=team.prescriber,
            clock=clock,
            session_id=session_id,
            release=True,
            reason=f"Usual readings near {systolic:.0f}/{diastolic:.0f} at intake, no symptoms: "
            "white-coat pattern, release.",
        )
    shape = session_shape(route, policy.dosing, device_count=_devices(route, facts.dose_mg))
    dose_start = start + timedelta(minutes=shape.pre_dose_min)
    clock.current = dose_start - timedelta(minutes=2)
    drug = cs.drug_for_route(route)
    # A session still dosing now draws exactly its dose: its waste would only be recorded at
    # the end of dosing, and the log must reconcile at any moment of the demo.
    drawn = facts.dose_mg if stop_at is not None else _draw_quantity(route, facts.dose_mg)
    lot_id = stock.lot_for(session, nurse, clock, drug, drawn)
    cs.draw(
        session=session,
        actor=nurse,
        clock=clock,
        lot_id=lot_id,
        session_id=session_id,
        quantity_mg=drawn,
    )
    clock.current = dose_start
    session_flow.start_dosing(
        session=session,
        actor=nurse,
        clock=clock,
        session_id=session_id,
        drug=drug,
        dose_mg=facts.dose_mg,
        lot_id=lot_id,
        weight_kg=facts.weight_kg if route in (Route.IV, Route.IM) else None,
        device_count=_devices(route, facts.dose_mg),
    )
    result = SessionResult(SessionStatus.DOSING)
    peak = dose_start + timedelta(minutes=max(5, min(shape.dosing_min, 20)))
    clock.current = peak
    reading = _vitals(
        session,
        clock,
        nurse,
        session_id,
        systolic + facts.systolic_rise,
        # A drawn rise pair can cross (e.g. 91/94); keep a plausible pulse pressure.
        min(diastolic + facts.diastolic_rise, systolic + facts.systolic_rise - 20.0),
        facts.heart_rate + 8,
        moaas=facts.moaas,
    )
    result.alerts += _acknowledge(session, clock, nurse, [a.id for a in reading.alerts])
    session_discharge.record_score(
        session=session,
        actor=nurse,
        clock=clock,
        session_id=session_id,
        kind=ScoreKind.CADSS6,
        answers=_cadss6_answers(facts.cadss),
    )
    if facts.nausea:
        clock.current = peak + timedelta(minutes=3)
        session_discharge.record_adverse_event(
            session=session,
            actor=nurse,
            clock=clock,
            session_id=session_id,
            event_type=AdverseEventType.NAUSEA,
            severity=AdverseSeverity.MILD,
            action_taken="ondansetron 4 mg ODT given",
            outcome="resolved within 20 minutes",
            treatment_given="ondansetron 4 mg",
        )
        result.adverse_events += 1
    large_rise = facts.systolic_rise >= 40 or facts.diastolic_rise >= 25
    if large_rise:
        clock.current = peak + timedelta(minutes=4)
        session_discharge.record_adverse_event(
            session=session,
            actor=nurse,
            clock=clock,
            session_id=session_id,
            event_type=AdverseEventType.HYPERTENSION,
            severity=AdverseSeverity.MODERATE,
            action_taken="infusion slowed, repeat readings every 5 minutes, prescriber informed",
            outcome="back within 20 mmHg of baseline at discharge",
        )
        result.adverse_events += 1
        result.tolerated = False
    if stop_at is SessionStatus.DOSING:
        return result
    dose_end = dose_start + timedelta(minutes=shape.dosing_min)
    clock.current = max(dose_end, clock.now())
    session_flow.end_dosing(session=session, actor=nurse, clock=clock, session_id=session_id)
    if drawn > facts.dose_mg:
        cs.record_waste(
            session=session,
            actor=nurse,
            clock=clock,
            lot_id=lot_id,
            session_id=session_id,
            quantity_mg=round(drawn - facts.dose_mg, 3),
            witness_user_id=_user(team.prescriber),
            note="remainder of the vial wasted into the sink, witnessed",
        )
    result.status = SessionStatus.MONITORING
    if stop_at is SessionStatus.MONITORING:
        return result
    done = earliest_discharge(dose_start, shape, clock.now()) + timedelta(minutes=5)
    clock.current = done - timedelta(minutes=3)
    _vitals(session, clock, nurse, session_id, systolic - 2, diastolic, facts.heart_rate, moaas=5)
    session_discharge.record_score(
        session=session,
        actor=nurse,
        clock=clock,
        session_id=session_id,
        kind=ScoreKind.CADSS6,
        answers=[0] * 6,
    )
    clock.current = done
    session_discharge.discharge(
        session=session, actor=nurse, clock=clock, session_id=session_id, escort_name=escort_name
    )
    clock.current = done + timedelta(minutes=10)
    draft = session.scalars(
        select(SessionNote).where(SessionNote.session_id == session_id)
    ).one()  # the generated draft (read directly: no audited read needed)
    session_discharge.save_note(
        session=session,
        actor=nurse,
        clock=clock,
        session_id=session_id,
        text=draft.text + ("\nTolerated well." if result.tolerated else "\nSee adverse events."),
        sign=True,
    )
    result.status = SessionStatus.DISCHARGED
    return result


def _devices(route: Route, dose_mg: float) -> int | None:
    return int(dose_mg // 28) if route is Route.ESKETAMINE_NASAL else None


def _user(actor: Actor) -> int:
    assert actor.user_id is not None
    return actor.user_id


def _vitals(
    session: Session,
    clock: FixedClock,
    nurse: Actor,
    session_id: int,
    systolic: float,
    diastolic: float,
    heart_rate: float,
    *,
    moaas: int | None = None,
) -> vitals_ingest.RecordedReading:
    return vitals_ingest.record_vitals(
        session=session,
        actor=nurse,
        clock=clock,
        session_id=session_id,
        systolic_mmhg=round(systolic),
        diastolic_mmhg=round(diastolic),
        heart_rate_bpm=round(heart_rate),
        spo2_pct=98 if moaas is None or moaas >= 3 else 95,
        respiratory_rate_per_min=14,
        moaas=moaas,
    )


def _acknowledge(session: Session, clock: FixedClock, nurse: Actor, alert_ids: list[int]) -> int:
    for alert_id in alert_ids:
        vitals_ingest.acknowledge_alert(
            session=session,
            actor=nurse,
            clock=clock,
            alert_id=alert_id,
            note="Assessed at the chair: patient comfortable, reassured; repeat in 5 minutes.",
        )
    return len(alert_ids)
