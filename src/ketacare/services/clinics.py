"""Clinics, their chairs and rooms, and their people (admins manage their own clinic)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Clinic, Location, LocationKind, Role, User
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.passwords import hash_password

ADMINS = frozenset({Role.ADMIN})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_clinic(
    *,
    session: Session,
    clock: Clock,
    name: str,
    slug: str,
    timezone: str = "America/New_York",
    **details: str,
) -> Clinic:
    """Create a tenant (operator/CLI use: there is no actor above a clinic)."""
    if not name.strip():
        raise InvalidInput("the clinic needs a name", field="name")
    if session.scalar(select(Clinic).where(Clinic.slug == slug)) is not None:
        raise Conflict(f"a clinic with the short name {slug!r} exists already", field="slug")
    clinic = Clinic(
        name=name.strip(), slug=slug, timezone=timezone, created_at=clock.now(), **details
    )
    session.add(clinic)
    session.flush()
    return clinic


def add_location(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    name: str,
    kind: LocationKind,
    clinic_id: int | None = None,
) -> Location:
    access.require_role(
        session=session, actor=actor, clock=clock, roles=ADMINS, action="location.create"
    )
    target = clinic_id if actor.is_system else actor.clinic_id
    if target is None:
        raise InvalidInput("which clinic the location belongs to is missing", field="clinic_id")
    if not name.strip():
        raise InvalidInput("the location needs a name", field="name")
    clash = session.scalar(
        select(Location).where(Location.clinic_id == target, Location.name == name.strip())
    )
    if clash is not None:
        raise Conflict(f"the clinic already has a location named {name!r}", field="name")
    location = Location(clinic_id=target, name=name.strip(), kind=kind, active=True)
    session.add(location)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="location.create",
        clinic_id=target,
        object_type="location",
        object_id=location.id,
    )
    return location


def list_locations(
    *,
    session: Session,
    actor: Actor,
    kind: LocationKind | None = None,
    clinic_id: int | None = None,
) -> Sequence[Location]:
    target = clinic_id if actor.is_system else actor.clinic_id
    query = select(Location).where(Location.clinic_id == target, Location.active.is_(True))
    if kind is not None:
        query = query.where(Location.kind == kind)
    return session.scalars(query.order_by(Location.kind, Location.name)).all()


def create_user(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    email: str,
    full_name: str,
    role: Role,
    password: str | None,
    clinic_id: int | None = None,
    patient_id: int | None = None,
) -> User:
    """Create a staff or patient account in the actor's clinic (admins, or the operator CLI)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=ADMINS, action="user.create"
    )
    target = clinic_id if actor.is_system else actor.clinic_id
    if target is None or session.get(Clinic, target) is None:
        raise NotFound(f"clinic {clinic_id} was not found", field="clinic_id")
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    if not full_name.strip():
        raise InvalidInput("the user needs a full name", field="full_name")
    if (role is Role.PATIENT) != (patient_id is not None):
        raise InvalidInput(
            "a patient account must be linked to a patient record, and only a patient account",
            field="patient_id",
        )
    if session.scalar(select(User).where(func.lower(User.email) == email)) is not None:
        raise Conflict(f"an account for {email} exists already", field="email")
    user = User(
        clinic_id=target,
        email=email,
        full_name=full_name.strip(),
        role=role,
        patient_id=patient_id,
        active=True,
        created_at=clock.now(),
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="user.create",
        clinic_id=target,
        patient_id=patient_id,
        object_type="user",
        object_id=user.id,
        detail={"role": role.value},
    )
    return user


def list_users(*, session: Session, actor: Actor, clock: Clock) -> Sequence[User]:
    access.require_role(session=session, actor=actor, clock=clock, roles=ADMINS, action="user.list")
    return session.scalars(
        select(User).where(User.clinic_id == actor.clinic_id).order_by(User.role, User.full_name)
    ).all()
