"""The audit trail is append-only, on every database we run on."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent
from ketacare.db.models.audit import AuditOutcome
from ketacare.services import audit
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock


def _one_event(db: Session, clock: FixedClock) -> None:
    audit.record(
        session=db, actor=Actor.system("test"), clock=clock, action="patient.read", patient_id=1
    )
    db.flush()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'tampered'",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_audit_row(
    db: Session, connection: Connection, clock: FixedClock, statement: str
) -> None:
    _one_event(db, clock)
    with pytest.raises(DatabaseError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement))
    assert db.scalar(select(AuditEvent.action)) == "patient.read"


def test_a_denied_attempt_survives_the_rollback_of_its_request(
    session_factory, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    from ketacare.db.uow import unit_of_work
    from ketacare.domain.errors import NotFound

    with pytest.raises(NotFound), unit_of_work(session_factory) as session:
        audit.record(
            session=session,
            actor=Actor.system("test"),
            clock=clock,
            action="patient.read",
            patient_id=99,
            outcome=AuditOutcome.DENIED,
        )
        raise NotFound("patient 99 was not found")
    with session_factory() as session:
        rows = session.scalars(select(AuditEvent)).all()
    assert [(r.action, r.outcome, r.patient_id) for r in rows] == [
        ("patient.read", AuditOutcome.DENIED, 99)
    ]
