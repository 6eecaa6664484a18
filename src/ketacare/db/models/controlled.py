"""The controlled-substance log: lots received and every movement, append-only.

Quantities are in mg of drug. A draw takes drug out of stock for a session; what was drawn is
accounted for by the dose given (dose_administrations) plus witnessed waste. The balance of a lot
is what was received minus what was drawn (waste is part of a draw, not a second withdrawal).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.db.base import Base, enum_column
from ketacare.db.models.session_records import Drug


class LogEntryKind(StrEnum):
    RECEIVE = "receive"
    DRAW = "draw"
    WASTE = "waste"


class ControlledLot(Base):
    __tablename__ = "cs_lots"
    __table_args__ = (UniqueConstraint("clinic_id", "drug", "lot_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    drug: Mapped[Drug] = mapped_column(enum_column(Drug, 20))
    lot_number: Mapped[str] = mapped_column(String(60))
    expiry: Mapped[date]
    concentration_mg_per_ml: Mapped[float | None]
    created_at: Mapped[datetime]


class ControlledLogEntry(Base):
    __tablename__ = "cs_log_entries"
    __table_args__ = (
        CheckConstraint("quantity_mg > 0", name="positive_quantity"),
        CheckConstraint(
            "kind <> 'waste' OR (witness_user_id IS NOT NULL AND witness_user_id <> actor_user_id)",
            name="waste_witnessed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("cs_lots.id"), index=True)
    kind: Mapped[LogEntryKind] = mapped_column(enum_column(LogEntryKind, 10))
    quantity_mg: Mapped[float]
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    witness_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
