"""One-time check-in links: issue, open, answer.

A link's token is random (`secrets.token_urlsafe`); only its SHA-256 is stored. A link works
until it expires (`check_ins.link_lifetime_hours` after it was issued) and only until its
check-in is answered: the answer spends every link of the check-in, and a second use is refused
with a clear message. Answers go through `record_symptom_score` (source check_in) acting as the
patient through the link, so a PHQ-9 item 9 at the alert level raises the URGENT alert in the
same transaction, and `AnsweredCheckIn.urgent` tells the door to show crisis resources at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ketacare.db.models import CheckIn, CheckInLink, CheckInStatus, Clinic, SymptomSource
from ketacare.domain.check_ins import link_expires_at
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.instruments import score
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.services import audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.symptom_scores import (
    RecordedSymptomScore,
    instrument_for,
    record_symptom_score,
)


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    CLOSED = "closed"


MESSAGES = {
    LinkProblem.UNKNOWN: "This check-in link is not known. Please use the most recent link the "
    "clinic emailed you, or ask the clinic for a new one.",
    LinkProblem.EXPIRED: "This check-in link has expired. The clinic will send a new one with "
    "your next check-in; you can also ask the clinic for one.",
    LinkProblem.USED: "This check-in has already been answered — thank you. A link works once; "
    "your answers are with the clinic.",
    LinkProblem.CLOSED: "This check-in is no longer needed (the session it was for has changed). "
    "You will get a new link when the next one is due.",
}


class LinkNotFound(NotFound):
    problem = LinkProblem.UNKNOWN


class LinkRefused(Conflict):
    """The link exists but cannot be used (expired, already used, or its check-in closed)."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(MESSAGES[problem], field="token")
        self.problem = problem


@dataclass(frozen=True)
class OpenLink:
    check_in: CheckIn
    link: CheckInLink
    clinic_name: str


@dataclass(frozen=True)
class AnsweredCheckIn:
    check_in: CheckIn
    scores: tuple[RecordedSymptomScore, ...]
    crisis_text: str

    @property
    def urgent(self) -> bool:
        return any(s.urgent for s in self.scores)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(
    *,
    session: Session,
    clock: Clock,
    check_in: CheckIn,
    purpose: str,
    job_id: int | None = None,
) -> tuple[str, CheckInLink]:
    """A new link for `check_in`; returns the token (never stored) and the link row."""
    policy, _ = current_policy(session=session, clinic_id=check_in.clinic_id)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    link = CheckInLink(
        check_in_id=check_in.id,
        token_sha256=digest(token),
        purpose=purpose,
        issued_at=now,
        expires_at=link_expires_at(now, policy.check_ins),
        job_id=job_id,
    )
    session.add(link)
    session.flush()
    return token, link


def open_link(*, session: Session, clock: Clock, token: str) -> OpenLink:
    """The link and its check-in, if it can still be answered; LinkNotFound / LinkRefused
    (expired, used, closed) otherwise, each with a message for the patient."""
    link = session.scalar(select(CheckInLink).where(CheckInLink.token_sha256 == digest(token)))
    if link is None or not token:
        raise LinkNotFound(MESSAGES[LinkProblem.UNKNOWN], field="token")
    check_in = session.get(CheckIn, link.check_in_id)
    assert check_in is not None  # FK
    if check_in.status is CheckInStatus.ANSWERED:
        raise LinkRefused(LinkProblem.USED)
    if check_in.status is CheckInStatus.CANCELLED:
        raise LinkRefused(LinkProblem.CLOSED)
    if link.expires_at <= clock.now():
        raise LinkRefused(LinkProblem.EXPIRED)
    clinic = session.get(Clinic, check_in.clinic_id)
    return OpenLink(check_in, link, clinic.name if clinic else "your clinic")


def link_actor(check_in: CheckIn) -> Actor:
    return Actor.for_link(
        patient_id=check_in.patient_id,
        clinic_id=check_in.clinic_id,
        label=f"patient via check-in link (check-in {check_in.id})",
    )


def answer_check_in(
    *,
    session: Session,
    clock: Clock,
    token: str,
    answers: Mapping[str, Sequence[int]],
) -> AnsweredCheckIn:
    """Record the answers given through a link, once.

    `answers` maps each of the check-in's instrument codes to its item answers in order. All
    questionnaires are validated before anything is written; the check-in is then claimed with
    a conditional update (pending → answered), so two submissions racing each other record
    once and the second is refused as used.
    """
    opened = open_link(session=session, clock=clock, token=token)
    check_in = opened.check_in
    policy, _ = current_policy(session=session, clinic_id=check_in.clinic_id)
    _validate(check_in, answers, policy.outcomes)
    claimed = session.execute(
        update(CheckIn)
        .where(CheckIn.id == check_in.id, CheckIn.status == CheckInStatus.PENDING)
        .values(
            status=CheckInStatus.ANSWERED,
            answered_at=clock.now(),
            answered_link_id=opened.link.id,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkRefused(LinkProblem.USED)
    session.refresh(check_in)
    actor = link_actor(check_in)
    recorded = tuple(
        record_symptom_score(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=check_in.patient_id,
            instrument=code,
            answers=list(answers[code]),
            source=SymptomSource.CHECK_IN,
            course_id=check_in.course_id,
            check_in_id=check_in.id,
        )
        for code in check_in.instruments
    )
    answered = AnsweredCheckIn(check_in, recorded, policy.outcomes.crisis_resources_text)
    if answered.urgent:
        check_in.urgent = True
        session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="check_ins.answer",
        patient_id=check_in.patient_id,
        object_type="check_in",
        object_id=check_in.id,
        detail={
            "link_id": opened.link.id,
            "totals": {r.score.instrument: r.score.total for r in recorded},
            "urgent": answered.urgent,
        },
    )
    return answered


def _validate(
    check_in: CheckIn, answers: Mapping[str, Sequence[int]], outcomes: OutcomesPolicy
) -> None:
    extra = set(answers) - set(check_in.instruments)
    if extra:
        raise InvalidInput(
            f"this check-in asks for {', '.join(check_in.instruments)}; "
            f"not {', '.join(sorted(extra))}",
            field="answers",
        )
    for code in check_in.instruments:
        if code not in answers:
            raise InvalidInput(f"the {code} answers are missing", field=code)
        score(instrument_for(code), list(answers[code]), policy=outcomes)


def open_link_audited(*, session: Session, clock: Clock, token: str) -> OpenLink:
    """`open_link` plus an audit row (the patient opened their check-in)."""
    opened = open_link(session=session, clock=clock, token=token)
    audit.record(
        session=session,
        actor=link_actor(opened.check_in),
        clock=clock,
        action="check_ins.open",
        patient_id=opened.check_in.patient_id,
        object_type="check_in",
        object_id=opened.check_in.id,
    )
    return opened
