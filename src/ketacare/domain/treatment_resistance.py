"""Treatment resistance: count the adequate failed trials and check baseline severity.

Depression (MDD only): TRD = inadequate response to ≥ `required_failed_trials` oral
antidepressants in the current episode, each ≥ `adequate_depression_trial_min_weeks` weeks
(4, UNCONFIRMED). Psychological therapy does not count.

Anxiety (any of GAD, social anxiety, panic, PTSD — also when MDD is present): drug trials of an
antidepressant or non-benzodiazepine anxiolytic and psychological therapy trials both count,
each ≥ 8 weeks (Bokma 2019), lifetime; at least `required_failed_trials` in total, of which at
least `required_failed_drug_trials_for_anxiety` drug trials and
`required_failed_psychotherapy_trials_for_anxiety` therapy trials. Anxiety must also still be
above a severity threshold (GAD-7 ≥ 10; PCL-5 ≥ 33 for PTSD).

A trial counts when its outcome was failed or partial, the dose was adequate (clinician's
judgement) and it lasted long enough; the same drug or therapy counts once. Falling short is
REVIEW (a prescriber decides), never BLOCK: the definitions vary and are not label
contraindications.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.drugs import DrugClass
from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.screening_input import (
    ANXIETY_DIAGNOSES,
    GAD7_DIAGNOSES,
    Diagnosis,
    ScreeningInput,
    TreatmentTrial,
    TrialKind,
    TrialOutcome,
)
from ketacare.domain.screening_policy import ScreeningPolicy
from ketacare.domain.sources import (
    BLEVINS_2015,
    BOKMA_2019,
    CLINIC_POLICY,
    SPITZER_2006,
    SPRAVATO_LABEL,
    TRD_ADEQUATE_TRIAL,
)

TR_ANXIETY = rule(
    "screening.treatment_resistance_anxiety",
    "Treatment-resistant anxiety: enough adequate failed drug and psychological therapy trials.",
    BOKMA_2019,
    params=(
        "screening.required_failed_trials",
        "screening.required_failed_drug_trials_for_anxiety",
        "screening.required_failed_psychotherapy_trials_for_anxiety",
        "screening.adequate_anxiety_drug_trial_min_weeks",
        "screening.adequate_psychotherapy_trial_min_weeks",
    ),
)
TR_DEPRESSION = rule(
    "screening.treatment_resistance_depression",
    "Treatment-resistant depression: inadequate response to enough oral antidepressants in the "
    "current episode.",
    SPRAVATO_LABEL,
    params=("screening.required_failed_trials", "screening.adequate_depression_trial_min_weeks"),
)
TRIAL_NOT_COUNTED = rule(
    "screening.trial_not_counted",
    "A trial counts only if adequate: failed or partial outcome, adequate dose, long enough.",
    TRD_ADEQUATE_TRIAL,
)
NO_INDICATION = rule(
    "screening.no_indication", "Screening needs an anxiety or depressive indication.", CLINIC_POLICY
)
BASELINE_GAD7 = rule(
    "screening.baseline_gad7",
    "For GAD, social anxiety or panic, anxiety must still be above the GAD-7 severity line.",
    SPITZER_2006,
    params=("screening.tr_anxiety_min_gad7_total",),
)
BASELINE_PCL5 = rule(
    "screening.baseline_pcl5",
    "For PTSD, symptoms must still be above the PCL-5 provisional-diagnosis line.",
    BLEVINS_2015,
    params=("screening.tr_ptsd_min_pcl5_total",),
)

_FAILED = frozenset({TrialOutcome.FAILED, TrialOutcome.PARTIAL})
_ANXIETY_DRUG_CLASSES = frozenset({DrugClass.ANTIDEPRESSANT, DrugClass.ANXIOLYTIC})


class Indication(StrEnum):
    ANXIETY = "anxiety"
    DEPRESSION = "depression"


@dataclass(frozen=True)
class TrialAssessment:
    """One trial and whether it counts; `reason` says why not (empty when it counts)."""

    trial: TreatmentTrial
    counted: bool
    reason: str = ""


@dataclass(frozen=True)
class TreatmentResistance:
    """The count behind the treatment-resistance finding."""

    indication: Indication | None
    drug_trials: tuple[str, ...]  # distinct drugs with an adequate failed trial
    psychotherapy_trials: tuple[str, ...]  # distinct therapies with an adequate failed trial
    met: bool
    assessments: tuple[TrialAssessment, ...]

    @property
    def total(self) -> int:
        return len(self.drug_trials) + len(self.psychotherapy_trials)


def indication_of(diagnoses: frozenset[Diagnosis]) -> Indication | None:
    """Anxiety when any anxiety disorder is diagnosed, else depression for MDD, else None."""
    if diagnoses & ANXIETY_DIAGNOSES:
        return Indication.ANXIETY
    return Indication.DEPRESSION if Diagnosis.MDD in diagnoses else None


def _why_not(trial: TreatmentTrial, indication: Indication, policy: ScreeningPolicy) -> str:
    drug = trial.drug
    if indication is Indication.DEPRESSION:
        if drug is None:
            return "psychological therapy does not count towards TRD (oral antidepressants)"
        if not drug.is_a(DrugClass.ANTIDEPRESSANT):
            return f"{drug.name} is not an antidepressant"
        if not trial.in_current_episode:
            return "it was not in the current depressive episode"
        min_weeks = policy.adequate_depression_trial_min_weeks
    elif drug is not None:
        if not drug.classes & _ANXIETY_DRUG_CLASSES:
            return f"{drug.name} is not an antidepressant or first-line anxiolytic"
        min_weeks = policy.adequate_anxiety_drug_trial_min_weeks
    else:
        min_weeks = policy.adequate_psychotherapy_trial_min_weeks
    if trial.outcome not in _FAILED:
        return f"the outcome was '{trial.outcome.value}' (only failed or partial trials count)"
    if not trial.dose_adequate:
        return "the dose was judged inadequate"
    if trial.weeks < min_weeks:
        return f"{trial.weeks:g} weeks is under the {min_weeks:g} weeks an adequate trial needs"
    return ""


def assess_treatment_resistance(
    patient: ScreeningInput, policy: ScreeningPolicy
) -> TreatmentResistance:
    """Classify every trial and decide whether the indication's definition is met."""
    indication = indication_of(patient.diagnoses)
    if indication is None:
        return TreatmentResistance(None, (), (), False, ())
    drugs: list[str] = []
    therapies: list[str] = []
    assessments = []
    for trial in patient.treatment_trials:
        reason = _why_not(trial, indication, policy)
        bucket = drugs if trial.kind is TrialKind.DRUG else therapies
        key = trial.label if trial.kind is TrialKind.DRUG else trial.label.lower()
        if not reason and key in bucket:
            reason = f"{trial.label} is already counted (each drug or therapy counts once)"
        if not reason:
            bucket.append(key)
        assessments.append(TrialAssessment(trial, not reason, reason))
    total = len(drugs) + len(therapies)
    if indication is Indication.DEPRESSION:
        met = total >= policy.required_failed_trials
    else:
        met = (
            total >= policy.required_failed_trials
            and len(drugs) >= policy.required_failed_drug_trials_for_anxiety
            and len(therapies) >= policy.required_failed_psychotherapy_trials_for_anxiety
        )
    return TreatmentResistance(indication, tuple(drugs), tuple(therapies), met, tuple(assessments))


