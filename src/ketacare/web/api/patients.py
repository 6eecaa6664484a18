"""Patients API: register, list and search, read, change contact details; body measurements;
account invitations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ketacare.services import invitations, patient_contact, patients
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.common import Page, PageParams, page_params
from ketacare.web.schemas.patients import (
    ContactUpdate,
    InvitationRead,
    MeasurementCreate,
    MeasurementRead,
    PatientCreate,
    PatientRead,
)

router = APIRouter(prefix="/patients", tags=["patients"])


@router.post("", response_model=PatientRead, status_code=201)
def register_patient(
    body: PatientCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PatientRead:
    """Register a patient in the actor's clinic (staff). Bad input changes nothing."""
    values = body.model_dump()
    values["sex"] = body.sex.value
    patient = patients.register_patient(
        session=session, actor=actor, clock=clock, registration=patients.Registration(**values)
    )
    return PatientRead.model_validate(patient)


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


@router.patch("/{patient_id}", response_model=PatientRead)
def update_contact_details(
    patient_id: int, body: ContactUpdate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> PatientRead:
    """Change contact details (staff); fields left out stay as they are. The audit keeps each
    changed value before and after. Bad input changes nothing (422 naming the field)."""
    patient = patient_contact.update_contact_details(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        **body.model_dump(exclude_unset=True),
    )
    return PatientRead.model_validate(patient)


@router.post("/{patient_id}/measurements", response_model=MeasurementRead, status_code=201)
def record_measurement(
    patient_id: int, body: MeasurementCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> MeasurementRead:
    """A new weight (kg) and height (cm) measurement; earlier ones stay unchanged."""
    row = patients.record_measurement(
        session=session, actor=actor, clock=clock, patient_id=patient_id, **body.model_dump()
    )
    return MeasurementRead.model_validate(row)


@router.get("/{patient_id}/measurements", response_model=list[MeasurementRead])
def list_measurements(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[MeasurementRead]:
    rows = patients.list_measurements(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return [MeasurementRead.model_validate(r) for r in rows]


@router.post("/{patient_id}/invitation", response_model=InvitationRead, status_code=201)
def invite_patient(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> InvitationRead:
    """A one-time link for the patient to set their password (the token is shown only here)."""
    issued = invitations.invite_patient(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return InvitationRead(
        token=issued.token, path=issued.path, email=issued.email, expires_at=issued.expires_at
    )
