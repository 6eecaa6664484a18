"""Patient account invitations: a one-time link with which the patient sets their password.

The link's token is shown once; only its SHA-256 is stored. It expires after
`INVITATION_TTL_DAYS` and works once. Inviting again replaces nothing: it issues a new link
(earlier unused links stay valid until they expire or the account has a password).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Patient, PatientInvitation, Role, User
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.passwords import hash_password

INVITATION_TTL_DAYS = 7
INVITERS = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})


@dataclass(frozen=True)
class IssuedInvitation:
    token: str  # shown once; never stored
    expires_at: datetime
    email: str
    patient_id: int

    @property
    def path(self) -> str:
        return f"/invite/{self.token}"


def invite_patient(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> IssuedInvitation:
    """Create the patient's account (without a password) if needed and issue a link."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="patient.invite",
        roles=INVITERS,
    )
    if not patient.email:
        raise InvalidInput("the patient has no email address to invite", field="email")
    user = session.scalar(select(User).where(User.patient_id == patient.id))
    if user is None:
        user = _new_account(session, clock, patient)
    elif user.password_hash:
        raise Conflict("the patient has already set a password for their account", field="email")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    invitation = PatientInvitation(
        patient_id=patient.id,
        user_id=user.id,
        token_sha256=_digest(token),
        created_by_user_id=actor.user_id,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_TTL_DAYS),
        used_at=None,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.invite",
        patient_id=patient.id,
        object_type="patient_invitation",
        object_id=invitation.id,
    )
    return IssuedInvitation(token, invitation.expires_at, user.email, patient.id)


def _new_account(session: Session, clock: Clock, patient: Patient) -> User:
    taken = session.scalar(select(User).where(func.lower(User.email) == patient.email.lower()))
    if taken is not None:
        raise Conflict(f"an account for {patient.email} exists already", field="email")
    user = User(
        clinic_id=patient.clinic_id,
        email=patient.email.lower(),
        full_name=patient.display_name,
        role=Role.PATIENT,
        patient_id=patient.id,
        password_hash=None,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def open_invitation(*, session: Session, clock: Clock, token: str) -> PatientInvitation:
    """The unused, unexpired invitation for a token; NotFound (one message) otherwise."""
    row = session.scalar(
        select(PatientInvitation).where(PatientInvitation.token_sha256 == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise NotFound(
            "this invitation link is unknown, used or expired; ask the clinic for a new one"
        )
    return row


def accept_invitation(*, session: Session, clock: Clock, token: str, password: str) -> User:
    """Set the account's password through the link; the link then stops working."""
    invitation = open_invitation(session=session, clock=clock, token=token)
    user = session.get(User, invitation.user_id)
    if user is None or not user.active:
        raise NotFound(
            "this invitation link is unknown, used or expired; ask the clinic for a new one"
        )
    user.password_hash = hash_password(password)
    invitation.used_at = clock.now()
    session.flush()
    audit.record(
        session=session,
        actor=Actor.for_user(user),
        clock=clock,
        action="patient.invitation.accept",
        patient_id=invitation.patient_id,
        object_type="patient_invitation",
        object_id=invitation.id,
    )
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
