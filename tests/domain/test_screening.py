"""Eligibility screening (clinical reference §2.3, §3.1–3.5, §4.2, §8 rules 5 and 10)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import RULES, Finding, Severity
from ketacare.domain.screening import (
    BloodPressureReading,
    Condition,
    Diagnosis,
    HepaticImpairment,
    Medication,
    ScreeningInput,
    ScreeningPolicy,
    ScreeningResult,
    Sex,
    TreatmentTrial,
    TrialKind,
    TrialOutcome,
    Verdict,
    assess_treatment_resistance,
    screen,
    verdict_for,
)
from ketacare.domain.thresholds import threshold_info

POLICY = ScreeningPolicy()
ELIGIBLE, REVIEW, NOT_ELIGIBLE = Verdict.ELIGIBLE, Verdict.NEEDS_REVIEW, Verdict.NOT_ELIGIBLE
DRUG, THERAPY = TrialKind.DRUG, TrialKind.PSYCHOTHERAPY
FAILED, PARTIAL = TrialOutcome.FAILED, TrialOutcome.PARTIAL


def drug_trial(
    name: str, weeks: float = 10, outcome: TrialOutcome = FAILED, **kw: Any
) -> TreatmentTrial:
    return TreatmentTrial(DRUG, name, weeks, outcome, **kw)


def therapy_trial(
    name: str = "CBT", weeks: float = 12, outcome: TrialOutcome = FAILED
) -> TreatmentTrial:
    return TreatmentTrial(THERAPY, name, weeks, outcome)


def patient(**overrides: Any) -> ScreeningInput:
    """A 35-year-old with treatment-resistant GAD and nothing else of note (eligible)."""
    base: dict[str, Any] = {
        "age_years": 35,
        "sex": Sex.FEMALE,
        "weight_kg": 70.0,
        "height_cm": 170.0,
        "diagnoses": {Diagnosis.GAD},
        "resting_bp": (BloodPressureReading(125, 80),),
        "treatment_trials": (drug_trial("sertraline"), therapy_trial()),
        "gad7_total": 15,
        "phq9_total": 8,
        "phq9_item9": 0,
    }
    base.update(overrides)
    return ScreeningInput(**base)


def bp(systolic: float, diastolic: float) -> tuple[BloodPressureReading, ...]:
    return (BloodPressureReading(systolic, diastolic),)


def findings_of(result: ScreeningResult, rule_id: str) -> list[Finding]:
    return [f for f in result.findings if f.rule_id == rule_id]


def only(result: ScreeningResult, rule_id: str) -> Finding:
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.rule_id for f in result.findings]
    return found[0]


def test_the_reference_patient_is_eligible_with_only_informational_findings():
    result = screen(patient(), POLICY)
    assert result.verdict is ELIGIBLE
    assert {f.severity for f in result.findings} <= {Severity.INFO, Severity.CAUTION}


# --- Contraindications and cautions, one row each ----------------------------------------

CONDITION_TABLE = [
    # Spravato label contraindications
    (Condition.ANEURYSMAL_VASCULAR_DISEASE, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.ARTERIOVENOUS_MALFORMATION, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.INTRACEREBRAL_HAEMORRHAGE_HISTORY, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.KETAMINE_HYPERSENSITIVITY, Severity.BLOCK, NOT_ELIGIBLE),
    # Racemic ketamine SmPCs and anaesthesia reference
    (Condition.STROKE_HISTORY, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.SEVERE_CORONARY_OR_MYOCARDIAL_DISEASE, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.PRE_ECLAMPSIA, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.CEREBRAL_TRAUMA, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.UNTREATED_HYPERTHYROIDISM, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.RAISED_INTRACRANIAL_PRESSURE, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.INTRACRANIAL_MASS, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.OPEN_EYE_INJURY, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.SCHIZOPHRENIA, Severity.BLOCK, NOT_ELIGIBLE),
    (Condition.CURRENT_OR_RECENT_PSYCHOSIS, Severity.BLOCK, NOT_ELIGIBLE),
    # Label warnings needing a benefit/risk decision, and clinic-level exclusions
    (Condition.PAST_PSYCHOSIS, Severity.REVIEW, REVIEW),
    (Condition.DRUG_INDUCED_MANIA_HISTORY, Severity.REVIEW, REVIEW),
    (Condition.CURRENT_SUBSTANCE_USE_DISORDER, Severity.REVIEW, REVIEW),
    (Condition.OPIOID_USE_DISORDER_HISTORY, Severity.REVIEW, REVIEW),
    (Condition.KETAMINE_MISUSE_HISTORY, Severity.REVIEW, REVIEW),
    (Condition.RECREATIONAL_DRUG_USE, Severity.REVIEW, REVIEW),
    (Condition.CANNOT_ABSTAIN_FROM_ALCOHOL_24H, Severity.REVIEW, REVIEW),
    (Condition.HYPERTENSIVE_ENCEPHALOPATHY_HISTORY, Severity.REVIEW, REVIEW),
    (Condition.ISCHAEMIC_HEART_DISEASE, Severity.REVIEW, REVIEW),
    (Condition.OTHER_CARDIOVASCULAR_DISEASE, Severity.REVIEW, REVIEW),
    (Condition.OTHER_CEREBROVASCULAR_DISEASE, Severity.REVIEW, REVIEW),
    (Condition.GLAUCOMA_OR_RAISED_INTRAOCULAR_PRESSURE, Severity.REVIEW, REVIEW),
    (Condition.RECENT_SEIZURES_OR_EPILEPSY, Severity.REVIEW, REVIEW),
    (Condition.PRIOR_ADVERSE_REACTION_TO_KETAMINE, Severity.REVIEW, REVIEW),
    (Condition.PREGNANT, Severity.REVIEW, REVIEW),
    (Condition.BREASTFEEDING, Severity.REVIEW, REVIEW),
    (Condition.PLANNING_PREGNANCY_OR_IVF, Severity.REVIEW, REVIEW),
    # Warnings that ask for monitoring only
    (Condition.PAST_SUBSTANCE_USE_DISORDER, Severity.CAUTION, ELIGIBLE),
    (Condition.TREATED_HYPERTENSION, Severity.CAUTION, ELIGIBLE),
    (Condition.INTERSTITIAL_OR_ULCERATIVE_CYSTITIS, Severity.CAUTION, ELIGIBLE),
    # Bipolar without a mood stabiliser (with one: see below)
    (Condition.BIPOLAR_OR_MANIA_HISTORY, Severity.REVIEW, REVIEW),
]
ABSOLUTE = [c for c, severity, _ in CONDITION_TABLE if severity is Severity.BLOCK]


def test_the_condition_table_covers_every_condition():
    assert {c for c, _, _ in CONDITION_TABLE} == set(Condition)


@pytest.mark.parametrize(("condition", "severity", "verdict"), CONDITION_TABLE)
def test_each_condition_gives_its_severity_and_verdict(condition, severity, verdict):
    result = screen(patient(conditions={condition}), POLICY)
    assert result.verdict is verdict
    rule_id = (
        "screening.bipolar_mood_stabiliser"
        if condition is Condition.BIPOLAR_OR_MANIA_HISTORY
        else f"screening.{condition.value}"
    )
    finding = only(result, rule_id)
    assert finding.severity is severity
    assert finding.message.endswith(".")


def test_bipolar_on_lithium_is_a_caution_not_a_review():
    result = screen(
        patient(
            conditions={Condition.BIPOLAR_OR_MANIA_HISTORY},
            medications=[Medication("lithium", 800)],
        ),
        POLICY,
    )
    finding = only(result, "screening.bipolar_mood_stabiliser")
    assert finding.severity is Severity.CAUTION
    assert "lithium" in finding.message
    assert result.verdict is ELIGIBLE


@pytest.mark.parametrize(
    ("hepatic", "severity", "verdict"),
    [
        (HepaticImpairment.NONE, None, ELIGIBLE),
        (HepaticImpairment.MILD, None, ELIGIBLE),
        (HepaticImpairment.MODERATE, Severity.CAUTION, ELIGIBLE),
        (HepaticImpairment.SEVERE, Severity.REVIEW, REVIEW),
    ],
)
def test_hepatic_impairment_by_grade(hepatic, severity, verdict):
    result = screen(patient(hepatic_impairment=hepatic), POLICY)
    found = findings_of(result, "screening.hepatic_impairment")
    assert [f.severity for f in found] == ([] if severity is None else [severity])
    assert result.verdict is verdict


# --- Age ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "rule_id", "severity", "verdict"),
    [
        (17, "screening.min_age", Severity.BLOCK, NOT_ELIGIBLE),
        (18, "screening.young_adult_suicidality", Severity.CAUTION, ELIGIBLE),
        (24, "screening.young_adult_suicidality", Severity.CAUTION, ELIGIBLE),
        (25, None, None, ELIGIBLE),
    ],
)
def test_age_18_blocks_below_and_under_25_is_a_caution(age, rule_id, severity, verdict):
    result = screen(patient(age_years=age), POLICY)
    age_findings = [
        f
        for f in result.findings
        if f.rule_id in ("screening.min_age", "screening.young_adult_suicidality")
    ]
    if rule_id is None:
        assert age_findings == []
    else:
        assert [(f.rule_id, f.severity) for f in age_findings] == [(rule_id, severity)]
        assert str(age) in age_findings[0].message
    assert result.verdict is verdict


def test_a_clinic_may_raise_the_minimum_age():
    result = screen(patient(age_years=20), dataclasses.replace(POLICY, min_age_years=21))
    assert only(result, "screening.min_age").severity is Severity.BLOCK


# --- Blood pressure (§2.3; rule 5) -------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "rule_id", "severity", "verdict"),
    [
        (181, 90, "screening.uncontrolled_hypertension", Severity.BLOCK, NOT_ELIGIBLE),
        (170, 101, "screening.uncontrolled_hypertension", Severity.BLOCK, NOT_ELIGIBLE),
        (180, 100, "screening.elevated_bp", Severity.REVIEW, REVIEW),
        (141, 85, "screening.elevated_bp", Severity.REVIEW, REVIEW),
        (135, 91, "screening.elevated_bp", Severity.REVIEW, REVIEW),
        (140, 90, "screening.elevated_bp", Severity.INFO, ELIGIBLE),
        (110, 70, "screening.elevated_bp", Severity.INFO, ELIGIBLE),
    ],
)
def test_bp_above_180_100_blocks_and_above_140_90_needs_review(
    systolic, diastolic, rule_id, severity, verdict
):
    result = screen(patient(resting_bp=bp(systolic, diastolic)), POLICY)
    finding = only(result, rule_id)
    assert finding.severity is severity
    assert f"{systolic}/{diastolic}" in finding.message
    assert result.verdict is verdict


def test_the_blocking_bp_message_quotes_the_reading_and_the_line():
    finding = only(
        screen(patient(resting_bp=bp(185, 95)), POLICY), "screening.uncontrolled_hypertension"
    )
    assert "185/95" in finding.message and "180/100" in finding.message
    assert "re-screen" in finding.message


def test_an_earlier_uncontrolled_reading_asks_for_review_when_the_latest_is_controlled():
    readings = (BloodPressureReading(190, 105), BloodPressureReading(130, 80))
    result = screen(patient(resting_bp=readings), POLICY)
    finding = only(result, "screening.uncontrolled_hypertension")
    assert finding.severity is Severity.REVIEW
    assert "190/105" in finding.message
    assert result.verdict is REVIEW


def test_no_resting_bp_needs_review():
    result = screen(patient(resting_bp=()), POLICY)
    assert only(result, "screening.no_resting_bp").severity is Severity.REVIEW
    assert result.verdict is REVIEW


# --- Interacting drugs (§3.4) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("medication", "rule_id", "severity", "verdict"),
    [
        (Medication("theophylline", 400), "screening.drug.xanthine", Severity.BLOCK, NOT_ELIGIBLE),
        (Medication("aminophylline"), "screening.drug.xanthine", Severity.BLOCK, NOT_ELIGIBLE),
        (Medication("phenelzine", 45), "screening.drug.maoi", Severity.REVIEW, REVIEW),
        (Medication("oxycodone", 20), "screening.drug.opioid", Severity.REVIEW, REVIEW),
        (Medication("cannabis"), "screening.drug.cannabinoid", Severity.REVIEW, REVIEW),
        (Medication("zolpidem", 10), "screening.drug.z_drug", Severity.CAUTION, ELIGIBLE),
        (
            Medication("methylphenidate", 36),
            "screening.drug.psychostimulant",
            Severity.CAUTION,
            ELIGIBLE,
        ),
        (
            Medication("gabapentin", 900),
            "screening.drug.other_cns_depressant",
            Severity.CAUTION,
            ELIGIBLE,
        ),
        (
            Medication("pseudoephedrine", 120),
            "screening.drug.sympathomimetic",
            Severity.CAUTION,
            ELIGIBLE,
        ),
        (
            Medication("lamotrigine", 200),
            "screening.drug.glutamate_modulator",
            Severity.CAUTION,
            ELIGIBLE,
        ),
        (Medication("memantine", 20), "screening.drug.nmda_active", Severity.INFO, ELIGIBLE),
        (Medication("carbamazepine", 400), "screening.drug.cyp_inducer", Severity.INFO, ELIGIBLE),
        (
            Medication("clarithromycin", 1000),
            "screening.drug.cyp_inhibitor",
            Severity.INFO,
            ELIGIBLE,
        ),
        (Medication("sertraline", 100), "screening.drug.antidepressant", Severity.INFO, ELIGIBLE),
    ],
)
def test_each_interacting_class_gives_its_severity(medication, rule_id, severity, verdict):
    result = screen(patient(medications=[medication]), POLICY)
    finding = only(result, rule_id)
    assert finding.severity is severity
    assert medication.drug.name in finding.message
    assert result.verdict is verdict


def test_the_lamotrigine_finding_says_blunting_is_unconfirmed():
    result = screen(patient(medications=[Medication("lamictal", 200)]), POLICY)
    assert "UNCONFIRMED" in only(result, "screening.drug.glutamate_modulator").message


@pytest.mark.parametrize(
    ("medications", "severity", "verdict"),
    [
        ([Medication("diazepam", 8)], Severity.CAUTION, ELIGIBLE),
        ([Medication("lorazepam", 0.8)], Severity.CAUTION, ELIGIBLE),
        ([Medication("alprazolam", 0.4)], Severity.CAUTION, ELIGIBLE),
        ([Medication("diazepam", 8.5)], Severity.REVIEW, REVIEW),
        ([Medication("lorazepam", 1)], Severity.REVIEW, REVIEW),
        ([Medication("diazepam", 5), Medication("lorazepam", 0.5)], Severity.REVIEW, REVIEW),
        ([Medication("clonazepam")], Severity.REVIEW, REVIEW),  # dose unknown
    ],
)
def test_benzodiazepine_load_above_8_mg_diazepam_equivalent_needs_review(
    medications, severity, verdict
):
    result = screen(patient(medications=medications), POLICY)
    finding = only(result, "screening.benzodiazepine_load")
    assert finding.severity is severity
    assert "8 mg/day" in finding.message
    assert result.verdict is verdict


def test_the_benzodiazepine_message_quotes_the_load():
    finding = only(
        screen(patient(medications=[Medication("lorazepam", 2)]), POLICY),
        "screening.benzodiazepine_load",
    )
    assert "20 mg/day" in finding.message and "taper" in finding.message
    assert finding.data["load_mg_per_day"] == pytest.approx(20.0)


def test_z_drugs_count_in_the_load_only_when_the_clinic_says_so():
    meds = [Medication("zolpidem", 10)]  # 10 mg ≈ diazepam 5 mg
    assert (
        findings_of(screen(patient(medications=meds), POLICY), "screening.benzodiazepine_load")
        == []
    )
    strict = dataclasses.replace(POLICY, count_z_drugs_in_benzodiazepine_load=True)
    meds = [Medication("zolpidem", 10), Medication("diazepam", 4)]
    finding = only(screen(patient(medications=meds), strict), "screening.benzodiazepine_load")
    assert finding.severity is Severity.REVIEW
    assert finding.data["load_mg_per_day"] == pytest.approx(9.0)


# --- Treatment resistance (§3.5) ---------------------------------------------------------


def tr(policy: ScreeningPolicy = POLICY, **overrides: Any) -> Finding:
    result = screen(patient(**overrides), policy)
    found = [f for f in result.findings if f.rule_id.startswith("screening.treatment_resist")]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    ("trials", "severity"),
    [
        ([drug_trial("sertraline")], Severity.REVIEW),
        ([drug_trial("sertraline"), therapy_trial()], Severity.INFO),
        ([drug_trial("sertraline"), drug_trial("venlafaxine", outcome=PARTIAL)], Severity.INFO),
        ([drug_trial("pregabalin"), therapy_trial("exposure therapy")], Severity.INFO),
        ([therapy_trial("CBT"), therapy_trial("ACT")], Severity.REVIEW),  # no drug trial
        ([drug_trial("sertraline", weeks=7.9), therapy_trial()], Severity.REVIEW),
        ([drug_trial("sertraline", weeks=8), therapy_trial()], Severity.INFO),
        ([drug_trial("sertraline"), therapy_trial(weeks=7)], Severity.REVIEW),
        (
            [drug_trial("sertraline", outcome=TrialOutcome.RESPONSE), therapy_trial()],
            Severity.REVIEW,
        ),
        (
            [drug_trial("sertraline", outcome=TrialOutcome.INTOLERANT), therapy_trial()],
            Severity.REVIEW,
        ),
        ([drug_trial("sertraline", dose_adequate=False), therapy_trial()], Severity.REVIEW),
        ([drug_trial("sertraline"), drug_trial("zoloft")], Severity.REVIEW),  # same drug
        ([drug_trial("diazepam"), therapy_trial()], Severity.REVIEW),  # not first-line
        ([], Severity.REVIEW),
    ],
)
def test_anxiety_needs_two_adequate_failed_trials_including_a_drug(trials, severity):
    finding = tr(treatment_trials=trials)
    assert finding.rule_id == "screening.treatment_resistance_anxiety"
    assert finding.severity is severity


def test_the_two_trial_line_moves_with_the_policy():
    trials = [drug_trial("sertraline"), therapy_trial()]
    assert tr(treatment_trials=trials).severity is Severity.INFO
    three = dataclasses.replace(POLICY, required_failed_trials=3)
    assert tr(treatment_trials=trials, policy=three).severity is Severity.REVIEW
    trials.append(drug_trial("escitalopram"))
    assert tr(treatment_trials=trials, policy=three).severity is Severity.INFO


def test_strict_bokma_policy_requires_a_psychological_therapy_trial():
    strict = dataclasses.replace(POLICY, required_failed_psychotherapy_trials_for_anxiety=1)
    trials = [drug_trial("sertraline"), drug_trial("venlafaxine")]
    assert tr(treatment_trials=trials, policy=strict).severity is Severity.REVIEW
    assert tr(treatment_trials=[*trials, therapy_trial()], policy=strict).severity is Severity.INFO


@pytest.mark.parametrize(
    ("trials", "severity"),
    [
        ([drug_trial("sertraline", weeks=4), drug_trial("bupropion", weeks=6)], Severity.INFO),
        ([drug_trial("sertraline", weeks=3.5), drug_trial("bupropion")], Severity.REVIEW),
        ([drug_trial("sertraline"), therapy_trial()], Severity.REVIEW),
        ([drug_trial("sertraline"), drug_trial("quetiapine")], Severity.REVIEW),
        (
            [drug_trial("sertraline"), drug_trial("bupropion", in_current_episode=False)],
            Severity.REVIEW,
        ),
    ],
)
def test_depression_needs_two_antidepressants_of_4_weeks_in_the_current_episode(trials, severity):
    finding = tr(diagnoses={Diagnosis.MDD}, treatment_trials=trials)
    assert finding.rule_id == "screening.treatment_resistance_depression"
    assert finding.severity is severity


def test_an_anxiety_diagnosis_with_depression_uses_the_anxiety_definition():
    finding = tr(diagnoses={Diagnosis.MDD, Diagnosis.GAD})
    assert finding.rule_id == "screening.treatment_resistance_anxiety"


def test_uncounted_trials_are_listed_with_the_reason():
    result = screen(
        patient(treatment_trials=[drug_trial("sertraline", weeks=6), therapy_trial()]), POLICY
    )
    reasons = findings_of(result, "screening.trial_not_counted")
    assert len(reasons) == 1
    assert "sertraline" in reasons[0].message and "6 weeks" in reasons[0].message
    assert "8 weeks" in reasons[0].message
    assert result.verdict is REVIEW


def test_the_shortfall_message_quotes_the_count_and_says_what_to_do():
    finding = tr(treatment_trials=[drug_trial("sertraline")])
    assert "1 adequate failed trial" in finding.message
    assert "≥ 2" in finding.message and "prescriber" in finding.message


def test_assessment_counts_distinct_drugs_and_therapies():
    counted = assess_treatment_resistance(
        patient(
            treatment_trials=[
                drug_trial("sertraline"),
                drug_trial("Zoloft"),
                therapy_trial("CBT"),
                therapy_trial("cbt"),
            ]
        ),
        POLICY,
    )
    assert counted.drug_trials == ("sertraline",)
    assert counted.psychotherapy_trials == ("cbt",)
    assert counted.met


def test_no_indication_needs_review():
    result = screen(patient(diagnoses=set()), POLICY)
    assert only(result, "screening.no_indication").severity is Severity.REVIEW


@pytest.mark.parametrize(
    ("overrides", "rule_id", "severity"),
    [
        ({"gad7_total": 9}, "screening.baseline_gad7", Severity.REVIEW),
        ({"gad7_total": 10}, "screening.baseline_gad7", Severity.INFO),
        ({"gad7_total": None}, "screening.baseline_gad7", Severity.REVIEW),
        (
            {"diagnoses": {Diagnosis.PTSD}, "pcl5_total": 32},
            "screening.baseline_pcl5",
            Severity.REVIEW,
        ),
        (
            {"diagnoses": {Diagnosis.PTSD}, "pcl5_total": 33},
            "screening.baseline_pcl5",
            Severity.INFO,
        ),
        ({"diagnoses": {Diagnosis.PTSD}}, "screening.baseline_pcl5", Severity.REVIEW),
    ],
)
def test_baseline_anxiety_must_be_above_the_severity_line(overrides, rule_id, severity):
    assert only(screen(patient(**overrides), POLICY), rule_id).severity is severity


# --- Suicide risk (§4.2) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "rule_id", "severity", "verdict"),
    [
        ({"phq9_item9": 1}, "screening.suicide_risk_assessment", Severity.URGENT, REVIEW),
        (
            {"phq9_item9": 3, "phq9_total": 20},
            "screening.suicide_risk_assessment",
            Severity.URGENT,
            REVIEW,
        ),
        ({"phq9_item9": 0}, "screening.phq9_item9_zero_not_safe", Severity.INFO, ELIGIBLE),
        (
            {"phq9_item9": None, "phq9_total": None},
            "screening.phq9_missing",
            Severity.REVIEW,
            REVIEW,
        ),
        (
            {"active_suicidal_intent": True},
            "screening.active_suicidal_intent",
            Severity.BLOCK,
            NOT_ELIGIBLE,
        ),
        (
            {"active_suicidal_intent": True},
            "screening.suicide_risk_assessment",
            Severity.URGENT,
            NOT_ELIGIBLE,
        ),
    ],
)
def test_suicide_risk_findings(overrides, rule_id, severity, verdict):
    result = screen(patient(**overrides), POLICY)
    assert only(result, rule_id).severity is severity
    assert result.verdict is verdict


# --- Validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"age_years": -1}, "age_years"),
        ({"age_years": 121}, "age_years"),
        ({"age_years": True}, "age_years"),
        ({"weight_kg": 0}, "weight_kg"),
        ({"weight_kg": 400.1}, "weight_kg"),
        ({"weight_kg": float("nan")}, "weight_kg"),
        ({"height_cm": 49}, "height_cm"),
        ({"height_cm": 251}, "height_cm"),
        ({"gad7_total": 22}, "gad7_total"),
        ({"phq9_total": 28}, "phq9_total"),
        ({"phq9_item9": 4}, "phq9_item9"),
        ({"phq9_item9": 3, "phq9_total": 2}, "phq9_item9"),
        ({"pcl5_total": 81}, "pcl5_total"),
        ({"sex": "robot"}, "sex"),
        ({"diagnoses": {"flu"}}, "diagnoses"),
        ({"conditions": {"bad_luck"}}, "conditions"),
        (
            {"medications": [Medication("sertraline"), Medication("sertralin")]},
            "medications[1].name",
        ),
        ({"treatment_trials": [drug_trial("notadrug")]}, "treatment_trials[0].name"),
    ],
)
def test_implausible_input_raises_naming_the_field(overrides, field):
    with pytest.raises(InvalidInput) as caught:
        patient(**overrides)
    assert caught.value.field == field
    assert field.split("[")[0] in caught.value.message


@pytest.mark.parametrize(
    ("systolic", "diastolic", "field"),
    [
        (301, 90, "systolic_mmhg"),
        (49, 30, "systolic_mmhg"),
        (120, 19, "diastolic_mmhg"),
        (120, 120, "diastolic_mmhg"),
    ],
)
def test_implausible_blood_pressure_raises_naming_the_field(systolic, diastolic, field):
    with pytest.raises(InvalidInput) as caught:
        BloodPressureReading(systolic, diastolic)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Medication("diazepam", 0), "daily_dose_mg"),
        (lambda: TreatmentTrial(DRUG, "sertraline", -1, FAILED), "weeks"),
        (lambda: TreatmentTrial(THERAPY, "  ", 8, FAILED), "name"),
        (lambda: TreatmentTrial(DRUG, "sertraline", 8, "cured"), "outcome"),
    ],
)
def test_implausible_medication_and_trial_values_raise_naming_the_field(build, field):
    with pytest.raises(InvalidInput) as caught:
        build()
    assert caught.value.field == field


def test_the_edges_of_the_plausible_ranges_are_accepted():
    edge = patient(
        age_years=0,
        weight_kg=400,
        height_cm=250,
        gad7_total=21,
        phq9_total=27,
        phq9_item9=3,
        pcl5_total=80,
    )
    assert edge.weight_kg == 400


def test_string_values_and_lists_are_accepted_and_frozen():
    p = patient(
        sex="male",
        diagnoses=["gad"],
        conditions=["treated_hypertension"],
        hepatic_impairment="moderate",
        medications=[Medication("sertraline", 50)],
    )
    assert p.sex is Sex.MALE and p.diagnoses == frozenset({Diagnosis.GAD})
    assert isinstance(p.medications, tuple)
    assert p.bmi_kg_m2 == pytest.approx(70 / 1.7**2)


# --- Policy and rule registry ------------------------------------------------------------


def test_every_policy_field_is_a_threshold_and_unconfirmed_ones_say_so():
    for f in dataclasses.fields(ScreeningPolicy):
        info = threshold_info(ScreeningPolicy, f.name)
        if info.needs_prescriber_confirmation:
            assert "confirm" in info.statement, f.name


def test_the_depression_trial_weeks_default_is_unconfirmed():
    info = threshold_info(ScreeningPolicy, "adequate_depression_trial_min_weeks")
    assert info.needs_prescriber_confirmation
    assert "UNCONFIRMED" in info.statement


def test_every_finding_comes_from_a_registered_rule_and_result_is_most_urgent_first():
    result = screen(
        patient(
            conditions={Condition.PREGNANT, Condition.STROKE_HISTORY},
            medications=[Medication("sertraline", 50)],
            phq9_item9=1,
        ),
        POLICY,
    )
    for f in result.findings:
        assert RULES[f.rule_id].source == f.source
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert result.blocking and result.to_review
    assert result.as_dict()["verdict"] == "not_eligible"


# --- Properties --------------------------------------------------------------------------

conditions_st = st.frozensets(st.sampled_from(list(Condition)), max_size=6)
medications_st = st.lists(
    st.builds(
        Medication,
        st.sampled_from(
            [
                "sertraline",
                "diazepam",
                "lorazepam",
                "zolpidem",
                "oxycodone",
                "lithium",
                "phenelzine",
                "modafinil",
                "lamotrigine",
                "theophylline",
                "metformin",
                "gabapentin",
            ]
        ),
        st.one_of(st.none(), st.floats(min_value=0.1, max_value=100)),
    ),
    max_size=4,
)
trials_st = st.lists(
    st.builds(
        TreatmentTrial,
        st.sampled_from(list(TrialKind)),
        st.sampled_from(["sertraline", "venlafaxine", "pregabalin", "bupropion"]),
        st.floats(min_value=0, max_value=30),
        st.sampled_from(list(TrialOutcome)),
    ),
    max_size=4,
)
bp_st = st.tuples(st.integers(90, 230), st.integers(40, 85)).map(lambda t: bp(*t))
item9_st = st.one_of(st.none(), st.integers(0, 3))


@st.composite
def screening_inputs(draw: st.DrawFn) -> ScreeningInput:
    return patient(
        age_years=draw(st.integers(0, 120)),
        diagnoses=draw(st.frozensets(st.sampled_from(list(Diagnosis)), max_size=3)),
        resting_bp=draw(st.one_of(st.just(()), bp_st)),
        conditions=draw(conditions_st),
        hepatic_impairment=draw(st.sampled_from(list(HepaticImpairment))),
        medications=draw(medications_st),
        treatment_trials=draw(trials_st),
        gad7_total=draw(st.one_of(st.none(), st.integers(0, 21))),
        pcl5_total=draw(st.one_of(st.none(), st.integers(0, 80))),
        phq9_item9=draw(item9_st),
        phq9_total=27,
        active_suicidal_intent=draw(st.booleans()),
    )


def expected_verdict(findings: tuple[Finding, ...]) -> Verdict:
    worst = max((f.severity.rank for f in findings), default=-1)
    if any(f.severity in (Severity.BLOCK, Severity.EMERGENCY) for f in findings):
        return NOT_ELIGIBLE
    if worst >= Severity.REVIEW.rank:
        return REVIEW
    return ELIGIBLE


@settings(max_examples=150, deadline=None)
@given(screening_inputs(), st.sampled_from(ABSOLUTE))
def test_any_absolute_contraindication_is_never_eligible(p, contraindication):
    blocked = dataclasses.replace(p, conditions=p.conditions | {contraindication})
    assert screen(blocked, POLICY).verdict is NOT_ELIGIBLE


@settings(max_examples=100, deadline=None)
@given(screening_inputs())
def test_uncontrolled_bp_under_18_theophylline_or_intent_are_never_eligible(p):
    for blocked in (
        dataclasses.replace(p, resting_bp=bp(181, 80)),
        dataclasses.replace(p, age_years=17),
        dataclasses.replace(p, medications=(Medication("theophylline"),)),
        dataclasses.replace(p, active_suicidal_intent=True),
    ):
        assert screen(blocked, POLICY).verdict is NOT_ELIGIBLE


@settings(max_examples=200, deadline=None)
@given(screening_inputs())
def test_the_verdict_always_matches_the_worst_finding(p):
    result = screen(p, POLICY)
    assert result.verdict is expected_verdict(result.findings)
    assert result.verdict is verdict_for(result.findings)
    assert all(f.message for f in result.findings)
