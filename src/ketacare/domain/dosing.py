"""Dose computation for every route: weight-based racemic ketamine and fixed esketamine doses.

`compute_dose(route, ...)` returns a `DosePlan` (mg, mg/kg, the weight it rests on, infusion
rate, device count) with the findings that explain it, or raises `RuleViolation` (findings
attached) when the dose is outside what the policy allows. No computed dose ever exceeds the
route's policy maximum: doses are rounded DOWN to 0.1 mg.

Sources: clinical-reference.md 1.1 (IV range, weight basis), 1.3 (IM), 1.4 (esketamine),
1.5 (SL/oral) and rule 1 of section 8. Ideal body weight: Devine 1974.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

from ketacare.domain.errors import InvalidInput, RuleViolation
from ketacare.domain.esketamine import EsketamineRegimen, check_esketamine_dose
from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.routes import DosingPolicy, Route
from ketacare.domain.sources import (
    ANDRADE_2017,
    CHILUKURI_2014_POLICY,
    DEVINE_1974,
    ORAL_SL_POLICY,
    SINGH_2019,
)

WEIGHT_RANGE_KG = (20.0, 400.0)  # input sanity bounds, not clinical thresholds
HEIGHT_RANGE_CM = (100.0, 250.0)
DEVINE_BASE_HEIGHT_CM = 152.4  # 5 ft: the formula's baseline height
CM_PER_INCH = 2.54

IV_RANGE = rule(
    "dosing.iv_range",
    "An IV dose is given between the minimum and maximum mg/kg; above the maximum only with a "
    "recorded prescriber override, and never above the override maximum (1.0 mg/kg at most).",
    ANDRADE_2017,
    params=(
        "dosing.iv_min_mg_per_kg",
        "dosing.iv_max_mg_per_kg",
        "dosing.iv_override_max_mg_per_kg",
    ),
)
IM_RANGE = rule(
    "dosing.im_range",
    "An IM dose is given between the minimum and maximum mg/kg; above the maximum only with a "
    "recorded override up to the IM override maximum. Clinic policy (Chilukuri 2014).",
    CHILUKURI_2014_POLICY,
    params=(
        "dosing.im_min_mg_per_kg",
        "dosing.im_max_mg_per_kg",
        "dosing.im_override_max_mg_per_kg",
    ),
)
SUBLINGUAL_RANGE = rule(
    "dosing.sublingual_range",
    "A sublingual/oral dose stays within the mg/kg range (when weight-based) and within the "
    "per-session mg range. Clinic policy (Andrade 2019, Lara 2013, Hull 2022).",
    ORAL_SL_POLICY,
    params=(
        "dosing.sublingual_min_mg_per_kg",
        "dosing.sublingual_max_mg_per_kg",
        "dosing.sublingual_min_mg",
        "dosing.sublingual_max_mg",
    ),
)
WEIGHT_BASIS = rule(
    "dosing.weight_basis",
    "Weight-based doses use actual body weight; when the clinic chooses, patients at or above "
    "the BMI threshold are dosed on ideal body weight (never more than actual weight).",
    SINGH_2019,
    params=("dosing.ideal_weight_bmi_threshold", "dosing.ideal_weight_when_obese"),
)
IDEAL_WEIGHT_FORMULA = rule(
    "dosing.ideal_weight_formula",
    "Ideal body weight is the Devine formula: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch "
    "over 5 ft; below 5 ft it extrapolates, so a prescriber must choose the weight basis.",
    DEVINE_1974,
)


class Sex(StrEnum):
    """Sex used by the Devine ideal-body-weight formula."""

    MALE = "male"
    FEMALE = "female"


class WeightBasis(StrEnum):
    ACTUAL = "actual"
    IDEAL = "ideal"


@dataclass(frozen=True)
class DosePlan:
    """A computed dose. Fields that do not apply to the route are None.

    `mg_per_kg` and `weight_basis_kg`/`basis` are None for fixed-mg doses (esketamine, fixed SL).
    `infusion_minutes` and `rate_mg_per_h` apply to IV only; `device_count` to esketamine only.
    `override_reason` is set only when the dose needed the recorded override.
    """

    route: Route
    dose_mg: float
    findings: tuple[Finding, ...]
    mg_per_kg: float | None = None
    weight_basis_kg: float | None = None
    basis: WeightBasis | None = None
    infusion_minutes: int | None = None
    rate_mg_per_h: float | None = None
    device_count: int | None = None
    override_reason: str | None = None


def body_mass_index(weight_kg: float, height_cm: float) -> float:
    """BMI in kg/m²."""
    _check_range("weight_kg", weight_kg, WEIGHT_RANGE_KG, "kg")
    _check_range("height_cm", height_cm, HEIGHT_RANGE_CM, "cm")
    return weight_kg / (height_cm / 100.0) ** 2


def ideal_body_weight_kg(height_cm: float, sex: Sex) -> float:
    """Devine ideal body weight in kg: base (50 kg men, 45.5 kg women) + 2.3 kg per inch over 5 ft.

    Below 5 ft (152.4 cm) the formula subtracts, as published; callers flag it for review.
    """
    _check_range("height_cm", height_cm, HEIGHT_RANGE_CM, "cm")
    base = 50.0 if sex is Sex.MALE else 45.5
    return base + 2.3 * (height_cm - DEVINE_BASE_HEIGHT_CM) / CM_PER_INCH


def compute_dose(
    route: Route,
    *,
    policy: DosingPolicy,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    sex: Sex | None = None,
    ideal_weight_when_obese: bool | None = None,
    mg_per_kg: float | None = None,
    fixed_mg: float | None = None,
    esketamine_mg: int | None = None,
    previous_esketamine_mg: int | None = None,
    esketamine_regimen: EsketamineRegimen = EsketamineRegimen.TRD,
    session_number: int = 1,
    age_years: int | None = None,
    override_reason: str | None = None,
) -> DosePlan:
    """The dose for one session on `route`.

    IV/IM: `mg_per_kg` (None → the route default) × the basis weight (`weight_kg`; ideal weight
    when BMI ≥ threshold and `ideal_weight_when_obese` — None → the policy choice — which needs
    `height_cm` and `sex`). Above the maximum needs a non-blank `override_reason`.
    Esketamine: `esketamine_mg` (None → day-1 dose on session 1, else the previous dose) checked
    against the label; needs `age_years`, and `previous_esketamine_mg` after session 1.
    Sublingual/oral: `fixed_mg`, or `mg_per_kg` (None → the default) × weight.
    Raises InvalidInput for malformed input and RuleViolation when a rule refuses the dose.
    """
    if session_number < 1:
        raise InvalidInput("session_number must be 1 or more", field="session_number")
    if route is Route.ESKETAMINE_NASAL:
        return _esketamine(
            policy,
            esketamine_mg,
            previous_esketamine_mg,
            esketamine_regimen,
            session_number,
            age_years,
        )
    if route is Route.SUBLINGUAL and fixed_mg is not None:
        if mg_per_kg is not None:
            raise InvalidInput(
                "give either fixed_mg or mg_per_kg for a sublingual dose, not both",
                field="fixed_mg",
            )
        return _sublingual_fixed(policy, fixed_mg)
    if weight_kg is None:
        raise InvalidInput(
            f"weight_kg is required for a weight-based {route.value} dose", field="weight_kg"
        )
    use_ideal = (
        policy.ideal_weight_when_obese
        if ideal_weight_when_obese is None
        else ideal_weight_when_obese
    )
    basis, basis_kg, findings = _basis_weight(weight_kg, height_cm, sex, use_ideal, policy)
    if route is Route.SUBLINGUAL:
        return _sublingual_per_kg(policy, mg_per_kg, basis, basis_kg, findings)
    return _racemic_per_kg(route, policy, mg_per_kg, basis, basis_kg, override_reason, findings)


def _basis_weight(
    weight_kg: float,
    height_cm: float | None,
    sex: Sex | None,
    use_ideal: bool,
    policy: DosingPolicy,
) -> tuple[WeightBasis, float, list[Finding]]:
    _check_range("weight_kg", weight_kg, WEIGHT_RANGE_KG, "kg")
    if not use_ideal:
        return (
            WeightBasis.ACTUAL,
            float(weight_kg),
            [WEIGHT_BASIS.finding(Severity.INFO, f"Dosed on actual body weight {weight_kg:g} kg.")],
        )
    if height_cm is None:
        raise InvalidInput("height_cm is required to consider ideal body weight", field="height_cm")
    bmi = body_mass_index(weight_kg, height_cm)
    if bmi < policy.ideal_weight_bmi_threshold:
        return (
            WeightBasis.ACTUAL,
            float(weight_kg),
            [
                WEIGHT_BASIS.finding(
                    Severity.INFO,
                    f"BMI {bmi:.1f} is below {policy.ideal_weight_bmi_threshold:g}: "
                    f"dosed on actual body weight {weight_kg:g} kg.",
                    bmi=round(bmi, 1),
                )
            ],
        )
    if sex is None:
        raise InvalidInput(
            "sex (male or female) is required for the ideal-body-weight "
            "formula when BMI is at or above the threshold",
            field="sex",
        )
    if height_cm < DEVINE_BASE_HEIGHT_CM:
        message = (
            f"Height {height_cm:g} cm is under 5 ft (152.4 cm), where the Devine formula "
            "extrapolates: a prescriber must choose the weight basis for this patient."
        )
        _refuse(IDEAL_WEIGHT_FORMULA, Severity.HOLD, message, "height_cm")
    ideal = ideal_body_weight_kg(height_cm, sex)
    # Never dose on more than the patient weighs.
    basis_kg = round(min(ideal, weight_kg), 1)
    finding = WEIGHT_BASIS.finding(
        Severity.INFO,
        f"BMI {bmi:.1f} is at or above {policy.ideal_weight_bmi_threshold:g}: "
        f"dosed on ideal body weight {basis_kg:g} kg (actual {weight_kg:g} kg).",
        bmi=round(bmi, 1),
        ideal_weight_kg=round(ideal, 1),
    )
    return WeightBasis.IDEAL, basis_kg, [finding]


def _racemic_per_kg(
    route: Route,
    policy: DosingPolicy,
    mg_per_kg: float | None,
    basis: WeightBasis,
    basis_kg: float,
    override_reason: str | None,
    findings: list[Finding],
) -> DosePlan:
    if route is Route.IV:
        rule_, default, low, high = (
            IV_RANGE,
            policy.iv_default_mg_per_kg,
            policy.iv_min_mg_per_kg,
            policy.iv_max_mg_per_kg,
        )
        ceiling = max(high, policy.iv_override_max_mg_per_kg)
    else:
        rule_, default, low, high = (
            IM_RANGE,
            policy.im_default_mg_per_kg,
            policy.im_min_mg_per_kg,
            policy.im_max_mg_per_kg,
        )
        ceiling = max(high, policy.im_override_max_mg_per_kg)
    per_kg = default if mg_per_kg is None else _positive("mg_per_kg", mg_per_kg)
    reason = (override_reason or "").strip() or None
    name = f"{route.value.upper()} dose {per_kg:g} mg/kg"
    if per_kg < low:
        _refuse(rule_, Severity.BLOCK, f"{name} is below the {low:g} mg/kg minimum.", "mg_per_kg")
    if per_kg > ceiling:
        message = f"{name} is above the {ceiling:g} mg/kg ceiling; no override allows it."
        _refuse(rule_, Severity.BLOCK, message, "mg_per_kg")
    used_override = per_kg > high
    if used_override and reason is None:
        message = (
            f"{name} is above the {high:g} mg/kg maximum; a prescriber must record an "
            f"override reason to give up to {ceiling:g} mg/kg."
        )
        _refuse(rule_, Severity.HOLD, message, "override_reason")
    dose_mg = _floor_tenth(per_kg * basis_kg)
    if used_override:
        message = (
            f"{name} is above the {high:g} mg/kg maximum, given under a recorded override: {reason}"
        )
        findings.append(rule_.finding(Severity.CAUTION, message, override_reason=reason))
    minutes = policy.iv_infusion_minutes if route is Route.IV else None
    rate = _floor_tenth(dose_mg * 60.0 / minutes) if minutes else None
    timing = f" over {minutes} min ({rate:g} mg/h)." if minutes else "."
    message = f"{name} × {basis_kg:g} kg = {dose_mg:g} mg{timing}"
    findings.append(rule_.finding(Severity.INFO, message, dose_mg=dose_mg))
    return DosePlan(
        route,
        dose_mg,
        tuple(findings),
        mg_per_kg=per_kg,
        weight_basis_kg=basis_kg,
        basis=basis,
        infusion_minutes=minutes,
        rate_mg_per_h=rate,
        override_reason=reason if used_override else None,
    )


def _sublingual_per_kg(
    policy: DosingPolicy,
    mg_per_kg: float | None,
    basis: WeightBasis,
    basis_kg: float,
    findings: list[Finding],
) -> DosePlan:
    per_kg = (
        policy.sublingual_default_mg_per_kg
        if mg_per_kg is None
        else _positive("mg_per_kg", mg_per_kg)
    )
    low, high = policy.sublingual_min_mg_per_kg, policy.sublingual_max_mg_per_kg
    if not low <= per_kg <= high:
        message = f"Sublingual dose {per_kg:g} mg/kg is outside the allowed {low:g}–{high:g} mg/kg."
        _refuse(SUBLINGUAL_RANGE, Severity.BLOCK, message, "mg_per_kg")
    dose_mg = _check_sublingual_mg(policy, _floor_tenth(per_kg * basis_kg))
    message = f"Sublingual {per_kg:g} mg/kg × {basis_kg:g} kg = {dose_mg:g} mg."
    findings.append(SUBLINGUAL_RANGE.finding(Severity.INFO, message, dose_mg=dose_mg))
    return DosePlan(
        Route.SUBLINGUAL,
        dose_mg,
        tuple(findings),
        mg_per_kg=per_kg,
        weight_basis_kg=basis_kg,
        basis=basis,
    )


def _sublingual_fixed(policy: DosingPolicy, fixed_mg: float) -> DosePlan:
    dose_mg = _check_sublingual_mg(policy, _floor_tenth(_positive("fixed_mg", fixed_mg)))
    message = f"Sublingual fixed dose {dose_mg:g} mg."
    finding = SUBLINGUAL_RANGE.finding(Severity.INFO, message, dose_mg=dose_mg)
    return DosePlan(Route.SUBLINGUAL, dose_mg, (finding,))


def _check_sublingual_mg(policy: DosingPolicy, dose_mg: float) -> float:
    low, high = policy.sublingual_min_mg, policy.sublingual_max_mg
    if not low <= dose_mg <= high:
        message = f"Sublingual dose {dose_mg:g} mg is outside the allowed {low:g}–{high:g} mg."
        _refuse(SUBLINGUAL_RANGE, Severity.BLOCK, message, "dose_mg")
    return dose_mg


def _refuse(rule_: Rule, severity: Severity, message: str, field: str) -> NoReturn:
    raise RuleViolation(message, [rule_.finding(severity, message)], field=field)


def _esketamine(
    policy: DosingPolicy,
    esketamine_mg: int | None,
    previous_mg: int | None,
    regimen: EsketamineRegimen,
    session_number: int,
    age_years: int | None,
) -> DosePlan:
    if age_years is None:
        raise InvalidInput("age_years is required for an esketamine dose", field="age_years")
    dose, findings = check_esketamine_dose(
        esketamine_mg,
        session_number=session_number,
        age_years=age_years,
        previous_mg=previous_mg,
        regimen=regimen,
        policy=policy,
    )
    devices = dose // policy.esketamine_device_mg
    return DosePlan(Route.ESKETAMINE_NASAL, float(dose), findings, device_count=devices)


def _floor_tenth(value: float) -> float:
    # Round down so that a computed dose never exceeds the mg/kg it was computed from.
    return math.floor(value * 10.0 + 1e-9) / 10.0


def _positive(field: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"{field} must be a positive number; got {value}", field=field)
    return value


def _check_range(field: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(
            f"{field} must be between {low:g} and {high:g} {unit}; got {value}", field=field
        )
