"""Treatment courses and their plans, decided by the clinical core's planner.

A course (route, start date) needs a cleared screening. Its plan is created from the core:
the first dose by `compute_dose`, the loading calendar by `loading_plan`, extension and
maintenance from the clinic policy; after each session `next_step` says what comes next. Every
change is a new plan version with reason and author. Integration work (therapist or coach, and
integration sessions) is part of the plan, which is flagged while it has none (reading the
plan and recording integration sessions: plan_views.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.memo import remember, watch
from ketacare.db.models import Patient, Role, TreatmentCourse, TreatmentPlan
from ketacare.db.models.course import PlanStatus
from ketacare.domain.dosing import DosePlan, Sex, compute_dose
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.findings import Finding, Severity
from ketacare.domain.plan_policy import MaintenanceMode
from ketacare.domain.plans import PlanAction, SessionOutcome, next_step
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route
from ketacare.domain.schedule import loading_plan
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patients import age_on, latest_weight_and_height
from ketacare.services.policy import current_policy
from ketacare.services.screening import cleared_screening

PRESCRIBERS = frozenset({Role.PRESCRIBER})
CLINICAL = frozenset({Role.PRESCRIBER, Role.NURSE})
_NEEDS_PRESCRIBER = frozenset({Severity.REVIEW, Severity.HOLD})


def course_for(
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    action: str,
    roles: frozenset[Role] | None,
) -> tuple[TreatmentCourse, Patient]:
    course = session.get(TreatmentCourse, course_id)
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=course.patient_id if course else -1,
        action=action,
        roles=roles,
        object_type="treatment_course",
        object_id=course_id,
    )
    assert course is not None
    return course, patient


def create_course(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    route: Route,
    starts_on: date,
) -> TreatmentCourse:
    """A new treatment series (prescribers only; the current screening must be cleared)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="course.create",
        roles=PRESCRIBERS,
    )
    screening = cleared_screening(session=session, patient_id=patient.id)
    course = TreatmentCourse(
        patient_id=patient.id,
        route=Route(route),
        screening_id=screening.id,
        starts_on=starts_on,
        created_by_user_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(course)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="course.create",
        patient_id=patient.id,
        object_type="treatment_course",
        object_id=course.id,
        detail={"route": course.route.value, "screening_id": screening.id},
    )
    return course


