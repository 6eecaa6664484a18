"""A patient's check-in email preferences: read them, set them, and apply them to the queue.

Preferences are versioned (`check_in_preferences`, append-only): every change is a new row with
who, when and why; the newest row is current; no row means the defaults (emails on, any time).
Staff of the patient's clinic and the patient themselves may read and set them; everyone else
gets NotFound (another clinic's patient, another patient) — audited as denied.

What a change does at once, in the same transaction (the worker re-checks at send time too):

- **opting out**: every pending check-in email of the patient is skipped (the job records "the
  patient opted out of check-in emails"); a check-in whose invitation had not gone out is
  cancelled; one whose invitation went out stays open — its link still works, only the reminder
  is dropped. Session reminders are untouched.
- **a sending window**: pending check-in emails planned outside it are moved to its next
  opening (`domain.check_ins.send_time`); one already due is left due, and the worker holds it
  at send time if the window is closed then.

Opting out never touches patient alerts: an URGENT alert already raised (PHQ-9 item 9) stays
open on the care queue and the chart until a clinician acknowledges it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ketacare.db.models import (
    CheckIn,
    CheckInPreference,
    CheckInStatus,
    Clinic,
    Job,
    JobStatus,
    Patient,
    Role,
)
from ketacare.domain.check_ins import (
    CheckInPreferences,
    SendingWindow,
    preferences_of,
    reminder_due_at,
    send_time,
)
from ketacare.domain.errors import Conflict, InvalidInput
from ketacare.services import access, audit, jobs
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy

STAFF = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})
READERS = STAFF | {Role.PATIENT}
REASON_MAX = 500
PATIENT_REASON = "changed by the patient"
OPTED_OUT = "the patient opted out of check-in emails"


def invite_key(check_in_key: str) -> str:
    """The idempotency key of a check-in's invitation email job."""
    return f"check-in:{check_in_key}"


def reminder_key(check_in_key: str) -> str:
    """The idempotency key of a check-in's reminder email job."""
    return f"check-in-reminder:{check_in_key}"


