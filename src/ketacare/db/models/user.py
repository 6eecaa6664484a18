"""People who sign in: staff (admin, prescriber, nurse) and patients; their tokens and attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column


class Role(StrEnum):
    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    PATIENT = "patient"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # A patient account always points at its patient record; staff never do.
        CheckConstraint(
            "(role = 'patient' AND patient_id IS NOT NULL) OR "
            "(role <> 'patient' AND patient_id IS NULL)",
            name="patient_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SignInAttempt(Base):
    """Every sign-in attempt, kept in the database so throttling holds across app workers."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    client: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool]
