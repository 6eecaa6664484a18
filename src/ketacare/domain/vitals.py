"""What a vital-sign reading means: alert levels and the pre-dose and in-session lines.

`assess_reading` turns a reading (plus, optionally, a MOAA/S score and crisis symptoms) into
findings: the pre-dose hold/block lines before dosing (rule 5), caution/act/emergency alert
levels in session (§2.3, UNCONFIRMED defaults needing clinic sign-off), and emergency care for
any crisis symptom whatever the numbers. Thresholds: `VitalsPolicy` (policy section "vitals",
declared in vitals_policy.py). The reading itself: vital_signs.py. Both are re-exported here.
The pre-dose gate is in predose.py, the monitoring cadence in monitoring.py.

Sources: clinical-reference.md §2.1–2.3, §4.6, §8 rules 5–6.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from enum import StrEnum

from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.routes import Route
from ketacare.domain.sources import (
    IN_SESSION_ALERT_DEFAULTS,
    NCT05803551_EXCLUSIONS,
    SPRAVATO_LABEL,
    SWISS_SMPC,
)
from ketacare.domain.vital_signs import (
    CrisisSymptom,
    Phase,
    VitalReading,
    check_moaas,
    fmt,
    parse_symptoms,
    when,
)
from ketacare.domain.vitals_policy import VitalsPolicy


class AlertLevel(StrEnum):
    """In-session alert levels, in ascending order of urgency."""

    CAUTION = "caution"  # proceed, watch closely, re-check sooner
    ACT = "act"  # a clinician must assess and act now
    EMERGENCY = "emergency"  # call for emergency help

    @property
    def severity(self) -> Severity:
        """The finding severity of this level (CAUTION, ACT, EMERGENCY)."""
        return Severity(self.value)

    @property
    def rank(self) -> int:
        return list(AlertLevel).index(self)

    @property
    def action(self) -> str:
        return _ACTIONS[self]


_ACTIONS = {
    AlertLevel.CAUTION: "watch closely and re-check soon",
    AlertLevel.ACT: "a clinician must assess and act now",
    AlertLevel.EMERGENCY: "call for emergency help now",
}


# --- Rules ---------------------------------------------------------------------------------

CRISIS_SYMPTOM = rule(
    "vitals.crisis_symptom",
    "Any symptom of hypertensive crisis or encephalopathy (chest pain, shortness of breath, "
    "sudden severe headache, visual disturbance, seizure, reduced consciousness, focal deficit) "
    "→ emergency care, whatever the numbers.",
    SPRAVATO_LABEL,
)
PREDOSE_BP_BLOCK = rule(
    "vitals.predose_bp_block",
    "Pre-dose systolic ≥ 180 or diastolic ≥ 100 mmHg (uncontrolled hypertension; the SmPC "
    "contraindicates resting BP > 180/100) → do not dose.",
    SWISS_SMPC,
    params=("vitals.predose_block_systolic_mmhg", "vitals.predose_block_diastolic_mmhg"),
)
PREDOSE_BP_HOLD = rule(
    "vitals.predose_bp_hold",
    "Pre-dose systolic > 140 or diastolic > 90 mmHg → hold the dose until a prescriber weighs "
    "benefit against risk and decides.",
    SPRAVATO_LABEL,
    params=("vitals.predose_hold_systolic_mmhg", "vitals.predose_hold_diastolic_mmhg"),
)
PREDOSE_OUT_OF_RANGE = rule(
    "vitals.predose_out_of_range",
    "Pre-dose systolic < 90 mmHg, heart rate < 50 or > 120 /min, SpO2 < 95% or respiratory "
    "rate < 10 or > 30 /min → hold for a prescriber (UNCONFIRMED trial-exclusion defaults).",
    NCT05803551_EXCLUSIONS,
    params=(
        "vitals.predose_min_systolic_mmhg",
        "vitals.predose_min_heart_rate_bpm",
        "vitals.predose_max_heart_rate_bpm",
        "vitals.predose_min_spo2_pct",
        "vitals.predose_min_respiratory_rate_per_min",
        "vitals.predose_max_respiratory_rate_per_min",
    ),
)
SESSION_BP = rule(
    "vitals.session_bp",
    "Blood pressure in session: systolic ≥ 160 or diastolic ≥ 100 → caution; ≥ 180 or ≥ 110 → "
    "act; ≥ 200 or ≥ 120 → emergency (also before dosing); systolic < 90 → caution.",
    IN_SESSION_ALERT_DEFAULTS,
    params=(
        "vitals.session_caution_systolic_mmhg",
        "vitals.session_caution_diastolic_mmhg",
        "vitals.session_act_systolic_mmhg",
        "vitals.session_act_diastolic_mmhg",
        "vitals.session_emergency_systolic_mmhg",
        "vitals.session_emergency_diastolic_mmhg",
        "vitals.session_low_systolic_mmhg",
    ),
)
SESSION_HEART_RATE = rule(
    "vitals.session_heart_rate",
    "Heart rate in session: > 110 /min → caution; > 120 /min → act; < 50 /min → caution.",
    IN_SESSION_ALERT_DEFAULTS,
    params=(
        "vitals.session_caution_heart_rate_bpm",
        "vitals.session_act_heart_rate_bpm",
        "vitals.session_low_heart_rate_bpm",
    ),
)
SESSION_SPO2 = rule(
    "vitals.session_spo2",
    "SpO2 in session: < 94% → caution; < 90% → act; < 85% → emergency (also before dosing).",
    IN_SESSION_ALERT_DEFAULTS,
    params=(
        "vitals.session_caution_spo2_pct",
        "vitals.session_act_spo2_pct",
        "vitals.session_emergency_spo2_pct",
    ),
)
SESSION_RESPIRATORY_RATE = rule(
    "vitals.session_respiratory_rate",
    "Respiratory rate in session below 10 /min → act (respiratory depression).",
    IN_SESSION_ALERT_DEFAULTS,
    params=("vitals.session_act_respiratory_rate_per_min",),
)
SESSION_SEDATION = rule(
    "vitals.session_sedation",
    "Sedation in session: MOAA/S ≤ 3 → caution; ≤ 2 → act; 0 (loss of consciousness) → "
    "emergency (also before dosing).",
    IN_SESSION_ALERT_DEFAULTS,
    params=(
        "vitals.session_caution_moaas",
        "vitals.session_act_moaas",
        "vitals.session_emergency_moaas",
    ),
)


# --- Assessment ----------------------------------------------------------------------------


def assess_reading(
    reading: VitalReading,
    route: Route,
    phase: Phase,
    policy: VitalsPolicy,
    *,
    moaas: int | None = None,
    symptoms: Iterable[CrisisSymptom | str] = (),
) -> list[Finding]:
    """What one reading means, as findings (empty when every value is within its lines).

    Before dosing (`Phase.PRE_DOSE`) the pre-dose lines apply: > 140/90 → HOLD, ≥ 180/100 →
    BLOCK, and the UNCONFIRMED HR/SpO2/RR/low-BP holds. In session (DOSING, RECOVERY) each
    measure gets at most one finding at its highest alert level (CAUTION, ACT, EMERGENCY).
    Emergency-level values and crisis `symptoms` give an EMERGENCY finding in every phase.
    `moaas` is the MOAA/S score (0–5) observed with the reading, if any.
    """
    crisis = _crisis_findings(symptoms, route, phase)
    if moaas is not None:
        check_moaas(moaas, "moaas")
    session = _session_findings(reading, moaas, route, phase, policy)
    if phase is Phase.PRE_DOSE:
        emergencies = [f for f in session if f.severity is Severity.EMERGENCY]
        return crisis + _predose_findings(reading, policy) + emergencies
    return crisis + session


def _crisis_findings(
    symptoms: Iterable[CrisisSymptom | str], route: Route, phase: Phase
) -> list[Finding]:
    present = parse_symptoms(symptoms, "symptoms")
    if not present:
        return []
    names = ", ".join(s.value.replace("_", " ") for s in present)
    return [
        CRISIS_SYMPTOM.finding(
            Severity.EMERGENCY,
            f"Crisis symptom {when(route, phase)} ({names}): send for emergency care now, "
            "whatever the blood pressure reads.",
            symptoms=[s.value for s in present],
            route=route.value,
            phase=phase.value,
        )
    ]


def _predose_findings(reading: VitalReading, policy: VitalsPolicy) -> list[Finding]:
    p, r = policy, reading
    findings: list[Finding] = []
    values = {"systolic_mmhg": r.systolic_mmhg, "diastolic_mmhg": r.diastolic_mmhg}
    if r.systolic_mmhg >= p.predose_block_systolic_mmhg or (
        r.diastolic_mmhg >= p.predose_block_diastolic_mmhg
    ):
        findings.append(
            PREDOSE_BP_BLOCK.finding(
                Severity.BLOCK,
                f"Pre-dose blood pressure {r.bp_text} is at or above "
                f"{p.predose_block_systolic_mmhg}/{p.predose_block_diastolic_mmhg}: "
                "do not dose today (uncontrolled hypertension).",
                **values,
            )
        )
    elif r.systolic_mmhg > p.predose_hold_systolic_mmhg or (
        r.diastolic_mmhg > p.predose_hold_diastolic_mmhg
    ):
        findings.append(
            PREDOSE_BP_HOLD.finding(
                Severity.HOLD,
                f"Pre-dose blood pressure {r.bp_text} is above "
                f"{p.predose_hold_systolic_mmhg}/{p.predose_hold_diastolic_mmhg}: hold the dose "
                "until a prescriber weighs benefit against risk and decides.",
                **values,
            )
        )
    for problem in _predose_out_of_range(reading, policy):
        findings.append(
            PREDOSE_OUT_OF_RANGE.finding(
                Severity.HOLD, f"Pre-dose {problem}: hold the dose for a prescriber's decision."
            )
        )
    return findings


def _predose_out_of_range(r: VitalReading, p: VitalsPolicy) -> list[str]:
    problems: list[str] = []
    if r.systolic_mmhg < p.predose_min_systolic_mmhg:
        problems.append(
            f"systolic {fmt(r.systolic_mmhg)} mmHg is below {p.predose_min_systolic_mmhg} mmHg"
        )
    low_hr, high_hr = p.predose_min_heart_rate_bpm, p.predose_max_heart_rate_bpm
    if not low_hr <= r.heart_rate_bpm <= high_hr:
        problems.append(
            f"heart rate {fmt(r.heart_rate_bpm)} /min is outside {low_hr}–{high_hr} /min"
        )
    if r.spo2_pct < p.predose_min_spo2_pct:
        problems.append(f"SpO2 {fmt(r.spo2_pct)}% is below {p.predose_min_spo2_pct}%")
    rr = r.respiratory_rate_per_min
    low_rr, high_rr = p.predose_min_respiratory_rate_per_min, p.predose_max_respiratory_rate_per_min
    if rr is not None and not low_rr <= rr <= high_rr:
        problems.append(f"respiratory rate {fmt(rr)} /min is outside {low_rr}–{high_rr} /min")
    return problems


def _session_findings(
    r: VitalReading, moaas: int | None, route: Route, phase: Phase, p: VitalsPolicy
) -> list[Finding]:
    at = when(route, phase)
    context: dict[str, object] = {"route": route.value, "phase": phase.value}
    findings: list[Finding] = []

    bp_level = _worst(
        _level(r.systolic_mmhg, _bp_lines(p, 0), operator.ge),
        _level(r.diastolic_mmhg, _bp_lines(p, 1), operator.ge),
    )
    if bp_level is not None:
        rank = bp_level.rank
        lines = (_bp_lines(p, 0)[rank], _bp_lines(p, 1)[rank])
        findings.append(
            _alert(
                SESSION_BP,
                bp_level,
                f"Blood pressure {r.bp_text} {at} reaches the {bp_level} line (systolic ≥ "
                f"{lines[0]} or diastolic ≥ {lines[1]} mmHg)",
                context,
                systolic_mmhg=r.systolic_mmhg,
                diastolic_mmhg=r.diastolic_mmhg,
            )
        )
    elif r.systolic_mmhg < p.session_low_systolic_mmhg:
        findings.append(
            _alert(
                SESSION_BP,
                AlertLevel.CAUTION,
                f"Systolic {fmt(r.systolic_mmhg)} mmHg {at} is below "
                f"{p.session_low_systolic_mmhg} mmHg (low blood pressure)",
                context,
                systolic_mmhg=r.systolic_mmhg,
            )
        )

    hr = r.heart_rate_bpm
    hr_lines = (p.session_caution_heart_rate_bpm, p.session_act_heart_rate_bpm, None)
    hr_level = _level(hr, hr_lines, operator.gt)
    if hr_level is not None:
        text = f"Heart rate {fmt(hr)} /min {at} is above {hr_lines[hr_level.rank]} /min"
        findings.append(_alert(SESSION_HEART_RATE, hr_level, text, context, heart_rate_bpm=hr))
    elif hr < p.session_low_heart_rate_bpm:
        text = f"Heart rate {fmt(hr)} /min {at} is below {p.session_low_heart_rate_bpm} /min"
        findings.append(
            _alert(SESSION_HEART_RATE, AlertLevel.CAUTION, text, context, heart_rate_bpm=hr)
        )

    spo2_lines = (p.session_caution_spo2_pct, p.session_act_spo2_pct, p.session_emergency_spo2_pct)
    spo2_level = _level(r.spo2_pct, spo2_lines, operator.lt)
    if spo2_level is not None:
        text = f"SpO2 {fmt(r.spo2_pct)}% {at} is below {spo2_lines[spo2_level.rank]}%"
        findings.append(_alert(SESSION_SPO2, spo2_level, text, context, spo2_pct=r.spo2_pct))

    rr = r.respiratory_rate_per_min
    if rr is not None and rr < p.session_act_respiratory_rate_per_min:
        text = (
            f"Respiratory rate {fmt(rr)} /min {at} is below "
            f"{p.session_act_respiratory_rate_per_min} /min (respiratory depression)"
        )
        findings.append(
            _alert(
                SESSION_RESPIRATORY_RATE,
                AlertLevel.ACT,
                text,
                context,
                respiratory_rate_per_min=rr,
            )
        )

    if moaas is not None:
        moaas_lines = (p.session_caution_moaas, p.session_act_moaas, p.session_emergency_moaas)
        level = _level(moaas, moaas_lines, operator.le)
        if level is not None:
            text = f"MOAA/S {moaas} {at} (5 = alert; 0 = no response to pain)"
            findings.append(_alert(SESSION_SEDATION, level, text, context, moaas=moaas))
    return findings


def _alert(
    declared: Rule, level: AlertLevel, text: str, context: dict[str, object], **data: object
) -> Finding:
    return declared.finding(
        level.severity, f"{text}: {level.action}.", level=level.value, **context, **data
    )


def _level(
    value: float,
    lines: tuple[float | None, float | None, float | None],
    crosses: Callable[[float, float], bool],
) -> AlertLevel | None:
    """The highest level whose line `value` crosses; `lines` are (caution, act, emergency)."""
    for line, level in zip(reversed(lines), reversed(AlertLevel), strict=True):
        if line is not None and crosses(value, line):
            return level
    return None


def _bp_lines(p: VitalsPolicy, component: int) -> tuple[float, float, float]:
    """(caution, act, emergency) lines for systolic (component 0) or diastolic (1)."""
    if component == 0:
        return (
            p.session_caution_systolic_mmhg,
            p.session_act_systolic_mmhg,
            p.session_emergency_systolic_mmhg,
        )
    return (
        p.session_caution_diastolic_mmhg,
        p.session_act_diastolic_mmhg,
        p.session_emergency_diastolic_mmhg,
    )


def _worst(*levels: AlertLevel | None) -> AlertLevel | None:
    present = [level for level in levels if level is not None]
    return max(present, key=lambda level: level.rank) if present else None


__all__ = [
    "CRISIS_SYMPTOM",
    "AlertLevel",
    "CrisisSymptom",
    "Phase",
    "VitalReading",
    "VitalsPolicy",
    "assess_reading",
]
