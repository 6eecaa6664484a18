"""Check-ins between sessions and session reminders: when each message is due.

A check-in asks the patient for GAD-7 and PHQ-9 (and PCL-5 when PTSD is relevant) through a
one-time link. They are due (policy section "check_ins", `CheckInPolicy`):

- before each session (`before_session_hours` ahead of its start),
- after each session that took place (`follow_up_hours_after_session` after its end),
- at set days after the loading series (`days_after_loading`),
- every `maintenance_interval_days` while the course is in maintenance.

Check-ins close together ask the same questions twice, so a check-in is left out when one of
a higher priority (after a session > before a session > after loading > maintenance) is due
within `min_gap_hours` of it. The day-before session reminder (fasting, an escort, no driving)
is planned by the same function but never merged away.

None of the timings has a published source: they are clinic policy a prescriber confirms. Time
is injected (`window_start`, `window_end`); nothing here reads the clock. Every planned message
carries the finding that explains it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

# The patient's preferences (domain/check_in_prefs.py), re-exported with the planner they steer.
from ketacare.domain.check_in_prefs import CheckInPreferences as CheckInPreferences
from ketacare.domain.check_in_prefs import SendingWindow as SendingWindow
from ketacare.domain.check_in_prefs import preferences_of as preferences_of
from ketacare.domain.check_in_prefs import shift_into_window as shift_into_window
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.sources import CLINIC_POLICY, KETALAR_LABEL_RECOVERY, MURROUGH_2013
from ketacare.domain.thresholds import threshold


@dataclass(frozen=True)
class CheckInPolicy:
    """When check-ins and session reminders are sent, how long links live, when to remind."""

    days_after_loading: tuple[int, ...] = threshold(
        (7, 14, 28),
        statement="Check-ins on these days after the loading series ends (the median time to "
        "relapse after a 6-infusion series was 18 days, Murrough 2013, so the first weeks are "
        "watched closely). Clinic policy: a prescriber must confirm it.",
        unit="days",
        source=CLINIC_POLICY,
        minimum=1,
        maximum=180,
    )
    maintenance_interval_days: int = threshold(
        7,
        statement="During maintenance, a check-in this often (weekly). Clinic policy: a "
        "prescriber must confirm it.",
        unit="days",
        source=CLINIC_POLICY,
        minimum=3,
        maximum=42,
    )
    before_session_hours: int = threshold(
        48,
        statement="A check-in this many hours before each session, so the scores are in "
        "before the clinician prepares it. Clinic policy: a prescriber must confirm it.",
        unit="hours",
        source=CLINIC_POLICY,
        minimum=12,
        maximum=168,
    )
    follow_up_hours_after_session: int = threshold(
        24,
        statement="A follow-up check-in this many hours after each session that took place "
        "(ketamine's effect is usually measured at 24 h). Clinic policy: a prescriber must "
        "confirm it.",
        unit="hours",
        source=CLINIC_POLICY,
        minimum=4,
        maximum=96,
    )
    min_gap_hours: int = threshold(
        36,
        statement="A check-in is left out when one of higher priority (after a session, before "
        "a session, after loading, maintenance) is due within this many hours of it. Clinic "
        "policy: a prescriber must confirm it.",
        unit="hours",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=96,
    )
    reminder_after_days: int = threshold(
        2,
        statement="One reminder, with a fresh link, when a check-in has not been answered this "
        "many days after it was due. Clinic policy: a prescriber must confirm it.",
        unit="days",
        source=CLINIC_POLICY,
        minimum=1,
        maximum=14,
    )
    link_lifetime_hours: int = threshold(
        72,
        statement="A check-in link works for this many hours after it is issued, once. Clinic "
        "policy: a prescriber must confirm it.",
        unit="hours",
        source=CLINIC_POLICY,
        minimum=6,
        maximum=336,
    )
    session_reminder_hours: int = threshold(
        24,
        statement="The session reminder (fasting, bring an escort, no driving until the next "
        "day) is sent this many hours before the session. Clinic policy: a prescriber must "
        "confirm it.",
        unit="hours",
        source=CLINIC_POLICY,
        minimum=2,
        maximum=96,
    )


class PlannedKind(StrEnum):
    AFTER_SESSION = "after_session"
    BEFORE_SESSION = "before_session"
    AFTER_LOADING = "after_loading"
    MAINTENANCE = "maintenance"
    SESSION_REMINDER = "session_reminder"
    ON_REQUEST = "on_request"  # asked for by staff (never planned by the rules here)


# Check-in kinds in priority order (first wins when two are closer than min_gap_hours).
CHECK_IN_PRIORITY: tuple[PlannedKind, ...] = (
    PlannedKind.AFTER_SESSION,
    PlannedKind.BEFORE_SESSION,
    PlannedKind.AFTER_LOADING,
    PlannedKind.MAINTENANCE,
)

BEFORE_SESSION = rule(
    "check_ins.before_session",
    "Ask for a symptom check-in before each booked session, so the clinician sees current "
    "scores when preparing it.",
    CLINIC_POLICY,
    params=("check_ins.before_session_hours",),
)
AFTER_SESSION = rule(
    "check_ins.after_session",
    "Ask for a follow-up check-in after each session that took place.",
    CLINIC_POLICY,
    params=("check_ins.follow_up_hours_after_session",),
)
AFTER_LOADING = rule(
    "check_ins.after_loading",
    "Ask for check-ins at set days after the loading series ends, when relapse is most likely "
    "(median 18 days after a 6-infusion series).",
    MURROUGH_2013,
    params=("check_ins.days_after_loading",),
)
MAINTENANCE = rule(
    "check_ins.maintenance",
    "During maintenance, ask for a check-in at a fixed interval so that booster timing follows "
    "the patient's scores.",
    CLINIC_POLICY,
    params=("check_ins.maintenance_interval_days", "check_ins.min_gap_hours"),
)
SESSION_REMINDER = rule(
    "check_ins.session_reminder",
    "Remind the patient the day before a session: fasting as the clinic sets it, bring a "
    "responsible adult to take them home, no driving until the next day after a restful sleep.",
    KETALAR_LABEL_RECOVERY,
    params=("check_ins.session_reminder_hours",),
)


@dataclass(frozen=True)
class SessionSlot:
    """A booked session as the planner sees it.

    `happened`: None = still to come; True = it took place (a dose was given); False = it will
    not (cancelled, no-show, rebooked away) — it gets no check-ins and no reminder.
    """

    session_id: int
    start: datetime
    end: datetime
    happened: bool | None = None


@dataclass(frozen=True)
class CoursePhase:
    """When a course's loading series ended and its maintenance ran (None = not (yet))."""

    course_id: int
    loading_completed_at: datetime | None = None
    maintenance_since: datetime | None = None
    maintenance_until: datetime | None = None  # None while maintenance goes on


