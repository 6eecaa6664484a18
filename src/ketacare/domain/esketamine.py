"""Esketamine nasal spray (Spravato) dose rules from the label.

Doses come only as 28, 56 or 84 mg (1–3 devices of 28 mg, 5-minute rest between devices);
day 1 is 56 mg (28 mg at age ≥ 65); adults under 65 get 56 or 84 mg afterwards; an increase is
at most one 28 mg step from the previous session; never more than 84 mg. The MDD-with-acute-
suicidal-ideation regimen is 84 mg twice weekly, reducible to 56 mg for tolerability.

Sources: clinical-reference.md 1.4 and rule 4 of section 8 (Spravato label).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

from ketacare.domain.errors import InvalidInput, RuleViolation
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.routes import DosingPolicy
from ketacare.domain.sources import SPRAVATO_LABEL

LABELLED_ADULT_AGE_YEARS = 18  # the label is for adults; not a clinic-adjustable value

ESKETAMINE_DOSE = rule(
    "dosing.esketamine_dose",
    "Esketamine doses are 28, 56 or 84 mg only: day 1 is 56 mg (28 mg at age 65 or over); adults "
    "under 65 then get 56 or 84 mg; an increase is at most one 28 mg step per session; never "
    "more than 84 mg per session.",
    SPRAVATO_LABEL,
    params=(
        "dosing.esketamine_allowed_mg",
        "dosing.esketamine_max_mg",
        "dosing.esketamine_step_mg",
        "dosing.esketamine_day1_mg",
        "dosing.esketamine_day1_elderly_mg",
        "dosing.esketamine_elderly_age_years",
        "dosing.esketamine_min_mg_under_elderly_age",
    ),
)
ESKETAMINE_DEVICES = rule(
    "dosing.esketamine_devices",
    "Give one 28 mg device per 28 mg of dose, with a 5-minute rest between devices.",
    SPRAVATO_LABEL,
    params=("dosing.esketamine_device_mg", "dosing.esketamine_device_rest_minutes"),
)


class EsketamineRegimen(StrEnum):
    TRD = "trd"  # treatment-resistant depression: induction, then maintenance
    MDD_SUICIDAL_IDEATION = "mdd_suicidal_ideation"  # 84 mg twice weekly × 4 weeks


def is_elderly(age_years: int, policy: DosingPolicy) -> bool:
    """True when the esketamine elderly schedule (28 mg start) applies."""
    return age_years >= policy.esketamine_elderly_age_years


def esketamine_dose_options(
    *, session_number: int, age_years: int, regimen: EsketamineRegimen, policy: DosingPolicy
) -> tuple[int, ...]:
    """The doses (mg) the label allows at this session, ascending."""
    allowed = sorted(d for d in policy.esketamine_allowed_mg if 0 < d <= policy.esketamine_max_mg)
    if regimen is EsketamineRegimen.MDD_SUICIDAL_IDEATION:
        top = policy.esketamine_max_mg
        if session_number == 1:
            return (top,)
        return tuple(d for d in allowed if d >= top - policy.esketamine_step_mg)
    if session_number == 1:
        elderly = is_elderly(age_years, policy)
        return (policy.esketamine_day1_elderly_mg if elderly else policy.esketamine_day1_mg,)
    floor = 0 if is_elderly(age_years, policy) else policy.esketamine_min_mg_under_elderly_age
    return tuple(d for d in allowed if d >= floor)


def check_esketamine_dose(
    dose_mg: int | None,
    *,
    session_number: int,
    age_years: int,
    previous_mg: int | None,
    regimen: EsketamineRegimen,
    policy: DosingPolicy,
) -> tuple[int, tuple[Finding, ...]]:
    """The esketamine dose for this session (mg) and the findings that explain it.

    `dose_mg` None means the day-1 dose on session 1, else the previous session's dose.
    `previous_mg` is required after session 1 (the step rule needs it).
    Raises RuleViolation (BLOCK) when the label does not allow the dose.
    """
    if not 0 <= age_years <= 130:
        raise InvalidInput(
            f"age_years must be between 0 and 130; got {age_years}", field="age_years"
        )
    if age_years < LABELLED_ADULT_AGE_YEARS:
        _refuse(f"Esketamine is labelled for adults; the patient is {age_years}.", "age_years")
    if session_number > 1 and previous_mg is None:
        raise InvalidInput(
            "previous_esketamine_mg is required after session 1", field="previous_esketamine_mg"
        )
    if previous_mg is not None and previous_mg not in policy.esketamine_allowed_mg:
        raise InvalidInput(
            f"previous_esketamine_mg must be one of "
            f"{_list(policy.esketamine_allowed_mg)} mg; got {previous_mg}",
            field="previous_esketamine_mg",
        )
    options = esketamine_dose_options(
        session_number=session_number, age_years=age_years, regimen=regimen, policy=policy
    )
    if dose_mg is None:
        dose_mg = options[0] if session_number == 1 or previous_mg is None else previous_mg
    if dose_mg not in options:
        _refuse(
            f"Esketamine {dose_mg} mg is not allowed at session {session_number} for a "
            f"{age_years}-year-old ({regimen.value}): allowed {_list(options)} mg.",
            "esketamine_mg",
        )
    if (
        session_number > 1
        and previous_mg is not None
        and dose_mg - previous_mg > policy.esketamine_step_mg
    ):
        _refuse(
            f"Esketamine {previous_mg} → {dose_mg} mg raises the dose by more than one "
            f"{policy.esketamine_step_mg} mg step in a session.",
            "esketamine_mg",
        )
    devices = dose_mg // policy.esketamine_device_mg
    findings = (
        ESKETAMINE_DOSE.finding(
            Severity.INFO,
            f"Esketamine {dose_mg} mg at session {session_number} (allowed {_list(options)} mg).",
            dose_mg=dose_mg,
        ),
        ESKETAMINE_DEVICES.finding(
            Severity.INFO,
            f"{devices} device(s) of "
            f"{policy.esketamine_device_mg} mg, "
            f"{policy.esketamine_device_rest_minutes} min rest between "
            "devices.",
            device_count=devices,
        ),
    )
    return dose_mg, findings


def _refuse(message: str, field: str) -> NoReturn:
    raise RuleViolation(message, [ESKETAMINE_DOSE.finding(Severity.BLOCK, message)], field=field)


def _list(values: tuple[int, ...]) -> str:
    return "/".join(str(v) for v in values)
