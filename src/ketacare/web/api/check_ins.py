"""Check-ins: answering through a one-time link (the token is the credential), and staff views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from ketacare.domain.instrument_model import Instrument
from ketacare.services import check_in_links, check_ins
from ketacare.services.symptom_scores import instrument_for
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.check_ins import (
    AnswerOption,
    CheckInAnswers,
    CheckInForm,
    CheckInRead,
    CheckInRequest,
    CheckInResult,
    Question,
    Questionnaire,
    ScoreResult,
)
from ketacare.web.schemas.common import Page, PageParams, page_params

router = APIRouter(prefix="/check-ins", tags=["check-ins"])
patients_router = APIRouter(prefix="/patients", tags=["check-ins"])


def questionnaire(tool: Instrument) -> Questionnaire:
    return Questionnaire(
        code=tool.code,
        name=tool.name,
        lookback=tool.lookback,
        questions=[Question(number=i.number, text=i.text) for i in tool.items],
        options=[AnswerOption(value=a.value, label=a.label) for a in tool.answers],
    )


@router.get("/{token}", response_model=CheckInForm)
def check_in_form(token: str, session: SessionDep, clock: ClockDep) -> CheckInForm:
    """The questionnaires a link asks for. 404 unknown link; 409 expired or already used."""
    opened = check_in_links.open_link_audited(session=session, clock=clock, token=token)
    return CheckInForm(
        clinic=opened.clinic_name,
        expires_at=opened.link.expires_at,
        questionnaires=[questionnaire(instrument_for(c)) for c in opened.check_in.instruments],
    )


@router.post("/{token}", response_model=CheckInResult)
def answer_check_in(
    token: str, body: CheckInAnswers, session: SessionDep, clock: ClockDep
) -> CheckInResult:
    """Answer once. `crisis_resources` is set when PHQ-9 item 9 raised the urgent alert."""
    answered = check_in_links.answer_check_in(
        session=session, clock=clock, token=token, answers=body.answers
    )
    return CheckInResult(
        scores=[
            ScoreResult(instrument=s.score.instrument, total=s.score.total, band=s.score.band)
            for s in answered.scores
        ],
        urgent=answered.urgent,
        crisis_resources=answered.crisis_text if answered.urgent else None,
    )


@patients_router.get("/{patient_id}/check-ins", response_model=Page[CheckInRead])
def list_check_ins(
    patient_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Page[CheckInRead]:
    """The patient's check-ins, newest first (staff of the clinic, or the patient)."""
    rows = check_ins.list_check_ins(
        session=session, actor=actor, clock=clock, patient_id=patient_id, limit=1000
    )
    window = rows[paging.offset : paging.offset + paging.limit]
    return Page[CheckInRead](
        items=[CheckInRead.model_validate(r) for r in window],
        total=len(rows),
        limit=paging.limit,
        offset=paging.offset,
    )


@patients_router.post(
    "/{patient_id}/check-ins", response_model=CheckInRead, status_code=status.HTTP_201_CREATED
)
def request_check_in(
    patient_id: int, body: CheckInRequest, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> CheckInRead:
    """Ask the patient for a check-in now (or at `due_at`); the worker emails the link."""
    row = check_ins.request_check_in(
        session=session, actor=actor, clock=clock, patient_id=patient_id, due_at=body.due_at
    )
    return CheckInRead.model_validate(row)