def check_treatment_resistance(patient: ScreeningInput, policy: ScreeningPolicy) -> list[Finding]:
    """Findings on the indication, the trial count, uncounted trials and baseline severity."""
    result = assess_treatment_resistance(patient, policy)
    if result.indication is None:
        return [
            NO_INDICATION.finding(
                Severity.REVIEW,
                "No anxiety disorder or major depression is recorded as the "
                "indication: record the diagnosis the treatment is for.",
            )
        ]
    findings = [_count_finding(result, policy)]
    for a in result.assessments:
        if not a.counted:
            findings.append(
                TRIAL_NOT_COUNTED.finding(
                    Severity.INFO,
                    f"Trial of {a.trial.label} ({a.trial.weeks:g} weeks, "
                    f"{a.trial.outcome.value}) not counted: {a.reason}.",
                )
            )
    if result.indication is Indication.ANXIETY:
        findings.extend(_baseline_severity(patient, policy))
    return findings


def _listing(result: TreatmentResistance) -> str:
    shown = [
        f"{a.trial.label} {a.trial.weeks:g} wk ({a.trial.outcome.value})"
        for a in result.assessments
        if a.counted
    ]
    return ", ".join(shown) if shown else "none"


def _count_finding(result: TreatmentResistance, policy: ScreeningPolicy) -> Finding:
    need = policy.required_failed_trials
    counted = _listing(result)
    if result.indication is Indication.DEPRESSION:
        judged, what = TR_DEPRESSION, "depression"
        rule_text = (
            f"≥ {need} oral antidepressants in the current episode, each ≥ "
            f"{policy.adequate_depression_trial_min_weeks:g} weeks"
        )
    else:
        judged, what = TR_ANXIETY, "anxiety"
        rule_text = (
            f"≥ {need} in total, incl. ≥ "
            f"{policy.required_failed_drug_trials_for_anxiety} drug and ≥ "
            f"{policy.required_failed_psychotherapy_trials_for_anxiety} psychological "
            f"therapy trials; drug trials ≥ "
            f"{policy.adequate_anxiety_drug_trial_min_weeks:g} weeks, therapy ≥ "
            f"{policy.adequate_psychotherapy_trial_min_weeks:g} weeks"
        )
    data: dict[str, object] = {
        "drug_trials": len(result.drug_trials),
        "psychotherapy_trials": len(result.psychotherapy_trials),
        "required": need,
    }
    if result.met:
        return judged.finding(
            Severity.INFO,
            f"Treatment-resistant {what} shown: {result.total} adequate failed "
            f"trials ({counted}); the definition needs {rule_text}.",
            **data,
        )
    return judged.finding(
        Severity.REVIEW,
        f"Treatment-resistant {what} not shown: {result.total} adequate failed trials "
        f"({len(result.drug_trials)} drug, {len(result.psychotherapy_trials)} therapy: "
        f"{counted}); the definition needs {rule_text}. A prescriber must confirm treatment "
        "resistance or document the missing trials before starting.",
        **data,
    )


def _baseline_severity(patient: ScreeningInput, policy: ScreeningPolicy) -> list[Finding]:
    findings = []
    if patient.diagnoses & GAD7_DIAGNOSES:
        findings.append(
            _scale_finding(
                BASELINE_GAD7, "GAD-7", patient.gad7_total, policy.tr_anxiety_min_gad7_total
            )
        )
    if Diagnosis.PTSD in patient.diagnoses:
        findings.append(
            _scale_finding(
                BASELINE_PCL5, "PCL-5", patient.pcl5_total, policy.tr_ptsd_min_pcl5_total
            )
        )
    return findings


def _scale_finding(judged: Rule, scale: str, score: int | None, line: int) -> Finding:
    if score is None:
        return judged.finding(
            Severity.REVIEW,
            f"No baseline {scale} recorded: record it "
            "before starting (it is also the baseline "
            "for response).",
        )
    if score < line:
        return judged.finding(
            Severity.REVIEW,
            f"Baseline {scale} {score} is below {line}: symptoms are not above "
            "the severity line a treatment-resistance definition needs. A "
            "prescriber must decide.",
            score=score,
            line=line,
        )
    return judged.finding(
        Severity.INFO, f"Baseline {scale} {score} is at or above {line}.", score=score, line=line
    )
