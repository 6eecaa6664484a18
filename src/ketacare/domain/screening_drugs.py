"""Screening rules about current medications (clinical reference §3.4, §8 rule 10).

The benzodiazepine load is the sum of every benzodiazepine's daily dose in diazepam
equivalents (Ashton table, UNCONFIRMED); above the policy limit (8 mg/day, Andrashko 2020) the
response may be blunted. Every other interacting class gives one finding naming the drugs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ketacare.domain.drugs import DrugClass, diazepam_equivalent_mg_per_day
from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.screening_input import Medication
from ketacare.domain.screening_policy import ScreeningPolicy
from ketacare.domain.sources import (
    ANDRADE_2017_INTERACTIONS,
    ANDRASHKO_2020,
    KETALAR_LABEL,
    NCT05803551,
    OXFORD_KETAMINE_CLINIC,
    SPRAVATO_INTERACTIONS,
    Source,
)

BENZODIAZEPINE_LOAD = rule(
    "screening.benzodiazepine_load",
    "A benzodiazepine load above the limit (mg diazepam-equivalent/day) may blunt the response "
    "to ketamine; any benzodiazepine adds sedation.",
    ANDRASHKO_2020,
    params=(
        "screening.benzodiazepine_diazepam_eq_mg_per_day_limit",
        "screening.count_z_drugs_in_benzodiazepine_load",
    ),
)


@dataclass(frozen=True)
class ClassRule:
    """One interacting class: its rule, severity and what staff should do."""

    rule: Rule
    severity: Severity
    advice: str


def _class_rule(
    drug_class: DrugClass, severity: Severity, statement: str, cited: Source, advice: str
) -> ClassRule:
    return ClassRule(rule(f"screening.drug.{drug_class.value}", statement, cited), severity, advice)


# Order = the order findings are listed in.
CLASS_RULES: dict[DrugClass, ClassRule] = {
    DrugClass.XANTHINE: _class_rule(
        DrugClass.XANTHINE,
        Severity.BLOCK,
        "Theophylline/aminophylline lower the seizure threshold: do not co-administer.",
        KETALAR_LABEL,
        "Not eligible while taking it: ask the prescriber about an alternative, then re-screen.",
    ),
    DrugClass.MAOI: _class_rule(
        DrugClass.MAOI,
        Severity.REVIEW,
        "MAOIs raise blood pressure with ketamine; a Dutch TRD trial excluded them.",
        SPRAVATO_INTERACTIONS,
        "A prescriber must decide; if treated, monitor BP closely (REMS form: MAOI = yes).",
    ),
    DrugClass.OPIOID: _class_rule(
        DrugClass.OPIOID,
        Severity.REVIEW,
        "Opioids add to sedation and respiratory depression and may prolong recovery.",
        KETALAR_LABEL,
        "A prescriber must decide; if treated, monitor sedation, breathing and SpO2 closely.",
    ),
    DrugClass.CANNABINOID: _class_rule(
        DrugClass.CANNABINOID,
        Severity.REVIEW,
        "Cannabis use is a clinic-level exclusion.",
        OXFORD_KETAMINE_CLINIC,
        "A prescriber must decide; ask the patient to stop before treatment.",
    ),
    DrugClass.Z_DRUG: _class_rule(
        DrugClass.Z_DRUG,
        Severity.CAUTION,
        "Non-benzodiazepine hypnotics add to sedation.",
        SPRAVATO_INTERACTIONS,
        "Monitor sedation closely (REMS form: non-benzodiazepine hypnotic = yes).",
    ),
    DrugClass.PSYCHOSTIMULANT: _class_rule(
        DrugClass.PSYCHOSTIMULANT,
        Severity.CAUTION,
        "Psychostimulants raise blood pressure with ketamine.",
        SPRAVATO_INTERACTIONS,
        "Monitor BP closely (REMS form: psychostimulant = yes).",
    ),
    DrugClass.OTHER_CNS_DEPRESSANT: _class_rule(
        DrugClass.OTHER_CNS_DEPRESSANT,
        Severity.CAUTION,
        "CNS depressants add to sedation; profound sedation and respiratory depression are "
        "possible.",
        KETALAR_LABEL,
        "Monitor sedation and breathing closely; no alcohol around sessions.",
    ),
    DrugClass.SYMPATHOMIMETIC: _class_rule(
        DrugClass.SYMPATHOMIMETIC,
        Severity.CAUTION,
        "Sympathomimetics and vasopressin: monitor vital signs closely.",
        KETALAR_LABEL,
        "Monitor BP and heart rate closely during sessions.",
    ),
    DrugClass.GLUTAMATE_MODULATOR: _class_rule(
        DrugClass.GLUTAMATE_MODULATOR,
        Severity.CAUTION,
        "Lamotrigine and other glutamate-release inhibitors reduce ketamine's acute "
        "neuropsychiatric effects; whether they blunt the antidepressant response is "
        "UNCONFIRMED.",
        ANDRADE_2017_INTERACTIONS,
        "Note it; a prescriber may weigh it if the response is poor.",
    ),
    DrugClass.NMDA_ACTIVE: _class_rule(
        DrugClass.NMDA_ACTIVE,
        Severity.INFO,
        "NMDA-active drugs were excluded in an ICU ketamine trial; no outpatient harm is "
        "documented.",
        NCT05803551,
        "Note it (lithium remains the recommended co-medication in bipolar disorder).",
    ),
    DrugClass.CYP_INDUCER: _class_rule(
        DrugClass.CYP_INDUCER,
        Severity.INFO,
        "CYP3A4/CYP2B6 inducers lower ketamine exposure.",
        ANDRADE_2017_INTERACTIONS,
        "Expect a possibly weaker effect at the usual dose.",
    ),
    DrugClass.CYP_INHIBITOR: _class_rule(
        DrugClass.CYP_INHIBITOR,
        Severity.INFO,
        "CYP3A4/CYP2B6 inhibitors raise ketamine exposure.",
        ANDRADE_2017_INTERACTIONS,
        "Expect possibly stronger or longer effects at the usual dose.",
    ),
    DrugClass.ANTIDEPRESSANT: _class_rule(
        DrugClass.ANTIDEPRESSANT,
        Severity.INFO,
        "Conventional antidepressants can probably be combined with ketamine safely.",
        ANDRADE_2017_INTERACTIONS,
        "Continue unless the prescriber decides otherwise.",
    ),
}


def check_medications(medications: Sequence[Medication], policy: ScreeningPolicy) -> list[Finding]:
    """Findings for the benzodiazepine load and for every interacting class present."""
    findings = _benzodiazepine_load(medications, policy)
    for drug_class, judged in CLASS_RULES.items():
        names = sorted({m.drug.name for m in medications if m.drug.is_a(drug_class)})
        if names:
            findings.append(
                judged.rule.finding(
                    judged.severity,
                    f"Taking {', '.join(names)}: {judged.rule.statement} {judged.advice}",
                    drugs=names,
                )
            )
    return findings


def _counts_in_load(medication: Medication, policy: ScreeningPolicy) -> bool:
    drug = medication.drug
    return drug.is_a(DrugClass.BENZODIAZEPINE) or (
        policy.count_z_drugs_in_benzodiazepine_load and drug.is_a(DrugClass.Z_DRUG)
    )


def _benzodiazepine_load(
    medications: Sequence[Medication], policy: ScreeningPolicy
) -> list[Finding]:
    counted = [m for m in medications if _counts_in_load(m, policy)]
    if not counted:
        return []
    limit = policy.benzodiazepine_diazepam_eq_mg_per_day_limit
    unknown = [
        m.drug.name
        for m in counted
        if m.daily_dose_mg is None or m.drug.diazepam_10mg_equivalent_mg is None
    ]
    if unknown:
        return [
            BENZODIAZEPINE_LOAD.finding(
                Severity.REVIEW,
                f"Taking {', '.join(sorted(unknown))} without a daily dose (or a diazepam "
                f"equivalent): the load cannot be compared with the {limit:g} mg/day "
                "diazepam-equivalent limit. Record the daily dose in mg.",
                drugs=sorted(unknown),
            )
        ]
    parts = []
    total = 0.0
    for m in counted:
        assert m.daily_dose_mg is not None
        eq = diazepam_equivalent_mg_per_day(m.drug, m.daily_dose_mg)
        total += eq
        parts.append(f"{m.drug.name} {m.daily_dose_mg:g} mg ≈ diazepam {eq:.3g} mg")
    # Rounded so that e.g. 0.8 mg lorazepam is exactly 8 mg, not 8.000000000000002.
    total = round(total, 6)
    detail = f"{'; '.join(parts)}; Ashton equivalence table, UNCONFIRMED"
    if total > limit:
        return [
            BENZODIAZEPINE_LOAD.finding(
                Severity.REVIEW,
                f"Benzodiazepine load {total:.3g} mg/day diazepam-equivalent is above the "
                f"{limit:g} mg/day limit ({detail}): it may blunt the response. A prescriber must "
                f"decide — consider tapering to ≤ {limit:g} mg/day before starting.",
                load_mg_per_day=total,
                limit_mg_per_day=limit,
            )
        ]
    return [
        BENZODIAZEPINE_LOAD.finding(
            Severity.CAUTION,
            f"Benzodiazepine load {total:.3g} mg/day diazepam-equivalent is within the {limit:g} "
            f"mg/day limit ({detail}). Monitor sedation (REMS form: benzodiazepine = yes).",
            load_mg_per_day=total,
            limit_mg_per_day=limit,
        )
    ]
