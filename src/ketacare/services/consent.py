"""Consent per treatment course: versioned texts, signature, witness, withdrawal.

A consent is current at a moment when it was signed and witnessed by then and not withdrawn by
then. No session may start without one: the session service calls `require_current_consent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    Consent,
    ConsentText,
    ConsentWithdrawal,
    ConsentWitness,
    Role,
    TreatmentCourse,
)
from ketacare.db.models.consent import SignedBy
from ketacare.domain.errors import Conflict, InvalidInput, NotFound, RuleViolation
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock

WITNESSES = frozenset({Role.PRESCRIBER, Role.NURSE, Role.ADMIN})
SIGNERS = frozenset({Role.PRESCRIBER, Role.NURSE, Role.ADMIN, Role.PATIENT})


@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    text: ConsentText
    witness: ConsentWitness | None
    withdrawal: ConsentWithdrawal | None

    @property
    def status(self) -> str:
        if self.withdrawal is not None:
            return "withdrawn"
        return "current" if self.witness is not None else "awaiting_witness"


def current_text(*, session: Session) -> ConsentText:
    text = session.scalar(select(ConsentText).order_by(ConsentText.version.desc()).limit(1))
    if text is None:
        raise NotFound("no consent text has been published")
    return text


def text_version(*, session: Session, version: int) -> ConsentText:
    text = session.scalar(select(ConsentText).where(ConsentText.version == version))
    if text is None:
        raise InvalidInput(
            f"consent text version {version} does not exist", field="consent_text_version"
        )
    return text


def _course(
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    action: str,
    roles: frozenset[Role] | None,
) -> TreatmentCourse:
    course = session.get(TreatmentCourse, course_id)
    access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=course.patient_id if course else -1,
        action=action,
        roles=roles,
        object_type="treatment_course",
        object_id=course_id,
    )
    assert course is not None
    return course


def record_consent(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    course_id: int,
    consent_text_version: int | None = None,
    signed_at: datetime | None = None,
) -> ConsentView:
    """The patient's signature for the course.

    Signed by the patient through their account (then awaiting a staff witness), or recorded by
    a staff member who saw the patient sign, which is also the witness.
    """
    course = _course(session, actor, clock, course_id, "consent.record", SIGNERS)
    now = clock.now()
    signed = signed_at or now
    if signed > now:
        raise InvalidInput("signed_at is in the future", field="signed_at")
    text = (
        current_text(session=session)
        if consent_text_version is None
        else text_version(session=session, version=consent_text_version)
    )
    by_patient = actor.role is Role.PATIENT
    consent = Consent(
        course_id=course.id,
        patient_id=course.patient_id,
        consent_text_id=text.id,
        signed_by=SignedBy.PATIENT if by_patient else SignedBy.STAFF_FOR_PATIENT,
        signed_at=signed,
        recorded_by_user_id=actor.user_id,
        recorded_at=now,
    )
    session.add(consent)
    session.flush()
    witness = None
    if not by_patient:
        witness = ConsentWitness(
            consent_id=consent.id, witness_user_id=actor.user_id, witnessed_at=signed
        )
        session.add(witness)
        session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="consent.record",
        patient_id=course.patient_id,
        object_type="consent",
        object_id=consent.id,
        detail={
            "course_id": course.id,
            "text_version": text.version,
            "signed_by": consent.signed_by.value,
        },
    )
    return ConsentView(consent, text, witness, None)


def witness_consent(
    *, session: Session, actor: Actor, clock: Clock, consent_id: int
) -> ConsentView:
    view = _view(session, consent_id)
    _course(session, actor, clock, view.consent.course_id, "consent.witness", WITNESSES)
    if view.witness is not None:
        raise Conflict("this consent has been witnessed already")
    if view.withdrawal is not None:
        raise Conflict("this consent has been withdrawn")
    witness = ConsentWitness(
        consent_id=consent_id, witness_user_id=actor.user_id, witnessed_at=clock.now()
    )
    session.add(witness)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="consent.witness",
        patient_id=view.consent.patient_id,
        object_type="consent",
        object_id=consent_id,
    )
    return ConsentView(view.consent, view.text, witness, None)


def withdraw_consent(
    *, session: Session, actor: Actor, clock: Clock, consent_id: int, reason: str = ""
) -> ConsentView:
    """The patient's right to stop: the patient or staff record the withdrawal."""
    view = _view(session, consent_id)
    _course(session, actor, clock, view.consent.course_id, "consent.withdraw", SIGNERS)
    if view.withdrawal is not None:
        raise Conflict("this consent has been withdrawn already")
    now = clock.now()
    withdrawal = ConsentWithdrawal(
        consent_id=consent_id,
        withdrawn_at=now,
        reason=reason.strip(),
        recorded_by_user_id=actor.user_id,
        recorded_at=now,
    )
    session.add(withdrawal)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="consent.withdraw",
        patient_id=view.consent.patient_id,
        object_type="consent",
        object_id=consent_id,
    )
    return ConsentView(view.consent, view.text, view.witness, withdrawal)


def list_consents(
    *, session: Session, actor: Actor, clock: Clock, course_id: int
) -> list[ConsentView]:
    course = _course(session, actor, clock, course_id, "consent.read", None)
    rows = session.scalars(
        select(Consent).where(Consent.course_id == course.id).order_by(Consent.signed_at.desc())
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="consent.read",
        patient_id=course.patient_id,
        object_type="treatment_course",
        object_id=course.id,
    )
    return [_view(session, c.id) for c in rows]


def _view(session: Session, consent_id: int) -> ConsentView:
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(f"consent {consent_id} was not found")
    text = session.get(ConsentText, consent.consent_text_id)
    assert text is not None
    witness = session.scalar(select(ConsentWitness).where(ConsentWitness.consent_id == consent_id))
    withdrawal = session.scalar(
        select(ConsentWithdrawal).where(ConsentWithdrawal.consent_id == consent_id)
    )
    return ConsentView(consent, text, witness, withdrawal)


def has_current_consent(*, session: Session, patient_id: int, course_id: int, at: datetime) -> bool:
    """True when a consent for this course was signed and witnessed by `at`, not withdrawn by then.

    No access check and no audit: for services that have authorised the actor already.
    """
    # One query: a consent has at most one witness and one withdrawal (unique consent_id).
    rows = session.execute(
        select(Consent.signed_at, ConsentWitness.witnessed_at, ConsentWithdrawal.withdrawn_at)
        .outerjoin(ConsentWitness, ConsentWitness.consent_id == Consent.id)
        .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
        .where(Consent.patient_id == patient_id, Consent.course_id == course_id)
    )
    for signed_at, witnessed_at, withdrawn_at in rows:
        witnessed = witnessed_at is not None and witnessed_at <= at
        withdrawn = withdrawn_at is not None and withdrawn_at <= at
        if signed_at <= at and witnessed and not withdrawn:
            return True
    return False


def require_current_consent(
    *, session: Session, patient_id: int, course_id: int, at: datetime
) -> None:
    """Raise RuleViolation when the course has no current consent at `at`."""
    if not has_current_consent(session=session, patient_id=patient_id, course_id=course_id, at=at):
        raise RuleViolation(
            "no session can start without a current consent: the patient must sign the consent "
            "for this treatment course, witnessed by staff (and not withdrawn)",
            field="consent",
        )
