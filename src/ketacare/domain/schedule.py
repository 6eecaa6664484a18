"""Schedules: the loading calendar, the esketamine label calendar and the schedule validator.

`validate_schedule(route, existing, proposed, policy)` refuses (BLOCK findings) a session closer
than the minimum spacing to another, a calendar week (Monday–Sunday, ISO) over its limit, or any
30-day period over its limit; esketamine also keeps to the label (twice weekly in weeks 1–4,
weekly after). `loading_plan` lays out the loading series with, per session, the earliest date the
validator allows, a target date and the latest date that still completes the series on time.

Sources: clinical-reference.md 1.1 (loading), 1.4 (esketamine schedule), 1.5, 5.6; rules 3–4.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from ketacare.domain.dosing_policy import DosingPolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.esketamine import EsketamineRegimen, esketamine_dose_options
from ketacare.domain.findings import Finding, Severity, rule, worst
from ketacare.domain.plan_policy import ESKETAMINE_INDUCTION_PER_WEEK, MaintenanceMode, PlanPolicy
from ketacare.domain.plans import loading_length, maintenance_mode
from ketacare.domain.routes import Route
from ketacare.domain.sources import CLINIC_POLICY, MURROUGH_2013, OLIVER_2022, SPRAVATO_LABEL

ROLLING_WINDOW = timedelta(days=30)
_PLANNING_TIME = time(12, 0)  # planned dates are checked as if every session were at noon

MIN_SPACING = rule(
    "schedule.min_spacing",
    "Two sessions are at least the minimum spacing apart (default 40 h: alternate days). "
    "Clinic policy: a prescriber must confirm.",
    CLINIC_POLICY,
    params=("plans.min_spacing_hours",),
)
WEEKLY_LIMIT = rule(
    "schedule.weekly_limit",
    "No more racemic sessions in a calendar week (Monday–Sunday) than the weekly maximum (3).",
    MURROUGH_2013,
    params=("plans.max_sessions_per_week",),
)
ROLLING_LIMIT = rule(
    "schedule.rolling_30_day_limit",
    "No more sessions in any 30 days than the 30-day maximum (racemic 12, esketamine 9). "
    "Clinic policy: a prescriber must confirm.",
    CLINIC_POLICY,
    params=("plans.max_sessions_per_30_days", "plans.esketamine_max_sessions_per_30_days"),
)
ESKETAMINE_FREQUENCY = rule(
    "schedule.esketamine_frequency",
    "Esketamine at most twice per calendar week, and once per course week after the 4-week "
    "induction (weekly in weeks 5–8, weekly or every 2 weeks from week 9).",
    SPRAVATO_LABEL,
    params=("plans.esketamine_max_sessions_per_week", "plans.esketamine_induction_weeks"),
)
LOADING_PLAN = rule(
    "plans.loading_plan",
    "The loading series is 6 sessions at 2–3 per week, completed within 12–21 days (IV/IM; SL 4 "
    "weekly; esketamine 8 in the 4-week induction).",
    OLIVER_2022,
    params=("plans.loading_sessions", "plans.loading_target_days", "plans.loading_max_days"),
)


class EsketaminePhase(StrEnum):
    INDUCTION = "induction"  # weeks 1–4, twice weekly
    WEEKLY_MAINTENANCE = "weekly_maintenance"  # weeks 5–8, weekly
    INDIVIDUALISED_MAINTENANCE = "individualised_maintenance"  # week ≥ 9, weekly or 2-weekly


@dataclass(frozen=True)
class PlannedSession:
    """A planned session: `earliest` the validator allows, `target`, `latest` to finish on time."""

    number: int
    earliest: date
    target: date
    latest: date


@dataclass(frozen=True)
class MaintenancePlan:
    """After loading: symptom-triggered boosters, or one every `interval_days`."""

    mode: MaintenanceMode
    interval_days: int | None


@dataclass(frozen=True)
class LoadingPlan:
    route: Route
    start: date
    sessions: tuple[PlannedSession, ...]
    extension_total_sessions: int | None  # None where no extension applies (esketamine)
    maintenance: MaintenancePlan
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class CalendarSession:
    """One esketamine session of the label calendar, with the doses (mg) allowed at it."""

    number: int
    week: int
    phase: EsketaminePhase
    target: date
    dose_options_mg: tuple[int, ...]


def validate_schedule(
    route: Route,
    existing: Sequence[datetime],
    proposed: datetime,
    policy: PlanPolicy,
    *,
    course_start: date | None = None,
) -> tuple[Finding, ...]:
    """Findings on adding `proposed` to `existing` sessions: BLOCK ones when a limit is broken.

    When all limits hold the single finding is INFO. `course_start` (esketamine) enables the
    label's weekly limit after the induction weeks. Naive and aware datetimes must not be mixed.
    """
    if any((s.tzinfo is None) != (proposed.tzinfo is None) for s in existing):
        raise InvalidInput(
            "existing and proposed must all be timezone-aware or all naive", field="proposed"
        )
    esketamine = route is Route.ESKETAMINE_NASAL
    findings = _spacing(existing, proposed, policy)
    weekly = policy.esketamine_max_sessions_per_week if esketamine else policy.max_sessions_per_week
    week_rule = ESKETAMINE_FREQUENCY if esketamine else WEEKLY_LIMIT
    iso = proposed.isocalendar()[:2]
    in_week = 1 + sum(1 for s in existing if s.isocalendar()[:2] == iso)
    if in_week > weekly:
        findings.append(
            week_rule.finding(
                Severity.BLOCK,
                f"{in_week} sessions in the calendar week of {proposed.date()} would "
                f"exceed the maximum of {weekly}.",
                sessions=in_week,
            )
        )
    cap = (
        policy.esketamine_max_sessions_per_30_days
        if esketamine
        else policy.max_sessions_per_30_days
    )
    in_window = _busiest_window(existing, proposed)
    if in_window > cap:
        findings.append(
            ROLLING_LIMIT.finding(
                Severity.BLOCK,
                f"{in_window} sessions within 30 days would exceed the maximum of {cap}.",
                sessions=in_window,
            )
        )
    if esketamine and course_start is not None:
        findings.extend(_esketamine_phase(existing, proposed, course_start, policy))
    if not findings:
        findings.append(
            week_rule.finding(
                Severity.INFO,
                f"Accepted: {in_week} of {weekly} this calendar week, {in_window} of "
                f"{cap} in the busiest 30 days.",
            )
        )
    return tuple(findings)


def _spacing(existing: Sequence[datetime], proposed: datetime, policy: PlanPolicy) -> list[Finding]:
    if not existing:
        return []
    nearest = min(existing, key=lambda s: abs(s - proposed))
    hours = abs(nearest - proposed).total_seconds() / 3600.0
    if hours >= policy.min_spacing_hours:
        return []
    return [
        MIN_SPACING.finding(
            Severity.BLOCK,
            f"{hours:.1f} h from the session at {nearest.isoformat(' ', 'minutes')}; "
            f"sessions must be at least {policy.min_spacing_hours} h apart.",
            hours=round(hours, 1),
        )
    ]


def _busiest_window(existing: Sequence[datetime], proposed: datetime) -> int:
    # Every 30-day window holding `proposed` starts at a session in (proposed − 30 d, proposed].
    sessions = [*existing, proposed]
    starts = [s for s in sessions if proposed - ROLLING_WINDOW < s <= proposed]
    return max(sum(1 for s in sessions if t <= s < t + ROLLING_WINDOW) for t in starts)


def _esketamine_phase(
    existing: Sequence[datetime], proposed: datetime, course_start: date, policy: PlanPolicy
) -> list[Finding]:
    week = _course_week(proposed.date(), course_start)
    if week <= policy.esketamine_induction_weeks:
        return []
    same = [s for s in existing if _course_week(s.date(), course_start) == week]
    if not same:
        return []
    return [
        ESKETAMINE_FREQUENCY.finding(
            Severity.BLOCK,
            f"Course week {week} already has a session: after the "
            f"{policy.esketamine_induction_weeks}-week induction esketamine is at most weekly.",
            course_week=week,
        )
    ]


def _course_week(day: date, course_start: date) -> int:
    if day < course_start:
        raise InvalidInput("sessions cannot precede course_start", field="course_start")
    return (day - course_start).days // 7 + 1


def esketamine_calendar(
    start: date,
    age_years: int,
    policy: PlanPolicy,
    dosing: DosingPolicy,
    *,
    regimen: EsketamineRegimen = EsketamineRegimen.TRD,
    through_week: int = 12,
    maintenance_every_weeks: int | None = None,
) -> tuple[CalendarSession, ...]:
    """The label calendar from `start` (course day 0) through `through_week`.

    Weeks 1–4 twice weekly (days 0 and `esketamine_second_weekly_day` of each course week), weeks
    5–8 weekly, from week 9 every `maintenance_every_weeks` (1 or 2; None → policy). The MDD-with-
    suicidal-ideation regimen is the 4-week twice-weekly course only (use beyond 4 weeks was not
    systematically evaluated).
    """
    every = maintenance_every_weeks or policy.esketamine_maintenance_every_weeks
    if every not in (1, 2):
        raise InvalidInput(
            "maintenance_every_weeks must be 1 or 2", field="maintenance_every_weeks"
        )
    if through_week < 1:
        raise InvalidInput("through_week must be 1 or more", field="through_week")
    slots: list[tuple[int, EsketaminePhase, int]] = []  # (week, phase, day offset)
    last_week = through_week
    if regimen is EsketamineRegimen.MDD_SUICIDAL_IDEATION:
        last_week = min(through_week, policy.esketamine_induction_weeks)
    for week in range(1, last_week + 1):
        base = 7 * (week - 1)
        if week <= policy.esketamine_induction_weeks:
            days = (0, policy.esketamine_second_weekly_day)[:ESKETAMINE_INDUCTION_PER_WEEK]
            slots += [(week, EsketaminePhase.INDUCTION, base + d) for d in days]
        elif week <= policy.esketamine_weekly_through_week:
            slots.append((week, EsketaminePhase.WEEKLY_MAINTENANCE, base))
        elif (week - policy.esketamine_weekly_through_week - 1) % every == 0:
            slots.append((week, EsketaminePhase.INDIVIDUALISED_MAINTENANCE, base))
    return tuple(
        CalendarSession(
            n,
            week,
            phase,
            start + timedelta(days=offset),
            esketamine_dose_options(
                session_number=n, age_years=age_years, regimen=regimen, policy=dosing
            ),
        )
        for n, (week, phase, offset) in enumerate(slots, start=1)
    )


def loading_plan(
    route: Route,
    start: date,
    policy: PlanPolicy,
    *,
    maintenance: MaintenanceMode | None = None,
    maintenance_interval_days: int | None = None,
) -> LoadingPlan:
    """The loading series from `start` (session 1 on `start`).

    IV/IM: `loading_sessions` spread evenly over `loading_target_days`, latest dates keeping the
    series within `loading_max_days`; SL: weekly over 4 weeks; esketamine: the 8 induction
    sessions of the label calendar (latest = end of their course week).
    """
    n = loading_length(route, policy)
    mode = maintenance or maintenance_mode(policy)
    interval = None
    if mode is MaintenanceMode.FIXED_INTERVAL:
        interval = maintenance_interval_days or policy.maintenance_interval_days
        if not 7 <= interval <= 56:
            raise InvalidInput(
                "maintenance_interval_days must be 7 to 56", field="maintenance_interval_days"
            )
    if route is Route.ESKETAMINE_NASAL:
        wanted = [
            start + timedelta(days=7 * (w - 1) + d)
            for w in range(1, policy.esketamine_induction_weeks + 1)
            for d in (0, policy.esketamine_second_weekly_day)
        ]
        latest = [start + timedelta(days=7 * ((t - start).days // 7) + 6) for t in wanted]
        extension = None
    else:
        span, max_days = (
            (policy.sublingual_loading_target_days, policy.sublingual_loading_max_days)
            if route is Route.SUBLINGUAL
            else (policy.loading_target_days, policy.loading_max_days)
        )
        wanted = [start + timedelta(days=_even_day(i, n, span)) for i in range(n)]
        gap = math.ceil(policy.min_spacing_hours / 24)
        latest = [start + timedelta(days=max_days - 1 - (n - 1 - i) * gap) for i in range(n)]
        extension = None if route is Route.SUBLINGUAL else policy.extension_total_sessions
    earliest = _greedy(route, [start] * n, policy)
    targets = _greedy(route, wanted, policy)
    sessions = tuple(PlannedSession(i + 1, earliest[i], targets[i], latest[i]) for i in range(n))
    findings = [
        LOADING_PLAN.finding(
            Severity.INFO,
            f"{n} {route.value} loading sessions from {start} to {targets[-1]} "
            f"(target), to finish by {latest[-1]}.",
            sessions=n,
        )
    ]
    late = [s.number for s in sessions if s.target > s.latest]
    if late:
        findings.append(
            LOADING_PLAN.finding(
                Severity.REVIEW,
                f"Sessions {late} cannot be on target within the series limit under "
                "this policy: a prescriber must adjust the plan.",
            )
        )
    plan_maintenance = MaintenancePlan(mode, interval)
    return LoadingPlan(route, start, sessions, extension, plan_maintenance, tuple(findings))


def _even_day(i: int, n: int, span_days: int) -> int:
    if n == 1:
        return 0
    return math.floor(i * (span_days - 1) / (n - 1) + 0.5)


def _greedy(route: Route, wanted: Sequence[date], policy: PlanPolicy) -> list[date]:
    """Each session on the first day ≥ its wanted day (and after the previous) the validator
    accepts, given the sessions placed before it."""
    placed: list[datetime] = []
    for day in wanted:
        candidate = max(day, placed[-1].date() + timedelta(days=1)) if placed else day
        while worst(validate_schedule(route, placed, _at(candidate), policy)) is Severity.BLOCK:
            candidate += timedelta(days=1)
        placed.append(_at(candidate))
    return [p.date() for p in placed]


def _at(day: date) -> datetime:
    return datetime.combine(day, _PLANNING_TIME)
