"""Check-ins between sessions: plan them, request one, list them.

`schedule_check_ins` is idempotent: it recomputes the patient's plan with the core
(`domain.check_ins.plan_messages`) over a window around now and adds only what is missing —
check-in rows (unique by the planner's key) and their jobs (unique by idempotency key): the
invitation email, one reminder, and the day-before session reminders. The periodic "plan" job
(`check_in_jobs.py`) calls it for every patient with a course or a recent booking, so booking a
session or ending the loading series needs no hook into other services.

The patient's check-in preferences (`check_in_preferences.py`) steer it: while they are opted
out, planned check-ins are recorded as cancelled and get no email (session reminders still go
out); inside a sending window, each check-in email's job is due at the window's next opening.

Links and answers are in `check_in_links.py`; the jobs' handlers and emails in
`check_in_jobs.py`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ketacare.db.models import (
    CheckIn,
    CheckInStatus,
    Intake,
    Job,
    Patient,
    Role,
    SymptomScore,
    TreatmentCourse,
    TreatmentPlan,
    TreatmentSession,
)
from ketacare.db.models.course import PlanStatus
from ketacare.domain.check_ins import (
    CheckInPolicy,
    CheckInPreferences,
    CoursePhase,
    Planned,
    PlannedKind,
    SessionSlot,
    instruments_for,
    plan_messages,
    reminder_due_at,
    send_time,
)
from ketacare.domain.errors import Conflict, InvalidInput
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import access, audit, jobs
from ketacare.services.actors import Actor
from ketacare.services.check_in_preferences import (
    OPTED_OUT,
    invite_key,
    preferences_for,
    reminder_key,
    zone_of,
)
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy

STAFF = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})
# The planner looks this far back (a planning run that was missed still sends what fell due)…
PLAN_CATCH_UP = timedelta(hours=24)
# …and this far ahead (the plan job runs every hour, so a day ahead leaves ample overlap).
PLAN_HORIZON = timedelta(hours=26)
# Sessions older than this cannot produce a message inside the planning window.
SESSION_LOOKBACK = timedelta(days=10)

CHECK_IN_JOB = "check_in"
CHECK_IN_REMINDER_JOB = "check_in_reminder"
SESSION_REMINDER_JOB = "session_reminder"
PLAN_JOB = "plan"


@dataclass(frozen=True)
class Scheduled:
    """What one `schedule_check_ins` run added (empty lists when everything existed)."""

    check_ins: list[CheckIn]
    jobs: list[Job]


def schedule_check_ins(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    now: datetime | None = None,
) -> Scheduled:
    """Add the check-ins and reminders due around `now` (default: the clock) that are missing."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="check_ins.schedule",
        roles=STAFF,
    )
    at = now or clock.now()
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    planned = plan_for(
        session=session,
        patient=patient,
        policy=policy.check_ins,
        window_start=at - PLAN_CATCH_UP,
        window_end=at + PLAN_HORIZON,
    )
    prefs = preferences_for(session, patient.id)
    zone = zone_of(session, patient.clinic_id)
    added_check_ins: list[CheckIn] = []
    added_jobs: list[Job] = []
    for item in planned:
        if item.is_check_in:
            row, created = _check_in_for(session, clock, patient, item, prefs)
            if created:
                added_check_ins.append(row)
            if row.status is CheckInStatus.PENDING:
                added_jobs += _check_in_jobs(session, clock, row, policy.check_ins, prefs, zone)
        else:
            job = jobs.enqueue(
                session=session,
                clock=clock,
                kind=SESSION_REMINDER_JOB,
                key=item.key,
                due_at=item.due_at,
                payload={"session_id": item.session_id, "patient_id": patient.id},
                clinic_id=patient.clinic_id,
            )
            added_jobs += [job] if job else []
    if added_check_ins or added_jobs:
        audit.record(
            session=session,
            actor=actor,
            clock=clock,
            action="check_ins.schedule",
            patient_id=patient.id,
            object_type="check_in",
            detail={
                "check_ins": [c.key for c in added_check_ins],
                "jobs": [j.idempotency_key for j in added_jobs],
            },
        )
    return Scheduled(added_check_ins, added_jobs)


