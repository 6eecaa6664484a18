"""Treatment plans: the loading series, its extension, dose titration and the non-response flag.

`PlanPolicy` (policy section "plans") holds the thresholds of plans and of the schedule
(`schedule.py`: loading calendar, esketamine calendar, schedule validator).
`next_step(unit, history, policy, dosing)` reads the outcome of each session so far and says
what the next session should do, with the findings that explain why.

Sources: clinical-reference.md 1.1 (loading, titration), 1.4, 4.8, 5.3, 5.6 and rules 2, 3 and 10
of section 8.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

from ketacare.domain.dosing_policy import DosingPolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.plan_policy import ESKETAMINE_INDUCTION_PER_WEEK, MaintenanceMode, PlanPolicy
from ketacare.domain.routes import Route
from ketacare.domain.sources import (
    EARLY_IMPROVEMENT_2021,
    LOADING_EXTENSION_PRACTICE,
    LOO_2023_KADS,
    MURROUGH_2013,
    SPRAVATO_LABEL,
)
from ketacare.domain.titration import first_dose, rung_above, titration_ladder

TITRATE_UP = rule(
    "plans.titrate_up",
    "When improvement is below the response threshold and the last dose was tolerated, raise the "
    "dose one rung of the ladder (0.5 → 0.6 → 0.75 → 0.9 mg/kg; esketamine one 28 mg step), one "
    "rung per session, never above the clinic maximum.",
    LOO_2023_KADS,
    params=(
        "plans.titration_ladder_mg_per_kg",
        "plans.response_improvement_pct",
        "dosing.iv_max_mg_per_kg",
        "dosing.im_max_mg_per_kg",
    ),
)
STEP_DOWN = rule(
    "plans.step_down",
    "When the last dose was not tolerated, step down to the step-down dose (0.5 mg/kg; "
    "esketamine one 28 mg step).",
    LOO_2023_KADS,
    params=("plans.step_down_mg_per_kg",),
)
NON_RESPONSE = rule(
    "plans.non_response",
    "Flag likely non-response for prescriber review when improvement is below 20% after session "
    "4; never before session 4 (58% of early non-improvers still improved by infusion 4).",
    EARLY_IMPROVEMENT_2021,
    params=("plans.non_response_improvement_pct", "plans.non_response_earliest_session"),
)
LOADING_COMPLETE = rule(
    "plans.loading_complete",
    "After the loading series (6 sessions; esketamine 8 in the 4-week induction) a response "
    "(≥ 50% improvement) completes loading and moves to maintenance.",
    MURROUGH_2013,
    params=("plans.loading_sessions", "plans.response_improvement_pct"),
)
EXTENSION = rule(
    "plans.extension",
    "A partial responder (improvement ≥ 30% and < 50%) at the end of loading is offered an "
    "extension up to 10 sessions in total. Clinic policy (practice: 6–10 sessions over 3–4 weeks).",
    LOADING_EXTENSION_PRACTICE,
    params=("plans.partial_response_improvement_pct", "plans.extension_total_sessions"),
)
ESKETAMINE_EVALUATE = rule(
    "plans.esketamine_evaluate",
    "Evaluate the benefit of esketamine at the end of induction; no label extension of induction.",
    SPRAVATO_LABEL,
    params=("plans.esketamine_induction_weeks",),
)


class PlanAction(StrEnum):
    CONTINUE = "continue"
    TITRATE_UP = "titrate_up"
    STEP_DOWN = "step_down"
    EXTEND = "extend"
    FLAG_NON_RESPONSE = "flag_non_response"
    COMPLETE_LOADING = "complete_loading"


@dataclass(frozen=True)
class SessionOutcome:
    """One session given: its number (1-based), dose and the patient's state afterwards.

    `mg_per_kg` for IV/IM/weight-based SL; `dose_mg` for esketamine (and fixed-mg SL).
    `improvement_pct`: % reduction of the tracked scale from baseline (negative = worse).
    `tolerated`: False when the dose caused adverse effects that argue against repeating it.
    """

    session_number: int
    improvement_pct: float
    tolerated: bool
    mg_per_kg: float | None = None
    dose_mg: float | None = None


@dataclass(frozen=True)
class PlanStep:
    """What the next session should do. `next_mg_per_kg` (weight-based) or `next_dose_mg`."""

    action: PlanAction
    next_session_number: int
    next_mg_per_kg: float | None
    next_dose_mg: float | None
    findings: tuple[Finding, ...]


def loading_length(route: Route, policy: PlanPolicy) -> int:
    """Sessions in the loading series (esketamine: twice weekly through the induction weeks)."""
    if route is Route.ESKETAMINE_NASAL:
        return policy.esketamine_induction_weeks * ESKETAMINE_INDUCTION_PER_WEEK
    if route is Route.SUBLINGUAL:
        return policy.sublingual_loading_sessions
    return policy.loading_sessions


def maintenance_mode(policy: PlanPolicy) -> MaintenanceMode:
    """The clinic's default maintenance mode, validated."""
    try:
        return MaintenanceMode(policy.maintenance_mode)
    except ValueError:
        allowed = ", ".join(m.value for m in MaintenanceMode)
        raise InvalidInput(
            f"plans.maintenance_mode must be one of {allowed}", field="plans.maintenance_mode"
        ) from None


