"""Treatment sessions: the booking (chair, nurse, time), the flow's state and its history.

The session row carries the booking and the flow's current state; every change of state or of
the booking is also written to `session_events` (append-only: who, when, why, from → to), so
the history stays readable. Documented clinical facts (check-in, pre-dose assessments and
decisions) are their own append-only rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.domain.predose import GateOutcome
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus


class TreatmentSession(Base):
    __tablename__ = "treatment_sessions"
    __table_args__ = (
        Index("ix_treatment_sessions_chair_time", "chair_id", "scheduled_start"),
        Index("ix_treatment_sessions_nurse_time", "nurse_user_id", "scheduled_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_courses.id"), index=True)
    route: Mapped[Route] = mapped_column(enum_column(Route, 30))
    planned_device_count: Mapped[int | None]
    chair_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    nurse_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scheduled_start: Mapped[datetime]
    scheduled_end: Mapped[datetime]  # the chair is held until then
    # Optional recovery room, held from `scheduled_end` until `recovery_end` (after the minimum
    # observation at the chair; see docs/decisions/sessions.md "Recovery rooms").
    recovery_room_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    recovery_end: Mapped[datetime | None]
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus, 20), index=True)
    dose_start_at: Mapped[datetime | None]
    dose_end_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SessionEvent(Base):
    """One change of a session's state or booking (append-only)."""

    __tablename__ = "session_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # booked, transition, rescheduled
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SessionCheckIn(Base):
    """What the nurse confirmed at check-in (append-only; a correction is a new check-in row)."""

    __tablename__ = "session_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    hours_since_food: Mapped[float | None]
    minutes_since_liquids: Mapped[float | None]
    escort_confirmed: Mapped[bool]
    escort_name: Mapped[str] = mapped_column(String(200), default="")
    drugs_taken_today: Mapped[list[str]] = mapped_column(default=list)
    medications_note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PredoseAssessment(Base):
    """One run of the core's pre-dose gate (append-only)."""

    __tablename__ = "predose_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("vital_readings.id"))
    checkin_id: Mapped[int] = mapped_column(ForeignKey("session_checkins.id"))
    outcome: Mapped[GateOutcome] = mapped_column(enum_column(GateOutcome, 10))
    findings: Mapped[list[Any]] = mapped_column(default=list)
    crisis_symptoms: Mapped[list[str]] = mapped_column(default=list)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PredoseDecision(Base):
    """A prescriber's decision on a held pre-dose assessment (append-only)."""

    __tablename__ = "predose_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("predose_assessments.id"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    release: Mapped[bool]  # True: dose may be given; False: not today
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    prescriber_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
