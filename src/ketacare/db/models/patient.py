"""The patient record (demographics), body measurements (append-only) and account invitations.

Clinical documentation hangs off the patient in other tables (intake.py, screening.py,
consent.py, course.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    sex: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(String(60), default="")
    # The adult who usually takes the patient home (no driving until the next day).
    usual_escort_name: Mapped[str] = mapped_column(String(200), default="")
    usual_escort_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime]

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class BodyMeasurement(Base):
    """A weight (and height) measured on a date. Append-only: a new measurement is a new row."""

    __tablename__ = "body_measurements"
    __table_args__ = (
        CheckConstraint("weight_kg > 0", name="weight_positive"),
        CheckConstraint("height_cm IS NULL OR height_cm > 0", name="height_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    measured_on: Mapped[date]
    weight_kg: Mapped[float]
    height_cm: Mapped[float | None]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class PatientInvitation(Base):
    """A one-time link for a patient to set the password of their account (SHA-256 stored)."""

    __tablename__ = "patient_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
