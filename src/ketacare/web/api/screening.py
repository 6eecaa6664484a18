"""Screening API: run on the current intake, read the history, prescriber review, co-sign."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ketacare.services import screening, screening_review
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.common import Page, PageParams, page_params
from ketacare.web.schemas.course import CosignIn, ReviewIn, ReviewRead, ScreeningRead

router = APIRouter(tags=["screening"])


def screening_read(view: screening.ScreeningView) -> ScreeningRead:
    s = view.screening
    reviews = []
    for r in view.reviews:
        cosig = view.cosignatures.get(r.id)
        reviews.append(
            ReviewRead(
                id=r.id,
                decision=r.decision,
                reason=r.reason,
                reviewer_user_id=r.reviewer_user_id,
                reviewed_at=r.reviewed_at,
                cosigner_user_id=cosig.cosigner_user_id if cosig else None,
                cosigned_at=cosig.cosigned_at if cosig else None,
            )
        )
    return ScreeningRead(
        id=s.id,
        patient_id=s.patient_id,
        intake_id=s.intake_id,
        policy_version=s.policy_version,
        verdict=s.verdict.value,
        findings=s.findings,
        screened_at=s.screened_at,
        screened_by_user_id=s.screened_by_user_id,
        status=view.status,
        is_current=view.is_current,
        reviews=reviews,
    )


@router.post("/patients/{patient_id}/screenings", response_model=ScreeningRead, status_code=201)
def run_screening(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ScreeningRead:
    """Screen the current intake with the clinic's current policy (staff)."""
    row = screening.screen_patient(session=session, actor=actor, clock=clock, patient_id=patient_id)
    return screening_read(screening.view_of(session, row))


@router.get("/patients/{patient_id}/screenings", response_model=Page[ScreeningRead])
def list_screenings(
    patient_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Page[ScreeningRead]:
    views, total = screening.list_screenings(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[screening_read(v) for v in views],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/screenings/{screening_id}", response_model=ScreeningRead)
def read_screening(
    screening_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ScreeningRead:
    view = screening.get_screening(
        session=session, actor=actor, clock=clock, screening_id=screening_id
    )
    return screening_read(view)


@router.post("/screenings/{screening_id}/reviews", response_model=ScreeningRead, status_code=201)
def review(
    screening_id: int, body: ReviewIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ScreeningRead:
    """A prescriber's decision: accept; clear or decline a needs-review verdict (reason);
    override a not-eligible verdict (reason, then a second prescriber's co-signature)."""
    view = screening_review.review_screening(
        session=session,
        actor=actor,
        clock=clock,
        screening_id=screening_id,
        decision=body.decision,
        reason=body.reason,
    )
    return screening_read(view)


@router.post(
    "/screenings/reviews/{review_id}/cosignature", response_model=ScreeningRead, status_code=201
)
def cosign(
    review_id: int, body: CosignIn, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ScreeningRead:
    """A second prescriber co-signs an override (not the one who overrode)."""
    view = screening_review.cosign_override(
        session=session, actor=actor, clock=clock, review_id=review_id, note=body.note
    )
    return screening_read(view)
