"""The signed-in patient's own care, read-only: their sessions, where and when, what to prepare,
which questionnaires their check-in asks, and their progress against their own baseline.

Only a patient actor reaches these functions (staff read the same facts through the chart
services), and only their own record: `access.patient_for` with the actor's own patient id.
Every read is audited. The preparation numbers (fasting window, escort, observation time) come
from the clinic's policy in force and the route's session shape — never written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Clinic, Location, Patient, Role, SymptomScore, TreatmentSession
from ketacare.db.models.course import TreatmentCourse
from ketacare.domain.discharge import ESCORT_INSTRUCTION, NO_DRIVING_INSTRUCTION
from ketacare.domain.errors import Forbidden
from ketacare.domain.findings import Severity
from ketacare.domain.instruments import GAD7, PCL5, PHQ9
from ketacare.domain.outcomes import REMISSION_INSTRUMENTS, ResponseLevel, response_level
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route, SessionShape, session_shape
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.courses import current_plan
from ketacare.services.intake import current_intake
from ketacare.services.policy import current_policy

PATIENT_ONLY = frozenset({Role.PATIENT})
# Sessions that will not happen (kept in the history with their status).
NOT_HAPPENING = frozenset({SessionStatus.CANCELLED, SessionStatus.NO_SHOW})
ROUTE_NAMES = {
    Route.IV: "IV infusion (ketamine into a vein)",
    Route.IM: "Injection into a muscle (IM ketamine)",
    Route.ESKETAMINE_NASAL: "Esketamine nasal spray (Spravato)",
    Route.SUBLINGUAL: "Ketamine lozenge held under the tongue (sublingual)",
}


@dataclass(frozen=True)
class Preparation:
    """What to do before and after a session on one route, from the clinic's policy."""

    route: Route
    fast_food_h: float  # 0 = the clinic asks no fasting from food
    fast_liquids_min: int  # 0 = no limit on drinks
    escort_required: bool
    no_driving: str
    escort: str
    shape: SessionShape


@dataclass(frozen=True)
class MySession:
    id: int
    route: Route
    route_name: str
    status: SessionStatus
    start: datetime
    end: datetime
    place: str  # clinic name and address
    chair: str
    preparation: Preparation

    @property
    def eat_by(self) -> datetime | None:
        """The last moment to eat before this session (None: no fasting asked)."""
        hours = self.preparation.fast_food_h
        return self.start - timedelta(hours=hours) if hours > 0 else None

    @property
    def drink_by(self) -> datetime | None:
        minutes = self.preparation.fast_liquids_min
        return self.start - timedelta(minutes=minutes) if minutes > 0 else None


@dataclass(frozen=True)
class MyCare:
    patient: Patient
    clinic: Clinic
    policy: ClinicPolicy
    upcoming: tuple[MySession, ...]
    past: tuple[MySession, ...]
    route: Route | None  # the next session's route, else the latest course's / plan's
    plan_sessions: int | None  # sessions in the current plan's schedule, when there is one

    @property
    def next_session(self) -> MySession | None:
        return self.upcoming[0] if self.upcoming else None


def own_patient(*, session: Session, actor: Actor, clock: Clock, action: str) -> Patient:
    """The actor's own patient record; staff and the system are refused (Forbidden, audited)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=PATIENT_ONLY, action=action
    )
    if actor.patient_id is None:
        raise Forbidden("this account is not linked to a patient record")
    return access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=actor.patient_id,
        action=action,
        roles=PATIENT_ONLY,
    )


def preparation(policy: ClinicPolicy, route: Route, device_count: int | None = None) -> Preparation:
    """The preparation reminders for `route` under `policy` (esketamine has its own fasting
    values from the label; racemic routes use the clinic's)."""
    vitals = policy.vitals
    if route is Route.ESKETAMINE_NASAL:
        food, liquids = vitals.esketamine_fast_food_h, vitals.esketamine_fast_liquids_min
    else:
        food, liquids = vitals.racemic_fast_food_h, vitals.racemic_fast_liquids_min
    escort = policy.discharge.escort_required or vitals.escort_required_before_dosing
    return Preparation(
        route,
        food,
        liquids,
        escort,
        NO_DRIVING_INSTRUCTION,
        ESCORT_INSTRUCTION,
        session_shape(route, policy.dosing, device_count=device_count),
    )


def my_care(*, session: Session, actor: Actor, clock: Clock) -> MyCare:
    """The patient's sessions (upcoming soonest first, past newest first), clinic and policy."""
    patient = own_patient(session=session, actor=actor, clock=clock, action="my_care.read")
    clinic = session.get(Clinic, patient.clinic_id)
    assert clinic is not None
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    rows = session.scalars(
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient.id)
        .order_by(TreatmentSession.scheduled_start, TreatmentSession.id)
    ).all()
    now = clock.now()
    chairs = _chair_names(session, [r.chair_id for r in rows])
    place = ", ".join(p for p in (clinic.name, clinic.address, clinic.city) if p)
    sessions = [_my_session(r, place, chairs.get(r.chair_id, ""), policy) for r in rows]
    upcoming = tuple(
        s
        for s in sessions
        if s.end >= now
        and s.status not in NOT_HAPPENING
        and s.status is not SessionStatus.DISCHARGED
    )
    past = tuple(reversed([s for s in sessions if s not in upcoming]))
    course = session.scalar(
        select(TreatmentCourse)
        .where(TreatmentCourse.patient_id == patient.id)
        .order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
        .limit(1)
    )
    plan = current_plan(session=session, course_id=course.id) if course else None
    route = (
        upcoming[0].route
        if upcoming
        else plan.route
        if plan
        else course.route
        if course
        else (past[0].route if past else None)
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="my_care.read",
        patient_id=patient.id,
        object_type="treatment_session",
        detail={"upcoming": len(upcoming), "past": len(past)},
    )
    return MyCare(
        patient,
        clinic,
        policy,
        upcoming,
        past,
        route,
        len(plan.schedule) if plan and plan.schedule else None,
    )


