"""Authorisation, decided here and nowhere else.

Staff see only their clinic's patients; a patient only their own record; admins manage their
clinic. A patient outside the actor's reach is reported as not found (no existence leak), and
the attempt is audited as denied.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ketacare.db.models import Patient, Role
from ketacare.db.models.audit import AuditOutcome
from ketacare.domain.errors import Forbidden, NotFound
from ketacare.services import audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock

STAFF = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})
CLINICAL_STAFF = STAFF


def can_see_patient(actor: Actor, patient: Patient) -> bool:
    if actor.role in STAFF:
        return actor.clinic_id == patient.clinic_id
    if actor.role is Role.PATIENT:
        return actor.patient_id == patient.id
    return actor.is_system


def patient_for(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    action: str,
    roles: frozenset[Role] | None = None,
    object_type: str = "patient",
    object_id: object = "",
) -> Patient:
    """Load a patient the actor may reach for `action`, auditing a refusal before raising.

    `roles` narrows who may take the action (e.g. prescribers only); someone who can see the
    patient but lacks the role gets Forbidden, someone who cannot see them gets NotFound.
    """
    patient = session.get(Patient, patient_id)
    if patient is None or not can_see_patient(actor, patient):
        audit.record(
            session=session,
            actor=actor,
            clock=clock,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient_id,
            object_type=object_type,
            object_id=object_id,
            detail={"reason": "not found or outside the actor's reach"},
        )
        raise NotFound(f"patient {patient_id} was not found")
    if roles is not None and actor.role not in roles and not actor.is_system:
        audit.record(
            session=session,
            actor=actor,
            clock=clock,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient_id,
            object_type=object_type,
            object_id=object_id,
            detail={"reason": f"role {actor.role} may not {action}"},
        )
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Forbidden(f"only {allowed} may {action.replace('.', ' ')}")
    return patient


def require_role(
    *, session: Session, actor: Actor, clock: Clock, roles: frozenset[Role], action: str
) -> None:
    """Refuse (and audit) an action reserved to some roles of the actor's own clinic."""
    if actor.is_system or actor.role in roles:
        return
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action=action,
        outcome=AuditOutcome.DENIED,
        detail={"reason": f"role {actor.role}"},
    )
    allowed = ", ".join(sorted(r.value for r in roles))
    raise Forbidden(f"only {allowed} may {action.replace('.', ' ')}")


def require_staff(*, session: Session, actor: Actor, clock: Clock, action: str) -> None:
    require_role(session=session, actor=actor, clock=clock, roles=STAFF, action=action)
