"""The discharge checklist: the discharge policy section, its rules, and one builder per criterion.

Each builder returns a `Criterion` (a stable name, passed or not, and a finding saying why):
INFO when passed, HOLD when not, BLOCK for the minimum observation (no override). The gate
that runs them all is `discharge_gate` in discharge.py, which re-exports `DischargePolicy` and
`Criterion`.

Sources: clinical-reference.md §2.1 (REMS: ≥ 2 h and until sedation, dissociation and
respiratory depression resolve), §2.4 (Ketalar: recovery complete, responsible adult), §4.5–4.6
(CADSS-6, MOAA/S), §8 rule 7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.routes import Route, SessionShape
from ketacare.domain.sources import (
    CLINIC_POLICY,
    KETALAR_LABEL_RECOVERY,
    NCT05803551_EXCLUSIONS,
    SPRAVATO_LABEL,
    SPRAVATO_REMS,
)
from ketacare.domain.thresholds import threshold
from ketacare.domain.vital_signs import VitalReading, fmt
from ketacare.domain.vitals_policy import VitalsPolicy


@dataclass(frozen=True)
class DischargePolicy:
    """Discharge thresholds (policy section "discharge").

    The vital-sign lines are the pre-dose lines of `VitalsPolicy` (not repeated here); the
    minimum observation is `DosingPolicy`'s, via `session_shape` (not repeated here either).
    """

    bp_baseline_margin_mmhg: int = threshold(
        10,
        statement="Blood pressure outside the pre-dose hold line still counts as back to normal "
        "when systolic and diastolic are each within 10 mmHg of the patient's pre-dose reading "
        "(never at or above the block line). UNCONFIRMED default: a prescriber must confirm it.",
        unit="mmHg",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=30,
    )
    heart_rate_baseline_margin_bpm: int = threshold(
        10,
        statement="Heart rate outside the pre-dose range still counts as back to normal when "
        "within 10 /min of the patient's pre-dose reading. UNCONFIRMED default: a prescriber "
        "must confirm it.",
        unit="/min",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=30,
    )
    vitals_max_age_min: int = threshold(
        15,
        statement="The reading before discharge must be at most 15 minutes old. UNCONFIRMED "
        "default: a prescriber must confirm it.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=5,
        maximum=60,
    )
    required_moaas: int = threshold(
        5,
        statement="Sedation has resolved when MOAA/S is 5 (responds readily to name in a normal "
        "tone); REMS: monitor until sedation resolves.",
        unit="MOAA/S",
        source=SPRAVATO_REMS,
        minimum=5,
        maximum=5,
    )
    dissociation_max_cadss6: int = threshold(
        0,
        statement="Dissociation has resolved when the CADSS-6 total (0–24) is at or below this "
        "(default 0: no item endorsed). UNCONFIRMED default: a prescriber must confirm it.",
        unit="CADSS-6 points",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=6,
    )
    escort_required: bool = threshold(
        True,
        statement="The patient leaves only with a responsible adult escort.",
        unit="yes/no",
        source=KETALAR_LABEL_RECOVERY,
    )


@dataclass(frozen=True)
class Criterion:
    """One line of the discharge checklist: a stable name, passed or not, and why."""

    name: str
    passed: bool
    finding: Finding


_DOSING = "dosing."
OBSERVATION_ESKETAMINE = rule(
    "discharge.minimum_observation_esketamine",
    "Esketamine: at least 2 hours of observation from the first device before discharge; "
    "no override.",
    SPRAVATO_REMS,
    params=(_DOSING + "esketamine_min_observation_minutes",),
)
OBSERVATION_RACEMIC = rule(
    "discharge.minimum_observation_racemic",
    "Racemic ketamine: the clinic's minimum observation after the end of dosing before "
    "discharge (UNCONFIRMED clinic policy); no override.",
    CLINIC_POLICY,
    params=(
        _DOSING + "iv_min_observation_minutes",
        _DOSING + "im_min_observation_minutes",
        _DOSING + "sublingual_min_observation_minutes",
    ),
)
VITALS_RECORDED = rule(
    "discharge.vitals_recorded",
    "Vital signs are re-checked before discharge: a reading after dosing began, at most 15 "
    "minutes old.",
    SPRAVATO_REMS,
    params=("discharge.vitals_max_age_min",),
)
BLOOD_PRESSURE = rule(
    "discharge.blood_pressure",
    "Blood pressure has come back down: at or below the pre-dose hold line (140/90) and not "
    "below 90 systolic, or within 10 mmHg of the pre-dose reading; never at or above 180/100.",
    SPRAVATO_LABEL,
    params=(
        "vitals.predose_hold_systolic_mmhg",
        "vitals.predose_hold_diastolic_mmhg",
        "vitals.predose_block_systolic_mmhg",
        "vitals.predose_block_diastolic_mmhg",
        "vitals.predose_min_systolic_mmhg",
        "discharge.bp_baseline_margin_mmhg",
    ),
)
HEART_RATE = rule(
    "discharge.heart_rate",
    "Heart rate within the pre-dose range (50–120 /min) or within 10 /min of the pre-dose "
    "reading (UNCONFIRMED defaults).",
    NCT05803551_EXCLUSIONS,
    params=(
        "vitals.predose_min_heart_rate_bpm",
        "vitals.predose_max_heart_rate_bpm",
        "discharge.heart_rate_baseline_margin_bpm",
    ),
)
RESPIRATION = rule(
    "discharge.respiration",
    "Respiratory depression has resolved: SpO2 at least 95% (or at least the pre-dose "
    "reading) and, when measured, respiratory rate within the pre-dose range.",
    SPRAVATO_REMS,
    params=(
        "vitals.predose_min_spo2_pct",
        "vitals.predose_min_respiratory_rate_per_min",
        "vitals.predose_max_respiratory_rate_per_min",
    ),
)
SEDATION = rule(
    "discharge.sedation",
    "Sedation has resolved: MOAA/S 5.",
    SPRAVATO_REMS,
    params=("discharge.required_moaas",),
)
DISSOCIATION = rule(
    "discharge.dissociation",
    "Dissociation has resolved: CADSS-6 total at or below the policy maximum (default 0).",
    SPRAVATO_REMS,
    params=("discharge.dissociation_max_cadss6",),
)
ESCORT = rule(
    "discharge.escort",
    "A responsible adult escort is present to take the patient home.",
    KETALAR_LABEL_RECOVERY,
    params=("discharge.escort_required",),
)


def criterion(
    name: str,
    declared: Rule,
    passed: bool,
    message: str,
    *,
    failing: Severity = Severity.HOLD,
    data: dict[str, object] | None = None,
) -> Criterion:
    """A checklist line: INFO when passed, `failing` (HOLD unless said) when not."""
    severity = Severity.INFO if passed else failing
    return Criterion(name, passed, declared.finding(severity, message, **(data or {})))


def observation_criterion(
    route: Route, dose_start: datetime, now: datetime, ready_at: datetime, shape: SessionShape
) -> Criterion:
    declared = OBSERVATION_ESKETAMINE if route is Route.ESKETAMINE_NASAL else OBSERVATION_RACEMIC
    elapsed = (now - dose_start).total_seconds() / 60
    counted = "the first device" if route is Route.ESKETAMINE_NASAL else "the end of dosing"
    rule_text = f"at least {shape.minimum_observation_min} min from {counted}"
    passed = now >= ready_at
    verdict = "met" if passed else f"not before {ready_at:%H:%M}"
    message = f"Observed {int(elapsed)} min since dosing began; {rule_text}: {verdict}."
    data: dict[str, object] = {"elapsed_min": elapsed, "ready_at_earliest": ready_at.isoformat()}
    # The minimum observation is a hard floor with no override: BLOCK, not HOLD.
    return criterion(
        "minimum_observation", declared, passed, message, failing=Severity.BLOCK, data=data
    )


def recorded_criterion(
    dose_start: datetime, now: datetime, latest: VitalReading | None, policy: DischargePolicy
) -> Criterion:
    name, limit = "vitals_recorded", policy.vitals_max_age_min
    if latest is None or latest.taken_at < dose_start:
        return criterion(name, VITALS_RECORDED, False, "No reading since dosing began: take one.")
    age = (now - latest.taken_at).total_seconds() / 60
    if age > limit:
        message = f"Latest reading is {int(age)} min old (limit {limit} min): take a new one."
        return criterion(name, VITALS_RECORDED, False, message, data={"age_min": age})
    message = f"Latest reading taken {int(age)} min ago (limit {limit} min)."
    return criterion(name, VITALS_RECORDED, True, message, data={"age_min": age})


def blood_pressure_criterion(
    latest: VitalReading | None,
    base: VitalReading | None,
    vp: VitalsPolicy,
    policy: DischargePolicy,
) -> Criterion:
    if latest is None:
        return criterion("blood_pressure", BLOOD_PRESSURE, False, "No blood pressure recorded.")
    sys, dia, margin = latest.systolic_mmhg, latest.diastolic_mmhg, policy.bp_baseline_margin_mmhg
    hold = f"{vp.predose_hold_systolic_mmhg}/{vp.predose_hold_diastolic_mmhg}"
    block = f"{vp.predose_block_systolic_mmhg}/{vp.predose_block_diastolic_mmhg}"
    data: dict[str, object] = {"systolic_mmhg": sys, "diastolic_mmhg": dia}
    if sys >= vp.predose_block_systolic_mmhg or dia >= vp.predose_block_diastolic_mmhg:
        message = f"Blood pressure {latest.bp_text} is at or above {block}: not back in range."
        return criterion("blood_pressure", BLOOD_PRESSURE, False, message, data=data)
    in_range = (
        vp.predose_min_systolic_mmhg <= sys <= vp.predose_hold_systolic_mmhg
        and dia <= vp.predose_hold_diastolic_mmhg
    )
    if in_range:
        message = f"Blood pressure {latest.bp_text} is at or below {hold}."
        return criterion("blood_pressure", BLOOD_PRESSURE, True, message, data=data)
    near = base is not None and (
        abs(sys - base.systolic_mmhg) <= margin and abs(dia - base.diastolic_mmhg) <= margin
    )
    baseline = f"pre-dose {base.bp_text}" if base is not None else "no pre-dose reading"
    message = (
        f"Blood pressure {latest.bp_text} is outside {vp.predose_min_systolic_mmhg}–{hold} and "
        f"{'within' if near else 'not within'} {margin} mmHg of baseline ({baseline})."
    )
    return criterion("blood_pressure", BLOOD_PRESSURE, near, message, data=data)


def heart_rate_criterion(
    latest: VitalReading | None,
    base: VitalReading | None,
    vp: VitalsPolicy,
    policy: DischargePolicy,
) -> Criterion:
    if latest is None:
        return criterion("heart_rate", HEART_RATE, False, "No heart rate recorded.")
    hr, margin = latest.heart_rate_bpm, policy.heart_rate_baseline_margin_bpm
    low, high = vp.predose_min_heart_rate_bpm, vp.predose_max_heart_rate_bpm
    if low <= hr <= high:
        message = f"Heart rate {fmt(hr)} /min is within {low}–{high} /min."
        return criterion("heart_rate", HEART_RATE, True, message, data={"heart_rate_bpm": hr})
    near = base is not None and abs(hr - base.heart_rate_bpm) <= margin
    baseline = f"pre-dose {fmt(base.heart_rate_bpm)} /min" if base else "no pre-dose reading"
    message = (
        f"Heart rate {fmt(hr)} /min is outside {low}–{high} /min and "
        f"{'within' if near else 'not within'} {margin} /min of baseline ({baseline})."
    )
    return criterion("heart_rate", HEART_RATE, near, message, data={"heart_rate_bpm": hr})


def respiration_criterion(
    latest: VitalReading | None, base: VitalReading | None, vp: VitalsPolicy
) -> Criterion:
    if latest is None:
        return criterion("respiration", RESPIRATION, False, "No SpO2 recorded.")
    spo2, rr = latest.spo2_pct, latest.respiratory_rate_per_min
    floor = float(vp.predose_min_spo2_pct)
    if base is not None:
        floor = min(floor, base.spo2_pct)  # a patient may go home at their own baseline
    problems = []
    if spo2 < floor:
        problems.append(f"SpO2 {fmt(spo2)}% is below {fmt(floor)}%")
    low, high = vp.predose_min_respiratory_rate_per_min, vp.predose_max_respiratory_rate_per_min
    if rr is not None and not low <= rr <= high:
        problems.append(f"respiratory rate {fmt(rr)} /min is outside {low}–{high} /min")
    data: dict[str, object] = {"spo2_pct": spo2, "respiratory_rate_per_min": rr}
    if problems:
        message = "; ".join(problems).capitalize() + ": respiration not back to normal."
        return criterion("respiration", RESPIRATION, False, message, data=data)
    rr_text = f", respiratory rate {fmt(rr)} /min" if rr is not None else " (rate not measured)"
    message = f"SpO2 {fmt(spo2)}% (at least {fmt(floor)}%){rr_text}."
    return criterion("respiration", RESPIRATION, True, message, data=data)


def sedation_criterion(moaas: int | None, policy: DischargePolicy) -> Criterion:
    needed = policy.required_moaas
    if moaas is None:
        return criterion("sedation", SEDATION, False, "MOAA/S not rated: rate sedation.")
    passed = moaas >= needed
    message = f"MOAA/S {moaas} ({'alert' if passed else f'needs {needed}: still sedated'})."
    return criterion("sedation", SEDATION, passed, message, data={"moaas": moaas})


def dissociation_criterion(cadss6: int | None, policy: DischargePolicy) -> Criterion:
    limit = policy.dissociation_max_cadss6
    if cadss6 is None:
        return criterion("dissociation", DISSOCIATION, False, "CADSS-6 not rated: rate it.")
    passed = cadss6 <= limit
    state = "resolved" if passed else "not resolved"
    message = f"CADSS-6 total {cadss6} (at most {limit} counts as resolved): {state}."
    return criterion("dissociation", DISSOCIATION, passed, message, data={"cadss6_total": cadss6})


def escort_criterion(present: bool, policy: DischargePolicy) -> Criterion:
    if not policy.escort_required:
        return criterion("escort", ESCORT, True, "Escort not required by clinic policy.")
    if present:
        return criterion("escort", ESCORT, True, "A responsible adult escort is present.")
    message = "No escort present: the patient may not leave alone."
    return criterion("escort", ESCORT, False, message)
