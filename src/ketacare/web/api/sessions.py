"""Sessions API: booking, the day view and free slots, the session flow, vitals and alerts,
scores, adverse events, discharge and the note. Thin: every call is one service function."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from ketacare.db.models import AlertAcknowledgement, PredoseAssessment, TreatmentSession, VitalAlert
from ketacare.domain.monitoring import CadenceStatus
from ketacare.domain.routes import Route
from ketacare.services import (
    session_booking,
    session_day,
    session_discharge,
    session_flow,
    session_read,
    session_slots,
    vitals_ingest,
)
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.sessions import (
    AcknowledgeCreate,
    AdverseEventCreate,
    AdverseEventRead,
    AlertRead,
    CadenceRead,
    ChairDayRead,
    CheckInCreate,
    CriterionRead,
    DischargeCheckRead,
    DischargeCreate,
    DischargeRead,
    DoseRead,
    DosingCreate,
    EventRead,
    FindingRead,
    FreeSlotRead,
    NoShow,
    NoteCreate,
    NoteRead,
    PredoseCheckCreate,
    PredoseDecisionCreate,
    PredoseDecisionRead,
    PredoseRead,
    ReadingRead,
    Reason,
    RecordedReadingRead,
    RoomDayRead,
    ScoreCreate,
    ScoreRead,
    SessionBook,
    SessionDetailRead,
    SessionRead,
    SessionReschedule,
    VitalsCreate,
)

router = APIRouter(prefix="/sessions", tags=["sessions"])
alerts_router = APIRouter(prefix="/alerts", tags=["sessions"])


# --- booking ---------------------------------------------------------------------------------


@router.post("", response_model=SessionRead, status_code=201)
def book(body: SessionBook, session: SessionDep, actor: ApiActor, clock: ClockDep) -> SessionRead:
    row = session_booking.book_session(
        session=session, actor=actor, clock=clock, **body.model_dump()
    )
    return SessionRead.model_validate(row)


@router.get("/day", response_model=list[ChairDayRead])
def day_view(
    day: date, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[ChairDayRead]:
    chairs = session_day.day_view(session=session, actor=actor, clock=clock, day=day)
    return [
        ChairDayRead(
            chair_id=c.chair.id,
            chair_name=c.chair.name,
            sessions=[SessionRead.model_validate(s) for s in c.sessions],
        )
        for c in chairs
    ]


@router.get("/day/rooms", response_model=list[RoomDayRead])
def rooms_view(
    day: date, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[RoomDayRead]:
    rooms = session_day.rooms_view(session=session, actor=actor, clock=clock, day=day)
    return [
        RoomDayRead(
            room_id=r.room.id,
            room_name=r.room.name,
            sessions=[SessionRead.model_validate(s) for s in r.sessions],
        )
        for r in rooms
    ]


@router.get("/free-slots", response_model=list[FreeSlotRead])
def free_slots(
    patient_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    route: Route | None = None,
    course_id: int | None = None,
    after: AwareDatetime | None = None,
    count: Annotated[int, Query(ge=1, le=20)] = 3,
    with_room: bool = False,
    recovery_min: Annotated[int | None, Query(ge=5, le=240)] = None,
) -> list[FreeSlotRead]:
    slots = session_slots.free_slots(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        route=route,
        course_id=course_id,
        after=after,
        count=count,
        with_room=with_room,
        recovery_min=recovery_min,
    )
    return [
        FreeSlotRead(
            start=s.start,
            end=s.end,
            chair_id=s.chair.id,
            chair_name=s.chair.name,
            nurse_user_id=s.nurse.id,
            nurse_name=s.nurse.full_name,
            recovery_room_id=s.room.id if s.room is not None else None,
            recovery_room_name=s.room.name if s.room is not None else None,
            recovery_end=s.recovery_end,
        )
        for s in slots
    ]


@router.get("/overdue", response_model=list[CadenceRead])
def overdue(session: SessionDep, actor: ApiActor, clock: ClockDep) -> list[CadenceRead]:
    lines = vitals_ingest.overdue_report(session=session, actor=actor, clock=clock)
    return [_cadence(line.session.id, line.status) for line in lines]


@router.get("/{session_id}", response_model=SessionDetailRead)
def read(
    session_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SessionDetailRead:
    d = session_read.get_session(session=session, actor=actor, clock=clock, session_id=session_id)
    return SessionDetailRead(
        session=SessionRead.model_validate(d.row),
        events=[EventRead.model_validate(e) for e in d.events],
        predose=[_predose(a) for a in d.assessments],
        decisions=[PredoseDecisionRead.model_validate(x) for x in d.decisions],
        dose=DoseRead.model_validate(d.dose) if d.dose else None,
        readings=[ReadingRead.model_validate(r) for r in d.readings],
        scores=[ScoreRead.model_validate(s) for s in d.scores],
        adverse_events=[AdverseEventRead.model_validate(a) for a in d.adverse_events],
        discharge=DischargeRead.model_validate(d.discharge) if d.discharge else None,
    )


@router.post("/{session_id}/reschedule", response_model=SessionRead)
def reschedule(
    session_id: int,
    body: SessionReschedule,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
) -> SessionRead:
    row = session_booking.reschedule(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return SessionRead.model_validate(row)


@router.post("/{session_id}/cancel", response_model=SessionRead)
def cancel(
    session_id: int, body: Reason, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SessionRead:
    row = session_booking.cancel(
        session=session, actor=actor, clock=clock, session_id=session_id, reason=body.reason
    )
    return SessionRead.model_validate(row)


@router.post("/{session_id}/no-show", response_model=SessionRead)
def no_show(
    session_id: int, body: NoShow, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SessionRead:
    row = session_booking.mark_no_show(
        session=session, actor=actor, clock=clock, session_id=session_id, note=body.note
    )
    return SessionRead.model_validate(row)


# --- flow ------------------------------------------------------------------------------------


@router.post("/{session_id}/check-in", response_model=SessionRead)
def check_in(
    session_id: int, body: CheckInCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SessionRead:
    session_flow.check_in(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return _session(session, session_id)


@router.post("/{session_id}/predose-check", response_model=PredoseRead)
def predose_check(
    session_id: int,
    body: PredoseCheckCreate,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
) -> PredoseRead:
    outcome = session_flow.predose_check(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        crisis_symptoms=body.crisis_symptoms,
    )
    return _predose(outcome.assessment)


@router.post("/{session_id}/predose-decision", response_model=PredoseDecisionRead)
def predose_decision(
    session_id: int,
    body: PredoseDecisionCreate,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
) -> PredoseDecisionRead:
    decision = session_flow.decide_hold(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        release=body.release,
        reason=body.reason,
    )
    return PredoseDecisionRead.model_validate(decision)


@router.post("/{session_id}/dosing", response_model=DoseRead, status_code=201)
def start_dosing(
    session_id: int, body: DosingCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> DoseRead:
    dose = session_flow.start_dosing(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return DoseRead.model_validate(dose)


@router.post("/{session_id}/dosing/end", response_model=SessionRead)
def end_dosing(
    session_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SessionRead:
    row = session_flow.end_dosing(session=session, actor=actor, clock=clock, session_id=session_id)
    return SessionRead.model_validate(row)


@router.post("/{session_id}/recovery", response_model=SessionRead)
def recovery(session_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep) -> SessionRead:
    row = session_flow.begin_recovery(
        session=session, actor=actor, clock=clock, session_id=session_id
    )
    return SessionRead.model_validate(row)


@router.post("/{session_id}/stop", response_model=SessionRead)
def stop(
    session_id: int, body: Reason, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> SessionRead:
    row = session_flow.stop_session(
        session=session, actor=actor, clock=clock, session_id=session_id, reason=body.reason
    )
    return SessionRead.model_validate(row)


# --- vitals and alerts -----------------------------------------------------------------------


@router.post("/{session_id}/vitals", response_model=RecordedReadingRead, status_code=201)
def record_vitals(
    session_id: int, body: VitalsCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> RecordedReadingRead:
    recorded = vitals_ingest.record_vitals(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return RecordedReadingRead(
        reading=ReadingRead.model_validate(recorded.reading),
        alerts=[_alert(a) for a in recorded.alerts],
        duplicate=recorded.duplicate,
    )


@router.get("/{session_id}/vitals", response_model=list[ReadingRead])
def list_vitals(
    session_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[ReadingRead]:
    rows = vitals_ingest.list_readings(
        session=session, actor=actor, clock=clock, session_id=session_id
    )
    return [ReadingRead.model_validate(r) for r in rows]


@router.get("/{session_id}/cadence", response_model=CadenceRead)
def cadence(session_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep) -> CadenceRead:
    status = vitals_ingest.cadence(session=session, actor=actor, clock=clock, session_id=session_id)
    return _cadence(session_id, status)


@router.get("/{session_id}/alerts", response_model=list[AlertRead])
def list_alerts(
    session_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> list[AlertRead]:
    views = vitals_ingest.list_alerts(
        session=session, actor=actor, clock=clock, session_id=session_id, only_open=open_only
    )
    return [_alert(v.alert, v.acknowledgement) for v in views]


@alerts_router.post("/{alert_id}/acknowledge", response_model=AlertRead)
def acknowledge(
    alert_id: int, body: AcknowledgeCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> AlertRead:
    ack = vitals_ingest.acknowledge_alert(
        session=session, actor=actor, clock=clock, alert_id=alert_id, note=body.note
    )
    alert = session.get(VitalAlert, alert_id)
    assert alert is not None
    return _alert(alert, ack)


# --- scores, adverse events, discharge, note ---------------------------------------------------


@router.post("/{session_id}/scores", response_model=ScoreRead, status_code=201)
def record_score(
    session_id: int, body: ScoreCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ScoreRead:
    recorded = session_discharge.record_score(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return ScoreRead.model_validate(recorded.score)


@router.post("/{session_id}/adverse-events", response_model=AdverseEventRead, status_code=201)
def adverse_event(
    session_id: int,
    body: AdverseEventCreate,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
) -> AdverseEventRead:
    row = session_discharge.record_adverse_event(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return AdverseEventRead.model_validate(row)


@router.get("/{session_id}/discharge-check", response_model=DischargeCheckRead)
def discharge_check(
    session_id: int,
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    escort_present: bool = True,
) -> DischargeCheckRead:
    result = session_discharge.discharge_check(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        escort_present=escort_present,
    )
    return DischargeCheckRead(
        allowed=result.allowed,
        ready_at_earliest=result.ready_at_earliest,
        criteria=[
            CriterionRead(name=c.name, passed=c.passed, finding=FindingRead.of(c.finding))
            for c in result.criteria
        ],
        instructions=list(result.instructions),
    )


@router.post("/{session_id}/discharge", response_model=DischargeRead, status_code=201)
def discharge(
    session_id: int, body: DischargeCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> DischargeRead:
    done = session_discharge.discharge(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return DischargeRead.model_validate(done)


@router.get("/{session_id}/notes", response_model=list[NoteRead])
def notes(session_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep) -> list[NoteRead]:
    rows = session_discharge.notes(session=session, actor=actor, clock=clock, session_id=session_id)
    return [NoteRead.model_validate(n) for n in rows]


@router.post("/{session_id}/notes", response_model=NoteRead, status_code=201)
def save_note(
    session_id: int, body: NoteCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> NoteRead:
    note = session_discharge.save_note(
        session=session, actor=actor, clock=clock, session_id=session_id, **body.model_dump()
    )
    return NoteRead.model_validate(note)


# --- mapping ---------------------------------------------------------------------------------


def _session(session: SessionDep, session_id: int) -> SessionRead:
    return SessionRead.model_validate(session.get(TreatmentSession, session_id))


def _predose(assessment: PredoseAssessment) -> PredoseRead:
    return PredoseRead(
        assessment_id=assessment.id,
        outcome=assessment.outcome,
        findings=[FindingRead.model_validate(f) for f in assessment.findings],
    )


def _alert(alert: VitalAlert, done: AlertAcknowledgement | None = None) -> AlertRead:
    return AlertRead(
        id=alert.id,
        session_id=alert.session_id,
        reading_id=alert.reading_id,
        rule_id=alert.rule_id,
        level=alert.level.value,
        message=alert.message,
        raised_at=alert.raised_at,
        acknowledged_at=done.at if done else None,
        acknowledged_by_user_id=done.user_id if done else None,
        acknowledgement_note=done.note if done else None,
    )


def _cadence(session_id: int, status: CadenceStatus) -> CadenceRead:
    return CadenceRead(
        session_id=session_id,
        next_due_at=status.next_due_at,
        overdue=status.overdue,
        overdue_by_min=status.overdue_by_min,
        findings=[FindingRead.of(f) for f in status.findings],
    )
