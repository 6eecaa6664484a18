"""The session at the chair: check-in, the pre-dose gate and the prescriber's decision on a
hold, the dose given, the end of dosing, recovery, and stopping a session.

Every step moves the persisted state machine (`domain.session_flow`; an illegal move is a
Conflict saying why) and writes its facts as append-only rows. The core decides: the pre-dose
gate is `predose.predose_gate`, the dose is checked by `dosing.compute_dose`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    ControlledLot,
    DoseAdministration,
    Drug,
    PredoseAssessment,
    PredoseDecision,
    Role,
    SessionCheckIn,
    TreatmentSession,
    VitalReadingRow,
)
from ketacare.domain.dosing import DosePlan, compute_dose
from ketacare.domain.errors import Conflict, InvalidInput, RuleViolation
from ketacare.domain.findings import RULES, Finding, Severity
from ketacare.domain.predose import GateOutcome, GateResult, PredoseChecks, predose_gate
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.domain.vital_signs import Phase, VitalReading
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.consent import require_current_consent
from ketacare.services.controlled_substances import drug_for_route
from ketacare.services.session_common import (
    CLINICIANS,
    PRESCRIBERS,
    Loaded,
    findings_json,
    load_session,
    move,
    record,
)
from ketacare.services.session_course import check_plan


def check_in(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    hours_since_food: float | None,
    minutes_since_liquids: float | None,
    escort_confirmed: bool,
    escort_name: str = "",
    drugs_taken_today: Sequence[str] = (),
    medications_note: str = "",
) -> SessionCheckIn:
    """The patient arrives: fasting, the escort home and today's medications are confirmed.

    Values are validated by the core (`PredoseChecks`); times since food/liquids count from the
    check-in moment and grow with the clock until the pre-dose check.
    """
    loaded = _load(session, actor, clock, session_id, "session.check_in")
    PredoseChecks(
        hours_since_food=hours_since_food,
        minutes_since_liquids=minutes_since_liquids,
        escort_confirmed=escort_confirmed,
        drugs_taken_today=tuple(drugs_taken_today),
    )
    if escort_confirmed and not escort_name.strip():
        raise InvalidInput("name the escort who will take the patient home", field="escort_name")
    _check_course(session, loaded, clock.now())
    move(session=session, actor=actor, clock=clock, row=loaded.row, target=SessionStatus.CHECKED_IN)
    row = SessionCheckIn(
        session_id=loaded.row.id,
        hours_since_food=hours_since_food,
        minutes_since_liquids=minutes_since_liquids,
        escort_confirmed=escort_confirmed,
        escort_name=escort_name.strip(),
        drugs_taken_today=list(drugs_taken_today),
        medications_note=medications_note.strip(),
        at=clock.now(),
        actor_user_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="session.check_in")
    return row


@dataclass(frozen=True)
class PredoseOutcome:
    assessment: PredoseAssessment
    result: GateResult


def predose_check(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    crisis_symptoms: Sequence[str] = (),
) -> PredoseOutcome:
    """Run the core's pre-dose gate on the latest pre-dose reading and the check-in.

    Needs a pre-dose reading taken within the policy's maximum age. May be run again (new
    vitals, fasting time passed); the latest assessment is the one that counts.
    """
    loaded = _load(session, actor, clock, session_id, "session.predose_check")
    row, now = loaded.row, clock.now()
    if row.status not in (SessionStatus.CHECKED_IN, SessionStatus.PRE_DOSE_CHECK):
        raise Conflict(
            f"session {row.id} is {row.status.value}; the pre-dose check comes after check-in "
            "and before dosing"
        )
    checkin = latest_checkin(session, row.id)
    if checkin is None:
        raise Conflict(f"session {row.id} has no check-in")
    max_age = loaded.policy.vitals.predose_reading_max_age_min
    reading = session.scalar(
        select(VitalReadingRow)
        .where(
            VitalReadingRow.session_id == row.id,
            VitalReadingRow.phase == Phase.PRE_DOSE,
            VitalReadingRow.taken_at >= now - timedelta(minutes=max_age),
        )
        .order_by(VitalReadingRow.taken_at.desc(), VitalReadingRow.id.desc())
        .limit(1)
    )
    if reading is None:
        raise Conflict(
            f"record pre-dose vital signs first (a reading from the last {max_age} minutes)"
        )
    since_checkin_min = (now - checkin.at).total_seconds() / 60
    checks = PredoseChecks(
        hours_since_food=None
        if checkin.hours_since_food is None
        else checkin.hours_since_food + since_checkin_min / 60,
        minutes_since_liquids=None
        if checkin.minutes_since_liquids is None
        else checkin.minutes_since_liquids + since_checkin_min,
        escort_confirmed=checkin.escort_confirmed,
        drugs_taken_today=tuple(checkin.drugs_taken_today),
        crisis_symptoms=tuple(crisis_symptoms),
    )
    result = predose_gate(as_reading(reading), checks, row.route, loaded.policy.vitals)
    move(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        target=SessionStatus.PRE_DOSE_CHECK,
        detail={"outcome": result.outcome.value},
    )
    assessment = PredoseAssessment(
        session_id=row.id,
        reading_id=reading.id,
        checkin_id=checkin.id,
        outcome=result.outcome,
        findings=findings_json(result.findings),
        crisis_symptoms=list(checks.crisis_symptoms),
        at=now,
        actor_user_id=actor.user_id,
    )
    session.add(assessment)
    session.flush()
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        action="session.predose_check",
        detail={"outcome": result.outcome.value, "assessment_id": assessment.id},
    )
    return PredoseOutcome(assessment, result)


def decide_hold(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    release: bool,
    reason: str,
) -> PredoseDecision:
    """A prescriber decides on a HOLD: release the dose, or not today (the session stops).

    A BLOCK cannot be overridden; a PASS needs no decision.
    """
    loaded = _load(session, actor, clock, session_id, "session.predose_decision", PRESCRIBERS)
    row = loaded.row
    if row.status is not SessionStatus.PRE_DOSE_CHECK:
        raise Conflict(f"session {row.id} is {row.status.value}; nothing is on hold")
    assessment = latest_assessment(session, row.id)
    if assessment is None:
        raise Conflict(f"session {row.id} has no pre-dose check")
    if assessment.outcome is GateOutcome.BLOCK:
        raise RuleViolation(
            "the pre-dose gate blocked the dose; a block cannot be overridden",
            _findings(assessment),
            field="release",
        )
    if assessment.outcome is GateOutcome.PASS:
        raise Conflict("the pre-dose check passed; there is no hold to decide")
    if decision_on(session, assessment.id) is not None:
        raise Conflict(f"the hold of assessment {assessment.id} was already decided")
    if not reason.strip():
        raise InvalidInput("give the reason for the decision", field="reason")
    decision = PredoseDecision(
        assessment_id=assessment.id,
        session_id=row.id,
        release=release,
        reason=reason.strip(),
        at=clock.now(),
        prescriber_user_id=actor.user_id,
    )
    session.add(decision)
    session.flush()
    if not release:
        move(
            session=session,
            actor=actor,
            clock=clock,
            row=row,
            target=SessionStatus.STOPPED,
            reason=f"pre-dose hold, not released: {reason.strip()}",
        )
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        action="session.predose_decision",
        detail={"release": release, "assessment_id": assessment.id},
    )
    return decision


def start_dosing(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    drug: Drug,
    dose_mg: float,
    lot_id: int,
    concentration_mg_per_ml: float | None = None,
    weight_kg: float | None = None,
    infusion_rate_mg_per_h: float | None = None,
    device_count: int | None = None,
    previous_esketamine_mg: int | None = None,
    override_reason: str = "",
) -> DoseAdministration:
    """Record the dose being given now; dosing starts (the observation clock with it).

    Allowed only after a pre-dose check that passed, or a hold a prescriber released. The dose
    is checked by the core (`compute_dose`: mg/kg range for IV/IM with `weight_kg`; the label's
    esketamine doses and step for the patient's session number; SL range). Esketamine's
    `device_count` must match the dose (28 mg per device).
    """
    loaded = _load(session, actor, clock, session_id, "session.start_dosing")
    row, now = loaded.row, clock.now()
    _check_release(session, loaded, now)
    _check_course(session, loaded, now)
    if drug is not drug_for_route(row.route):
        raise InvalidInput(
            f"a {row.route.value} session gives {drug_for_route(row.route).value}", field="drug"
        )
    lot = session.get(ControlledLot, lot_id)
    if lot is None or lot.clinic_id != row.clinic_id or lot.drug is not drug:
        raise InvalidInput(f"lot {lot_id} is not a {drug.value} lot of the clinic", field="lot_id")
    if lot.expiry < now.date():
        raise RuleViolation(f"lot {lot.lot_number} expired on {lot.expiry}", field="lot_id")
    plan = _checked_dose(
        session, loaded, dose_mg, weight_kg, previous_esketamine_mg, override_reason
    )
    if row.route is Route.ESKETAMINE_NASAL and device_count != plan.device_count:
        raise InvalidInput(
            f"{dose_mg:g} mg of esketamine is {plan.device_count} device(s); got {device_count}",
            field="device_count",
        )
    dose = DoseAdministration(
        session_id=row.id,
        drug=drug,
        route=row.route,
        concentration_mg_per_ml=concentration_mg_per_ml or lot.concentration_mg_per_ml,
        dose_mg=dose_mg,
        dose_mg_per_kg=round(dose_mg / weight_kg, 3) if weight_kg else None,
        weight_kg=weight_kg,
        infusion_rate_mg_per_h=infusion_rate_mg_per_h or plan.rate_mg_per_h,
        device_count=plan.device_count,
        lot_id=lot.id,
        lot_number=lot.lot_number,
        lot_expiry=lot.expiry,
        override_reason=override_reason.strip(),
        findings=findings_json(plan.findings),
        started_at=now,
        recorded_at=now,
        recorded_by_user_id=actor.user_id,
    )
    session.add(dose)
    row.dose_start_at = now
    if plan.device_count is not None:
        row.planned_device_count = plan.device_count
    move(session=session, actor=actor, clock=clock, row=row, target=SessionStatus.DOSING)
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        action="session.start_dosing",
        detail={"dose_mg": dose_mg, "lot": lot.lot_number},
    )
    return dose


def end_dosing(
    *, session: Session, actor: Actor, clock: Clock, session_id: int
) -> TreatmentSession:
    """Dosing ended now (end of infusion, last device, end of the SL hold): monitoring."""
    loaded = _load(session, actor, clock, session_id, "session.end_dosing")
    move(session=session, actor=actor, clock=clock, row=loaded.row, target=SessionStatus.MONITORING)
    loaded.row.dose_end_at = clock.now()
    session.flush()
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="session.end_dosing")
    return loaded.row


def begin_recovery(
    *, session: Session, actor: Actor, clock: Clock, session_id: int
) -> TreatmentSession:
    """The patient moves to recovery (still observed until discharge)."""
    loaded = _load(session, actor, clock, session_id, "session.recovery")
    move(session=session, actor=actor, clock=clock, row=loaded.row, target=SessionStatus.RECOVERY)
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="session.recovery")
    return loaded.row


def stop_session(
    *, session: Session, actor: Actor, clock: Clock, session_id: int, reason: str
) -> TreatmentSession:
    """Stop a session in progress (adverse event, patient's wish…), with the reason."""
    loaded = _load(session, actor, clock, session_id, "session.stop")
    if not reason.strip():
        raise InvalidInput("give the reason for stopping", field="reason")
    if loaded.row.status is SessionStatus.DOSING:
        loaded.row.dose_end_at = clock.now()
    move(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        target=SessionStatus.STOPPED,
        reason=reason.strip(),
    )
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        action="session.stop",
        detail={"reason": reason.strip()},
    )
    return loaded.row


# --- helpers shared with discharge -----------------------------------------------------------


def as_reading(row: VitalReadingRow) -> VitalReading:
    return VitalReading(
        systolic_mmhg=row.systolic_mmhg,
        diastolic_mmhg=row.diastolic_mmhg,
        heart_rate_bpm=row.heart_rate_bpm,
        spo2_pct=row.spo2_pct,
        respiratory_rate_per_min=row.respiratory_rate_per_min,
        taken_at=row.taken_at,
    )


def latest_checkin(session: Session, session_id: int) -> SessionCheckIn | None:
    return session.scalar(
        select(SessionCheckIn)
        .where(SessionCheckIn.session_id == session_id)
        .order_by(SessionCheckIn.at.desc(), SessionCheckIn.id.desc())
        .limit(1)
    )


def latest_assessment(session: Session, session_id: int) -> PredoseAssessment | None:
    return session.scalar(
        select(PredoseAssessment)
        .where(PredoseAssessment.session_id == session_id)
        .order_by(PredoseAssessment.at.desc(), PredoseAssessment.id.desc())
        .limit(1)
    )


def decision_on(session: Session, assessment_id: int) -> PredoseDecision | None:
    return session.scalar(
        select(PredoseDecision).where(PredoseDecision.assessment_id == assessment_id)
    )


def _load(
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    action: str,
    roles: frozenset[Role] = CLINICIANS,
) -> Loaded:
    return load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action=action,
        roles=roles,
        for_update=True,
    )


