"""Screening rules for the patient's history: one declared rule per `Condition`.

Severity follows one scheme (docs/decisions/screening.md): a contraindication stated in a
product label or SmPC, or in the anaesthesia reference for raised intracranial or intraocular
pressure and schizophrenia, is BLOCK (not eligible); so is current or recent psychosis, which
every cited clinic protocol excludes. A label warning that asks for a benefit/risk decision, or a
clinic-level exclusion, is REVIEW; a warning that only asks for monitoring is CAUTION.
Bipolar disorder is judged with the current medications (lithium or valproate).
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.drugs import DrugClass
from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.screening_input import Condition, ScreeningInput
from ketacare.domain.sources import (
    BIPOLAR_MOOD_STABILISER,
    BP_RISE_PREDICTORS,
    HULL_2022,
    KETALAR_UK_SMPC,
    MILLERS_ANESTHESIA,
    OXFORD_KETAMINE_CLINIC,
    SPRAVATO_CONTRAINDICATIONS,
    SPRAVATO_LABEL,
    SPRAVATO_WARNINGS,
    SWISS_SMPC,
    Source,
)

B, R, C = Severity.BLOCK, Severity.REVIEW, Severity.CAUTION


@dataclass(frozen=True)
class ConditionRule:
    """How one history item is judged: the rule, its severity and the sentence to show."""

    rule: Rule
    severity: Severity
    message: str


CONDITION_RULES: dict[Condition, ConditionRule] = {}


def _condition(
    condition: Condition, severity: Severity, source: Source, statement: str, advice: str
) -> None:
    declared = rule(f"screening.{condition.value}", statement, source)
    CONDITION_RULES[condition] = ConditionRule(declared, severity, f"{statement} {advice}")


_NOT = "Not eligible: do not start ketamine or esketamine."
_DECIDE = "A prescriber must weigh benefit against risk and record the decision before dosing."

_condition(
    Condition.ANEURYSMAL_VASCULAR_DISEASE,
    B,
    SPRAVATO_CONTRAINDICATIONS,
    "Aneurysmal vascular disease (aorta, intracranial or peripheral arteries) is a "
    "label contraindication.",
    _NOT,
)
_condition(
    Condition.ARTERIOVENOUS_MALFORMATION,
    B,
    SPRAVATO_CONTRAINDICATIONS,
    "Arteriovenous malformation is a label contraindication.",
    _NOT,
)
_condition(
    Condition.INTRACEREBRAL_HAEMORRHAGE_HISTORY,
    B,
    SPRAVATO_CONTRAINDICATIONS,
    "A history of intracerebral haemorrhage is a label contraindication.",
    _NOT,
)
_condition(
    Condition.KETAMINE_HYPERSENSITIVITY,
    B,
    SPRAVATO_CONTRAINDICATIONS,
    "Hypersensitivity to ketamine, esketamine or an excipient is a label contraindication.",
    _NOT,
)
_condition(
    Condition.STROKE_HISTORY,
    B,
    SWISS_SMPC,
    "A prior stroke (cerebrovascular insult) is a contraindication in the racemic ketamine SmPCs.",
    _NOT,
)
_condition(
    Condition.SEVERE_CORONARY_OR_MYOCARDIAL_DISEASE,
    B,
    KETALAR_UK_SMPC,
    "Severe coronary or myocardial disease is a contraindication (Ketalar SmPC).",
    _NOT,
)
_condition(
    Condition.PRE_ECLAMPSIA,
    B,
    KETALAR_UK_SMPC,
    "Pre-eclampsia or eclampsia is a contraindication (Ketalar and Swiss SmPCs).",
    _NOT,
)
_condition(
    Condition.CEREBRAL_TRAUMA,
    B,
    KETALAR_UK_SMPC,
    "Cerebral trauma is a contraindication (Ketalar SmPC).",
    _NOT,
)
_condition(
    Condition.UNTREATED_HYPERTHYROIDISM,
    B,
    SWISS_SMPC,
    "Untreated hyperthyroidism is a contraindication (Swiss SmPC).",
    f"{_NOT} Re-screen once thyroid function is treated.",
)
_condition(
    Condition.RAISED_INTRACRANIAL_PRESSURE,
    B,
    MILLERS_ANESTHESIA,
    "Raised intracranial pressure is a contraindication: ketamine raises BP and "
    "intracranial pressure.",
    _NOT,
)
_condition(
    Condition.INTRACRANIAL_MASS,
    B,
    MILLERS_ANESTHESIA,
    "An intracranial mass is a contraindication: ketamine raises intracranial pressure.",
    _NOT,
)
_condition(
    Condition.OPEN_EYE_INJURY,
    B,
    MILLERS_ANESTHESIA,
    "An open-eye injury is a contraindication: ketamine raises intraocular pressure.",
    _NOT,
)
_condition(
    Condition.SCHIZOPHRENIA,
    B,
    MILLERS_ANESTHESIA,
    "Schizophrenia is a contraindication: ketamine can worsen psychosis.",
    _NOT,
)
_condition(
    Condition.CURRENT_OR_RECENT_PSYCHOSIS,
    B,
    OXFORD_KETAMINE_CLINIC,
    "Current or recent psychosis excludes treatment (clinic protocols; label: "
    "psychosis needs careful assessment).",
    _NOT,
)
_condition(
    Condition.PAST_PSYCHOSIS,
    R,
    SPRAVATO_WARNINGS,
    "A past psychotic episode: the label asks to start only if benefit outweighs risk "
    "(a telehealth trial excluded any past psychosis).",
    _DECIDE,
)
_condition(
    Condition.DRUG_INDUCED_MANIA_HISTORY,
    R,
    OXFORD_KETAMINE_CLINIC,
    "A history of drug-induced mania is a clinic-level exclusion (switch risk).",
    _DECIDE,
)
_condition(
    Condition.CURRENT_SUBSTANCE_USE_DISORDER,
    R,
    SPRAVATO_WARNINGS,
    "A current substance use disorder (incl. alcohol): ketamine is Schedule III and "
    "trials excluded current dependence.",
    f"{_DECIDE} Monitor for misuse.",
)
_condition(
    Condition.PAST_SUBSTANCE_USE_DISORDER,
    C,
    SPRAVATO_WARNINGS,
    "A past substance use disorder: ketamine is Schedule III.",
    "Assess misuse risk and monitor for abuse and dependence at every visit.",
)
_condition(
    Condition.OPIOID_USE_DISORDER_HISTORY,
    R,
    HULL_2022,
    "A history of opioid use disorder was an exclusion in the telehealth trial.",
    _DECIDE,
)
_condition(
    Condition.KETAMINE_MISUSE_HISTORY,
    R,
    SPRAVATO_WARNINGS,
    "A history of ketamine misuse: abuse and dependence risk (Schedule III), and "
    "urinary-tract harm rises with use.",
    f"{_DECIDE} Monitor for misuse.",
)
_condition(
    Condition.RECREATIONAL_DRUG_USE,
    R,
    OXFORD_KETAMINE_CLINIC,
    "Current recreational drug use (e.g. cannabis) is a clinic-level exclusion.",
    f"{_DECIDE} Ask the patient to stop before treatment.",
)
_condition(
    Condition.CANNOT_ABSTAIN_FROM_ALCOHOL_24H,
    R,
    OXFORD_KETAMINE_CLINIC,
    "The patient cannot abstain from alcohol for 24 hours around a session "
    "(clinic-level exclusion; additive sedation).",
    _DECIDE,
)
_condition(
    Condition.TREATED_HYPERTENSION,
    C,
    BP_RISE_PREDICTORS,
    "Treated hypertension: BP rises during ketamine sessions are larger in hypertensive patients.",
    "Confirm control at screening and check BP before every dose.",
)
_condition(
    Condition.HYPERTENSIVE_ENCEPHALOPATHY_HISTORY,
    R,
    SPRAVATO_LABEL,
    "A history of hypertensive encephalopathy needs more intensive BP and symptom "
    "monitoring (label).",
    f"{_DECIDE} Plan the extra monitoring.",
)
_condition(
    Condition.ISCHAEMIC_HEART_DISEASE,
    R,
    MILLERS_ANESTHESIA,
    "Ischaemic heart disease: ketamine raises BP and heart rate (label: assess other "
    "cardiovascular disease for benefit vs risk).",
    _DECIDE,
)
_condition(
    Condition.OTHER_CARDIOVASCULAR_DISEASE,
    R,
    SPRAVATO_WARNINGS,
    "Other cardiovascular disease: the label asks for a benefit/risk assessment "
    "because of BP rises.",
    _DECIDE,
)
_condition(
    Condition.OTHER_CEREBROVASCULAR_DISEASE,
    R,
    SPRAVATO_WARNINGS,
    "Other cerebrovascular disease: the label asks for a benefit/risk assessment "
    "because of BP rises.",
    _DECIDE,
)
_condition(
    Condition.GLAUCOMA_OR_RAISED_INTRAOCULAR_PRESSURE,
    R,
    OXFORD_KETAMINE_CLINIC,
    "Glaucoma or raised intraocular pressure: ketamine raises intraocular pressure "
    "(clinic-level exclusion).",
    f"{_DECIDE} Consider ophthalmology advice.",
)
_condition(
    Condition.RECENT_SEIZURES_OR_EPILEPSY,
    R,
    OXFORD_KETAMINE_CLINIC,
    "Recent seizures or epilepsy is a clinic-level exclusion.",
    _DECIDE,
)
_condition(
    Condition.INTERSTITIAL_OR_ULCERATIVE_CYSTITIS,
    C,
    SPRAVATO_WARNINGS,
    "Interstitial or ulcerative cystitis: ketamine can cause urinary-tract symptoms.",
    "Ask about frequency, urgency, pain and haematuria at every visit; refer if worse.",
)
_condition(
    Condition.PRIOR_ADVERSE_REACTION_TO_KETAMINE,
    R,
    MILLERS_ANESTHESIA,
    "A prior adverse reaction to ketamine.",
    f"{_DECIDE} Record what happened.",
)
_condition(
    Condition.PREGNANT,
    R,
    SPRAVATO_WARNINGS,
    "Pregnancy: not recommended (embryo-fetal toxicity); clinic protocols exclude it.",
    _DECIDE,
)
_condition(
    Condition.BREASTFEEDING,
    R,
    SPRAVATO_WARNINGS,
    "Breastfeeding: not recommended; clinic protocols exclude it.",
    _DECIDE,
)
_condition(
    Condition.PLANNING_PREGNANCY_OR_IVF,
    R,
    OXFORD_KETAMINE_CLINIC,
    "Planning pregnancy or undergoing IVF is a clinic-level exclusion.",
    _DECIDE,
)

BLOCKING_CONDITIONS = frozenset(c for c, r in CONDITION_RULES.items() if r.severity is B)

BIPOLAR = rule(
    "screening.bipolar_mood_stabiliser",
    "Bipolar disorder or past mania: give ketamine with lithium or valproate to "
    "reduce switch risk.",
    BIPOLAR_MOOD_STABILISER,
)


def check_conditions(patient: ScreeningInput) -> list[Finding]:
    """One finding per recorded history item, with the severity its rule declares."""
    findings = []
    for condition in sorted(patient.conditions):
        if condition is Condition.BIPOLAR_OR_MANIA_HISTORY:
            findings.append(_bipolar(patient))
            continue
        judged = CONDITION_RULES[condition]
        findings.append(judged.rule.finding(judged.severity, judged.message))
    return findings


def _bipolar(patient: ScreeningInput) -> Finding:
    stabilisers = sorted(
        {m.drug.name for m in patient.medications if m.drug.is_a(DrugClass.MOOD_STABILISER)}
    )
    if stabilisers:
        return BIPOLAR.finding(
            C,
            f"Bipolar disorder or past mania, on {', '.join(stabilisers)}: keep the mood "
            "stabiliser going and watch for hypomania after each session.",
        )
    return BIPOLAR.finding(
        R,
        "Bipolar disorder or past mania without lithium or valproate: switch risk. A "
        "prescriber must start or confirm a mood stabiliser (or record why not) before "
        "dosing.",
    )
