"""The job kinds of check-ins: the hourly planning run, check-in emails, reminders.

Each handler runs inside `jobs.prepare` (under the job's lease and row lock) and either finishes
the job there (plan runs, skips) or returns the email to send. A message is only sent when it is
still wanted at send time: a check-in already answered, a session cancelled or moved, or a
before-session message whose session has begun is skipped with the reason recorded on the job.

The patient's check-in preferences are re-checked at send time (they may have changed since the
job was enqueued): opted out → a check-in email is skipped (an unsent invitation's check-in is
cancelled); outside their sending window → the job is postponed to the window's next opening.
Session reminders are sent whatever the preferences.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    CheckIn,
    CheckInStatus,
    Clinic,
    Job,
    Patient,
    TreatmentSession,
)
from ketacare.domain.check_ins import PlannedKind, send_time, session_reminder_points
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import jobs
from ketacare.services.actors import Actor
from ketacare.services.check_in_links import issue_link
from ketacare.services.check_in_preferences import OPTED_OUT, preferences_for, zone_of
from ketacare.services.check_ins import (
    CHECK_IN_JOB,
    CHECK_IN_REMINDER_JOB,
    PLAN_JOB,
    SESSION_REMINDER_JOB,
    patients_to_plan,
    plan_for,
    schedule_check_ins,
)
from ketacare.services.clock import Clock
from ketacare.services.jobs import JobContext, Prepared
from ketacare.services.policy import current_policy

PLAN_EVERY = timedelta(hours=1)
INSTRUMENT_NAMES = {"gad7": "GAD-7", "phq9": "PHQ-9", "pcl5": "PCL-5"}


def ensure_plan_jobs(*, session: Session, clock: Clock) -> list[Job]:
    """Enqueue the current hour's planning run of every clinic (idempotent; the worker calls
    this at start, and each run enqueues the next)."""
    now = clock.now()
    made = [
        _enqueue_plan(session, clock, clinic_id, now)
        for clinic_id in session.scalars(select(Clinic.id).order_by(Clinic.id))
    ]
    return [j for j in made if j is not None]


def _enqueue_plan(session: Session, clock: Clock, clinic_id: int, at: datetime) -> Job | None:
    hour = at.replace(minute=0, second=0, microsecond=0)
    return jobs.enqueue(
        session=session,
        clock=clock,
        kind=PLAN_JOB,
        key=f"plan:{clinic_id}:{hour.strftime('%Y-%m-%dT%H')}",
        due_at=hour,
        payload={"clinic_id": clinic_id},
        clinic_id=clinic_id,
    )


@jobs.handler(PLAN_JOB)
def run_plan(session: Session, job: Job, context: JobContext) -> Prepared:
    """Schedule every patient of the clinic, then enqueue the next run."""
    clinic_id = int(job.payload["clinic_id"])
    actor = Actor.system("check-in planner", clinic_id)
    now = context.clock.now()
    added = 0
    for patient_id in patients_to_plan(session=session, clinic_id=clinic_id, now=now):
        scheduled = schedule_check_ins(
            session=session, actor=actor, clock=context.clock, patient_id=patient_id
        )
        added += len(scheduled.jobs)
    _enqueue_plan(session, context.clock, clinic_id, max(now, job.due_at) + PLAN_EVERY)
    return Prepared(f"planned: {added} job(s) added")


def _still_planned(session: Session, row: CheckIn | None, job: Job, key: str, now: datetime) -> str:
    """Why a planned message is no longer wanted ('' when it still is)."""
    patient_id = int(job.payload["patient_id"])
    patient = session.get(Patient, patient_id)
    if patient is None:
        return "the patient no longer exists"
    if row is not None and row.kind is PlannedKind.ON_REQUEST:
        return ""
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    due = row.due_at if row is not None else job.due_at
    planned = plan_for(
        session=session,
        patient=patient,
        policy=policy.check_ins,
        window_start=due,
        window_end=due + timedelta(minutes=1),
    )
    if key not in {p.key for p in planned}:
        return "no longer in the plan (a session was moved or cancelled, or the plan changed)"
    session_id = row.session_id if row is not None else job.payload.get("session_id")
    visit = session.get(TreatmentSession, session_id) if session_id else None
    kind = row.kind if row is not None else PlannedKind.SESSION_REMINDER
    if kind is PlannedKind.AFTER_SESSION and (visit is None or visit.dose_start_at is None):
        return "the session did not take place"
    if kind in (PlannedKind.BEFORE_SESSION, PlannedKind.SESSION_REMINDER) and (
        visit is None or visit.status is not SessionStatus.SCHEDULED or visit.scheduled_start <= now
    ):
        return "the session has begun, moved or been cancelled"
    return ""


def _check_in_email(session: Session, job: Job, context: JobContext, *, reminder: bool) -> Prepared:
    row = session.get(CheckIn, int(job.payload["check_in_id"]))
    if row is None or row.status is not CheckInStatus.PENDING:
        return Prepared("skipped: the check-in was already answered or closed", skipped=True)
    now = context.clock.now()
    when = send_time(
        row.kind, now, preferences_for(session, row.patient_id), zone_of(session, row.clinic_id)
    )
    if when is None:
        if not reminder:  # the invitation never went out: no link exists, close the check-in
            row.status = CheckInStatus.CANCELLED
        return Prepared(f"skipped: {OPTED_OUT}", skipped=True)
    if when > now:
        return Prepared(
            f"held until the patient's sending window opens ({when.isoformat()})",
            postpone_until=when,
        )
    why_not = _still_planned(session, row, job, row.key, context.clock.now())
    if why_not:
        row.status = CheckInStatus.CANCELLED
        return Prepared(f"skipped: {why_not}", skipped=True)
    patient = session.get(Patient, row.patient_id)
    clinic = session.get(Clinic, row.clinic_id)
    assert patient is not None and clinic is not None
    if not patient.email:
        return Prepared("skipped: the patient has no email address", skipped=True)
    token, link = issue_link(
        session=session,
        clock=context.clock,
        check_in=row,
        purpose="reminder" if reminder else "invite",
        job_id=job.id,
    )
    url = f"{context.public_base_url.rstrip('/')}/c/{token}"
    names = " and ".join(INSTRUMENT_NAMES.get(c, c) for c in row.instruments)
    until = _local(link.expires_at, clinic).strftime("%A %d %B at %H:%M")
    opening = (
        "A reminder: we have not yet received your check-in."
        if reminder
        else "It is time for your check-in between sessions."
    )
    body = (
        f"Hello {patient.given_name},\n\n{opening} It takes about two minutes "
        f"({names}) and helps {clinic.name} time your care by how you are doing.\n\n"
        f"Answer here: {url}\n\n"
        f"The link is personal, works once, and works until {until} ({clinic.timezone}).\n"
        "If you are in crisis, do not wait for this check-in: call or text 988 (US) or your "
        "local emergency number.\n\n"
        "To stop check-in emails or choose the hours they arrive, sign in to your page "
        f"({context.public_base_url.rstrip('/')}/my) or ask the clinic.\n\n"
        f"— {clinic.name}\n"
    )
    subject = "Reminder: your check-in" if reminder else "Your check-in between sessions"
    message = _message(patient.email, f"{subject} — {clinic.name}", body)
    return Prepared(f"check-in link (link {link.id}) to {patient.email}", message=message)


@jobs.handler(CHECK_IN_JOB)
def send_check_in(session: Session, job: Job, context: JobContext) -> Prepared:
    return _check_in_email(session, job, context, reminder=False)


@jobs.handler(CHECK_IN_REMINDER_JOB)
def send_check_in_reminder(session: Session, job: Job, context: JobContext) -> Prepared:
    return _check_in_email(session, job, context, reminder=True)


@jobs.handler(SESSION_REMINDER_JOB)
def send_session_reminder(session: Session, job: Job, context: JobContext) -> Prepared:
    why_not = _still_planned(session, None, job, job.idempotency_key, context.clock.now())
    if why_not:
        return Prepared(f"skipped: {why_not}", skipped=True)
    visit = session.get(TreatmentSession, int(job.payload["session_id"]))
    assert visit is not None
    patient = session.get(Patient, visit.patient_id)
    clinic = session.get(Clinic, visit.clinic_id)
    assert patient is not None and clinic is not None
    if not patient.email:
        return Prepared("skipped: the patient has no email address", skipped=True)
    policy, _ = current_policy(session=session, clinic_id=clinic.id)
    esketamine = visit.route is Route.ESKETAMINE_NASAL
    vitals = policy.vitals
    points = session_reminder_points(
        esketamine=esketamine,
        fast_food_h=vitals.esketamine_fast_food_h if esketamine else vitals.racemic_fast_food_h,
        fast_liquids_min=(
            vitals.esketamine_fast_liquids_min if esketamine else vitals.racemic_fast_liquids_min
        ),
    )
    when = _local(visit.scheduled_start, clinic).strftime("%A %d %B at %H:%M")
    bullet_list = "\n".join(f"- {p}" for p in points)
    body = (
        f"Hello {patient.given_name},\n\nThis is a reminder of your session at {clinic.name} on "
        f"{when} ({clinic.timezone}).\n\nBefore you come:\n{bullet_list}\n\n"
        "If you cannot come, please call the clinic"
        f"{' on ' + clinic.phone if clinic.phone else ''}.\n\n— {clinic.name}\n"
    )
    message = _message(patient.email, f"Reminder: your session on {when} — {clinic.name}", body)
    return Prepared(f"session reminder to {patient.email}", message=message)


def _message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _local(moment: datetime, clinic: Clinic) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(clinic.timezone))
    except (KeyError, ValueError):
        return moment
