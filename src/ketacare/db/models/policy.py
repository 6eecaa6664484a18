"""Clinic policy versions: the clinic's overrides of the published clinical defaults."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base


class PolicyVersion(Base):
    """One version of a clinic's policy. Never updated: a change is a new version."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("clinic_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    version: Mapped[int]
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    confirmed_keys: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
