"""Read models for the admin and controlled-substance pages: the policy grouped by section
with its version history, the clinic's staff by id, and the sessions a drug can be drawn for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Location, Patient, PolicyVersion, Role, TreatmentSession, User
from ketacare.domain.policy import SECTIONS, PolicyValue
from ketacare.domain.session_flow import RELEASED
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy

POLICY_READERS = frozenset({Role.ADMIN, Role.PRESCRIBER})
# The draw/waste pickers offer sessions booked around now: a drug is drawn on the day.
SESSION_PICK_WINDOW = timedelta(hours=18)


@dataclass(frozen=True)
class PolicySection:
    name: str
    values: tuple[PolicyValue, ...]


@dataclass(frozen=True)
class VersionChange:
    key: str
    before: Any
    after: Any


@dataclass(frozen=True)
class PolicyVersionView:
    row: PolicyVersion
    author: str
    changes: tuple[VersionChange, ...]
    confirmed: tuple[str, ...]


@dataclass(frozen=True)
class PolicyPage:
    version: int
    sections: tuple[PolicySection, ...]
    history: tuple[PolicyVersionView, ...]

    @property
    def unconfirmed(self) -> list[PolicyValue]:
        return [v for s in self.sections for v in s.values if not v.confirmed]


def policy_page(*, session: Session, actor: Actor, clock: Clock) -> PolicyPage:
    """Every policy value of the actor's clinic by section, and every version (newest first)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=POLICY_READERS, action="policy.read"
    )
    clinic_id = actor.clinic_id or 0
    policy, version = current_policy(session=session, clinic_id=clinic_id)
    values = list(policy.values())
    sections = tuple(
        PolicySection(name, tuple(v for v in values if v.key.startswith(name + ".")))
        for name in SECTIONS
    )
    rows = session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.clinic_id == clinic_id)
        .order_by(PolicyVersion.version)
    ).all()
    names = staff_names(session, clinic_id)
    history: list[PolicyVersionView] = []
    before: dict[str, Any] = {}
    confirmed_before: set[str] = set()
    for row in rows:
        keys = sorted(set(before) | set(row.overrides))
        changes = tuple(
            VersionChange(k, before.get(k), row.overrides.get(k))
            for k in keys
            if before.get(k) != row.overrides.get(k)
        )
        newly = tuple(k for k in row.confirmed_keys if k not in confirmed_before)
        author = names.get(row.created_by_user_id or 0, "system")
        history.append(PolicyVersionView(row, author, changes, newly))
        before, confirmed_before = dict(row.overrides), set(row.confirmed_keys)
    audit.record(session=session, actor=actor, clock=clock, action="policy.read")
    return PolicyPage(version, sections, tuple(reversed(history)))


def staff_names(session: Session, clinic_id: int) -> dict[int, str]:
    """Staff of the clinic by user id (for who-did-what columns)."""
    rows = session.execute(
        select(User.id, User.full_name).where(
            User.clinic_id == clinic_id, User.role != Role.PATIENT
        )
    ).all()
    return {user_id: name for user_id, name in rows}


def clinicians(session: Session, clinic_id: int) -> Sequence[User]:
    """Active nurses and prescribers of the clinic (who may witness a waste)."""
    return session.scalars(
        select(User)
        .where(
            User.clinic_id == clinic_id,
            User.role.in_((Role.NURSE, Role.PRESCRIBER)),
            User.active.is_(True),
        )
        .order_by(User.full_name)
    ).all()


@dataclass(frozen=True)
class SessionChoice:
    session_id: int
    label: str


def sessions_to_draw_for(*, session: Session, actor: Actor, clock: Clock) -> list[SessionChoice]:
    """Sessions of the actor's clinic booked around now and not finished, labelled for a
    picker (chair, time, route, patient's name: reading the names is audited)."""
    access.require_staff(session=session, actor=actor, clock=clock, action="session.list")
    now = clock.now()
    rows = session.execute(
        select(TreatmentSession, Patient, Location)
        .join(Patient, Patient.id == TreatmentSession.patient_id)
        .join(Location, Location.id == TreatmentSession.chair_id)
        .where(
            TreatmentSession.clinic_id == actor.clinic_id,
            TreatmentSession.status.not_in(RELEASED),
            TreatmentSession.scheduled_start >= now - SESSION_PICK_WINDOW,
            TreatmentSession.scheduled_start <= now + SESSION_PICK_WINDOW,
        )
        .order_by(TreatmentSession.scheduled_start)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="session.list",
        detail={"purpose": "controlled-substance picker", "sessions": len(rows)},
    )
    return [
        SessionChoice(
            row.id,
            f"#{row.id} · {chair.name} · {row.scheduled_start:%H:%M} UTC · "
            f"{row.route.value} · {patient.given_name} {patient.family_name}",
        )
        for row, patient, chair in rows
    ]
