"""When check-ins and session reminders are due (pure planner, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.check_ins import (
    CheckInPolicy,
    CoursePhase,
    PlannedKind,
    SessionSlot,
    instruments_for,
    link_expires_at,
    plan_messages,
    reminder_due_at,
    session_reminder_points,
)
from ketacare.domain.errors import InvalidInput
from ketacare.domain.policy import ClinicPolicy

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday
POLICY = CheckInPolicy()
K = PlannedKind


def plan(
    sessions=(),
    courses=(),
    start=T0 - timedelta(days=30),
    end=T0 + timedelta(days=90),
    policy=POLICY,
):  # type: ignore[no-untyped-def]
    return plan_messages(
        sessions=list(sessions),
        courses=list(courses),
        window_start=start,
        window_end=end,
        policy=policy,
    )


def kinds(planned):  # type: ignore[no-untyped-def]
    return [(p.kind, p.due_at) for p in planned]


def session(sid: int, start: datetime, happened: bool | None = None) -> SessionSlot:
    return SessionSlot(sid, start, start + timedelta(hours=2), happened)


def test_the_policy_section_is_part_of_the_clinic_policy_with_documented_defaults() -> None:
    p = ClinicPolicy().check_ins
    assert p.days_after_loading == (7, 14, 28)
    assert (p.maintenance_interval_days, p.reminder_after_days, p.link_lifetime_hours) == (7, 2, 72)
    assert (p.before_session_hours, p.follow_up_hours_after_session) == (48, 24)
    assert p.session_reminder_hours == 24
    keys = {v.key for v in ClinicPolicy().unconfirmed()}
    assert "check_ins.link_lifetime_hours" in keys  # clinic policy: a prescriber confirms


@pytest.mark.parametrize(
    ("happened", "expected"),
    [
        (
            None,
            [
                (K.BEFORE_SESSION, T0 - timedelta(hours=48)),
                (K.SESSION_REMINDER, T0 - timedelta(hours=24)),
                (K.AFTER_SESSION, T0 + timedelta(hours=26)),
            ],
        ),
        (True, [(K.AFTER_SESSION, T0 + timedelta(hours=26))]),
        (False, []),
    ],
)
def test_a_booked_session_gets_a_check_in_before_a_reminder_the_day_before_and_a_follow_up(
    happened,
    expected,  # type: ignore[no-untyped-def]
) -> None:
    assert kinds(plan([session(1, T0, happened)])) == expected


def test_the_follow_up_is_24_hours_after_the_session_ends() -> None:
    (after,) = [p for p in plan([session(1, T0, True)]) if p.kind is K.AFTER_SESSION]
    assert after.due_at == T0 + timedelta(hours=2) + timedelta(hours=24)
    assert after.key == "after-session:1:2026-03-03T17:00Z"
    assert after.finding.rule_id == "check_ins.after_session"


@pytest.mark.parametrize(
    ("days", "expected_days"),
    [((7, 14, 28), [7, 14, 28]), ((3,), [3]), ((14, 7, 7), [7, 14])],
)
def test_check_ins_fall_on_the_set_days_after_the_loading_series(days, expected_days) -> None:  # type: ignore[no-untyped-def]
    policy = CheckInPolicy(days_after_loading=days)
    planned = plan(courses=[CoursePhase(5, loading_completed_at=T0)], policy=policy)
    assert kinds(planned) == [(K.AFTER_LOADING, T0 + timedelta(days=d)) for d in expected_days]
    assert planned[0].key == f"after-loading:5:day-{expected_days[0]}"


def test_maintenance_check_ins_are_weekly_until_maintenance_ends() -> None:
    course = CoursePhase(5, maintenance_since=T0, maintenance_until=T0 + timedelta(days=29))
    planned = plan(courses=[course])
    assert kinds(planned) == [(K.MAINTENANCE, T0 + timedelta(days=7 * k)) for k in (1, 2, 3, 4)]


@pytest.mark.parametrize(("interval", "count_in_28_days"), [(7, 4), (14, 2), (3, 9)])
def test_the_maintenance_interval_is_clinic_policy(interval: int, count_in_28_days: int) -> None:
    policy = CheckInPolicy(maintenance_interval_days=interval, min_gap_hours=0)
    course = CoursePhase(5, maintenance_since=T0)
    planned = plan(courses=[course], end=T0 + timedelta(days=28, hours=1), policy=policy)
    assert len(planned) == count_in_28_days


@pytest.mark.parametrize(
    ("gap_hours", "after_loading_kept"),
    [(36, False), (24, False), (23, True), (0, True)],
)
def test_a_check_in_close_to_a_higher_priority_one_is_left_out(
    gap_hours: int, after_loading_kept: bool
) -> None:
    # Loading ended at T0 - 7 days: the day-7 check-in is due at T0; the follow-up of a session
    # that ended at T0 - 24 h (start T0 - 26 h) is due at T0 too… shifted 23.5 h apart here.
    policy = CheckInPolicy(days_after_loading=(7,), min_gap_hours=gap_hours)
    slot = session(1, T0 - timedelta(hours=26) - timedelta(hours=23, minutes=30), True)
    course = CoursePhase(5, loading_completed_at=T0 - timedelta(days=7))
    planned = plan([slot], [course], policy=policy)
    assert any(p.kind is K.AFTER_SESSION for p in planned)
    assert any(p.kind is K.AFTER_LOADING for p in planned) is after_loading_kept


def test_twice_weekly_loading_does_not_ask_twice_on_the_same_day() -> None:
    monday, thursday = T0, T0 + timedelta(days=3)
    planned = plan([session(1, monday, True), session(2, thursday)])
    check_ins = [p for p in planned if p.is_check_in]
    # Monday's follow-up (Tue 17:00) wins over Thursday's pre-session check-in (Tue 15:00).
    assert [(p.kind, p.session_id) for p in check_ins] == [
        (K.AFTER_SESSION, 1),
        (K.AFTER_SESSION, 2),
    ]


def test_the_session_reminder_is_never_merged_away() -> None:
    planned = plan([session(1, T0, True), session(2, T0 + timedelta(days=2))])
    assert [p.session_id for p in planned if p.kind is K.SESSION_REMINDER] == [2]


def test_only_messages_inside_the_window_are_returned() -> None:
    planned = plan([session(1, T0)], start=T0 - timedelta(hours=30), end=T0)
    assert kinds(planned) == [(K.SESSION_REMINDER, T0 - timedelta(hours=24))]


def test_the_window_must_be_aware_and_forward() -> None:
    with pytest.raises(InvalidInput):
        plan(start=T0, end=T0)
    with pytest.raises(InvalidInput):
        plan(start=T0.replace(tzinfo=None), end=T0.replace(tzinfo=None) + timedelta(days=1))


@given(
    offset_h=st.integers(min_value=0, max_value=24 * 60),
    width_h=st.integers(min_value=1, max_value=24 * 10),
)
def test_what_is_planned_for_a_moment_does_not_depend_on_where_the_window_starts(
    offset_h: int, width_h: int
) -> None:
    sessions = [
        session(1, T0, True),
        session(2, T0 + timedelta(days=3)),
        session(3, T0 + timedelta(days=10)),
    ]
    courses = [
        CoursePhase(
            5, loading_completed_at=T0 + timedelta(days=4), maintenance_since=T0 + timedelta(days=4)
        )
    ]
    everything = {p.key for p in plan(sessions, courses)}
    start = T0 - timedelta(days=3) + timedelta(hours=offset_h)
    part = plan(sessions, courses, start=start, end=start + timedelta(hours=width_h))
    assert {p.key for p in part} <= everything
    assert all(start <= p.due_at < start + timedelta(hours=width_h) for p in part)


@pytest.mark.parametrize(
    ("hours", "works_at", "expired_at"),
    [
        (72, timedelta(hours=71, minutes=59), timedelta(hours=72)),
        (6, timedelta(hours=5), timedelta(hours=6)),
    ],
)
def test_a_link_expires_after_its_lifetime(hours: int, works_at, expired_at) -> None:  # type: ignore[no-untyped-def]
    expires = link_expires_at(T0, CheckInPolicy(link_lifetime_hours=hours))
    assert T0 + works_at < expires <= T0 + expired_at


def test_the_reminder_follows_n_days_without_an_answer() -> None:
    assert reminder_due_at(T0, CheckInPolicy(reminder_after_days=3)) == T0 + timedelta(days=3)


@pytest.mark.parametrize(
    ("ptsd", "expected"), [(False, ("gad7", "phq9")), (True, ("gad7", "phq9", "pcl5"))]
)
def test_pcl5_is_asked_only_when_ptsd_is_relevant(ptsd: bool, expected: tuple[str, ...]) -> None:
    assert instruments_for(ptsd_relevant=ptsd) == expected


def test_the_session_reminder_says_fasting_escort_and_no_driving() -> None:
    points = session_reminder_points(esketamine=True, fast_food_h=2, fast_liquids_min=30)
    text = " ".join(points)
    assert "2 hours" in text and "30 minutes" in text and "esketamine" in text
    assert "responsible adult" in text and "Do not drive" in text