def _findings(assessment: PredoseAssessment) -> list[Finding]:
    """The stored findings of an assessment, as findings again (for a RuleViolation)."""
    found: list[Finding] = []
    for f in assessment.findings:
        declared = RULES.get(str(f.get("rule_id")))
        if declared is not None:
            found.append(
                Finding(
                    declared.id,
                    Severity(f["severity"]),
                    f["message"],
                    declared.source,
                    dict(f.get("data") or {}),
                )
            )
    return found


def _check_course(session: Session, loaded: Loaded, now: datetime) -> None:
    """Every session is in a course: its plan must allow a session and the consent must be
    current now. A session booked before courses were required (no course) is refused."""
    row = loaded.row
    if row.course_id is None:
        raise Conflict(
            f"session {row.id} belongs to no treatment course: no patient is dosed without a "
            "course with an approved plan and a current consent; cancel it and book it in the "
            "patient's course",
            field="course_id",
        )
    check_plan(session, row.course_id)
    require_current_consent(
        session=session, patient_id=row.patient_id, course_id=row.course_id, at=now
    )


def _check_release(session: Session, loaded: Loaded, now: datetime) -> None:
    row = loaded.row
    if row.status is not SessionStatus.PRE_DOSE_CHECK:
        raise Conflict(
            f"session {row.id} is {row.status.value}; dosing starts after a pre-dose check"
        )
    assessment = latest_assessment(session, row.id)
    assert assessment is not None  # PRE_DOSE_CHECK is only reached through an assessment
    if assessment.outcome is GateOutcome.BLOCK:
        raise RuleViolation(
            "the pre-dose gate blocked the dose; it cannot be given today",
            _findings(assessment),
            field="status",
        )
    if assessment.outcome is GateOutcome.HOLD:
        decision = decision_on(session, assessment.id)
        if decision is None or not decision.release:
            raise RuleViolation(
                "the dose is on hold until a prescriber releases it",
                _findings(assessment),
                field="status",
            )
    max_age = timedelta(minutes=loaded.policy.vitals.predose_reading_max_age_min)
    reading = session.get(VitalReadingRow, assessment.reading_id)
    if reading is None or now - reading.taken_at > max_age:
        raise Conflict("the pre-dose reading is too old: record vitals and check again")


