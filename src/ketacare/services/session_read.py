"""Reading a session whole: the booking, its history and everything documented in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    AdverseEvent,
    DoseAdministration,
    PredoseAssessment,
    PredoseDecision,
    SessionCheckIn,
    SessionDischarge,
    SessionEvent,
    SessionScore,
    TreatmentSession,
    VitalReadingRow,
)
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_common import load_session, record
from ketacare.services.vitals_ingest import readings_of


@dataclass(frozen=True)
class SessionDetail:
    row: TreatmentSession
    events: Sequence[SessionEvent]
    checkins: Sequence[SessionCheckIn]
    assessments: Sequence[PredoseAssessment]
    decisions: Sequence[PredoseDecision]
    dose: DoseAdministration | None
    readings: Sequence[VitalReadingRow]
    scores: Sequence[SessionScore]
    adverse_events: Sequence[AdverseEvent]
    discharge: SessionDischarge | None


def get_session(*, session: Session, actor: Actor, clock: Clock, session_id: int) -> SessionDetail:
    """Everything about one session (staff of its clinic; the read is audited)."""
    loaded = load_session(
        session=session, actor=actor, clock=clock, session_id=session_id, action="session.read"
    )
    sid = loaded.row.id
    detail = SessionDetail(
        row=loaded.row,
        events=session.scalars(
            select(SessionEvent).where(SessionEvent.session_id == sid).order_by(SessionEvent.id)
        ).all(),
        checkins=session.scalars(
            select(SessionCheckIn)
            .where(SessionCheckIn.session_id == sid)
            .order_by(SessionCheckIn.id)
        ).all(),
        assessments=session.scalars(
            select(PredoseAssessment)
            .where(PredoseAssessment.session_id == sid)
            .order_by(PredoseAssessment.id)
        ).all(),
        decisions=session.scalars(
            select(PredoseDecision)
            .where(PredoseDecision.session_id == sid)
            .order_by(PredoseDecision.id)
        ).all(),
        dose=session.scalar(select(DoseAdministration).where(DoseAdministration.session_id == sid)),
        readings=readings_of(session, sid),
        scores=session.scalars(
            select(SessionScore).where(SessionScore.session_id == sid).order_by(SessionScore.id)
        ).all(),
        adverse_events=session.scalars(
            select(AdverseEvent).where(AdverseEvent.session_id == sid).order_by(AdverseEvent.id)
        ).all(),
        discharge=session.scalar(
            select(SessionDischarge).where(SessionDischarge.session_id == sid)
        ),
    )
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="session.read")
    return detail
