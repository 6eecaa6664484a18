"""The pre-dose gate: may the dose be given now? PASS, HOLD (a prescriber decides) or BLOCK.

The gate reads the pre-dose vital signs (through `assess_reading` in the PRE_DOSE phase: BP
> 140/90 holds, ≥ 180/100 blocks), fasting, the escort home, crisis symptoms, and the
interacting drugs the patient took today, named by the screening module's `DrugClass`
(drugs.py), so `lookup_drug(name).classes` can be passed straight in.

Sources: clinical-reference.md §1.4 (fasting), §2.1, §2.3, §2.4 (escort), §3.4 (interacting
drugs), §8 rule 5.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.drugs import DrugClass
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule, worst
from ketacare.domain.routes import Route
from ketacare.domain.sources import (
    CLINIC_POLICY,
    KETALAR_LABEL,
    KETALAR_LABEL_RECOVERY,
    SPRAVATO_LABEL,
)
from ketacare.domain.vital_signs import CrisisSymptom, Phase, VitalReading, fmt, parse_symptoms
from ketacare.domain.vitals import assess_reading
from ketacare.domain.vitals_policy import VitalsPolicy

# The day-of-session meaning of the screening module's drug classes (clinical reference §3.4).
# Other classes (antidepressant, NMDA-active…) are screened at eligibility, not on the day.
SEDATIVES = frozenset(
    {
        DrugClass.BENZODIAZEPINE,
        DrugClass.Z_DRUG,
        DrugClass.OPIOID,
        DrugClass.OTHER_CNS_DEPRESSANT,
    }
)
PRESSORS = frozenset({DrugClass.PSYCHOSTIMULANT, DrugClass.MAOI, DrugClass.SYMPATHOMIMETIC})
# Plain words a nurse may record for a class, as well as the class names themselves.
_ALIASES = {
    "alcohol": DrugClass.OTHER_CNS_DEPRESSANT,
    "theophylline": DrugClass.XANTHINE,
    "aminophylline": DrugClass.XANTHINE,
}


class GateOutcome(StrEnum):
    PASS = "pass"  # dose may be given (caution findings, if any, still shown)
    HOLD = "hold"  # stop until a prescriber decides (or the reason clears, e.g. fasting)
    BLOCK = "block"  # not today; no override


@dataclass(frozen=True, kw_only=True)
class PredoseChecks:
    """What the nurse confirms before dosing, besides the vital signs.

    `hours_since_food` / `minutes_since_liquids`: time since the patient last ate / drank;
    None = not asked (holds the dose unless the policy's fasting time is 0).
    `drugs_taken_today`: `DrugClass` names (e.g. "benzodiazepine", "xanthine"; also "alcohol",
    "theophylline", "aminophylline") of what was taken today; an unknown name is InvalidInput.
    `crisis_symptoms`: `CrisisSymptom` names present now.
    """

    hours_since_food: float | None
    minutes_since_liquids: float | None
    escort_confirmed: bool
    drugs_taken_today: tuple[str, ...] = ()
    crisis_symptoms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("hours_since_food", "minutes_since_liquids"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise InvalidInput(f"{name} must be a number ≥ 0 or empty", field=name)
        if not isinstance(self.escort_confirmed, bool):
            raise InvalidInput("escort_confirmed must be true or false", field="escort_confirmed")
        parse_drugs(self.drugs_taken_today, "drugs_taken_today")
        parse_symptoms(self.crisis_symptoms, "crisis_symptoms")

    @property
    def drug_classes(self) -> tuple[DrugClass, ...]:
        return parse_drugs(self.drugs_taken_today, "drugs_taken_today")

    @property
    def symptoms(self) -> list[CrisisSymptom]:
        return parse_symptoms(self.crisis_symptoms, "crisis_symptoms")


def parse_drugs(names: Iterable[str], field: str) -> tuple[DrugClass, ...]:
    """Drug classes from names (case, spaces, hyphens forgiven); unknown names: InvalidInput."""
    parsed: list[DrugClass] = []
    for name in names:
        key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
        drug = _ALIASES.get(key)
        if drug is None:
            try:
                drug = DrugClass(key)
            except ValueError:
                allowed = ", ".join([*(d.value for d in DrugClass), *_ALIASES])
                raise InvalidInput(
                    f"{field} contains {name!r}; allowed drug classes: {allowed}", field=field
                ) from None
        if drug not in parsed:
            parsed.append(drug)
    return tuple(sorted(parsed, key=list(DrugClass).index))


@dataclass(frozen=True)
class GateResult:
    """The gate's answer and every reason behind it (PASS may still carry CAUTION findings)."""

    outcome: GateOutcome
    findings: tuple[Finding, ...]


FASTING_ESKETAMINE = rule(
    "predose.fasting_esketamine",
    "Esketamine: no food for at least 2 hours and no liquids for at least 30 minutes before "
    "dosing (nausea and vomiting); otherwise hold until the time has passed.",
    SPRAVATO_LABEL,
    params=("vitals.esketamine_fast_food_h", "vitals.esketamine_fast_liquids_min"),
)
FASTING_RACEMIC = rule(
    "predose.fasting_racemic",
    "Racemic ketamine: fasting before dosing as the clinic sets it (default: the esketamine "
    "label's 2 h food / 30 min liquids; UNCONFIRMED); otherwise hold.",
    CLINIC_POLICY,
    params=("vitals.racemic_fast_food_h", "vitals.racemic_fast_liquids_min"),
)
ESCORT = rule(
    "predose.escort",
    "A responsible adult escort home must be confirmed before dosing; otherwise hold.",
    KETALAR_LABEL_RECOVERY,
    params=("vitals.escort_required_before_dosing",),
)
SEDATIVE_TODAY = rule(
    "predose.sedative_today",
    "A CNS depressant taken today (benzodiazepine, z-drug, opioid, alcohol or another) adds to "
    "sedation and respiratory depression → a prescriber reviews before dosing.",
    SPRAVATO_LABEL,
)
PRESSOR_TODAY = rule(
    "predose.pressor_today",
    "A psychostimulant, MAOI or sympathomimetic taken today can raise blood pressure further → "
    "a prescriber reviews before dosing; monitor BP closely.",
    SPRAVATO_LABEL,
)
THEOPHYLLINE_TODAY = rule(
    "predose.theophylline_today",
    "Theophylline or aminophylline with ketamine lowers the seizure threshold (do not "
    "co-administer) → hold for a prescriber.",
    KETALAR_LABEL,
)
PREDOSE_CLEAR = rule(
    "predose.clear",
    "Every pre-dose check passed: the dose may be given.",
    SPRAVATO_LABEL,
)


def predose_gate(
    reading: VitalReading, checks: PredoseChecks, route: Route, policy: VitalsPolicy
) -> GateResult:
    """May the dose be given now? BLOCK beats HOLD beats PASS; every reason is a finding.

    BLOCK: a finding at BLOCK or above (BP ≥ 180/100; an emergency: crisis symptom, BP ≥ 200/120,
    SpO2 < 85%). HOLD: a finding at REVIEW, HOLD or ACT (BP > 140/90, HR/SpO2/RR out of range,
    fasting not met or not recorded, no escort, interacting drug today). PASS otherwise, with an
    INFO finding when nothing at all was found.
    """
    findings = assess_reading(reading, route, Phase.PRE_DOSE, policy, symptoms=checks.symptoms)
    findings += _fasting_findings(checks, route, policy)
    if policy.escort_required_before_dosing and not checks.escort_confirmed:
        findings.append(
            ESCORT.finding(
                Severity.HOLD,
                "No escort home confirmed: hold the dose until a responsible adult is confirmed "
                "to take the patient home.",
            )
        )
    findings += _drug_findings(checks.drug_classes)
    outcome = _outcome(findings)
    if not findings:
        findings.append(PREDOSE_CLEAR.finding(Severity.INFO, "Every pre-dose check passed."))
    return GateResult(outcome, tuple(findings))


def _outcome(findings: list[Finding]) -> GateOutcome:
    most = worst(findings)
    if most is None or most.rank < Severity.REVIEW.rank:
        return GateOutcome.PASS
    if most.rank >= Severity.BLOCK.rank:
        return GateOutcome.BLOCK
    return GateOutcome.HOLD


def _fasting_findings(checks: PredoseChecks, route: Route, policy: VitalsPolicy) -> list[Finding]:
    if route is Route.ESKETAMINE_NASAL:
        declared = FASTING_ESKETAMINE
        food_h, liquids_min = policy.esketamine_fast_food_h, policy.esketamine_fast_liquids_min
    else:
        declared = FASTING_RACEMIC
        food_h, liquids_min = policy.racemic_fast_food_h, policy.racemic_fast_liquids_min
    findings: list[Finding] = []
    food = checks.hours_since_food
    if food_h > 0 and (food is None or food < food_h):
        said = "not recorded" if food is None else f"{fmt(food)} h ago"
        wait = "" if food is None else f" (about {fmt(round((food_h - food) * 60))} min more)"
        findings.append(
            declared.finding(
                Severity.HOLD,
                f"Last food {said}; at least {fmt(food_h)} h of fasting is required: hold the "
                f"dose{wait}.",
                hours_since_food=food,
            )
        )
    liquids = checks.minutes_since_liquids
    if liquids_min > 0 and (liquids is None or liquids < liquids_min):
        said = "not recorded" if liquids is None else f"{fmt(liquids)} min ago"
        wait = "" if liquids is None else f" (about {fmt(round(liquids_min - liquids))} min more)"
        findings.append(
            declared.finding(
                Severity.HOLD,
                f"Last liquids {said}; at least {liquids_min} min without liquids is required: "
                f"hold the dose{wait}.",
                minutes_since_liquids=liquids,
            )
        )
    return findings


def _drug_findings(drugs: tuple[DrugClass, ...]) -> list[Finding]:
    findings: list[Finding] = []
    sedatives = [d.value for d in drugs if d in SEDATIVES]
    if sedatives:
        findings.append(
            SEDATIVE_TODAY.finding(
                Severity.REVIEW,
                f"Taken today: {', '.join(sedatives)} — additive sedation and respiratory "
                "depression; a prescriber reviews before dosing.",
                drug_classes=sedatives,
            )
        )
    pressors = [d.value for d in drugs if d in PRESSORS]
    if pressors:
        findings.append(
            PRESSOR_TODAY.finding(
                Severity.REVIEW,
                f"Taken today: {', '.join(pressors)} — may raise blood pressure further; a "
                "prescriber reviews before dosing and BP is monitored closely.",
                drug_classes=pressors,
            )
        )
    if DrugClass.XANTHINE in drugs:
        findings.append(
            THEOPHYLLINE_TODAY.finding(
                Severity.HOLD,
                "Taken today: theophylline/aminophylline — lowers the seizure threshold with "
                "ketamine; hold the dose for a prescriber.",
                drug_classes=[DrugClass.XANTHINE.value],
            )
        )
    return findings


__all__ = [
    "ESCORT",
    "PRESSORS",
    "SEDATIVES",
    "GateOutcome",
    "GateResult",
    "PredoseChecks",
    "parse_drugs",
    "predose_gate",
]
