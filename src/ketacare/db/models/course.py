"""Treatment courses, their plan versions, and integration sessions (all append-only).

A plan is never edited: every change (titration, extension, stop, a new integration therapist)
is a new version with the reason and its author, superseding the previous one.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.domain.routes import Route


class PlanStatus(StrEnum):
    LOADING = "loading"
    EXTENSION = "extension"
    MAINTENANCE = "maintenance"
    REVIEW = "review"  # a prescriber must decide before the next session
    STOPPED = "stopped"


class TreatmentCourse(Base):
    __tablename__ = "treatment_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    route: Mapped[Route] = mapped_column(enum_column(Route, 20))
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"))
    starts_on: Mapped[date]
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class TreatmentPlan(Base):
    """One version of a course's plan."""

    __tablename__ = "treatment_plans"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("treatment_courses.id"), index=True)
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_plans.id"), unique=True)
    change: Mapped[str] = mapped_column(String(30))  # created, a PlanAction, stop, integration
    reason: Mapped[str] = mapped_column(Text, default="")
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    policy_version: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, 20))
    route: Mapped[Route] = mapped_column(enum_column(Route, 20))
    next_session_number: Mapped[int]
    next_mg_per_kg: Mapped[float | None]
    next_dose_mg: Mapped[float | None]
    weight_basis_kg: Mapped[float | None]
    weight_basis: Mapped[str | None] = mapped_column(String(10))
    schedule: Mapped[list[Any]] = mapped_column(default=list)
    extension_total_sessions: Mapped[int | None]
    maintenance_mode: Mapped[str] = mapped_column(String(30))
    maintenance_interval_days: Mapped[int | None]
    integration_therapist_name: Mapped[str] = mapped_column(String(200), default="")
    integration_therapist_role: Mapped[str] = mapped_column(String(60), default="")
    integration_therapist_contact: Mapped[str] = mapped_column(String(200), default="")
    findings: Mapped[list[Any]] = mapped_column(default=list)
    # What the version was computed from (e.g. the session outcomes given to next_step).
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IntegrationSession(Base):
    __tablename__ = "integration_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("treatment_courses.id"), index=True)
    held_on: Mapped[date]
    facilitator: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
