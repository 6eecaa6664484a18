"""Treatment courses and plans: create from the core's planner, adjust, stop, integration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ketacare.domain.plans import SessionOutcome
from ketacare.services import courses, plan_views
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.common import Page, PageParams, page_params
from ketacare.web.schemas.course import (
    AdjustIn,
    CourseIn,
    CourseRead,
    CurrentPlanRead,
    IntegrationIn,
    IntegrationSessionIn,
    IntegrationSessionRead,
    PlanIn,
    PlanRead,
    StopIn,
)

router = APIRouter(tags=["courses"])


@router.post("/patients/{patient_id}/courses", response_model=CourseRead, status_code=201)
def create_course(
    patient_id: int, body: CourseIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> CourseRead:
    """A treatment series on one route (prescribers; the current screening must be cleared)."""
    course = courses.create_course(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        route=body.route,
        starts_on=body.starts_on,
    )
    return CourseRead.model_validate(course)


@router.get("/patients/{patient_id}/courses", response_model=list[CourseRead])
def list_courses(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[CourseRead]:
    rows = courses.list_courses(session=session, actor=actor, clock=clock, patient_id=patient_id)
    return [CourseRead.model_validate(r) for r in rows]


def _current(view: plan_views.PlanView) -> CurrentPlanRead:
    return CurrentPlanRead(
        plan=PlanRead.model_validate(view.plan),
        integration_sessions=view.integration_sessions,
        flags=list(view.flags),
    )


@router.post("/courses/{course_id}/plan", response_model=PlanRead, status_code=201)
def create_plan(
    course_id: int, body: PlanIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PlanRead:
    """Version 1: first dose (compute_dose), loading calendar (loading_plan), extension and
    maintenance from the clinic policy (prescribers)."""
    plan = courses.create_plan(
        session=session, actor=actor, clock=clock, course_id=course_id, **body.model_dump()
    )
    return PlanRead.model_validate(plan)


@router.get("/courses/{course_id}/plan", response_model=CurrentPlanRead)
def read_plan(
    course_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> CurrentPlanRead:
    """The current plan and its integration flags (staff, or the patient for their own)."""
    return _current(
        plan_views.read_plan(session=session, actor=actor, clock=clock, course_id=course_id)
    )


@router.get("/courses/{course_id}/plan/versions", response_model=Page[PlanRead])
def plan_versions(
    course_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Page[PlanRead]:
    rows, total = plan_views.plan_versions(
        session=session,
        actor=actor,
        clock=clock,
        course_id=course_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[PlanRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/courses/{course_id}/plan/adjustments", response_model=PlanRead, status_code=201)
def adjust_plan(
    course_id: int, body: AdjustIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PlanRead:
    """The next version from every session outcome so far (the core's next_step)."""
    outcomes = [SessionOutcome(**o.model_dump()) for o in body.outcomes]
    plan = courses.adjust_plan(
        session=session,
        actor=actor,
        clock=clock,
        course_id=course_id,
        outcomes=outcomes,
        reason=body.reason,
    )
    return PlanRead.model_validate(plan)


@router.post("/courses/{course_id}/plan/stop", response_model=PlanRead, status_code=201)
def stop_plan(
    course_id: int, body: StopIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PlanRead:
    plan = courses.stop_plan(
        session=session, actor=actor, clock=clock, course_id=course_id, reason=body.reason
    )
    return PlanRead.model_validate(plan)


@router.post("/courses/{course_id}/plan/integration", response_model=PlanRead, status_code=201)
def set_integration(
    course_id: int, body: IntegrationIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PlanRead:
    plan = courses.set_integration(
        session=session, actor=actor, clock=clock, course_id=course_id, **body.model_dump()
    )
    return PlanRead.model_validate(plan)


@router.post(
    "/courses/{course_id}/integration-sessions",
    response_model=IntegrationSessionRead,
    status_code=201,
)
def record_integration_session(
    course_id: int,
    body: IntegrationSessionIn,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
) -> IntegrationSessionRead:
    row = plan_views.record_integration_session(
        session=session, actor=actor, clock=clock, course_id=course_id, **body.model_dump()
    )
    return IntegrationSessionRead.model_validate(row)


@router.get(
    "/courses/{course_id}/integration-sessions", response_model=list[IntegrationSessionRead]
)
def list_integration_sessions(
    course_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[IntegrationSessionRead]:
    rows = plan_views.list_integration_sessions(
        session=session, actor=actor, clock=clock, course_id=course_id
    )
    return [IntegrationSessionRead.model_validate(r) for r in rows]
