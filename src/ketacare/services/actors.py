"""Who is acting: a signed-in user (staff or patient), or the system itself (jobs, CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.db.models import Role, User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    clinic_id: int | None
    role: Role | None
    label: str
    patient_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.PRESCRIBER, Role.NURSE)

    @property
    def is_system(self) -> bool:
        # A link actor (patient without a session) has no user id but is not the system.
        return self.user_id is None and self.role is None

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(user.id, user.clinic_id, user.role, user.email, user.patient_id)

    @classmethod
    def system(cls, label: str = "system", clinic_id: int | None = None) -> Actor:
        return cls(None, clinic_id, None, label)

    @classmethod
    def for_link(cls, *, patient_id: int, clinic_id: int, label: str) -> Actor:
        """The patient acting through a one-time link (a check-in), without signing in: they
        reach only their own record, like a signed-in patient."""
        return cls(None, clinic_id, Role.PATIENT, label, patient_id)
