"""Clinical records of the course are append-only; invitations set a password once."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ketacare.domain.errors import NotFound
from ketacare.services import auth, intake, invitations, patients
from ketacare.services.clock import FixedClock


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE intakes SET amendment_reason = 'tampered'",
        "DELETE FROM intakes",
        "UPDATE body_measurements SET weight_kg = 1",
        "DELETE FROM body_measurements",
    ],
)
def test_the_database_refuses_to_change_an_intake_or_a_measurement(
    db: Session, connection: Connection, cast, clock: FixedClock, statement: str
) -> None:  # type: ignore[no-untyped-def]
    actor = cast.actor(cast.nurse_a)
    patients.record_measurement(
        session=db, actor=actor, clock=clock, patient_id=cast.patient_a.id, weight_kg=64
    )
    intake.record_intake(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        data={"diagnoses": ["gad"], "gad7": [1] * 7, "phq9": [0] * 9},
    )
    with pytest.raises(DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement))


def test_an_invited_patient_sets_a_password_once_and_can_then_sign_in(
    db: Session, cast, clock: FixedClock, settings
) -> None:  # type: ignore[no-untyped-def]
    issued = invitations.invite_patient(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.other_patient_a.id
    )
    assert issued.path == f"/invite/{issued.token}"
    invitations.accept_invitation(
        session=db, clock=clock, token=issued.token, password="a-long-new-password"
    )
    user = auth.sign_in(
        session=db,
        settings=settings,
        clock=clock,
        email=issued.email,
        password="a-long-new-password",
    )
    assert user.patient_id == cast.other_patient_a.id
    with pytest.raises(NotFound, match="unknown, used or expired"):
        invitations.accept_invitation(
            session=db, clock=clock, token=issued.token, password="another-password"
        )


def test_an_invitation_expires_after_seven_days(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    issued = invitations.invite_patient(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.other_patient_a.id
    )
    clock.advance(days=7)
    with pytest.raises(NotFound):
        invitations.open_invitation(session=db, clock=clock, token=issued.token)
