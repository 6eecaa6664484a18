"""Screening rules about the patient now: age, resting blood pressure, liver, suicide risk.

Blood pressure (reference §2.3, §8 rule 5): the latest resting reading decides — above
180/100 mmHg blocks (Swiss SmPC), above 140/90 needs a prescriber's decision (Spravato label);
an earlier reading above 180/100 asks the prescriber to confirm control. Suicide risk (§4.2):
PHQ-9 item 9 ≥ 1 is URGENT (assessment before the visit ends); item 9 = 0 is never read as safe.
"""

from __future__ import annotations

from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.screening_input import HepaticImpairment, ScreeningInput
from ketacare.domain.screening_policy import ScreeningPolicy
from ketacare.domain.sources import (
    CLINIC_POLICY,
    DUTCH_TRD_TRIAL,
    PHQ9_ITEM9_ASSESSMENT,
    PHQ9_ITEM9_ZERO_NOT_SAFE,
    SPRAVATO_LABEL,
    SPRAVATO_WARNINGS,
    SWISS_SMPC,
)

B, R, C = Severity.BLOCK, Severity.REVIEW, Severity.CAUTION
_DECIDE = "A prescriber must weigh benefit against risk and record the decision before dosing."

MIN_AGE = rule(
    "screening.min_age",
    "Patients under the minimum age are not eligible.",
    SPRAVATO_WARNINGS,
    params=("screening.min_age_years",),
)
YOUNG_ADULT = rule(
    "screening.young_adult_suicidality",
    "Young adults carry the antidepressant class warning on suicidal thoughts.",
    SPRAVATO_WARNINGS,
    params=("screening.young_adult_suicidality_caution_below_age",),
)
UNCONTROLLED_BP = rule(
    "screening.uncontrolled_hypertension",
    "A resting BP above the uncontrolled-hypertension line is a contraindication.",
    SWISS_SMPC,
    params=(
        "screening.uncontrolled_hypertension_systolic_mmhg",
        "screening.uncontrolled_hypertension_diastolic_mmhg",
    ),
)
ELEVATED_BP = rule(
    "screening.elevated_bp",
    "A resting BP above the elevated line needs a prescriber's decision before dosing.",
    SPRAVATO_LABEL,
    params=("screening.elevated_bp_systolic_mmhg", "screening.elevated_bp_diastolic_mmhg"),
)
NO_BP = rule("screening.no_resting_bp", "Screening needs a resting blood pressure.", CLINIC_POLICY)
HEPATIC = rule(
    "screening.hepatic_impairment",
    "Moderate hepatic impairment may need longer monitoring; severe (Child-Pugh C) "
    "is not recommended.",
    SPRAVATO_WARNINGS,
)
SUICIDAL_INTENT = rule(
    "screening.active_suicidal_intent",
    "Active suicidal intent excludes outpatient ketamine treatment.",
    DUTCH_TRD_TRIAL,
)
SUICIDE_ASSESSMENT = rule(
    "screening.suicide_risk_assessment",
    "PHQ-9 item 9 ≥ 1 or stated intent: a structured suicide risk assessment before the "
    "visit ends.",
    PHQ9_ITEM9_ASSESSMENT,
)
ITEM9_ZERO = rule(
    "screening.phq9_item9_zero_not_safe",
    "PHQ-9 item 9 = 0 does not rule out suicide risk.",
    PHQ9_ITEM9_ZERO_NOT_SAFE,
)
NO_PHQ9 = rule(
    "screening.phq9_missing",
    "Screening needs PHQ-9 item 9 as a suicide-risk screen.",
    PHQ9_ITEM9_ASSESSMENT,
)


def check_age(patient: ScreeningInput, policy: ScreeningPolicy) -> list[Finding]:
    age = patient.age_years
    if age < policy.min_age_years:
        return [
            MIN_AGE.finding(
                B,
                f"Age {age} is under {policy.min_age_years} years: not eligible (esketamine is "
                f"not approved under {policy.min_age_years}).",
                age_years=age,
            )
        ]
    if age < policy.young_adult_suicidality_caution_below_age:
        return [
            YOUNG_ADULT.finding(
                C,
                f"Age {age} is under {policy.young_adult_suicidality_caution_below_age}: "
                "antidepressant class warning on suicidal thoughts — monitor mood and "
                "suicidality closely, especially early in treatment.",
                age_years=age,
            )
        ]
    return []