def plan_for(
    *,
    session: Session,
    patient: Patient,
    policy: CheckInPolicy,
    window_start: datetime,
    window_end: datetime,
) -> list[Planned]:
    """The core's plan for this patient's sessions and courses over the window."""
    rows = session.scalars(
        select(TreatmentSession).where(
            TreatmentSession.patient_id == patient.id,
            TreatmentSession.scheduled_start >= window_start - SESSION_LOOKBACK,
        )
    )
    slots = [_slot(r) for r in rows]
    courses = session.scalars(
        select(TreatmentCourse).where(TreatmentCourse.patient_id == patient.id)
    )
    phases = [_phase(session, c.id) for c in courses]
    return plan_messages(
        sessions=slots,
        courses=phases,
        window_start=window_start,
        window_end=window_end,
        policy=policy,
    )


def _slot(row: TreatmentSession) -> SessionSlot:
    happened: bool | None = None
    if row.dose_start_at is not None:
        happened = True
    elif row.status in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW, SessionStatus.STOPPED):
        happened = False
    return SessionSlot(row.id, row.scheduled_start, row.scheduled_end, happened)


def _phase(session: Session, course_id: int) -> CoursePhase:
    """When loading ended (the first plan version past loading/extension) and the latest run of
    maintenance versions began and ended."""
    versions = session.scalars(
        select(TreatmentPlan)
        .where(TreatmentPlan.course_id == course_id)
        .order_by(TreatmentPlan.version)
    )
    loading_done: datetime | None = None
    since: datetime | None = None
    until: datetime | None = None
    for v in versions:
        in_loading = v.status in (PlanStatus.LOADING, PlanStatus.EXTENSION)
        if not in_loading and loading_done is None:
            loading_done = v.created_at
        if v.status is PlanStatus.MAINTENANCE:
            if since is None or until is not None:
                since, until = v.created_at, None
        elif since is not None and until is None:
            until = v.created_at
    return CoursePhase(course_id, loading_done, since, until)


def ptsd_relevant(session: Session, patient_id: int) -> bool:
    """PTSD matters for this patient: diagnosed or suspected at intake, or a PCL-5 on record."""
    intake = session.scalar(
        select(Intake)
        .where(Intake.patient_id == patient_id)
        .order_by(Intake.version.desc())
        .limit(1)
    )
    if intake is not None:
        data = intake.data or {}
        if data.get("ptsd_suspected") or "ptsd" in (data.get("diagnoses") or []):
            return True
    pcl5 = select(SymptomScore.id).where(
        SymptomScore.patient_id == patient_id, SymptomScore.instrument == "pcl5"
    )
    return session.scalar(pcl5.limit(1)) is not None


def _check_in_for(
    session: Session, clock: Clock, patient: Patient, item: Planned, prefs: CheckInPreferences
) -> tuple[CheckIn, bool]:
    """The planned check-in's row, added when missing. While the patient is opted out it is
    added already cancelled (staff see what was not asked; opting back in does not send it)."""
    found = session.scalar(select(CheckIn).where(CheckIn.key == item.key))
    if found is not None:
        return found, False
    row = _new_check_in(session, clock, patient, item.kind, item.key, item.due_at)
    row.session_id, row.course_id, row.reason = (
        item.session_id,
        item.course_id,
        item.finding.message,
    )
    if prefs.opted_out:
        row.status = CheckInStatus.CANCELLED
        row.reason = f"{row.reason} — not sent: {OPTED_OUT}"
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another planner added the same key first
        existing = session.scalar(select(CheckIn).where(CheckIn.key == item.key))
        assert existing is not None
        return existing, False
    return row, True


