"""API sign-in: exchange email and password for a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ketacare.services import auth
from ketacare.web.deps import ApiActor, ClockDep, SessionDep, SettingsDep
from ketacare.web.schemas.auth import Me, TokenRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse)
def create_token(
    body: TokenRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> TokenResponse:
    client = request.client.host if request.client else ""
    user = auth.sign_in(
        session=session,
        settings=settings,
        clock=clock,
        email=body.email,
        password=body.password,
        client=client,
    )
    token = auth.issue_api_token(session=session, settings=settings, clock=clock, user=user)
    return TokenResponse(access_token=token, expires_in_s=settings.api_token_ttl_h * 3600)


@router.get("/me", response_model=Me)
def me(actor: ApiActor) -> Me:
    return Me(
        user_id=actor.user_id,
        clinic_id=actor.clinic_id,
        role=actor.role,
        email=actor.label,
        patient_id=actor.patient_id,
    )
