"""A day of the clinic: every chair with its sessions, every recovery room with the sessions
holding it (staff of the clinic; each read is audited).

Both views list every session of the day whatever its state (cancelled and no-shows too): the
pages decide what to draw on the grid. A day is the clinic's calendar day (its time zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Location, TreatmentSession
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_common import STAFF, active_chairs, clinic_of
from ketacare.services.session_recovery import recovery_rooms


@dataclass(frozen=True)
class ChairDay:
    chair: Location
    sessions: tuple[TreatmentSession, ...]


@dataclass(frozen=True)
class RoomDay:
    """A recovery room and the sessions holding it that day, each from its `scheduled_end` (the
    end of its chair time) to its `recovery_end`."""

    room: Location
    sessions: tuple[TreatmentSession, ...]


def day_view(*, session: Session, actor: Actor, clock: Clock, day: date) -> list[ChairDay]:
    """Every active chair of the actor's clinic with its sessions on `day` (clinic time)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="session.day_view"
    )
    clinic = clinic_of(session, actor)
    start, end = _day_bounds(day, clinic.timezone)
    chairs = active_chairs(session, clinic.id)
    rows = session.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.clinic_id == clinic.id,
            TreatmentSession.scheduled_start < end,
            TreatmentSession.scheduled_end > start,
        )
        .order_by(TreatmentSession.scheduled_start)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="session.day_view",
        detail={"day": day.isoformat(), "sessions": len(rows)},
    )
    return [ChairDay(c, tuple(r for r in rows if r.chair_id == c.id)) for c in chairs]


def rooms_view(*, session: Session, actor: Actor, clock: Clock, day: date) -> list[RoomDay]:
    """Every active recovery room of the actor's clinic with the sessions whose recovery window
    falls on `day` (clinic time), in time order. Empty for a clinic without rooms."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="session.rooms_view"
    )
    clinic = clinic_of(session, actor)
    start, end = _day_bounds(day, clinic.timezone)
    rooms = recovery_rooms(session, clinic.id)
    rows = session.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.clinic_id == clinic.id,
            TreatmentSession.recovery_room_id.is_not(None),
            TreatmentSession.scheduled_end < end,
            TreatmentSession.recovery_end > start,
        )
        .order_by(TreatmentSession.scheduled_end, TreatmentSession.id)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="session.rooms_view",
        detail={"day": day.isoformat(), "sessions": len(rows)},
    )
    return [RoomDay(r, tuple(s for s in rows if s.recovery_room_id == r.id)) for r in rooms]


def _day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC)
    return start, start + timedelta(days=1)
