"""A patient's check-in preferences in the pure core: the sending window (validated, both sides of
each edge) and the shift of a planned email into it (table-driven and a Hypothesis property)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.check_ins import (
    CheckInPreferences,
    PlannedKind,
    SendingWindow,
    preferences_of,
    send_time,
    shift_into_window,
)
from ketacare.domain.errors import InvalidInput

NEW_YORK = ZoneInfo("America/New_York")
NINE_TO_SEVEN = SendingWindow(9, 19)


def local(hour: int, minute: int = 0, day: int = 2, zone: tzinfo = NEW_YORK) -> datetime:
    """A wall time on 2026-03-`day` in `zone` (no clock change on 2–6 March in New York)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=zone)


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earliest", "latest", "field"),
    [
        (-1, 19, "earliest_hour"),
        (24, 23, "earliest_hour"),
        (9, 24, "latest_hour"),
        (9, -1, "latest_hour"),
        (19, 9, "latest_hour"),  # earliest after latest
        (9, 9, "latest_hour"),  # an empty window
        (True, 19, "earliest_hour"),  # not a number of hours
    ],
)
def test_a_window_outside_0_to_23_or_not_earliest_before_latest_is_refused_naming_the_field(
    earliest: int, latest: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        SendingWindow(earliest, latest)
    assert refused.value.field == field
    assert field in refused.value.message


@pytest.mark.parametrize(("earliest", "latest"), [(0, 1), (0, 23), (22, 23), (9, 10), (9, 19)])
def test_a_window_inside_0_to_23_with_earliest_before_latest_is_accepted(
    earliest: int, latest: int
) -> None:
    assert SendingWindow(earliest, latest).label() == f"{earliest:02d}:00–{latest:02d}:00"


@pytest.mark.parametrize(
    ("earliest", "latest", "field"),
    [(9, None, "latest_hour"), (None, 19, "earliest_hour")],
)
def test_preferences_need_both_hours_or_neither(
    earliest: int | None, latest: int | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        preferences_of(opted_out=False, earliest_hour=earliest, latest_hour=latest)
    assert refused.value.field == field
    assert preferences_of(opted_out=True, earliest_hour=None, latest_hour=None) == (
        CheckInPreferences(opted_out=True, window=None)
    )


# --- the shift, both sides of each edge ------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "expected", "why"),
    [
        (local(8, 59), local(9, 0), "a minute before the window: held until it opens"),
        (local(9, 0), local(9, 0), "at the opening: sent as planned"),
        (local(9, 1), local(9, 1), "just inside: sent as planned"),
        (local(18, 59), local(18, 59), "the last minute inside: sent as planned"),
        (local(19, 0), local(9, 0, day=3), "at the closing hour: the next morning"),
        (local(23, 30), local(9, 0, day=3), "late evening: the next morning"),
        (local(0, 0), local(9, 0), "just after midnight: the same morning"),
    ],
)
def test_an_email_planned_outside_the_window_waits_for_its_next_opening(
    planned: datetime, expected: datetime, why: str
) -> None:
    assert shift_into_window(planned, NINE_TO_SEVEN, NEW_YORK) == expected, why


def test_without_a_window_the_planned_time_is_kept() -> None:
    assert shift_into_window(local(3, 17), None, NEW_YORK) == local(3, 17)


def test_the_window_is_read_in_the_clinics_time_zone_not_utc() -> None:
    planned = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 08:00 in New York: before 09:00
    assert shift_into_window(planned, NINE_TO_SEVEN, NEW_YORK) == datetime(
        2026, 3, 2, 14, 0, tzinfo=UTC
    )
    assert shift_into_window(planned, NINE_TO_SEVEN, UTC) == planned  # 13:00 UTC: inside


def test_an_opening_hour_skipped_by_the_clock_change_opens_when_the_clock_jumps() -> None:
    # 8 March 2026, New York: 02:00 → 03:00. A 02–05 window opens at 03:00 EDT that day.
    planned = datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK)
    shifted = shift_into_window(planned, SendingWindow(2, 5), NEW_YORK)
    assert shifted.astimezone(NEW_YORK).hour == 3
    # 01:30 EST → 03:00 EDT is 30 minutes of real time.
    assert shifted - planned.astimezone(UTC) == timedelta(minutes=30)