def _chair_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Location.id, Location.name).where(Location.id.in_(set(ids))))
    return {row.id: row.name for row in rows}


def _my_session(row: TreatmentSession, place: str, chair: str, policy: ClinicPolicy) -> MySession:
    return MySession(
        row.id,
        row.route,
        ROUTE_NAMES[row.route],
        row.status,
        row.scheduled_start,
        row.scheduled_end,
        place,
        chair,
        preparation(policy, row.route, row.planned_device_count),
    )


def check_in_instruments(*, session: Session, actor: Actor, clock: Clock) -> tuple[str, ...]:
    """The questionnaires of the patient's check-in: GAD-7, PHQ-9, and PCL-5 when their intake
    lists PTSD (diagnosed or suspected)."""
    patient = own_patient(session=session, actor=actor, clock=clock, action="my_care.check_in")
    intake = current_intake(session=session, patient_id=patient.id)
    ptsd = bool(intake and intake.data.get("ptsd_suspected"))
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="my_care.check_in",
        patient_id=patient.id,
        object_type="intake",
        object_id=intake.id if intake else "",
        detail={"pcl5": ptsd},
    )
    codes = [GAD7.code, PHQ9.code] + ([PCL5.code] if ptsd else [])
    return tuple(codes)


@dataclass(frozen=True)
class Progress:
    """One instrument's series, told against the patient's own baseline."""

    instrument: str
    name: str
    baseline: SymptomScore | None
    latest: SymptomScore | None
    level: ResponseLevel | None  # None: no baseline above 0, or only one score
    response_line: float | None  # the score at which the response percentage is reached
    remission_below: int | None  # None when remission does not apply (scale or baseline)
    total_max: int


def progress_of(instrument: str, scores: Sequence[SymptomScore], policy: ClinicPolicy) -> Progress:
    """Baseline = the intake's score if there is one, else the first; the lines follow the
    clinic's outcome policy (response = the response percentage below baseline; remission =
    below the remission score, only from a baseline at or above its minimum)."""
    tool = {t.code: t for t in (GAD7, PHQ9, PCL5)}[instrument]
    series = [s for s in scores if s.instrument == instrument]
    if not series:
        return Progress(instrument, tool.name, None, None, None, None, None, tool.total_max)
    baseline = next((s for s in series if s.source.value == "intake"), series[0])
    latest = series[-1]
    p = policy.outcomes
    level = None
    response_line = None
    remission = None
    if baseline.total > 0:
        response_line = baseline.total * (1 - p.response_min_improvement_pct / 100)
        if latest.id != baseline.id:
            level = response_level(tool, baseline.total, latest.total, p)
    if (
        instrument in REMISSION_INSTRUMENTS
        and baseline.total >= p.remission_requires_baseline_at_least
    ):
        remission = p.remission_below_score
    return Progress(
        instrument, tool.name, baseline, latest, level, response_line, remission, tool.total_max
    )


def is_urgent(score: SymptomScore) -> bool:
    """True when the stored findings of `score` include an URGENT one (e.g. PHQ-9 item 9)."""
    return any(f.get("severity") == Severity.URGENT.value for f in score.findings)