def next_step(
    route: Route,
    history: Sequence[SessionOutcome],
    policy: PlanPolicy,
    dosing: DosingPolicy,
    *,
    override_recorded: bool = False,
    age_years: int | None = None,
) -> PlanStep:
    """The next session's action and dose from the outcomes so far (oldest first).

    Order of precedence: intolerance → step down; session ≥ 4 with improvement < 20% → flag
    non-response; end of loading → complete (response), extend (partial response) or complete
    for prescriber review; otherwise titrate up one rung when improvement < 50% and tolerated.
    The ceiling is the route's maximum (`override_recorded` → the override maximum).
    SL doses are never titrated here (prescriber-led). Esketamine needs `age_years`.
    """
    _check_history(history)
    ladder = titration_ladder(route, policy, dosing, override_recorded, age_years)
    if not history:
        unit = "mg" if route is Route.ESKETAMINE_NASAL else "mg/kg"
        first = first_dose(route, dosing, age_years)
        message = f"Session 1: start at {_fmt(unit, first)}."
        return _step(
            unit, PlanAction.CONTINUE, 1, first, TITRATE_UP.finding(Severity.INFO, message)
        )
    last = history[-1]
    number, improvement = last.session_number, last.improvement_pct
    current, unit = _dose_of(route, last)
    step_up = rung_above(ladder, current)
    if not last.tolerated:
        return _step_down(route, unit, number + 1, current, ladder, policy)
    if number >= policy.non_response_earliest_session and (
        improvement < policy.non_response_improvement_pct
    ):
        message = (
            f"Improvement {improvement:g}% after session {number} is below "
            f"{policy.non_response_improvement_pct:g}%: likely non-response; a prescriber "
            "should review before another session."
        )
        return _step(
            unit,
            PlanAction.FLAG_NON_RESPONSE,
            number + 1,
            current,
            NON_RESPONSE.finding(Severity.REVIEW, message, improvement_pct=improvement),
        )
    loading = loading_length(route, policy)
    if number >= loading:
        return _end_of_loading(route, unit, number, improvement, current, step_up, loading, policy)
    if improvement >= policy.response_improvement_pct:
        message = (
            f"Improvement {improvement:g}% meets the {policy.response_improvement_pct:g}% "
            f"response threshold: continue at {_fmt(unit, current)}."
        )
        return _step(
            unit,
            PlanAction.CONTINUE,
            number + 1,
            current,
            TITRATE_UP.finding(Severity.INFO, message),
        )
    return _titrate(route, unit, number + 1, improvement, current, step_up, policy)


def _end_of_loading(
    route: Route,
    unit: str,
    number: int,
    improvement: float,
    current: float,
    step_up: float | None,
    loading: int,
    policy: PlanPolicy,
) -> PlanStep:
    if improvement >= policy.response_improvement_pct:
        message = (
            f"Improvement {improvement:g}% after session {number} is a response "
            f"(≥ {policy.response_improvement_pct:g}%): loading complete, move to "
            "maintenance."
        )
        return _step(
            unit,
            PlanAction.COMPLETE_LOADING,
            number + 1,
            current,
            LOADING_COMPLETE.finding(Severity.INFO, message),
        )
    if route is Route.ESKETAMINE_NASAL:
        message = (
            f"Induction complete at session {number} with {improvement:g}% improvement: "
            "a prescriber evaluates the benefit before maintenance."
        )
        return _step(
            unit,
            PlanAction.COMPLETE_LOADING,
            number + 1,
            current,
            ESKETAMINE_EVALUATE.finding(Severity.REVIEW, message),
        )
    partial = improvement >= policy.partial_response_improvement_pct
    if partial and number < max(policy.extension_total_sessions, loading):
        nxt = current if step_up is None else step_up
        message = (
            f"Partial response ({improvement:g}%, ≥ {policy.partial_response_improvement_pct:g}"
            f"% and < {policy.response_improvement_pct:g}%) after session {number}: extend "
            f"to {policy.extension_total_sessions} sessions at {_fmt(unit, nxt)}."
        )
        return _step(
            unit,
            PlanAction.EXTEND,
            number + 1,
            nxt,
            EXTENSION.finding(Severity.CAUTION, message, improvement_pct=improvement),
        )
    kind = "partial response" if partial else "no partial response"
    message = (
        f"Series ends at session {number} with {improvement:g}% improvement ({kind}): a "
        "prescriber decides between maintenance and stopping."
    )
    return _step(
        unit,
        PlanAction.COMPLETE_LOADING,
        number + 1,
        current,
        LOADING_COMPLETE.finding(Severity.REVIEW, message),
    )


