"""Recovery rooms: an optional room a session holds after its chair time.

The chair is held for pre-dose time, dosing and the route's minimum observation, exactly as
without a room (`session_shape(...).chair_min`): the whole minimum observation stays at the
monitored chair. A recovery room is held from the end of the chair time for a recovery window,
so that a patient who is not yet ready to leave (discharge criteria not met, escort late) moves
out of the chair and the next patient can start on time. A room takes one patient at a time:
two sessions' recovery windows in one room may not overlap (the conflict is named).

The window length is operational, not a clinical threshold (nothing about the patient's safety
depends on it: discharge is still decided by the discharge gate), hence service constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
from ketacare.db.models import Location, LocationKind, TreatmentSession
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.session_flow import RELEASED

# A typical wait for an escort or for discharge criteria to settle; the booker may choose
# 5–240 minutes (beyond four hours the patient needs a bed, not a recovery chair).
DEFAULT_RECOVERY_MIN = 30
MIN_RECOVERY_MIN = 5
MAX_RECOVERY_MIN = 240


def held_until(row: TreatmentSession) -> datetime:
    """When the session stops occupying the clinic: the end of its recovery window, if it
    has a room, else the end of its chair time."""
    return row.recovery_end or row.scheduled_end


def recovery_end(
    chair_end: datetime, recovery_room_id: int | None, recovery_min: int | None
) -> datetime | None:
    """The end of the room's window (None without a room). `recovery_min` without a room is
    refused: it would silently mean nothing."""
    if recovery_room_id is None:
        if recovery_min is not None:
            raise InvalidInput(
                "recovery_min needs a recovery room (recovery_room_id)", field="recovery_min"
            )
        return None
    return chair_end + recovery_window(recovery_min)


def recovery_window(recovery_min: int | None) -> timedelta:
    """How long a room is held: `recovery_min` minutes (5–240; None: the default 30)."""
    minutes = DEFAULT_RECOVERY_MIN if recovery_min is None else recovery_min
    if isinstance(minutes, bool) or not MIN_RECOVERY_MIN <= minutes <= MAX_RECOVERY_MIN:
        raise InvalidInput(
            f"recovery_min must be {MIN_RECOVERY_MIN} to {MAX_RECOVERY_MIN} minutes; got {minutes}",
            field="recovery_min",
        )
    return timedelta(minutes=minutes)


def check_room(
    session: Session,
    clinic_id: int,
    room_id: int,
    start: datetime,
    end: datetime,
    exclude_session_id: int | None = None,
) -> Location:
    """Refuse a room that is not one of the clinic's active recovery rooms, or that another
    session holds at an overlapping time of [start, end) (Conflict naming that session)."""
    # Locking the room serialises concurrent bookings of it (PostgreSQL).
    room = get_locked(session, Location, room_id)
    if room is None or room.clinic_id != clinic_id or room.kind is not LocationKind.RECOVERY_ROOM:
        raise NotFound(f"recovery room {room_id} was not found", field="recovery_room_id")
    if not room.active:
        raise Conflict(f"{room.name} is out of service", field="recovery_room_id")
    query = select(TreatmentSession).where(
        TreatmentSession.recovery_room_id == room.id,
        TreatmentSession.status.not_in(RELEASED),
        TreatmentSession.scheduled_end < end,
        TreatmentSession.recovery_end > start,
    )
    if exclude_session_id is not None:
        query = query.where(TreatmentSession.id != exclude_session_id)
    other = session.scalars(query.order_by(TreatmentSession.scheduled_end)).first()
    if other is not None and other.recovery_end is not None:
        raise Conflict(
            f"{room.name} is already held from {other.scheduled_end:%Y-%m-%d %H:%M} to "
            f"{other.recovery_end:%H:%M} UTC by session {other.id}; choose another room or time",
            field="recovery_room_id",
        )
    return room


def recovery_rooms(session: Session, clinic_id: int) -> Sequence[Location]:
    """The clinic's active recovery rooms (empty: the clinic does not use rooms)."""
    return session.scalars(
        select(Location)
        .where(
            Location.clinic_id == clinic_id,
            Location.kind == LocationKind.RECOVERY_ROOM,
            Location.active.is_(True),
        )
        .order_by(Location.name, Location.id)
    ).all()


def held_end_column() -> ColumnElement[datetime]:
    """SQL expression of `held_until` (for overlap queries)."""
    return func.coalesce(TreatmentSession.recovery_end, TreatmentSession.scheduled_end)
