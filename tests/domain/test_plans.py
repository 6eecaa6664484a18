"""Plans and schedules (clinical-reference.md 1.1, 1.4, 4.8, 5.3, 5.6; rules 2–4 and 10)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.dosing_policy import DosingPolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.esketamine import EsketamineRegimen
from ketacare.domain.findings import Severity, worst
from ketacare.domain.plans import (
    MaintenanceMode,
    PlanAction,
    PlanPolicy,
    SessionOutcome,
    next_step,
)
from ketacare.domain.routes import Route
from ketacare.domain.schedule import (
    EsketaminePhase,
    esketamine_calendar,
    loading_plan,
    validate_schedule,
)
from ketacare.domain.thresholds import threshold_info

PLAN = PlanPolicy()
DOSING = DosingPolicy()
MONDAY = date(2025, 1, 6)
LADDER = (0.5, 0.6, 0.75, 0.9)


def iv_history(*steps: tuple[float, float, bool]) -> list[SessionOutcome]:
    """Outcomes from (mg_per_kg, improvement_pct, tolerated), numbered from session 1."""
    return [
        SessionOutcome(i, imp, ok, mg_per_kg=dose) for i, (dose, imp, ok) in enumerate(steps, 1)
    ]


def history_ending(session: int, dose: float, improvement: float) -> list[SessionOutcome]:
    earlier = [SessionOutcome(i, 25.0, True, mg_per_kg=dose) for i in range(1, session)]
    return [*earlier, SessionOutcome(session, improvement, True, mg_per_kg=dose)]


# --- next_step: titration -----------------------------------------------------------------


def test_first_session_starts_at_the_default_dose() -> None:
    step = next_step(Route.IV, [], PLAN, DOSING)
    assert (step.action, step.next_session_number, step.next_mg_per_kg) == (
        PlanAction.CONTINUE,
        1,
        0.5,
    )


@pytest.mark.parametrize(
    ("dose", "improvement", "action", "next_dose"),
    [
        (0.5, 10.0, PlanAction.TITRATE_UP, 0.6),
        (0.6, 49.9, PlanAction.TITRATE_UP, 0.75),
        (0.6, 50.0, PlanAction.CONTINUE, 0.6),
        (0.55, 10.0, PlanAction.TITRATE_UP, 0.6),  # off-ladder dose: the next rung, never two
        (0.75, 10.0, PlanAction.CONTINUE, 0.75),  # the clinic maximum without an override
    ],
)
def test_titration_one_rung_per_session_below_50_percent(
    dose: float, improvement: float, action: PlanAction, next_dose: float
) -> None:
    step = next_step(Route.IV, iv_history((dose, improvement, True)), PLAN, DOSING)
    assert (step.action, step.next_mg_per_kg) == (action, next_dose)


def test_titration_reaches_0_9_only_with_a_recorded_override() -> None:
    history = iv_history((0.75, 10.0, True))
    assert next_step(Route.IV, history, PLAN, DOSING).next_mg_per_kg == 0.75
    raised = next_step(Route.IV, history, PLAN, DOSING, override_recorded=True)
    assert (raised.action, raised.next_mg_per_kg) == (PlanAction.TITRATE_UP, 0.9)
    top = next_step(Route.IV, iv_history((0.9, 10.0, True)), PLAN, DOSING, override_recorded=True)
    assert (top.action, top.next_mg_per_kg) == (PlanAction.CONTINUE, 0.9)


def test_im_titration_is_capped_at_the_im_maximum() -> None:
    step = next_step(Route.IM, iv_history((0.5, 10.0, True)), PLAN, DOSING)
    assert (step.action, step.next_mg_per_kg) == (PlanAction.CONTINUE, 0.5)


@pytest.mark.parametrize(
    ("dose", "next_dose", "severity"),
    [(0.75, 0.5, Severity.CAUTION), (0.6, 0.5, Severity.CAUTION), (0.5, 0.5, Severity.HOLD)],
)
def test_intolerance_steps_down_to_0_5(dose: float, next_dose: float, severity: Severity) -> None:
    step = next_step(Route.IV, iv_history((dose, 10.0, False)), PLAN, DOSING)
    assert (step.action, step.next_mg_per_kg) == (PlanAction.STEP_DOWN, next_dose)
    assert step.findings[0].severity is severity


def test_intolerance_outranks_non_response() -> None:
    history = history_ending(5, 0.75, 0.0)
    history[-1] = dataclasses.replace(history[-1], tolerated=False)
    assert next_step(Route.IV, history, PLAN, DOSING).action is PlanAction.STEP_DOWN


# --- next_step: non-response, end of loading, extension ------------------------------------


@pytest.mark.parametrize(
    ("session", "improvement", "action"),
    [
        (3, 0.0, PlanAction.TITRATE_UP),  # never flagged before session 4
        (4, 19.9, PlanAction.FLAG_NON_RESPONSE),
        (4, 20.0, PlanAction.TITRATE_UP),
        (6, 19.9, PlanAction.FLAG_NON_RESPONSE),
    ],
)
def test_non_response_is_flagged_from_session_4_below_20_percent(
    session: int, improvement: float, action: PlanAction
) -> None:
    step = next_step(Route.IV, history_ending(session, 0.5, improvement), PLAN, DOSING)
    assert step.action is action
    if action is PlanAction.FLAG_NON_RESPONSE:
        assert step.findings[0].severity is Severity.REVIEW


def test_non_response_session_can_not_be_set_before_4() -> None:
    assert threshold_info(PlanPolicy, "non_response_earliest_session").minimum == 4


@pytest.mark.parametrize(
    ("session", "improvement", "action", "severity"),
    [
        (6, 50.0, PlanAction.COMPLETE_LOADING, Severity.INFO),
        (6, 49.9, PlanAction.EXTEND, Severity.CAUTION),
        (6, 30.0, PlanAction.EXTEND, Severity.CAUTION),
        (6, 29.9, PlanAction.COMPLETE_LOADING, Severity.REVIEW),
        (9, 40.0, PlanAction.EXTEND, Severity.CAUTION),
        (10, 40.0, PlanAction.COMPLETE_LOADING, Severity.REVIEW),
        (8, 55.0, PlanAction.COMPLETE_LOADING, Severity.INFO),
        (5, 49.9, PlanAction.TITRATE_UP, Severity.INFO),
    ],
)
def test_end_of_loading_completes_extends_or_asks_for_review(
    session: int, improvement: float, action: PlanAction, severity: Severity
) -> None:
    step = next_step(Route.IV, history_ending(session, 0.6, improvement), PLAN, DOSING)
    assert (step.action, step.findings[0].severity) == (action, severity)
    assert step.next_session_number == session + 1


def test_extension_keeps_titrating_one_rung() -> None:
    step = next_step(Route.IV, history_ending(6, 0.6, 40.0), PLAN, DOSING)
    assert (step.action, step.next_mg_per_kg) == (PlanAction.EXTEND, 0.75)


def test_sublingual_is_not_titrated_by_rule() -> None:
    history = [SessionOutcome(1, 10.0, True, dose_mg=150.0)]
    step = next_step(Route.SUBLINGUAL, history, PLAN, DOSING)
    assert (step.action, step.next_dose_mg, step.next_mg_per_kg) == (
        PlanAction.CONTINUE,
        150.0,
        None,
    )
    assert step.findings[0].severity is Severity.REVIEW


def test_sublingual_loading_is_four_sessions() -> None:
    step = next_step(Route.SUBLINGUAL, [SessionOutcome(4, 55.0, True, mg_per_kg=2.0)], PLAN, DOSING)
    assert step.action is PlanAction.COMPLETE_LOADING


# --- next_step: esketamine -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "dose", "improvement", "tolerated", "action", "next_mg"),
    [
        (40, 56, 10.0, True, PlanAction.TITRATE_UP, 84.0),
        (40, 84, 10.0, True, PlanAction.CONTINUE, 84.0),
        (40, 84, 10.0, False, PlanAction.STEP_DOWN, 56.0),
        (40, 56, 10.0, False, PlanAction.STEP_DOWN, 56.0),  # no 28 mg under 65: prescriber
        (70, 56, 10.0, False, PlanAction.STEP_DOWN, 28.0),
        (70, 28, 10.0, True, PlanAction.TITRATE_UP, 56.0),
    ],
)
def test_esketamine_steps_are_28_mg_within_the_age_band(
    age: int, dose: int, improvement: float, tolerated: bool, action: PlanAction, next_mg: float
) -> None:
    history = [SessionOutcome(2, improvement, tolerated, dose_mg=dose)]
    step = next_step(Route.ESKETAMINE_NASAL, history, PLAN, DOSING, age_years=age)
    assert (step.action, step.next_dose_mg, step.next_mg_per_kg) == (action, next_mg, None)


@pytest.mark.parametrize(("age", "first"), [(64, 56.0), (65, 28.0)])
def test_esketamine_plan_starts_at_the_day1_dose(age: int, first: float) -> None:
    step = next_step(Route.ESKETAMINE_NASAL, [], PLAN, DOSING, age_years=age)
    assert step.next_dose_mg == first


def test_esketamine_induction_ends_at_session_8_with_an_evaluation() -> None:
    history = [SessionOutcome(8, 40.0, True, dose_mg=84)]
    step = next_step(Route.ESKETAMINE_NASAL, history, PLAN, DOSING, age_years=40)
    assert (step.action, step.findings[0].severity) == (
        PlanAction.COMPLETE_LOADING,
        Severity.REVIEW,
    )


def test_esketamine_plans_need_the_age() -> None:
    with pytest.raises(InvalidInput):
        next_step(Route.ESKETAMINE_NASAL, [], PLAN, DOSING)


@pytest.mark.parametrize(
    "history",
    [
        [
            SessionOutcome(2, 10.0, True, mg_per_kg=0.5),
            SessionOutcome(2, 10.0, True, mg_per_kg=0.5),
        ],
        [SessionOutcome(1, 101.0, True, mg_per_kg=0.5)],
        [SessionOutcome(1, 10.0, True)],
        [SessionOutcome(1, 10.0, True, mg_per_kg=-0.5)],
    ],
)
def test_malformed_history_is_invalid(history: list[SessionOutcome]) -> None:
    with pytest.raises(InvalidInput):
        next_step(Route.IV, history, PLAN, DOSING)


# --- loading plan ---------------------------------------------------------------------------


def test_iv_loading_is_6_sessions_monday_wednesday_friday_within_12_days() -> None:
    plan = loading_plan(Route.IV, MONDAY, PLAN)
    targets = [(s.target - MONDAY).days for s in plan.sessions]
    assert targets == [0, 2, 4, 7, 9, 11]
    assert plan.sessions[-1].latest == MONDAY + timedelta(days=20)  # within 21 days
    assert all(s.earliest <= s.target <= s.latest for s in plan.sessions)
    assert plan.extension_total_sessions == 10
    assert plan.maintenance.mode is MaintenanceMode.SYMPTOM_TRIGGERED
    assert plan.maintenance.interval_days is None


@pytest.mark.parametrize("route", list(Route))
def test_loading_targets_pass_the_schedule_validator(route: Route) -> None:
    plan = loading_plan(route, date(2025, 1, 9), PLAN)  # a Thursday
    placed: list[datetime] = []
    for session in plan.sessions:
        at = datetime.combine(session.target, datetime.min.time()).replace(hour=12)
        assert worst(validate_schedule(route, placed, at, PLAN)) is Severity.INFO
        placed.append(at)


def test_sublingual_loading_is_weekly_for_four_weeks() -> None:
    plan = loading_plan(Route.SUBLINGUAL, MONDAY, PLAN)
    assert [(s.target - MONDAY).days for s in plan.sessions] == [0, 7, 14, 21]
    assert plan.extension_total_sessions is None


def test_esketamine_loading_is_the_8_session_induction() -> None:
    plan = loading_plan(Route.ESKETAMINE_NASAL, MONDAY, PLAN)
    assert [(s.target - MONDAY).days for s in plan.sessions] == [0, 3, 7, 10, 14, 17, 21, 24]
    assert plan.extension_total_sessions is None


def test_fixed_interval_maintenance_is_a_plan_choice() -> None:
    plan = loading_plan(Route.IV, MONDAY, PLAN, maintenance=MaintenanceMode.FIXED_INTERVAL)
    assert (plan.maintenance.mode, plan.maintenance.interval_days) == (
        MaintenanceMode.FIXED_INTERVAL,
        28,
    )


def test_a_crowded_policy_is_flagged_for_review() -> None:
    crowded = dataclasses.replace(PLAN, loading_sessions=10, loading_max_days=12)
    plan = loading_plan(Route.IV, MONDAY, crowded)
    assert worst(plan.findings) is Severity.REVIEW


# --- esketamine calendar -------------------------------------------------------------------


def test_esketamine_calendar_twice_weekly_then_weekly() -> None:
    calendar = esketamine_calendar(MONDAY, 40, PLAN, DOSING, through_week=12)
    phases = Counter(s.phase for s in calendar)
    assert phases == {
        EsketaminePhase.INDUCTION: 8,
        EsketaminePhase.WEEKLY_MAINTENANCE: 4,
        EsketaminePhase.INDIVIDUALISED_MAINTENANCE: 4,
    }
    assert calendar[8].target == MONDAY + timedelta(weeks=4)
    assert calendar[0].dose_options_mg == (56,)
    assert calendar[1].dose_options_mg == (56, 84)


def test_esketamine_calendar_every_two_weeks_from_week_9() -> None:
    calendar = esketamine_calendar(MONDAY, 40, PLAN, DOSING, maintenance_every_weeks=2)
    assert [s.week for s in calendar if s.week >= 9] == [9, 11]


@pytest.mark.parametrize(
    ("age", "first", "later"), [(64, (56,), (56, 84)), (65, (28,), (28, 56, 84))]
)
def test_esketamine_calendar_doses_by_age(
    age: int, first: tuple[int, ...], later: tuple[int, ...]
) -> None:
    calendar = esketamine_calendar(MONDAY, age, PLAN, DOSING)
    assert (calendar[0].dose_options_mg, calendar[5].dose_options_mg) == (first, later)


def test_suicidal_ideation_regimen_is_84_mg_twice_weekly_for_4_weeks() -> None:
    calendar = esketamine_calendar(
        MONDAY, 40, PLAN, DOSING, regimen=EsketamineRegimen.MDD_SUICIDAL_IDEATION
    )
    assert len(calendar) == 8
    assert (calendar[0].dose_options_mg, calendar[1].dose_options_mg) == ((84,), (56, 84))


def test_esketamine_maintenance_interval_is_1_or_2_weeks() -> None:
    with pytest.raises(InvalidInput):
        esketamine_calendar(MONDAY, 40, PLAN, DOSING, maintenance_every_weeks=3)


# --- schedule validator --------------------------------------------------------------------


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, 1, 6, hour, minute) + timedelta(days=day)


@pytest.mark.parametrize(
    ("proposed", "blocked"),
    [(at(2, 0, 59), True), (at(2, 1, 0), False), (at(1, 12), True), (at(0, 9), True)],
)
def test_sessions_are_at_least_40_hours_apart(proposed: datetime, blocked: bool) -> None:
    findings = validate_schedule(Route.IV, [at(0)], proposed, PLAN)
    assert (worst(findings) is Severity.BLOCK) is blocked
    if blocked:
        assert findings[0].rule_id == "schedule.min_spacing"


def test_the_validator_also_checks_spacing_before_an_existing_session() -> None:
    findings = validate_schedule(Route.IV, [at(2)], at(1), PLAN)
    assert worst(findings) is Severity.BLOCK


@pytest.mark.parametrize(("proposed", "blocked"), [(at(6), True), (at(7), False)])
def test_at_most_3_racemic_sessions_per_calendar_week(proposed: datetime, blocked: bool) -> None:
    findings = validate_schedule(Route.IV, [at(0), at(2), at(4)], proposed, PLAN)
    assert (worst(findings) is Severity.BLOCK) is blocked
    if blocked:
        assert findings[0].rule_id == "schedule.weekly_limit"


MWF_4_WEEKS = [at(d) for d in (0, 2, 4, 7, 9, 11, 14, 16, 18, 21, 23, 25)]


@pytest.mark.parametrize(("proposed", "blocked"), [(at(28), True), (at(30), False)])
def test_at_most_12_racemic_sessions_in_any_30_days(proposed: datetime, blocked: bool) -> None:
    findings = validate_schedule(Route.IV, MWF_4_WEEKS, proposed, PLAN)
    assert (worst(findings) is Severity.BLOCK) is blocked
    if blocked:
        assert [f.rule_id for f in findings] == ["schedule.rolling_30_day_limit"]


@pytest.mark.parametrize(("proposed", "blocked"), [(at(5), True), (at(7), False)])
def test_esketamine_at_most_twice_per_calendar_week(proposed: datetime, blocked: bool) -> None:
    findings = validate_schedule(Route.ESKETAMINE_NASAL, [at(0), at(3)], proposed, PLAN)
    assert (worst(findings) is Severity.BLOCK) is blocked


@pytest.mark.parametrize(("proposed", "blocked"), [(at(30), True), (at(31), False)])
def test_esketamine_at_most_9_sessions_in_any_30_days(proposed: datetime, blocked: bool) -> None:
    existing = [at(d) for d in (1, 3, 7, 9, 14, 16, 21, 23, 28)]
    findings = validate_schedule(Route.ESKETAMINE_NASAL, existing, proposed, PLAN)
    assert (worst(findings) is Severity.BLOCK) is blocked


@pytest.mark.parametrize(
    ("existing", "proposed", "blocked"),
    [
        ([at(21)], at(24), False),  # week 4: still induction, twice weekly
        ([at(28)], at(31), True),  # week 5: weekly only
        ([at(28)], at(35), False),
    ],
)
def test_esketamine_is_weekly_after_the_induction_weeks(
    existing: list[datetime], proposed: datetime, blocked: bool
) -> None:
    findings = validate_schedule(
        Route.ESKETAMINE_NASAL, existing, proposed, PLAN, course_start=MONDAY
    )
    assert (worst(findings) is Severity.BLOCK) is blocked


def test_mixing_naive_and_aware_datetimes_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        validate_schedule(Route.IV, [at(0)], at(3).replace(tzinfo=UTC), PLAN)


# --- Properties -------------------------------------------------------------------------------

outcomes = st.builds(
    SessionOutcome,
    session_number=st.integers(min_value=1, max_value=14),
    improvement_pct=st.floats(min_value=-50, max_value=100, allow_nan=False),
    tolerated=st.booleans(),
    mg_per_kg=st.one_of(st.sampled_from(LADDER), st.floats(min_value=0.1, max_value=1.0)),
)


@given(outcome=outcomes, override=st.booleans(), route=st.sampled_from([Route.IV, Route.IM]))
def test_titration_never_skips_a_rung_nor_passes_the_ceiling(
    outcome: SessionOutcome, override: bool, route: Route
) -> None:
    step = next_step(route, [outcome], PLAN, DOSING, override_recorded=override)
    assert outcome.mg_per_kg is not None and step.next_mg_per_kg is not None
    current, nxt = outcome.mg_per_kg, step.next_mg_per_kg
    if nxt > current:
        assert nxt == min(r for r in LADDER if r > current)
        high = DOSING.iv_max_mg_per_kg if route is Route.IV else DOSING.im_max_mg_per_kg
        ceiling = DOSING.iv_override_max_mg_per_kg if route is Route.IV else high
        assert nxt <= (ceiling if override else high)
        assert outcome.tolerated and outcome.improvement_pct < PLAN.response_improvement_pct
    if step.action is PlanAction.FLAG_NON_RESPONSE:
        assert outcome.session_number >= 4


@given(
    route=st.sampled_from(list(Route)),
    offsets=st.lists(st.integers(min_value=0, max_value=24 * 60), min_size=1, max_size=60),
)
def test_validator_never_accepts_more_than_the_limits(route: Route, offsets: list[int]) -> None:
    accepted: list[datetime] = []
    for hours in offsets:
        proposed = at(0, 0) + timedelta(hours=hours)
        if worst(validate_schedule(route, accepted, proposed, PLAN)) is not Severity.BLOCK:
            accepted.append(proposed)
    esketamine = route is Route.ESKETAMINE_NASAL
    weekly = PLAN.esketamine_max_sessions_per_week if esketamine else PLAN.max_sessions_per_week
    monthly = (
        PLAN.esketamine_max_sessions_per_30_days if esketamine else PLAN.max_sessions_per_30_days
    )
    per_week = Counter(s.isocalendar()[:2] for s in accepted)
    assert max(per_week.values()) <= weekly
    ordered = sorted(accepted)
    for a, b in pairwise(ordered):
        assert (b - a) >= timedelta(hours=PLAN.min_spacing_hours)
    for start in ordered:
        assert sum(1 for s in ordered if start <= s < start + timedelta(days=30)) <= monthly