def _new_check_in(
    session: Session,
    clock: Clock,
    patient: Patient,
    kind: PlannedKind,
    key: str,
    due_at: datetime,
) -> CheckIn:
    instruments = instruments_for(ptsd_relevant=ptsd_relevant(session, patient.id))
    return CheckIn(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        kind=kind,
        key=key,
        instruments=list(instruments),
        due_at=due_at,
        status=CheckInStatus.PENDING,
        created_at=clock.now(),
        urgent=False,
    )


def _check_in_jobs(
    session: Session,
    clock: Clock,
    row: CheckIn,
    policy: CheckInPolicy,
    prefs: CheckInPreferences,
    zone: tzinfo,
) -> list[Job]:
    """The invitation and reminder jobs, each due at its planned time moved into the patient's
    sending window (none at all while they are opted out)."""
    payload = {"check_in_id": row.id, "patient_id": row.patient_id}
    made = []
    for kind, key, planned in (
        (CHECK_IN_JOB, invite_key(row.key), row.due_at),
        (CHECK_IN_REMINDER_JOB, reminder_key(row.key), reminder_due_at(row.due_at, policy)),
    ):
        due = send_time(row.kind, planned, prefs, zone)
        if due is None:
            continue
        made.append(
            jobs.enqueue(
                session=session,
                clock=clock,
                kind=kind,
                key=key,
                due_at=due,
                payload=payload,
                clinic_id=row.clinic_id,
            )
        )
    return [j for j in made if j is not None]


def request_check_in(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    due_at: datetime | None = None,
) -> CheckIn:
    """Staff ask the patient for a check-in now (or at `due_at`): emailed by the worker, with
    one reminder if unanswered."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="check_ins.request",
        roles=STAFF,
    )
    now = clock.now()
    when = due_at or now
    if when < now - timedelta(minutes=1):
        raise InvalidInput("a check-in cannot be requested in the past", field="due_at")
    if not patient.email:
        raise InvalidInput("the patient has no email address for check-ins", field="email")
    prefs = preferences_for(session, patient.id)
    if prefs.opted_out:
        raise Conflict(
            "the patient has opted out of check-in emails (see their check-in preferences on "
            "the chart); ask for the scores at the next contact instead",
            field="opted_out",
        )
    key = f"on-request:{patient.id}:{secrets.token_hex(6)}"
    row = _new_check_in(session, clock, patient, PlannedKind.ON_REQUEST, key, when)
    row.reason = f"requested by {actor.label}"
    session.add(row)
    session.flush()
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    _check_in_jobs(
        session, clock, row, policy.check_ins, prefs, zone_of(session, patient.clinic_id)
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="check_ins.request",
        patient_id=patient.id,
        object_type="check_in",
        object_id=row.id,
        detail={"due_at": when.isoformat(), "instruments": row.instruments},
    )
    return row


def list_check_ins(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int, limit: int = 100
) -> list[CheckIn]:
    """The patient's check-ins, newest due first (staff of the clinic, or the patient)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="check_ins.read",
        roles=STAFF | {Role.PATIENT},
    )
    rows = list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.patient_id == patient.id)
            .order_by(CheckIn.due_at.desc(), CheckIn.id.desc())
            .limit(limit)
        )
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="check_ins.read",
        patient_id=patient.id,
        object_type="check_in",
        detail={"count": len(rows)},
    )
    return rows


def patients_to_plan(*, session: Session, clinic_id: int, now: datetime) -> list[int]:
    """Patients of a clinic whose plan can hold a message: a course, or a recent booking."""
    with_course = (
        select(TreatmentCourse.patient_id)
        .join(Patient, Patient.id == TreatmentCourse.patient_id)
        .where(Patient.clinic_id == clinic_id)
    )
    booked = select(TreatmentSession.patient_id).where(
        TreatmentSession.clinic_id == clinic_id,
        TreatmentSession.scheduled_start >= now - SESSION_LOOKBACK,
    )
    ids = session.scalars(
        select(Patient.id)
        .where(Patient.clinic_id == clinic_id)
        .where(or_(Patient.id.in_(with_course), Patient.id.in_(booked)))
        .order_by(Patient.id)
    )
    return list(ids)
