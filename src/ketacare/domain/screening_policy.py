"""ScreeningPolicy: the thresholds eligibility screening reads, each with its source.

Addressed as "screening.<field>" in ClinicPolicy. Defaults marked UNCONFIRMED in the clinical
reference (or chosen by the clinic) rest on a source with confirmed=False: a prescriber must
confirm them before the clinic relies on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.sources import (
    ANDRASHKO_2020,
    BLEVINS_2015,
    BOKMA_2019,
    CLINIC_POLICY,
    SPITZER_2006,
    SPRAVATO_LABEL,
    SPRAVATO_WARNINGS,
    SWISS_SMPC,
    TRD_ADEQUATE_TRIAL,
)
from ketacare.domain.thresholds import threshold


@dataclass(frozen=True)
class ScreeningPolicy:
    """Eligibility thresholds (clinical reference §2.3, §3, §4, §8 rules 5 and 10)."""

    min_age_years: int = threshold(
        18,
        statement="Patients younger than this are not eligible (Spravato is not approved "
        "under 18 years).",
        unit="years",
        source=SPRAVATO_WARNINGS,
        minimum=18,
        maximum=30,
    )
    young_adult_suicidality_caution_below_age: int = threshold(
        25,
        statement="Patients younger than this (≤ 24 years) carry the antidepressant class "
        "warning on suicidal thoughts and behaviour: monitor closely.",
        unit="years",
        source=SPRAVATO_WARNINGS,
        minimum=18,
        maximum=30,
    )
    uncontrolled_hypertension_systolic_mmhg: int = threshold(
        180,
        statement="A resting systolic BP above this (untreated or poorly controlled "
        "hypertension) is a contraindication.",
        unit="mmHg",
        source=SWISS_SMPC,
        minimum=140,
        maximum=220,
    )
    uncontrolled_hypertension_diastolic_mmhg: int = threshold(
        100,
        statement="A resting diastolic BP above this (untreated or poorly controlled "
        "hypertension) is a contraindication.",
        unit="mmHg",
        source=SWISS_SMPC,
        minimum=90,
        maximum=130,
    )
    elevated_bp_systolic_mmhg: int = threshold(
        140,
        statement="A resting systolic BP above this needs a prescriber's decision before the "
        "first dose (label guide for delaying a dose).",
        unit="mmHg",
        source=SPRAVATO_LABEL,
        minimum=110,
        maximum=180,
    )
    elevated_bp_diastolic_mmhg: int = threshold(
        90,
        statement="A resting diastolic BP above this needs a prescriber's decision before the "
        "first dose (label guide for delaying a dose).",
        unit="mmHg",
        source=SPRAVATO_LABEL,
        minimum=60,
        maximum=100,
    )
    required_failed_trials: int = threshold(
        2,
        statement="Adequate failed treatment trials needed for treatment resistance (TRD: "
        "inadequate response to ≥ 2 oral antidepressants). Anxiety definitions vary widely "
        "(Bokma 2019: 62 definitions, 62.9% call it resistant after 1 failure); for an anxiety "
        "indication drug and psychological therapy trials both count.",
        unit="trials",
        source=SPRAVATO_LABEL,
        minimum=1,
        maximum=5,
    )
    required_failed_drug_trials_for_anxiety: int = threshold(
        1,
        statement="Of the failed trials for an anxiety indication, at least this many must be "
        "first-line drug trials (Bokma 2019 proposed consensus: ≥ 1).",
        unit="trials",
        source=BOKMA_2019,
        minimum=0,
        maximum=5,
    )
    required_failed_psychotherapy_trials_for_anxiety: int = threshold(
        0,
        statement="Of the failed trials for an anxiety indication, at least this many must be "
        "psychological therapy. Bokma 2019 proposes 1; the default 0 also accepts two drug "
        "trials. Clinic choice: a prescriber must confirm it.",
        unit="trials",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=3,
    )
    adequate_depression_trial_min_weeks: float = threshold(
        4.0,
        statement="An antidepressant trial for depression counts as adequate from this many "
        "weeks. UNCONFIRMED (secondary source): a prescriber must confirm it.",
        unit="weeks",
        source=TRD_ADEQUATE_TRIAL,
        minimum=2,
        maximum=12,
    )
    adequate_anxiety_drug_trial_min_weeks: float = threshold(
        8.0,
        statement="A drug trial for an anxiety disorder counts as adequate from this many weeks "
        "(Bokma 2019: each trial ≥ 8 weeks).",
        unit="weeks",
        source=BOKMA_2019,
        minimum=4,
        maximum=26,
    )
    adequate_psychotherapy_trial_min_weeks: float = threshold(
        8.0,
        statement="A psychological therapy trial for an anxiety disorder counts as adequate "
        "from this many weeks (Bokma 2019: each trial ≥ 8 weeks).",
        unit="weeks",
        source=BOKMA_2019,
        minimum=4,
        maximum=52,
    )
    benzodiazepine_diazepam_eq_mg_per_day_limit: float = threshold(
        8.0,
        statement="A benzodiazepine load above this many mg diazepam-equivalent per day "
        "predicted non-response (ROC cut-off, sens 80%, spec 85%, n=47): review or taper.",
        unit="mg/day diazepam-equivalent",
        source=ANDRASHKO_2020,
        minimum=0,
        maximum=40,
    )
    count_z_drugs_in_benzodiazepine_load: bool = threshold(
        False,
        statement="Whether z-drugs (zolpidem, zopiclone, zaleplon) add their diazepam "
        "equivalent to the benzodiazepine load; Andrashko 2020 measured benzodiazepines only. "
        "Clinic choice: a prescriber must confirm it.",
        unit="yes/no",
        source=CLINIC_POLICY,
    )
    tr_anxiety_min_gad7_total: int = threshold(
        10,
        statement="For GAD, social anxiety or panic, baseline GAD-7 must be at least this "
        "(moderate cut-off) for anxiety to count as still above a severity threshold.",
        unit="points (0–21)",
        source=SPITZER_2006,
        minimum=5,
        maximum=21,
    )
    tr_ptsd_min_pcl5_total: int = threshold(
        33,
        statement="For PTSD, baseline PCL-5 must be at least this (provisional PTSD cut-off) "
        "for symptoms to count as still above a severity threshold.",
        unit="points (0–80)",
        source=BLEVINS_2015,
        minimum=20,
        maximum=80,
    )
