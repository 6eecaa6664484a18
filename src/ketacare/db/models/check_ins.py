"""Check-ins between sessions, their one-time links, and the durable job queue (outbox).

A `CheckIn` is a request to the patient to answer questionnaires (the answers themselves are
`SymptomScore` rows, append-only, pointing back with `check_in_id`). Each email carries a
`CheckInLink`: a random token of which only the SHA-256 is stored; it expires, and once the
check-in is answered every link of it is spent. A reminder issues a new link for the same
check-in (the first link's token is never stored, so it cannot be re-sent).

`Job` is the outbox: every email (and the periodic planning run) is a row with a unique
idempotency key, claimed by a worker under a lease and marked sent in the same transaction that
records the delivery. See docs/check-ins.md for the exactly-once boundary.

`CheckInPreference` is append-only: each row is a new version of one patient's check-in email
preferences (opted out; the sending window), with who set it, when and why; the highest
version is current, and no row means the defaults (emails on, any time).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.domain.check_ins import PlannedKind


class CheckInStatus(StrEnum):
    PENDING = "pending"  # created; its email may or may not have gone out yet
    ANSWERED = "answered"
    CANCELLED = "cancelled"  # no longer wanted (its session was cancelled or moved)


class CheckIn(Base):
    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_courses.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    kind: Mapped[PlannedKind] = mapped_column(enum_column(PlannedKind, 30))
    # The planner's stable key (e.g. "after-session:12:2026-03-03T16:00Z"): one row per key.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    instruments: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[CheckInStatus] = mapped_column(enum_column(CheckInStatus, 20))
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_link_id: Mapped[int | None]
    # Crisis resources were shown when the answers raised an URGENT alert.
    urgent: Mapped[bool] = mapped_column(default=False)


class CheckInLink(Base):
    __tablename__ = "check_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_ins.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invite, reminder, manual
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    job_id: Mapped[int | None]  # the job whose email carried it (None: issued by hand)


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting for due_at (or for a lease to run out)
    SENT = "sent"  # done: delivered, or the planning run completed
    SKIPPED = "skipped"  # no longer wanted when its turn came (e.g. already answered)
    FAILED = "failed"  # gave up after the maximum number of attempts


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    due_at: Mapped[datetime]
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, 20))
    attempts: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # The Message-ID of the email, derived from the job id: stable across retries.
    message_id: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class CheckInPreference(Base):
    __tablename__ = "check_in_preferences"
    __table_args__ = (
        UniqueConstraint("patient_id", "version"),
        # Both hours or neither (any time); whole hours 0–23, the earliest first.
        CheckConstraint(
            "(earliest_hour IS NULL AND latest_hour IS NULL) OR "
            "(earliest_hour >= 0 AND latest_hour <= 23 AND earliest_hour < latest_hour)",
            name="window_hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int]
    opted_out: Mapped[bool]
    earliest_hour: Mapped[int | None]  # clinic time zone; None with latest_hour: any time
    latest_hour: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_by_label: Mapped[str] = mapped_column(String(200))
    # Who set it, as a door: "staff" (chart or API) or "patient" (their own page or the API).
    set_by_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
