"""The staff view of a clinic's check-ins and outgoing messages (the `/check-ins` page).

Staff only, one clinic: every query filters on the actor's clinic (check-ins carry
`clinic_id`; jobs carry the `clinic_id` they were enqueued for — a job without one is never
shown). Reads are audited. Retrying a failed message is `jobs.retry_job`; asking for a check-in
is `check_ins.request_check_in`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    CheckIn,
    CheckInStatus,
    Job,
    JobStatus,
    Patient,
    SymptomScore,
    SymptomScoreAmendment,
)
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.check_ins import (
    CHECK_IN_JOB,
    CHECK_IN_REMINDER_JOB,
    SESSION_REMINDER_JOB,
    patients_to_plan,
)
from ketacare.services.clock import Clock

MESSAGE_KINDS = (CHECK_IN_JOB, CHECK_IN_REMINDER_JOB, SESSION_REMINDER_JOB)


@dataclass(frozen=True)
class CheckInLine:
    check_in: CheckIn
    patient: Patient
    scores: list[SymptomScore]  # the answers (struck scores left out), by instrument

    def awaiting(self, now: datetime) -> bool:
        """Pending and already due: the patient has been (or is being) asked."""
        return self.check_in.status is CheckInStatus.PENDING and self.check_in.due_at <= now


@dataclass(frozen=True)
class OutboxLine:
    job: Job
    patient: Patient | None  # None for jobs about no patient (e.g. a failed planning run)


def clinic_check_ins(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    status: CheckInStatus | None = None,
    limit: int = 100,
) -> list[CheckInLine]:
    """The clinic's check-ins, latest due first (upcoming ones at the top), with their patient
    and answered scores."""
    access.require_staff(session=session, actor=actor, clock=clock, action="check_ins.overview")
    query = select(CheckIn, Patient).join(Patient, Patient.id == CheckIn.patient_id)
    query = query.where(CheckIn.clinic_id == actor.clinic_id, Patient.clinic_id == actor.clinic_id)
    if status is not None:
        query = query.where(CheckIn.status == status)
    rows = session.execute(
        query.order_by(CheckIn.due_at.desc(), CheckIn.id.desc()).limit(limit)
    ).all()
    ids = [row.id for row, _ in rows]
    struck = select(SymptomScoreAmendment.score_id)
    scores: dict[int, list[SymptomScore]] = {}
    if ids:
        for score in session.scalars(
            select(SymptomScore)
            .where(
                SymptomScore.check_in_id.in_(ids),
                SymptomScore.clinic_id == actor.clinic_id,
                SymptomScore.id.not_in(struck),
            )
            .order_by(SymptomScore.instrument, SymptomScore.id)
        ):
            assert score.check_in_id is not None
            scores.setdefault(score.check_in_id, []).append(score)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="check_ins.overview",
        object_type="check_in",
        detail={"status": status.value if status else None, "returned": len(rows)},
    )
    return [CheckInLine(row, patient, scores.get(row.id, [])) for row, patient in rows]


def clinic_outbox(
    *, session: Session, actor: Actor, clock: Clock, limit: int = 100
) -> list[OutboxLine]:
    """The clinic's outgoing messages (check-in invitations, reminders, session reminders) and
    any failed job: failed first, then latest due first."""
    access.require_staff(session=session, actor=actor, clock=clock, action="jobs.overview")
    failed_first = (Job.status == JobStatus.FAILED).desc()
    jobs = list(
        session.scalars(
            select(Job)
            .where(
                Job.clinic_id == actor.clinic_id,
                or_(Job.kind.in_(MESSAGE_KINDS), Job.status == JobStatus.FAILED),
            )
            .order_by(failed_first, Job.due_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )
    wanted = {int(j.payload["patient_id"]) for j in jobs if j.payload.get("patient_id")}
    patients = {
        p.id: p
        for p in session.scalars(
            select(Patient).where(Patient.id.in_(wanted), Patient.clinic_id == actor.clinic_id)
        )
    }
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="jobs.overview",
        object_type="job",
        detail={"returned": len(jobs)},
    )
    return [OutboxLine(j, patients.get(int(j.payload.get("patient_id") or 0))) for j in jobs]


def check_in_candidates(*, session: Session, actor: Actor, clock: Clock) -> list[Patient]:
    """Patients staff may ask for a check-in now: those in care (a course or a recent
    booking), by name. Patients without an email are included; asking is then refused."""
    access.require_staff(session=session, actor=actor, clock=clock, action="check_ins.request")
    assert actor.clinic_id is not None
    ids = patients_to_plan(session=session, clinic_id=actor.clinic_id, now=clock.now())
    if not ids:
        return []
    return list(
        session.scalars(
            select(Patient)
            .where(Patient.id.in_(ids), Patient.clinic_id == actor.clinic_id)
            .order_by(Patient.family_name, Patient.given_name, Patient.id)
        )
    )