def list_courses(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> Sequence[TreatmentCourse]:
    patient = access.patient_for(
        session=session, actor=actor, clock=clock, patient_id=patient_id, action="course.read"
    )
    rows = session.scalars(
        select(TreatmentCourse)
        .where(TreatmentCourse.patient_id == patient.id)
        .order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="course.list",
        patient_id=patient.id,
        detail={"returned": len(rows)},
    )
    return rows


def current_plan(*, session: Session, course_id: int) -> TreatmentPlan | None:
    """The newest plan version of a course (no access check: for other services). Read once
    per transaction (`ketacare.db.memo`; plans are append-only, a new version drops the memo)."""
    return remember(
        session,
        ("plan", course_id),
        lambda: session.scalar(
            select(TreatmentPlan)
            .where(TreatmentPlan.course_id == course_id)
            .order_by(TreatmentPlan.version.desc())
            .limit(1)
        ),
    )


watch(TreatmentPlan, "plan")


def _basis(session: Session, patient: Patient, clock: Clock) -> dict[str, Any]:
    latest, height = latest_weight_and_height(session=session, patient_id=patient.id)
    sex = patient.sex if patient.sex in (Sex.MALE.value, Sex.FEMALE.value) else None
    return {
        "weight_kg": latest.weight_kg if latest else None,
        "measured_on": latest.measured_on.isoformat() if latest else None,
        "height_cm": height,
        "sex": sex,
        "age_years": age_on(patient.date_of_birth, clock.now().date()),
    }


def _dose(
    route: Route,
    policy: ClinicPolicy,
    basis: dict[str, Any],
    *,
    mg_per_kg: float | None = None,
    esketamine_mg: int | None = None,
    fixed_mg: float | None = None,
    ideal_weight_when_obese: bool | None = None,
) -> DosePlan:
    return compute_dose(
        route,
        policy=policy.dosing,
        weight_kg=basis["weight_kg"],
        height_cm=basis["height_cm"],
        sex=Sex(basis["sex"]) if basis["sex"] else None,
        ideal_weight_when_obese=ideal_weight_when_obese,
        mg_per_kg=mg_per_kg,
        fixed_mg=fixed_mg,
        esketamine_mg=esketamine_mg,
        age_years=basis["age_years"],
    )


def create_plan(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    mg_per_kg: float | None = None,
    esketamine_mg: int | None = None,
    fixed_mg: float | None = None,
    ideal_weight_when_obese: bool | None = None,
    maintenance_mode: MaintenanceMode | None = None,
    maintenance_interval_days: int | None = None,
    therapist_name: str = "",
    therapist_role: str = "",
    therapist_contact: str = "",
    reason: str = "",
) -> TreatmentPlan:
    """Version 1 of the course's plan from the core's planner (prescribers only)."""
    course, patient = course_for(session, actor, clock, course_id, "plan.create", PRESCRIBERS)
    if current_plan(session=session, course_id=course.id) is not None:
        raise Conflict("the course has a plan already; adjust it instead")
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    basis = _basis(session, patient, clock)
    dose = _dose(
        course.route,
        policy,
        basis,
        mg_per_kg=mg_per_kg,
        esketamine_mg=esketamine_mg,
        fixed_mg=fixed_mg,
        ideal_weight_when_obese=ideal_weight_when_obese,
    )
    loading = loading_plan(
        course.route,
        course.starts_on,
        policy.plans,
        maintenance=maintenance_mode,
        maintenance_interval_days=maintenance_interval_days,
    )
    findings = [*dose.findings, *loading.findings]
    plan = TreatmentPlan(
        course_id=course.id,
        version=1,
        supersedes_id=None,
        change="created",
        reason=reason.strip() or "plan created from the clinical core's planner",
        author_user_id=actor.user_id,
        created_at=clock.now(),
        policy_version=version,
        status=_status_of(PlanStatus.LOADING, findings),
        route=course.route,
        next_session_number=1,
        next_mg_per_kg=dose.mg_per_kg,
        next_dose_mg=dose.dose_mg,
        weight_basis_kg=dose.weight_basis_kg,
        weight_basis=dose.basis.value if dose.basis else None,
        schedule=[
            {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(s).items()}
            for s in loading.sessions
        ],
        extension_total_sessions=loading.extension_total_sessions,
        maintenance_mode=loading.maintenance.mode.value,
        maintenance_interval_days=loading.maintenance.interval_days,
        integration_therapist_name=therapist_name.strip(),
        integration_therapist_role=therapist_role.strip(),
        integration_therapist_contact=therapist_contact.strip(),
        findings=[f.as_dict() for f in findings],
        inputs={**basis, "ideal_weight_when_obese": ideal_weight_when_obese},
    )
    return _save(session, actor, clock, plan, patient.id, "plan.create")


def _status_of(default: PlanStatus, findings: Sequence[Finding]) -> PlanStatus:
    if any(f.severity in _NEEDS_PRESCRIBER for f in findings):
        return PlanStatus.REVIEW
    return default


def _successor(
    previous: TreatmentPlan, actor: Actor, clock: Clock, change: str, reason: str, **changes: Any
) -> TreatmentPlan:
    """A copy of `previous` as the next version with `changes` applied (never an update)."""
    columns = {c.key: getattr(previous, c.key) for c in TreatmentPlan.__table__.columns}
    columns.update(
        id=None,
        version=previous.version + 1,
        supersedes_id=previous.id,
        change=change,
        reason=reason,
        author_user_id=actor.user_id,
        created_at=clock.now(),
        **changes,
    )
    columns.pop("id")
    return TreatmentPlan(**columns)


def _open_plan(session: Session, course: TreatmentCourse) -> TreatmentPlan:
    plan = current_plan(session=session, course_id=course.id)
    if plan is None:
        raise NotFound("the course has no plan yet; create it first")
    if plan.status is PlanStatus.STOPPED:
        raise Conflict("the course's plan is stopped; start a new course to treat again")
    return plan


def adjust_plan(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    outcomes: Sequence[SessionOutcome],
    reason: str = "",
) -> TreatmentPlan:
    """The next version after a session: the core's `next_step` over every outcome so far."""
    course, patient = course_for(session, actor, clock, course_id, "plan.adjust", PRESCRIBERS)
    previous = _open_plan(session, course)
    if not outcomes:
        raise InvalidInput("give the outcome of at least one session", field="outcomes")
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    basis = _basis(session, patient, clock)
    step = next_step(
        course.route, outcomes, policy.plans, policy.dosing, age_years=basis["age_years"]
    )
    findings = list(step.findings)
    dose_mg, mg_per_kg, weight_basis_kg, weight_basis = step.next_dose_mg, None, None, None
    if step.next_mg_per_kg is not None:
        dose = _dose(
            course.route,
            policy,
            basis,
            mg_per_kg=step.next_mg_per_kg,
            ideal_weight_when_obese=previous.inputs.get("ideal_weight_when_obese"),
        )
        dose_mg, mg_per_kg = dose.dose_mg, dose.mg_per_kg
        weight_basis_kg, weight_basis = (
            dose.weight_basis_kg,
            dose.basis.value if dose.basis else None,
        )
        findings += dose.findings
    plan = _successor(
        previous,
        actor,
        clock,
        step.action.value,
        reason.strip() or " ".join(f.message for f in step.findings),
        policy_version=version,
        status=_status_of(_after(step.action, previous, findings), findings),
        next_session_number=step.next_session_number,
        next_mg_per_kg=mg_per_kg,
        next_dose_mg=dose_mg,
        weight_basis_kg=weight_basis_kg,
        weight_basis=weight_basis,
        findings=[f.as_dict() for f in findings],
        inputs={
            **basis,
            "ideal_weight_when_obese": previous.inputs.get("ideal_weight_when_obese"),
            "outcomes": [asdict(o) for o in outcomes],
        },
    )
    return _save(session, actor, clock, plan, patient.id, "plan.adjust")


def _after(action: PlanAction, previous: TreatmentPlan, findings: Sequence[Finding]) -> PlanStatus:
    if action is PlanAction.FLAG_NON_RESPONSE:
        return PlanStatus.REVIEW
    if action is PlanAction.EXTEND:
        return PlanStatus.EXTENSION
    if action is PlanAction.COMPLETE_LOADING:
        return PlanStatus.MAINTENANCE
    return PlanStatus.LOADING if previous.status is PlanStatus.REVIEW else previous.status


def stop_plan(
    *, session: Session, actor: Actor, clock: Clock, course_id: int, reason: str
) -> TreatmentPlan:
    course, patient = course_for(session, actor, clock, course_id, "plan.stop", PRESCRIBERS)
    previous = _open_plan(session, course)
    if not reason.strip():
        raise InvalidInput("say why the treatment stops", field="reason")
    plan = _successor(
        previous, actor, clock, "stop", reason.strip(), status=PlanStatus.STOPPED, findings=[]
    )
    return _save(session, actor, clock, plan, patient.id, "plan.stop")


def set_integration(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    therapist_name: str,
    therapist_role: str = "",
    therapist_contact: str = "",
    reason: str = "",
) -> TreatmentPlan:
    """Name the therapist or coach the patient does integration work with (a new version)."""
    course, patient = course_for(session, actor, clock, course_id, "plan.integration", CLINICAL)
    previous = _open_plan(session, course)
    if not therapist_name.strip():
        raise InvalidInput("name the integration therapist or coach", field="therapist_name")
    plan = _successor(
        previous,
        actor,
        clock,
        "integration",
        reason.strip() or f"integration with {therapist_name.strip()}",
        integration_therapist_name=therapist_name.strip(),
        integration_therapist_role=therapist_role.strip(),
        integration_therapist_contact=therapist_contact.strip(),
    )
    return _save(session, actor, clock, plan, patient.id, "plan.integration")


def _save(
    session: Session, actor: Actor, clock: Clock, plan: TreatmentPlan, patient_id: int, action: str
) -> TreatmentPlan:
    session.add(plan)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action=action,
        patient_id=patient_id,
        object_type="treatment_plan",
        object_id=plan.id,
        detail={
            "course_id": plan.course_id,
            "version": plan.version,
            "change": plan.change,
            "status": plan.status.value,
        },
    )
    return plan
