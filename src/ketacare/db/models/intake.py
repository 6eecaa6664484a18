"""Intake: one full version per row. A correction is a new version superseding the previous one.

The table is append-only (database triggers refuse UPDATE and DELETE): the earlier version stays
readable, with who recorded each version, when, and why it was amended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base


class Intake(Base):
    __tablename__ = "intakes"
    __table_args__ = (UniqueConstraint("patient_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int]
    # At most one successor per version: amendments form a single line, never a fork.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"), unique=True)
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    # The whole validated intake (history, medications, trials, substance use, pregnancy,
    # resting BP, questionnaire answers with their scores): see services/intake.py.
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
