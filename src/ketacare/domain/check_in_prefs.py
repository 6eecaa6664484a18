"""A patient's check-in preferences: opting out of check-in emails, and the hours they may arrive.

The sending window is a pair of whole hours in the clinic's time zone, `earliest_hour` to
`latest_hour` (0–23, earliest before latest): an email may go out from `earliest_hour:00` up to,
not including, `latest_hour:00` (9–19 = from 09:00, before 19:00). An email planned outside the
window is held until the window next opens — later the same day, or the next day — never sent
earlier than planned (`shift_into_window`).

Clock changes: the hours are wall-clock hours of the zone. A window opening at an hour a clock
change skips opens when the clock jumps (02:00 skipped → 03:00, like an alarm clock); a window
lying wholly inside the skipped hour does not open that day. A window at least two hours wide
therefore always opens within 24 hours; only a one-hour window on a clock-change night can make
the wait longer.

Pure: time and the zone are passed in; nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ketacare.domain.errors import InvalidInput

FIRST_HOUR, LAST_HOUR = 0, 23


def _hour(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole hour from 0 to 23", field=field)
    if not FIRST_HOUR <= value <= LAST_HOUR:
        raise InvalidInput(f"{field} must be a whole hour from 0 to 23 (got {value})", field=field)
    return value


@dataclass(frozen=True)
class SendingWindow:
    """Hours (clinic time zone) between which check-in emails may go out: [earliest, latest)."""

    earliest_hour: int
    latest_hour: int

    def __post_init__(self) -> None:
        earliest = _hour(self.earliest_hour, "earliest_hour")
        latest = _hour(self.latest_hour, "latest_hour")
        if earliest >= latest:
            raise InvalidInput(
                f"latest_hour ({latest}) must be after earliest_hour ({earliest}): emails go "
                "out from the earliest hour until the latest, within one day",
                field="latest_hour",
            )

    def contains(self, moment: datetime, zone: tzinfo) -> bool:
        """Whether `moment` (timezone-aware) falls inside the window, read in `zone`."""
        return self.earliest_hour <= moment.astimezone(zone).hour < self.latest_hour

    def opening_on(self, day: date, zone: tzinfo) -> datetime:
        """The instant (in UTC) the window opens on local `day` (a skipped wall time resolves
        forward, as the zone's rules place it)."""
        # In UTC: Python compares and subtracts two datetimes sharing one tzinfo by wall
        # time, which is wrong across a clock change.
        wall = datetime.combine(day, time(self.earliest_hour), tzinfo=zone)
        return wall.astimezone(UTC)

    def label(self) -> str:
        return f"{self.earliest_hour:02d}:00–{self.latest_hour:02d}:00"


@dataclass(frozen=True)
class CheckInPreferences:
    """The patient's choice: no check-in emails at all (`opted_out`), or only inside `window`
    (None = any time)."""

    opted_out: bool = False
    window: SendingWindow | None = None


def preferences_of(
    *, opted_out: bool, earliest_hour: int | None, latest_hour: int | None
) -> CheckInPreferences:
    """Validated preferences from form or API values: both hours, or neither (any time)."""
    if not isinstance(opted_out, bool):
        raise InvalidInput("opted_out must be true or false", field="opted_out")
    if earliest_hour is None and latest_hour is None:
        return CheckInPreferences(opted_out, None)
    if earliest_hour is None:
        raise InvalidInput(
            "earliest_hour is missing: choose both hours, or neither for any time",
            field="earliest_hour",
        )
    if latest_hour is None:
        raise InvalidInput(
            "latest_hour is missing: choose both hours, or neither for any time",
            field="latest_hour",
        )
    return CheckInPreferences(opted_out, SendingWindow(earliest_hour, latest_hour))


def shift_into_window(planned: datetime, window: SendingWindow | None, zone: tzinfo) -> datetime:
    """When an email planned for `planned` may go out: `planned` itself when it is inside the
    window (or there is no window), else the window's next opening — later that local day, or
    the next day.

    Contract: the result is never earlier than `planned` and always inside the window; it is
    less than 24 hours later (in a zone with clock changes: whenever the window is at least two
    hours wide — see the module docstring).
    """
    if planned.tzinfo is None:
        raise InvalidInput("the planned time must be timezone-aware", field="planned")
    if window is None or window.contains(planned, zone):
        return planned
    planned = planned.astimezone(UTC)  # compare instants, not wall times (see opening_on)
    today = planned.astimezone(zone).date()
    # Today's opening if it is still ahead; otherwise the first day whose window exists.
    for offset in range(0, 4):
        opening = window.opening_on(today + timedelta(days=offset), zone)
        if opening >= planned and window.contains(opening, zone):
            return opening
    raise AssertionError("a window of at least one hour opens within four days")  # unreachable
