"""What is documented during a session, every row append-only: vital readings and their
alerts and acknowledgements, sedation and dissociation scores, adverse events, the dose given,
the discharge and the session note's versions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.domain.findings import Severity
from ketacare.domain.routes import Route
from ketacare.domain.vital_signs import Phase


class ReadingSource(StrEnum):
    MANUAL = "manual"
    DEVICE = "device"


class ScoreKind(StrEnum):
    MOAAS = "moaas"
    CADSS6 = "cadss6"


class Drug(StrEnum):
    KETAMINE_HCL = "ketamine_hcl"
    ESKETAMINE = "esketamine"


class VitalReadingRow(Base):
    __tablename__ = "vital_readings"
    # A monitor's message id is recorded once per session: a re-sent message is not a new reading.
    __table_args__ = (UniqueConstraint("session_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column(index=True)
    systolic_mmhg: Mapped[float]
    diastolic_mmhg: Mapped[float]
    heart_rate_bpm: Mapped[float]
    spo2_pct: Mapped[float]
    respiratory_rate_per_min: Mapped[float | None]
    moaas: Mapped[int | None]
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, 20))
    source: Mapped[ReadingSource] = mapped_column(enum_column(ReadingSource, 10))
    external_id: Mapped[str | None] = mapped_column(String(100))
    findings: Mapped[list[Any]] = mapped_column(default=list)
    recorded_at: Mapped[datetime]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class VitalAlert(Base):
    """An alert raised by a reading's finding at CAUTION or above; shown until acknowledged."""

    __tablename__ = "vital_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("vital_readings.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[Severity] = mapped_column(enum_column(Severity, 20))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]


class AlertAcknowledgement(Base):
    __tablename__ = "alert_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("vital_alerts.id"), unique=True)
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class SessionScore(Base):
    """A MOAA/S (0–5) or CADSS-6 (0–24) rating during the session."""

    __tablename__ = "session_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    kind: Mapped[ScoreKind] = mapped_column(enum_column(ScoreKind, 10))
    answers: Mapped[list[Any]] = mapped_column(default=list)
    total: Mapped[int]
    band: Mapped[str | None] = mapped_column(String(60))
    taken_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AdverseEvent(Base):
    __tablename__ = "adverse_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(20))
    action_taken: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    treatment_given: Mapped[str] = mapped_column(Text, default="")  # e.g. ondansetron 4 mg IV
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DoseAdministration(Base):
    """The dose given at the session (one per session; its end is the flow's dosing → monitoring
    event, kept on the session as `dose_end_at`)."""

    __tablename__ = "dose_administrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), unique=True)
    drug: Mapped[Drug] = mapped_column(enum_column(Drug, 20))
    route: Mapped[Route] = mapped_column(enum_column(Route, 30))
    concentration_mg_per_ml: Mapped[float | None]
    dose_mg: Mapped[float]
    dose_mg_per_kg: Mapped[float | None]
    weight_kg: Mapped[float | None]
    infusion_rate_mg_per_h: Mapped[float | None]
    device_count: Mapped[int | None]
    lot_id: Mapped[int] = mapped_column(ForeignKey("cs_lots.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(60))
    lot_expiry: Mapped[date]
    override_reason: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SessionDischarge(Base):
    __tablename__ = "session_discharges"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), unique=True)
    ready_to_leave_at: Mapped[datetime]
    discharged_at: Mapped[datetime]
    escort_name: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[list[str]] = mapped_column(default=list)
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SessionNote(Base):
    """One version of the session note; the newest version counts; signed versions are final
    unless a later version amends them with a reason."""

    __tablename__ = "session_notes"
    __table_args__ = (UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    signed: Mapped[bool] = mapped_column(default=False)
    generated: Mapped[bool] = mapped_column(default=False)
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