def check_blood_pressure(patient: ScreeningInput, policy: ScreeningPolicy) -> list[Finding]:
    """Judge the latest resting reading; an earlier uncontrolled reading asks for review."""
    latest = patient.latest_bp
    if latest is None:
        return [
            NO_BP.finding(
                R,
                "No resting blood pressure recorded: measure it at rest "
                "before screening can complete.",
            )
        ]
    sys_max = policy.uncontrolled_hypertension_systolic_mmhg
    dia_max = policy.uncontrolled_hypertension_diastolic_mmhg
    line = f"{sys_max}/{dia_max} mmHg"
    if latest.systolic_mmhg > sys_max or latest.diastolic_mmhg > dia_max:
        return [
            UNCONTROLLED_BP.finding(
                B,
                f"Resting BP {latest} is above {line} (uncontrolled hypertension): not "
                "eligible. Treat the hypertension and re-screen with a controlled resting "
                "reading.",
                systolic_mmhg=latest.systolic_mmhg,
                diastolic_mmhg=latest.diastolic_mmhg,
            )
        ]
    findings = []
    earlier = [
        r
        for r in patient.resting_bp[:-1]
        if r.systolic_mmhg > sys_max or r.diastolic_mmhg > dia_max
    ]
    if earlier:
        findings.append(
            UNCONTROLLED_BP.finding(
                R,
                f"An earlier resting BP ({earlier[-1]}) was above {line}; the latest is "
                f"{latest}. A prescriber must confirm the hypertension is now controlled.",
            )
        )
    sys_el, dia_el = policy.elevated_bp_systolic_mmhg, policy.elevated_bp_diastolic_mmhg
    if latest.systolic_mmhg > sys_el or latest.diastolic_mmhg > dia_el:
        findings.append(
            ELEVATED_BP.finding(
                R,
                f"Resting BP {latest} is above {sys_el}/{dia_el} mmHg: a prescriber must "
                "decide whether to start, and BP must be rechecked before the first dose.",
                systolic_mmhg=latest.systolic_mmhg,
                diastolic_mmhg=latest.diastolic_mmhg,
            )
        )
    else:
        findings.append(
            ELEVATED_BP.finding(
                Severity.INFO,
                f"Resting BP {latest} is at or below {sys_el}/{dia_el} mmHg.",
                systolic_mmhg=latest.systolic_mmhg,
                diastolic_mmhg=latest.diastolic_mmhg,
            )
        )
    return findings


def check_hepatic(patient: ScreeningInput) -> list[Finding]:
    if patient.hepatic_impairment is HepaticImpairment.SEVERE:
        return [
            HEPATIC.finding(
                R,
                "Severe hepatic impairment (Child-Pugh C): not recommended "
                f"(no experience). {_DECIDE}",
            )
        ]
    if patient.hepatic_impairment is HepaticImpairment.MODERATE:
        return [
            HEPATIC.finding(
                C,
                "Moderate hepatic impairment (Child-Pugh B): plan a longer "
                "post-dose monitoring period.",
            )
        ]
    return []


def check_suicide_risk(patient: ScreeningInput) -> list[Finding]:
    findings = []
    item9 = patient.phq9_item9
    if patient.active_suicidal_intent:
        findings.append(
            SUICIDAL_INTENT.finding(
                B,
                "Active suicidal intent: not eligible for outpatient ketamine. Escalate now for "
                "an emergency risk assessment.",
            )
        )
    if patient.active_suicidal_intent or (item9 is not None and item9 >= 1):
        shown = "not recorded" if item9 is None else f"{item9}"
        findings.append(
            SUICIDE_ASSESSMENT.finding(
                Severity.URGENT,
                f"PHQ-9 item 9 = {shown}"
                f"{' with active intent' if patient.active_suicidal_intent else ''}: complete a "
                "structured suicide risk assessment (e.g. C-SSRS) before the visit ends.",
                phq9_item9=item9,
            )
        )
    elif item9 is None:
        findings.append(
            NO_PHQ9.finding(
                R,
                "No PHQ-9 item 9 recorded: record the PHQ-9 (suicide-risk item) before "
                "screening can complete.",
            )
        )
    else:
        findings.append(
            ITEM9_ZERO.finding(
                Severity.INFO,
                "PHQ-9 item 9 = 0: this does not rule out suicide risk; ask "
                "about it at every visit.",
                phq9_item9=0,
            )
        )
    return findings
