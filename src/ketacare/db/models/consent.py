"""Consent: versioned consent texts (data), and consents per treatment course.

A consent is signed by the patient (through their account, or on paper recorded by staff),
witnessed by a staff member, and may be withdrawn. Every table is append-only: witnessing and
withdrawal are rows of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column


class SignedBy(StrEnum):
    PATIENT = "patient"  # the patient signed through their own account
    STAFF_FOR_PATIENT = "staff_for_patient"  # signed in person; a staff member recorded it


class ConsentText(Base):
    __tablename__ = "consent_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # [{"key": "off_label_use", "heading": "...", "text": "..."}, ...]
    sections: Mapped[list[Any]] = mapped_column(default=list)
    effective_from: Mapped[date]
    created_at: Mapped[datetime]


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("treatment_courses.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    consent_text_id: Mapped[int] = mapped_column(ForeignKey("consent_texts.id"))
    signed_by: Mapped[SignedBy] = mapped_column(enum_column(SignedBy, 20))
    signed_at: Mapped[datetime]
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class ConsentWitness(Base):
    __tablename__ = "consent_witnesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), unique=True)
    witness_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    witnessed_at: Mapped[datetime]


class ConsentWithdrawal(Base):
    __tablename__ = "consent_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), unique=True)
    withdrawn_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
