"""Patients API (read and list; registration and intake build on this)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ketacare.services import patients
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.common import Page, PageParams, page_params
from ketacare.web.schemas.patients import PatientRead

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=Page[PatientRead])
def list_patients(
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str, Query(max_length=100)] = "",
) -> Page[PatientRead]:
    rows, total = patients.list_patients(
        session=session,
        actor=actor,
        clock=clock,
        search=q,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[PatientRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{patient_id}", response_model=PatientRead)
def read_patient(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PatientRead:
    patient = patients.get_patient(session=session, actor=actor, clock=clock, patient_id=patient_id)
    return PatientRead.model_validate(patient)
