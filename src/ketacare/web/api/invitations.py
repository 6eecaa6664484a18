"""Accepting a patient account invitation (no sign-in: the one-time token is the credential)."""

from __future__ import annotations

from fastapi import APIRouter

from ketacare.services import invitations
from ketacare.web.deps import ClockDep, SessionDep
from ketacare.web.schemas.auth import Me
from ketacare.web.schemas.patients import InvitationAccept

router = APIRouter(prefix="/invitations", tags=["patients"])


@router.post("/{token}/accept", response_model=Me)
def accept_invitation(
    token: str, body: InvitationAccept, session: SessionDep, clock: ClockDep
) -> Me:
    """Set the account's password; the link then stops working. Sign in with POST /auth/token."""
    user = invitations.accept_invitation(
        session=session, clock=clock, token=token, password=body.password
    )
    return Me(
        user_id=user.id,
        clinic_id=user.clinic_id,
        role=user.role,
        email=user.email,
        patient_id=user.patient_id,
    )