def test_a_one_hour_window_inside_the_skipped_hour_opens_the_next_day() -> None:
    planned = datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK)
    shifted = shift_into_window(planned, SendingWindow(2, 3), NEW_YORK)
    assert shifted == datetime(2026, 3, 9, 2, 0, tzinfo=NEW_YORK).astimezone(UTC)


def test_a_naive_planned_time_is_refused() -> None:
    with pytest.raises(InvalidInput):
        shift_into_window(datetime(2026, 3, 2, 8, 0), NINE_TO_SEVEN, NEW_YORK)


# --- which messages the preferences touch ---------------------------------------------------

CHECK_IN_KINDS = [k for k in PlannedKind if k is not PlannedKind.SESSION_REMINDER]


@pytest.mark.parametrize("kind", CHECK_IN_KINDS)
def test_an_opted_out_patient_gets_no_check_in_email(kind: PlannedKind) -> None:
    prefs = CheckInPreferences(opted_out=True, window=NINE_TO_SEVEN)
    assert send_time(kind, local(10), prefs, NEW_YORK) is None


@pytest.mark.parametrize("kind", CHECK_IN_KINDS)
def test_a_check_in_email_is_held_until_the_window_opens(kind: PlannedKind) -> None:
    prefs = CheckInPreferences(window=NINE_TO_SEVEN)
    assert send_time(kind, local(7), prefs, NEW_YORK) == local(9)


def test_the_session_reminder_is_neither_stopped_nor_moved() -> None:
    prefs = CheckInPreferences(opted_out=True, window=NINE_TO_SEVEN)
    assert send_time(PlannedKind.SESSION_REMINDER, local(7), prefs, NEW_YORK) == local(7)


# --- the property ---------------------------------------------------------------------------

FIXED_ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
CHANGING_ZONES = [NEW_YORK, ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney")]
planned_times = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@st.composite
def windows(draw: st.DrawFn, min_width: int = 1) -> SendingWindow:
    earliest = draw(st.integers(0, 23 - min_width))
    latest = draw(st.integers(earliest + min_width, 23))
    return SendingWindow(earliest, latest)


@given(planned=planned_times, window=windows(), zone=st.sampled_from(FIXED_ZONES))
def test_the_shifted_time_is_never_earlier_always_inside_and_less_than_a_day_later(
    planned: datetime, window: SendingWindow, zone: tzinfo
) -> None:
    shifted = shift_into_window(planned, window, zone)
    assert shifted >= planned
    assert window.contains(shifted, zone)
    assert shifted - planned < timedelta(hours=24)


@given(planned=planned_times, window=windows(min_width=2), zone=st.sampled_from(CHANGING_ZONES))
def test_across_clock_changes_a_window_of_two_hours_or_more_still_opens_within_a_day(
    planned: datetime, window: SendingWindow, zone: tzinfo
) -> None:
    # Passed as a local time: the comparison must be by instant, not by wall clock.
    shifted = shift_into_window(planned.astimezone(zone), window, zone)
    assert shifted >= planned
    assert window.contains(shifted, zone)
    assert shifted - planned < timedelta(hours=24)


@given(planned=planned_times, window=windows(), zone=st.sampled_from(CHANGING_ZONES))
def test_across_clock_changes_any_window_is_never_early_and_always_inside(
    planned: datetime, window: SendingWindow, zone: tzinfo
) -> None:
    shifted = shift_into_window(planned, window, zone)
    assert shifted >= planned and window.contains(shifted, zone)