@dataclass(frozen=True)
class Planned:
    """One message due: `key` is stable across recomputation (the enqueue idempotency key)."""

    kind: PlannedKind
    key: str
    due_at: datetime
    finding: Finding
    session_id: int | None = None
    course_id: int | None = None

    @property
    def is_check_in(self) -> bool:
        return self.kind is not PlannedKind.SESSION_REMINDER


def plan_messages(
    *,
    sessions: Sequence[SessionSlot],
    courses: Sequence[CoursePhase],
    window_start: datetime,
    window_end: datetime,
    policy: CheckInPolicy,
) -> list[Planned]:
    """Check-ins and session reminders due in [window_start, window_end), ordered by due time.

    Pass every session and course of the patient that could matter (a session's follow-up can
    fall inside the window even if the session does not): the merge of close check-ins is
    decided over a window widened by `min_gap_hours`, so the answer for a given message does
    not depend on where the window starts.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise InvalidInput("the planning window must be timezone-aware", field="window_start")
    if window_end <= window_start:
        raise InvalidInput("window_end must be after window_start", field="window_end")
    gap = timedelta(hours=policy.min_gap_hours)
    wide_start, wide_end = window_start - gap, window_end + gap
    candidates = [
        p
        for p in _candidates(sessions, courses, wide_start, wide_end, policy)
        if wide_start <= p.due_at < wide_end
    ]
    kept = _merge_close(candidates, gap)
    reminders = [
        p for p in _session_reminders(sessions, policy) if window_start <= p.due_at < window_end
    ]
    inside = [p for p in kept if window_start <= p.due_at < window_end]
    return sorted(inside + reminders, key=lambda p: (p.due_at, p.key))


def _candidates(
    sessions: Sequence[SessionSlot],
    courses: Sequence[CoursePhase],
    wide_start: datetime,
    wide_end: datetime,
    policy: CheckInPolicy,
) -> Iterable[Planned]:
    before = timedelta(hours=policy.before_session_hours)
    after = timedelta(hours=policy.follow_up_hours_after_session)
    for s in sessions:
        if s.happened is False:
            continue
        if s.happened is None:
            due = s.start - before
            yield Planned(
                PlannedKind.BEFORE_SESSION,
                f"before-session:{s.session_id}:{_stamp(due)}",
                due,
                BEFORE_SESSION.finding(
                    Severity.INFO,
                    f"check-in {policy.before_session_hours} h before the session of "
                    f"{_stamp(s.start)}",
                ),
                session_id=s.session_id,
            )
        due = s.end + after
        yield Planned(
            PlannedKind.AFTER_SESSION,
            f"after-session:{s.session_id}:{_stamp(due)}",
            due,
            AFTER_SESSION.finding(
                Severity.INFO,
                f"follow-up check-in {policy.follow_up_hours_after_session} h after the session "
                f"of {_stamp(s.start)}",
            ),
            session_id=s.session_id,
        )
    for c in courses:
        yield from _course_check_ins(c, wide_start, wide_end, policy)


def _course_check_ins(
    c: CoursePhase, wide_start: datetime, wide_end: datetime, policy: CheckInPolicy
) -> Iterable[Planned]:
    if c.loading_completed_at is not None:
        for day in sorted(set(policy.days_after_loading)):
            yield Planned(
                PlannedKind.AFTER_LOADING,
                f"after-loading:{c.course_id}:day-{day}",
                c.loading_completed_at + timedelta(days=day),
                AFTER_LOADING.finding(
                    Severity.INFO, f"check-in {day} days after the loading series ended"
                ),
                course_id=c.course_id,
            )
    if c.maintenance_since is None:
        return
    step = timedelta(days=policy.maintenance_interval_days)
    end = min(wide_end, c.maintenance_until) if c.maintenance_until else wide_end
    # Start at the first interval inside the window instead of walking from the beginning.
    k = max(1, (wide_start - c.maintenance_since) // step)
    while (due := c.maintenance_since + k * step) < end:
        yield Planned(
            PlannedKind.MAINTENANCE,
            f"maintenance:{c.course_id}:{due.date().isoformat()}",
            due,
            MAINTENANCE.finding(
                Severity.INFO,
                f"maintenance check-in every {policy.maintenance_interval_days} days (number {k})",
            ),
            course_id=c.course_id,
        )
        k += 1


def _merge_close(candidates: list[Planned], gap: timedelta) -> list[Planned]:
    """Keep check-ins in priority order, leaving out one within `gap` of one already kept."""
    rank = {kind: i for i, kind in enumerate(CHECK_IN_PRIORITY)}
    ordered = sorted(candidates, key=lambda p: (rank[p.kind], p.due_at, p.key))
    kept: list[Planned] = []
    for p in ordered:
        if all(abs(p.due_at - k.due_at) >= gap for k in kept):
            kept.append(p)
    return kept


def _session_reminders(sessions: Sequence[SessionSlot], policy: CheckInPolicy) -> list[Planned]:
    ahead = timedelta(hours=policy.session_reminder_hours)
    return [
        Planned(
            PlannedKind.SESSION_REMINDER,
            f"session-reminder:{s.session_id}:{_stamp(s.start)}",
            s.start - ahead,
            SESSION_REMINDER.finding(
                Severity.INFO,
                f"reminder {policy.session_reminder_hours} h before the session of "
                f"{_stamp(s.start)}",
            ),
            session_id=s.session_id,
        )
        for s in sessions
        if s.happened is None
    ]


def reminder_due_at(check_in_due_at: datetime, policy: CheckInPolicy) -> datetime:
    """When to remind about a check-in still unanswered."""
    return check_in_due_at + timedelta(days=policy.reminder_after_days)


def link_expires_at(issued_at: datetime, policy: CheckInPolicy) -> datetime:
    """When a link issued at `issued_at` stops working."""
    return issued_at + timedelta(hours=policy.link_lifetime_hours)


def instruments_for(*, ptsd_relevant: bool) -> tuple[str, ...]:
    """The questionnaires of a check-in: GAD-7 and PHQ-9 always (PHQ-9 carries the self-harm
    item), PCL-5 when PTSD is relevant (diagnosed, suspected at intake, or a PCL-5 baseline)."""
    return ("gad7", "phq9", "pcl5") if ptsd_relevant else ("gad7", "phq9")


def session_reminder_points(
    *, esketamine: bool, fast_food_h: float, fast_liquids_min: int
) -> tuple[str, ...]:
    """What the day-before reminder tells the patient, in plain sentences."""
    label = "esketamine" if esketamine else "ketamine"
    food = f"{fast_food_h:g} hours" if fast_food_h != 1 else "1 hour"
    return (
        f"Do not eat for {food} and do not drink for {fast_liquids_min} minutes before your "
        f"{label} session (it can cause nausea).",
        "Bring a responsible adult who will take you home afterwards.",
        "Do not drive, cycle or operate machinery until the next day after a restful sleep.",
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def send_time(
    kind: PlannedKind, due_at: datetime, prefs: CheckInPreferences, zone: tzinfo
) -> datetime | None:
    """When a planned message goes out given the patient's check-in preferences (None: not at
    all). A check-in email (invitation or reminder, any kind but the session reminder) is not
    sent when the patient opted out, and is held until their sending window opens. The session
    reminder is left alone: it carries the fasting, escort and no-driving instructions, is timed
    by the clinic's policy before the session, and must not be delayed toward the session."""
    if kind is PlannedKind.SESSION_REMINDER:
        return due_at
    if prefs.opted_out:
        return None
    return shift_into_window(due_at, prefs.window, zone)
