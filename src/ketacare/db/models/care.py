"""Measurement-based care on the clinic side: outcome-state snapshots and the booster queue.

Every table here is append-only. The patient's outcome state on an instrument is the newest
`OutcomeState` snapshot (one is written after each score). A booster recommendation is opened
once (`BoosterRecommendation`), its reasons are re-assessed by new `BoosterReason` rows (the
newest is current), and it is closed by exactly one `BoosterDecision` row (booked, dismissed,
or resolved when a later score shows it is no longer due) — so the history stays readable.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column


class OutcomeState(Base):
    """A snapshot of the patient's trajectory on one instrument (the core's `trajectory`)."""

    __tablename__ = "outcome_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_courses.id"))
    instrument: Mapped[str] = mapped_column(String(20))
    # The score whose recording (or striking) prompted this snapshot.
    symptom_score_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_scores.id"))
    state: Mapped[str] = mapped_column(String(30))  # a TrajectoryState value
    baseline_score: Mapped[int]
    baseline_at: Mapped[datetime]
    latest_score: Mapped[int]
    latest_at: Mapped[datetime]
    best_score: Mapped[int]
    improvement_pct: Mapped[float | None]
    best_improvement_pct: Mapped[float | None]
    first_response_at: Mapped[datetime | None]
    first_remission_at: Mapped[datetime | None]
    relapse_count: Mapped[int]
    slope_points_per_week: Mapped[float | None]
    measurement_count: Mapped[int]
    # The symptom score ids of the series, in order (the sources of the figures above).
    score_ids: Mapped[list[Any]] = mapped_column(default=list)
    findings: Mapped[list[Any]] = mapped_column(default=list)
    policy_version: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(index=True)


class BoosterRecommendation(Base):
    """A booster the core found due for a patient; open until a decision closes it."""

    __tablename__ = "booster_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("treatment_courses.id"))
    opened_by_score_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_scores.id"))
    opened_at: Mapped[datetime]


class BoosterReason(Base):
    """One assessment of an open recommendation: why it is (or no longer is) due."""

    __tablename__ = "booster_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("booster_recommendations.id"), index=True
    )
    symptom_score_id: Mapped[int | None] = mapped_column(ForeignKey("symptom_scores.id"))
    due: Mapped[bool]
    instrument: Mapped[str] = mapped_column(String(20))  # the instrument whose window is used
    post_loading_score: Mapped[int]
    trigger_score: Mapped[int | None]
    latest_score: Mapped[int]
    window_earliest: Mapped[date | None]
    window_latest: Mapped[date | None]
    overdue: Mapped[bool]
    tolerance_flag: Mapped[bool]
    overuse_flag: Mapped[bool]
    # Every finding behind the assessment (booster, tolerance, overuse), with its source.
    findings: Mapped[list[Any]] = mapped_column(default=list)
    # The scores each instrument's rule read: post-loading and recent, with ids and dates.
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    policy_version: Mapped[int]
    assessed_at: Mapped[datetime]


class BoosterDecisionKind(StrEnum):
    BOOKED = "booked"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"  # a later score showed the booster is no longer due


class BoosterDecision(Base):
    """What closed a recommendation (one per recommendation)."""

    __tablename__ = "booster_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("booster_recommendations.id"), unique=True
    )
    kind: Mapped[BoosterDecisionKind] = mapped_column(enum_column(BoosterDecisionKind, 20))
    reason: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
