"""Check-ins: answering through a one-time link (the token is the credential), staff views (the
clinic's check-ins, paged; a patient's check-ins) and a patient's check-in email preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from ketacare.db.models import CheckInStatus
from ketacare.domain.instrument_model import Instrument
from ketacare.services import check_in_links, check_in_overview, check_in_preferences, check_ins
from ketacare.services.symptom_scores import instrument_for
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.check_ins import (
    AnswerOption,
    CheckInAnswers,
    CheckInForm,
    CheckInPreferencesRead,
    CheckInPreferencesUpdate,
    CheckInPreferenceVersion,
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


@router.get("", response_model=Page[CheckInRead])
def clinic_check_ins(
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
    status: CheckInStatus | None = None,
) -> Page[CheckInRead]:
    """The clinic's check-ins, latest due first, optionally of one status (staff only)."""
    page = check_in_overview.check_in_page(
        session=session,
        actor=actor,
        clock=clock,
        status=status,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[CheckInRead](
        items=[CheckInRead.model_validate(line.check_in) for line in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
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


def _preferences(view: check_in_preferences.PreferencesView) -> CheckInPreferencesRead:
    window = view.preferences.window
    return CheckInPreferencesRead(
        patient_id=view.patient.id,
        opted_out=view.preferences.opted_out,
        earliest_hour=window.earliest_hour if window else None,
        latest_hour=window.latest_hour if window else None,
        timezone=view.timezone,
        version=view.current.version if view.current else None,
        versions=[CheckInPreferenceVersion.model_validate(r) for r in view.history],
    )


@patients_router.get("/{patient_id}/check-in-preferences", response_model=CheckInPreferencesRead)
def read_check_in_preferences(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> CheckInPreferencesRead:
    """The patient's check-in email preferences and their versions (staff of the clinic, or
    the patient). Another clinic's patient: 404."""
    view = check_in_preferences.read_preferences(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return _preferences(view)


@patients_router.put("/{patient_id}/check-in-preferences", response_model=CheckInPreferencesRead)
def set_check_in_preferences(
    patient_id: int,
    body: CheckInPreferencesUpdate,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
) -> CheckInPreferencesRead:
    """Set them (a new version; the same values write none). Opting out skips the pending
    check-in emails at once; a window moves them. 422 names the field refused."""
    check_in_preferences.set_preferences(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        opted_out=body.opted_out,
        earliest_hour=body.earliest_hour,
        latest_hour=body.latest_hour,
        reason=body.reason,
    )
    view = check_in_preferences.read_preferences(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return _preferences(view)
