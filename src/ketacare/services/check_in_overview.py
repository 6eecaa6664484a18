"""The staff view of a clinic's check-ins and outgoing messages (the `/check-ins` page).

Staff only, one clinic: every query filters on the actor's clinic (check-ins carry
`clinic_id`; jobs carry the `clinic_id` they were enqueued for — a job without one is never
shown). Reads are audited. Retrying a failed message is `jobs.retry_job`; asking for a check-in
is `check_ins.request_check_in`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import func, or_, select
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
from ketacare.domain.errors import InvalidInput
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
MAX_PAGE = 200
T = TypeVar("T")


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


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list: its items, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class OutboxPage(Paged[OutboxLine]):
    failed: int = 0  # failed messages in the whole outbox (not only on this page)


def clinic_check_ins(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    status: CheckInStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CheckInLine]:
    """The clinic's check-ins, latest due first (upcoming ones at the top), with their patient
    and answered scores (one page: `limit` from `offset`)."""
    return check_in_page(
        session=session, actor=actor, clock=clock, status=status, limit=limit, offset=offset
    ).items


def check_in_page(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    status: CheckInStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Paged[CheckInLine]:
    """One page of the clinic's check-ins (see `clinic_check_ins`) with the total count."""
    access.require_staff(session=session, actor=actor, clock=clock, action="check_ins.overview")
    _check_paging(limit, offset)
    query = select(CheckIn, Patient).join(Patient, Patient.id == CheckIn.patient_id)
    query = query.where(CheckIn.clinic_id == actor.clinic_id, Patient.clinic_id == actor.clinic_id)
    if status is not None:
        query = query.where(CheckIn.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(CheckIn.due_at.desc(), CheckIn.id.desc()).limit(limit).offset(offset)
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
        detail={
            "status": status.value if status else None,
            "returned": len(rows),
            "total": total,
            "offset": offset,
        },
    )
    lines = [CheckInLine(row, patient, scores.get(row.id, [])) for row, patient in rows]
    return Paged(lines, total, limit, offset)


def clinic_outbox(
    *, session: Session, actor: Actor, clock: Clock, limit: int = 100, offset: int = 0
) -> list[OutboxLine]:
    """The clinic's outgoing messages (check-in invitations, reminders, session reminders) and
    any failed job: failed first, then latest due first (one page)."""
    return outbox_page(session=session, actor=actor, clock=clock, limit=limit, offset=offset).items


def outbox_page(
    *, session: Session, actor: Actor, clock: Clock, limit: int = 50, offset: int = 0
) -> OutboxPage:
    """One page of the clinic's outbox (see `clinic_outbox`) with the total count."""
    access.require_staff(session=session, actor=actor, clock=clock, action="jobs.overview")
    _check_paging(limit, offset)
    failed_first = (Job.status == JobStatus.FAILED).desc()
    query = select(Job).where(
        Job.clinic_id == actor.clinic_id,
        or_(Job.kind.in_(MESSAGE_KINDS), Job.status == JobStatus.FAILED),
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    failed = query.where(Job.status == JobStatus.FAILED).subquery()
    failed_total = session.scalar(select(func.count()).select_from(failed)) or 0
    jobs = list(
        session.scalars(
            query.order_by(failed_first, Job.due_at.desc(), Job.id.desc())
            .limit(limit)
            .offset(offset)
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
        detail={"returned": len(jobs), "total": total, "offset": offset},
    )
    lines = [OutboxLine(j, patients.get(int(j.payload.get("patient_id") or 0))) for j in jobs]
    return OutboxPage(lines, total, limit, offset, failed_total)


def _check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"a page holds 1 to {MAX_PAGE} items", field="limit")
    if offset < 0:
        raise InvalidInput("a page cannot start before the first item", field="offset")


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