def _age_years(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _checked_dose(
    session: Session,
    loaded: Loaded,
    dose_mg: float,
    weight_kg: float | None,
    previous_esketamine_mg: int | None,
    override_reason: str,
) -> DosePlan:
    row, dosing = loaded.row, loaded.policy.dosing
    if isinstance(dose_mg, bool) or not isinstance(dose_mg, int | float) or dose_mg <= 0:
        raise InvalidInput("dose_mg must be a number of mg above 0", field="dose_mg")
    if row.route is Route.ESKETAMINE_NASAL:
        if dose_mg != int(dose_mg):
            raise InvalidInput("an esketamine dose is a whole number of mg", field="dose_mg")
        earlier = _earlier_esketamine_doses(session, row)
        previous = (
            previous_esketamine_mg
            if previous_esketamine_mg is not None
            else (int(earlier[-1]) if earlier else None)
        )
        return compute_dose(
            row.route,
            policy=dosing,
            esketamine_mg=int(dose_mg),
            previous_esketamine_mg=previous,
            session_number=len(earlier) + 1,
            age_years=_age_years(loaded.patient.date_of_birth, row.scheduled_start.date()),
        )
    if row.route is Route.SUBLINGUAL and weight_kg is None:
        return compute_dose(row.route, policy=dosing, fixed_mg=dose_mg)
    if weight_kg is None:
        raise InvalidInput(f"weight_kg is required for a {row.route.value} dose", field="weight_kg")
    if isinstance(weight_kg, bool) or not isinstance(weight_kg, int | float) or weight_kg <= 0:
        raise InvalidInput("weight_kg must be a number above 0", field="weight_kg")
    return compute_dose(
        row.route,
        policy=dosing,
        weight_kg=weight_kg,
        # Rounded: 30.6 mg / 40.8 kg is 0.75000000000000011 in floating point, which would
        # refuse a dose exactly at the 0.75 mg/kg maximum.
        mg_per_kg=round(dose_mg / weight_kg, 6),
        ideal_weight_when_obese=False,
        override_reason=override_reason.strip() or None,
    )


def _earlier_esketamine_doses(session: Session, row: TreatmentSession) -> list[float]:
    return list(
        session.scalars(
            select(DoseAdministration.dose_mg)
            .join(TreatmentSession, TreatmentSession.id == DoseAdministration.session_id)
            .where(
                TreatmentSession.patient_id == row.patient_id,
                DoseAdministration.route == Route.ESKETAMINE_NASAL,
                DoseAdministration.session_id != row.id,
            )
            .order_by(DoseAdministration.started_at)
        )
    )


__all__ = [
    "PredoseOutcome",
    "as_reading",
    "begin_recovery",
    "check_in",
    "decide_hold",
    "end_dosing",
    "latest_assessment",
    "predose_check",
    "start_dosing",
    "stop_session",
]
