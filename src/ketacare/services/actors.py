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
        return self.user_id is None

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(user.id, user.clinic_id, user.role, user.email, user.patient_id)

    @classmethod
    def system(cls, label: str = "system", clinic_id: int | None = None) -> Actor:
        return cls(None, clinic_id, None, label)
