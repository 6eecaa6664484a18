"""Consent API: the current consent text, consents per course, witness, withdrawal."""

from __future__ import annotations

from fastapi import APIRouter

from ketacare.services import consent
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.course import ConsentIn, ConsentRead, ConsentTextRead, WithdrawalIn

router = APIRouter(tags=["consent"])


def consent_read(view: consent.ConsentView) -> ConsentRead:
    c = view.consent
    return ConsentRead(
        id=c.id,
        course_id=c.course_id,
        patient_id=c.patient_id,
        text_version=view.text.version,
        signed_by=c.signed_by.value,
        signed_at=c.signed_at,
        recorded_by_user_id=c.recorded_by_user_id,
        witness_user_id=view.witness.witness_user_id if view.witness else None,
        witnessed_at=view.witness.witnessed_at if view.witness else None,
        withdrawn_at=view.withdrawal.withdrawn_at if view.withdrawal else None,
        status=view.status,
    )


@router.get("/consents/texts/current", response_model=ConsentTextRead)
def current_text(session: SessionDep, actor: ApiActor) -> ConsentTextRead:
    """The consent text in force (off-label use, acute effects, escort and no driving, right
    to stop)."""
    return ConsentTextRead.model_validate(consent.current_text(session=session))


@router.post("/courses/{course_id}/consents", response_model=ConsentRead, status_code=201)
def record_consent(
    course_id: int, body: ConsentIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ConsentRead:
    """Signed by the patient (their account: then awaiting a witness), or recorded by the staff
    member who saw the patient sign (who is then the witness)."""
    view = consent.record_consent(
        session=session,
        actor=actor,
        clock=clock,
        course_id=course_id,
        consent_text_version=body.consent_text_version,
        signed_at=body.signed_at,
    )
    return consent_read(view)


@router.get("/courses/{course_id}/consents", response_model=list[ConsentRead])
def list_consents(
    course_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[ConsentRead]:
    views = consent.list_consents(session=session, actor=actor, clock=clock, course_id=course_id)
    return [consent_read(v) for v in views]


@router.post("/consents/{consent_id}/witness", response_model=ConsentRead, status_code=201)
def witness(consent_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep) -> ConsentRead:
    view = consent.witness_consent(session=session, actor=actor, clock=clock, consent_id=consent_id)
    return consent_read(view)


@router.post("/consents/{consent_id}/withdrawal", response_model=ConsentRead, status_code=201)
def withdraw(
    consent_id: int, body: WithdrawalIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ConsentRead:
    view = consent.withdraw_consent(
        session=session, actor=actor, clock=clock, consent_id=consent_id, reason=body.reason
    )
    return consent_read(view)
