"""Reading a course's plan (current version with integration flags, every version) and
recording integration sessions against the course."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import IntegrationSession, TreatmentCourse, TreatmentPlan
from ketacare.domain.errors import InvalidInput, NotFound
from ketacare.services import audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.courses import CLINICAL, course_for, current_plan


@dataclass(frozen=True)
class PlanView:
    plan: TreatmentPlan
    course: TreatmentCourse
    integration_sessions: int
    flags: tuple[str, ...]


def record_integration_session(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    held_on: date,
    facilitator: str,
    kind: str = "integration",
    notes: str = "",
) -> IntegrationSession:
    course, patient = course_for(
        session, actor, clock, course_id, "integration_session.record", CLINICAL
    )
    if held_on > clock.now().date():
        raise InvalidInput("held_on is in the future", field="held_on")
    if not facilitator.strip():
        raise InvalidInput("name who held the integration session", field="facilitator")
    row = IntegrationSession(
        course_id=course.id,
        held_on=held_on,
        facilitator=facilitator.strip(),
        kind=kind.strip() or "integration",
        notes=notes.strip(),
        recorded_by_user_id=actor.user_id,
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="integration_session.record",
        patient_id=patient.id,
        object_type="integration_session",
        object_id=row.id,
    )
    return row


def list_integration_sessions(
    *, session: Session, actor: Actor, clock: Clock, course_id: int
) -> Sequence[IntegrationSession]:
    course, patient = course_for(session, actor, clock, course_id, "integration_session.read", None)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="integration_session.read",
        patient_id=patient.id,
        object_type="treatment_course",
        object_id=course.id,
    )
    return _integration(session, course.id)


def _integration(session: Session, course_id: int) -> Sequence[IntegrationSession]:
    return session.scalars(
        select(IntegrationSession)
        .where(IntegrationSession.course_id == course_id)
        .order_by(IntegrationSession.held_on.desc(), IntegrationSession.id.desc())
    ).all()


def read_plan(*, session: Session, actor: Actor, clock: Clock, course_id: int) -> PlanView:
    """The current plan with its integration flags (a patient may read their own)."""
    course, patient = course_for(session, actor, clock, course_id, "plan.read", None)
    plan = current_plan(session=session, course_id=course.id)
    if plan is None:
        raise NotFound("the course has no plan yet")
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="plan.read",
        patient_id=patient.id,
        object_type="treatment_plan",
        object_id=plan.id,
    )
    return _view(session, course, plan)


def _view(session: Session, course: TreatmentCourse, plan: TreatmentPlan) -> PlanView:
    held = len(_integration(session, course.id))
    flags = []
    if not plan.integration_therapist_name:
        flags.append("no integration therapist or coach is named on the plan")
    if held == 0:
        flags.append("no integration session has been recorded for this course")
    return PlanView(plan, course, held, tuple(flags))


def plan_versions(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[TreatmentPlan], int]:
    """Every version of the plan, newest first."""
    course, patient = course_for(session, actor, clock, course_id, "plan.read", None)
    query = select(TreatmentPlan).where(TreatmentPlan.course_id == course.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(TreatmentPlan.version.desc()).limit(limit).offset(offset)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="plan.list",
        patient_id=patient.id,
        object_type="treatment_course",
        object_id=course.id,
    )
    return rows, total
