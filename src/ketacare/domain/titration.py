"""Titration ladders: the doses a plan may step through on each route.

IV/IM: the KADS ladder 0.5 → 0.6 → 0.75 → 0.9 mg/kg capped at the route's maximum (the override
maximum only when an override is recorded); esketamine: the labelled 28 mg steps within the
patient's age band; sublingual: not titrated by rule (prescriber-led).
"""

from __future__ import annotations

from itertools import pairwise

from ketacare.domain.dosing_policy import DosingPolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.esketamine import is_elderly
from ketacare.domain.plan_policy import PlanPolicy
from ketacare.domain.routes import Route


def titration_ladder(
    route: Route, policy: PlanPolicy, dosing: DosingPolicy, override: bool, age: int | None
) -> tuple[float, ...] | None:
    """Rungs (mg/kg; esketamine mg) at or below the route's ceiling, ascending.

    None when the route is not titrated by rule (sublingual). Esketamine needs `age`.
    """
    if route is Route.SUBLINGUAL:
        return None
    if route is Route.ESKETAMINE_NASAL:
        if age is None:
            raise InvalidInput("age_years is required to plan esketamine doses", field="age_years")
        floor = 0 if is_elderly(age, dosing) else dosing.esketamine_min_mg_under_elderly_age
        return tuple(
            float(d)
            for d in sorted(dosing.esketamine_allowed_mg)
            if floor <= d <= dosing.esketamine_max_mg
        )
    rungs = policy.titration_ladder_mg_per_kg
    if not rungs or rungs[0] <= 0 or any(b <= a for a, b in pairwise(rungs)):
        raise InvalidInput(
            "plans.titration_ladder_mg_per_kg must be positive and ascending",
            field="plans.titration_ladder_mg_per_kg",
        )
    if route is Route.IV:
        high, ceiling = dosing.iv_max_mg_per_kg, dosing.iv_override_max_mg_per_kg
    else:
        high, ceiling = dosing.im_max_mg_per_kg, dosing.im_override_max_mg_per_kg
    top = max(high, ceiling) if override else high
    return tuple(r for r in rungs if r <= top + 1e-9)


def rung_above(ladder: tuple[float, ...] | None, current: float) -> float | None:
    """The next rung strictly above `current`: never skips one, even from an off-ladder dose."""
    if not ladder:
        return None
    above = [r for r in ladder if r > current + 1e-9]
    return above[0] if above else None


def first_dose(route: Route, dosing: DosingPolicy, age: int | None) -> float:
    """The first session's dose: the route default in mg/kg, or the esketamine day-1 dose in mg."""
    if route is Route.IV:
        return dosing.iv_default_mg_per_kg
    if route is Route.IM:
        return dosing.im_default_mg_per_kg
    if route is Route.SUBLINGUAL:
        return dosing.sublingual_default_mg_per_kg
    if age is None:
        raise InvalidInput("age_years is required to plan esketamine doses", field="age_years")
    elderly = is_elderly(age, dosing)
    return float(dosing.esketamine_day1_elderly_mg if elderly else dosing.esketamine_day1_mg)