def _titrate(
    route: Route,
    unit: str,
    number: int,
    improvement: float,
    current: float,
    step_up: float | None,
    policy: PlanPolicy,
) -> PlanStep:
    below = (
        f"Improvement {improvement:g}% is below the {policy.response_improvement_pct:g}% "
        "response threshold and the dose was tolerated"
    )
    if route is Route.SUBLINGUAL:
        message = f"{below}; SL titration is prescriber-led: continue at {_fmt(unit, current)}."
        return _step(
            unit, PlanAction.CONTINUE, number, current, TITRATE_UP.finding(Severity.REVIEW, message)
        )
    if step_up is None:
        message = f"{below}, but {_fmt(unit, current)} is the clinic maximum: continue."
        return _step(
            unit,
            PlanAction.CONTINUE,
            number,
            current,
            TITRATE_UP.finding(Severity.CAUTION, message),
        )
    message = f"{below}: raise {_fmt(unit, current)} → {_fmt(unit, step_up)}."
    return _step(
        unit,
        PlanAction.TITRATE_UP,
        number,
        step_up,
        TITRATE_UP.finding(Severity.INFO, message, improvement_pct=improvement),
    )


def _step_down(
    route: Route,
    unit: str,
    number: int,
    current: float,
    ladder: tuple[float, ...] | None,
    policy: PlanPolicy,
) -> PlanStep:
    if route is Route.ESKETAMINE_NASAL and ladder:
        lower = [d for d in ladder if d < current]
        target = lower[-1] if lower else current
    elif route is Route.SUBLINGUAL:
        target = current
    else:
        target = min(current, policy.step_down_mg_per_kg)
    if target < current:
        message = (
            f"The last dose ({_fmt(unit, current)}) was not tolerated: step down to "
            f"{_fmt(unit, target)}."
        )
        return _step(
            unit, PlanAction.STEP_DOWN, number, target, STEP_DOWN.finding(Severity.CAUTION, message)
        )
    message = (
        f"The last dose ({_fmt(unit, current)}) was not tolerated and there is no lower "
        "step: a prescriber must decide the next dose."
    )
    return _step(
        unit, PlanAction.STEP_DOWN, number, current, STEP_DOWN.finding(Severity.HOLD, message)
    )


def _dose_of(route: Route, outcome: SessionOutcome) -> tuple[float, str]:
    """The session's dose and its unit: mg for esketamine and fixed-mg SL, else mg/kg."""
    fixed_sl = route is Route.SUBLINGUAL and outcome.mg_per_kg is None
    by_mg = route is Route.ESKETAMINE_NASAL or fixed_sl
    value = outcome.dose_mg if by_mg else outcome.mg_per_kg
    if value is None or not math.isfinite(value) or value <= 0:
        field = "dose_mg" if by_mg else "mg_per_kg"
        _invalid(
            f"session {outcome.session_number}: {field} must be a positive number for "
            f"{route.value}",
            field,
        )
    return value, "mg" if by_mg else "mg/kg"


def _check_history(history: Sequence[SessionOutcome]) -> None:
    previous = 0
    for outcome in history:
        if outcome.session_number <= previous:
            _invalid(
                "history must be in order of strictly increasing session_number from 1",
                "session_number",
            )
        if not math.isfinite(outcome.improvement_pct) or outcome.improvement_pct > 100:
            _invalid("improvement_pct must be a number no greater than 100", "improvement_pct")
        previous = outcome.session_number


def _step(unit: str, action: PlanAction, number: int, dose: float, finding: Finding) -> PlanStep:
    by_mg = unit == "mg"
    return PlanStep(action, number, None if by_mg else dose, dose if by_mg else None, (finding,))


def _fmt(unit: str, dose: float) -> str:
    return f"{dose:g} {unit}"


def _invalid(message: str, field: str) -> NoReturn:
    raise InvalidInput(message, field=field)


__all__ = [
    "MaintenanceMode",
    "PlanAction",
    "PlanPolicy",
    "PlanStep",
    "SessionOutcome",
    "loading_length",
    "maintenance_mode",
    "next_step",
]
