"""Intake API: record, amend (a new version with a reason), read current and every version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ketacare.services import intake
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.common import Page, PageParams, page_params
from ketacare.web.schemas.course import IntakeAmendment, IntakeIn, IntakeRead

router = APIRouter(prefix="/patients/{patient_id}/intake", tags=["intake"])


@router.post("", response_model=IntakeRead, status_code=201)
def record_intake(
    patient_id: int, body: IntakeIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> IntakeRead:
    """The first intake (prescriber or nurse). Medication names, questionnaire answers and
    blood pressures are validated by the clinical core; the first bad field is named."""
    row = intake.record_intake(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        data=body.model_dump(mode="json"),
    )
    return IntakeRead.model_validate(row)


@router.post("/amendments", response_model=IntakeRead, status_code=201)
def amend_intake(
    patient_id: int, body: IntakeAmendment, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> IntakeRead:
    """A corrected intake superseding the current one, with the reason; re-runs screening when
    the patient had been screened. The earlier version stays readable."""
    row = intake.amend_intake(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        data=body.intake.model_dump(mode="json"),
        reason=body.reason,
    )
    return IntakeRead.model_validate(row)


@router.get("", response_model=IntakeRead)
def read_intake(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> IntakeRead:
    row = intake.read_current_intake(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return IntakeRead.model_validate(row)


@router.get("/versions", response_model=Page[IntakeRead])
def list_versions(
    patient_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Page[IntakeRead]:
    rows, total = intake.list_intake_versions(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[IntakeRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
