"""Symptom questionnaires answered over a course (GAD-7, PHQ-9, PCL-5) and patient-level alerts.

Both are clinical records and append-only. A score is never edited: a wrong entry is corrected
by a `SymptomScoreAmendment` that supersedes it (who, when, why). A patient alert (e.g. PHQ-9
item 9 answered above 0) stays open until a staff member acknowledges it with a note.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.domain.findings import Severity


class SymptomSource(StrEnum):
    INTAKE = "intake"  # the baseline questionnaires of the intake form
    CHECK_IN = "check_in"  # answered by the patient through a check-in link or their pages
    CLINIC = "clinic"  # entered by staff (paper form, phone call, before a session)


class SymptomScore(Base):
    __tablename__ = "symptom_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_courses.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(20))  # instrument code: gad7, phq9, pcl5
    answers: Mapped[list[Any]] = mapped_column(default=list)
    total: Mapped[int]
    band: Mapped[str | None] = mapped_column(String(60))
    findings: Mapped[list[Any]] = mapped_column(default=list)
    taken_at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[SymptomSource] = mapped_column(enum_column(SymptomSource, 20))
    # The check-in request this answer came through, when it did (no FK: check-in requests
    # live in their own concept's table).
    check_in_id: Mapped[int | None] = mapped_column(index=True)
    recorded_at: Mapped[datetime]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_label: Mapped[str] = mapped_column(String(200), default="")


class SymptomScoreAmendment(Base):
    """Strikes a score entered in error (the corrected score, if any, is a new SymptomScore)."""

    __tablename__ = "symptom_score_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("symptom_scores.id"), unique=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_scores.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PatientAlert(Base):
    """An alert about a patient outside a session (e.g. the PHQ-9 self-harm item), to the clinic."""

    __tablename__ = "patient_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    symptom_score_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_scores.id"))
    rule_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[Severity] = mapped_column(enum_column(Severity, 20))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(index=True)


class PatientAlertAcknowledgement(Base):
    __tablename__ = "patient_alert_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("patient_alerts.id"), unique=True)
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