def zone_of(session: Session, clinic_id: int) -> ZoneInfo:
    """The clinic's time zone (UTC when unknown or unreadable)."""
    clinic = session.get(Clinic, clinic_id)
    try:
        return ZoneInfo(clinic.timezone if clinic is not None else "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def current_row(session: Session, patient_id: int) -> CheckInPreference | None:
    """The newest version (None: never set)."""
    return session.scalar(
        select(CheckInPreference)
        .where(CheckInPreference.patient_id == patient_id)
        .order_by(CheckInPreference.version.desc())
        .limit(1)
    )


def as_preferences(row: CheckInPreference | None) -> CheckInPreferences:
    if row is None:
        return CheckInPreferences()
    window = None
    if row.earliest_hour is not None and row.latest_hour is not None:
        window = SendingWindow(row.earliest_hour, row.latest_hour)
    return CheckInPreferences(row.opted_out, window)


def preferences_for(session: Session, patient_id: int) -> CheckInPreferences:
    """The patient's current preferences, for the planner and the worker (no audit: they act
    inside an audited planning run or job)."""
    return as_preferences(current_row(session, patient_id))


@dataclass(frozen=True)
class PreferencesView:
    patient: Patient
    preferences: CheckInPreferences
    current: CheckInPreference | None  # None: the defaults, never set
    history: list[CheckInPreference]  # newest first
    timezone: str


def read_preferences(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    roles: frozenset[Role] = READERS,
) -> PreferencesView:
    """The patient's preferences and their versions (staff of the clinic, or the patient;
    `roles` narrows it, e.g. to STAFF for the chart's panel)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="check_in_preferences.read",
        roles=roles,
        object_type="check_in_preference",
    )
    history = list(
        session.scalars(
            select(CheckInPreference)
            .where(CheckInPreference.patient_id == patient.id)
            .order_by(CheckInPreference.version.desc())
        )
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="check_in_preferences.read",
        patient_id=patient.id,
        object_type="check_in_preference",
        detail={"version": history[0].version if history else None},
    )
    current = history[0] if history else None
    return PreferencesView(
        patient,
        as_preferences(current),
        current,
        history,
        zone_of(session, patient.clinic_id).key,
    )


@dataclass
class PreferenceChange:
    """What `set_preferences` did: the current version (new, or the unchanged one) and its
    effect on the queue."""

    row: CheckInPreference
    changed: bool
    skipped_jobs: list[int] = field(default_factory=list)
    cancelled_check_ins: list[int] = field(default_factory=list)
    moved_jobs: list[int] = field(default_factory=list)


def set_preferences(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    opted_out: bool,
    earliest_hour: int | None,
    latest_hour: int | None,
    reason: str = "",
) -> PreferenceChange:
    """Set the patient's check-in preferences (a new version) and apply them to pending emails.

    Staff must give a reason; the patient's own change is recorded as "changed by the patient"
    when they give none. The same values as the current ones write no new version. Refusals
    (InvalidInput naming the field) change nothing.
    """
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="check_in_preferences.write",
        roles=READERS,
        object_type="check_in_preference",
    )
    prefs = preferences_of(
        opted_out=opted_out, earliest_hour=earliest_hour, latest_hour=latest_hour
    )
    why = " ".join((reason or "").split())
    if len(why) > REASON_MAX:
        raise InvalidInput(f"the reason is limited to {REASON_MAX} characters", field="reason")
    if not why:
        if actor.role is not Role.PATIENT:
            raise InvalidInput(
                "say why the check-in preferences change (e.g. what the patient asked for)",
                field="reason",
            )
        why = PATIENT_REASON
    current = current_row(session, patient.id)
    if current is not None and as_preferences(current) == prefs:
        _audit_write(session, actor, clock, current, None, False, PreferenceChange(current, False))
        return PreferenceChange(current, changed=False)
    window = prefs.window
    row = CheckInPreference(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        version=(current.version + 1) if current else 1,
        opted_out=prefs.opted_out,
        earliest_hour=window.earliest_hour if window else None,
        latest_hour=window.latest_hour if window else None,
        reason=why,
        set_by_user_id=actor.user_id,
        set_by_label=actor.label[:200],
        set_by_role="patient" if actor.role is Role.PATIENT else "staff",
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as clash:  # two changes at the same moment took the same version
        raise Conflict(
            "the check-in preferences were changed at the same moment; reload and try again",
            field="opted_out",
        ) from clash
    change = PreferenceChange(row, changed=True)
    _apply_to_queue(session, clock, patient.id, patient.clinic_id, prefs, change)
    _audit_write(session, actor, clock, row, current, True, change)
    return change


def _apply_to_queue(
    session: Session,
    clock: Clock,
    patient_id: int,
    clinic_id: int,
    prefs: CheckInPreferences,
    change: PreferenceChange,
) -> None:
    """Skip (opted out) or move (window) the patient's pending check-in emails."""
    now = clock.now()
    zone = zone_of(session, clinic_id)
    policy, _ = current_policy(session=session, clinic_id=clinic_id)
    pending = session.scalars(
        select(CheckIn)
        .where(CheckIn.patient_id == patient_id, CheckIn.status == CheckInStatus.PENDING)
        .order_by(CheckIn.id)
    )
    for check_in in pending:
        planned = {
            invite_key(check_in.key): check_in.due_at,
            reminder_key(check_in.key): reminder_due_at(check_in.due_at, policy.check_ins),
        }
        found = {
            job.idempotency_key: job
            for job in session.scalars(
                select(Job)
                .where(Job.idempotency_key.in_(list(planned)))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
        invite = found.get(invite_key(check_in.key))
        if prefs.opted_out:
            if invite is not None and jobs.skip_pending(
                session=session, clock=clock, job=invite, outcome=f"skipped: {OPTED_OUT}"
            ):
                change.skipped_jobs.append(invite.id)
                # The invitation never went out: no link exists, so the check-in is closed.
                check_in.status = CheckInStatus.CANCELLED
                change.cancelled_check_ins.append(check_in.id)
            reminder = found.get(reminder_key(check_in.key))
            if reminder is not None and jobs.skip_pending(
                session=session, clock=clock, job=reminder, outcome=f"skipped: {OPTED_OUT}"
            ):
                change.skipped_jobs.append(reminder.id)
            continue
        for key, job in found.items():
            target = send_time(check_in.kind, planned[key], prefs, zone)
            if job.status is not JobStatus.PENDING or target is None or target < now:
                continue  # finished, or already due: the worker checks the window at send time
            if target != job.due_at:
                job.due_at = target
                change.moved_jobs.append(job.id)
    session.flush()


def _audit_write(
    session: Session,
    actor: Actor,
    clock: Clock,
    row: CheckInPreference,
    previous: CheckInPreference | None,
    changed: bool,
    change: PreferenceChange,
) -> None:
    detail: dict[str, Any] = {
        "version": row.version,
        "changed": changed,
        "opted_out": row.opted_out,
        "window": [row.earliest_hour, row.latest_hour],
        "reason": row.reason,
    }
    if changed:
        detail["previous"] = (
            {
                "version": previous.version,
                "opted_out": previous.opted_out,
                "window": [previous.earliest_hour, previous.latest_hour],
            }
            if previous is not None
            else None
        )
        detail["skipped_jobs"] = change.skipped_jobs
        detail["cancelled_check_ins"] = change.cancelled_check_ins
        detail["moved_jobs"] = change.moved_jobs
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="check_in_preferences.write",
        patient_id=row.patient_id,
        object_type="check_in_preference",
        object_id=row.id,
        detail=detail,
    )
