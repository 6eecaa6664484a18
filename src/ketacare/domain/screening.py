"""Eligibility screening: contraindications, interacting drugs, treatment resistance.

`screen(patient, policy)` returns a verdict and the findings behind it:

- NOT_ELIGIBLE when any finding is BLOCK (a label/SmPC contraindication, or one of the few
  hard exclusions documented in docs/decisions/screening.md); no override;
- NEEDS_REVIEW when none blocks but one needs a prescriber (REVIEW, or URGENT for a positive
  suicide item, which also asks for an assessment before the visit ends);
- ELIGIBLE when every finding is INFO or CAUTION (proceed, with the attention they name).

The rules live in screening_history.py (conditions), screening_patient.py (age, BP, liver,
suicide risk), screening_drugs.py (medications) and treatment_resistance.py (trials and
baseline severity); the thresholds in screening_policy.py.
This module re-exports the public names so callers import from one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.findings import Finding, Severity
from ketacare.domain.screening_drugs import CLASS_RULES, check_medications
from ketacare.domain.screening_history import BLOCKING_CONDITIONS, CONDITION_RULES, check_conditions
from ketacare.domain.screening_input import (
    ANXIETY_DIAGNOSES,
    BloodPressureReading,
    Condition,
    Diagnosis,
    HepaticImpairment,
    Medication,
    ScreeningInput,
    Sex,
    TreatmentTrial,
    TrialKind,
    TrialOutcome,
)
from ketacare.domain.screening_patient import (
    check_age,
    check_blood_pressure,
    check_hepatic,
    check_suicide_risk,
)
from ketacare.domain.screening_policy import ScreeningPolicy
from ketacare.domain.treatment_resistance import (
    Indication,
    TreatmentResistance,
    assess_treatment_resistance,
    check_treatment_resistance,
)

__all__ = [
    "ANXIETY_DIAGNOSES",
    "BLOCKING_CONDITIONS",
    "CLASS_RULES",
    "CONDITION_RULES",
    "BloodPressureReading",
    "Condition",
    "Diagnosis",
    "HepaticImpairment",
    "Indication",
    "Medication",
    "ScreeningInput",
    "ScreeningPolicy",
    "ScreeningResult",
    "Sex",
    "TreatmentResistance",
    "TreatmentTrial",
    "TrialKind",
    "TrialOutcome",
    "Verdict",
    "assess_treatment_resistance",
    "screen",
    "verdict_for",
]


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    NOT_ELIGIBLE = "not_eligible"


# Severities that make a patient not eligible, and those that need a prescriber first.
_NOT_ELIGIBLE = frozenset({Severity.BLOCK, Severity.EMERGENCY})
_NEEDS_REVIEW = frozenset({Severity.REVIEW, Severity.HOLD, Severity.ACT, Severity.URGENT})


@dataclass(frozen=True)
class ScreeningResult:
    """The verdict and every finding behind it, most urgent first."""

    verdict: Verdict
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity in _NOT_ELIGIBLE)

    @property
    def to_review(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity in _NEEDS_REVIEW)

    def as_dict(self) -> dict[str, object]:
        return {"verdict": self.verdict.value, "findings": [f.as_dict() for f in self.findings]}


def verdict_for(findings: Iterable[Finding]) -> Verdict:
    """NOT_ELIGIBLE if any finding blocks, NEEDS_REVIEW if any needs a prescriber, else
    ELIGIBLE."""
    severities = {f.severity for f in findings}
    if severities & _NOT_ELIGIBLE:
        return Verdict.NOT_ELIGIBLE
    if severities & _NEEDS_REVIEW:
        return Verdict.NEEDS_REVIEW
    return Verdict.ELIGIBLE


def screen(patient: ScreeningInput, policy: ScreeningPolicy) -> ScreeningResult:
    """Screen one patient against the policy; pure (no I/O, no clock)."""
    findings: list[Finding] = [
        *check_age(patient, policy),
        *check_suicide_risk(patient),
        *check_blood_pressure(patient, policy),
        *check_conditions(patient),
        *check_hepatic(patient),
        *check_medications(patient.medications, policy),
        *check_treatment_resistance(patient, policy),
    ]
    # Stable sort: most urgent first, rule order kept within a severity.
    ordered = tuple(sorted(findings, key=lambda f: -f.severity.rank))
    return ScreeningResult(verdict_for(ordered), ordered)
