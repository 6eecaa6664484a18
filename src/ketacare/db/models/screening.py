"""Screening runs (verdict, every finding, the policy version used) and their prescriber review.

All three tables are append-only: a re-screen is a new run, a review is a new row, and the
co-signature of an override is a row of its own by a second prescriber.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.domain.screening import Verdict


class ReviewDecision(StrEnum):
    ACCEPT = "accept"  # agree with the verdict (eligible or not eligible)
    CLEAR = "clear"  # a needs-review verdict cleared with a written reason
    DECLINE = "decline"  # a needs-review verdict decided against, with a written reason
    OVERRIDE = "override"  # a not-eligible verdict overridden: reason + second prescriber


class Screening(Base):
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)
    policy_version: Mapped[int]  # 0 = the published defaults (the clinic has no version yet)
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, 20))
    findings: Mapped[list[Any]] = mapped_column(default=list)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    screened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    screened_at: Mapped[datetime]


class ScreeningReview(Base):
    __tablename__ = "screening_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision, 20))
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime]


class ScreeningCosignature(Base):
    __tablename__ = "screening_cosignatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("screening_reviews.id"), unique=True)
    cosigner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    cosigned_at: Mapped[datetime]
