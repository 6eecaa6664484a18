"""What eligibility screening needs to know about a patient, validated on construction.

Every dataclass checks its values in `__post_init__` and raises `InvalidInput` naming the field
(e.g. "weight_kg", "medications[1].name") when a value is outside what a human can have.
Lists and sets passed in are stored as tuples and frozensets, so an input never changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from ketacare.domain.drugs import DrugInfo, lookup_drug
from ketacare.domain.errors import InvalidInput


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Diagnosis(StrEnum):
    """The indication(s) the treatment is for."""

    GAD = "gad"
    SOCIAL_ANXIETY = "social_anxiety"
    PANIC = "panic"
    PTSD = "ptsd"
    MDD = "mdd"


ANXIETY_DIAGNOSES = frozenset(
    {Diagnosis.GAD, Diagnosis.SOCIAL_ANXIETY, Diagnosis.PANIC, Diagnosis.PTSD}
)
GAD7_DIAGNOSES = frozenset({Diagnosis.GAD, Diagnosis.SOCIAL_ANXIETY, Diagnosis.PANIC})


class Condition(StrEnum):
    """A history item that screening weighs (one rule each, see screening_conditions.py)."""

    # Spravato label contraindications
    ANEURYSMAL_VASCULAR_DISEASE = "aneurysmal_vascular_disease"
    ARTERIOVENOUS_MALFORMATION = "arteriovenous_malformation"
    INTRACEREBRAL_HAEMORRHAGE_HISTORY = "intracerebral_haemorrhage_history"
    KETAMINE_HYPERSENSITIVITY = "ketamine_hypersensitivity"
    # Racemic ketamine SmPCs (UK, Swiss) and anaesthesia references
    STROKE_HISTORY = "stroke_history"
    SEVERE_CORONARY_OR_MYOCARDIAL_DISEASE = "severe_coronary_or_myocardial_disease"
    PRE_ECLAMPSIA = "pre_eclampsia"
    CEREBRAL_TRAUMA = "cerebral_trauma"
    UNTREATED_HYPERTHYROIDISM = "untreated_hyperthyroidism"
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure"
    INTRACRANIAL_MASS = "intracranial_mass"
    OPEN_EYE_INJURY = "open_eye_injury"
    SCHIZOPHRENIA = "schizophrenia"
    CURRENT_OR_RECENT_PSYCHOSIS = "current_or_recent_psychosis"
    # Cautions and clinic-level exclusions
    PAST_PSYCHOSIS = "past_psychosis"
    BIPOLAR_OR_MANIA_HISTORY = "bipolar_or_mania_history"
    DRUG_INDUCED_MANIA_HISTORY = "drug_induced_mania_history"
    CURRENT_SUBSTANCE_USE_DISORDER = "current_substance_use_disorder"
    PAST_SUBSTANCE_USE_DISORDER = "past_substance_use_disorder"
    OPIOID_USE_DISORDER_HISTORY = "opioid_use_disorder_history"
    KETAMINE_MISUSE_HISTORY = "ketamine_misuse_history"
    RECREATIONAL_DRUG_USE = "recreational_drug_use"  # current cannabis or other drugs
    CANNOT_ABSTAIN_FROM_ALCOHOL_24H = "cannot_abstain_from_alcohol_24h"
    TREATED_HYPERTENSION = "treated_hypertension"
    HYPERTENSIVE_ENCEPHALOPATHY_HISTORY = "hypertensive_encephalopathy_history"
    ISCHAEMIC_HEART_DISEASE = "ischaemic_heart_disease"
    OTHER_CARDIOVASCULAR_DISEASE = "other_cardiovascular_disease"
    OTHER_CEREBROVASCULAR_DISEASE = "other_cerebrovascular_disease"
    GLAUCOMA_OR_RAISED_INTRAOCULAR_PRESSURE = "glaucoma_or_raised_intraocular_pressure"
    RECENT_SEIZURES_OR_EPILEPSY = "recent_seizures_or_epilepsy"
    INTERSTITIAL_OR_ULCERATIVE_CYSTITIS = "interstitial_or_ulcerative_cystitis"
    PRIOR_ADVERSE_REACTION_TO_KETAMINE = "prior_adverse_reaction_to_ketamine"
    PREGNANT = "pregnant"
    BREASTFEEDING = "breastfeeding"
    PLANNING_PREGNANCY_OR_IVF = "planning_pregnancy_or_ivf"


class HepaticImpairment(StrEnum):
    NONE = "none"
    MILD = "mild"  # Child-Pugh A
    MODERATE = "moderate"  # Child-Pugh B
    SEVERE = "severe"  # Child-Pugh C


class TrialKind(StrEnum):
    DRUG = "drug"
    PSYCHOTHERAPY = "psychotherapy"


class TrialOutcome(StrEnum):
    FAILED = "failed"  # no meaningful improvement
    PARTIAL = "partial"  # improved, but short of response
    RESPONSE = "response"
    INTOLERANT = "intolerant"  # stopped for side effects


E = TypeVar("E", bound=StrEnum)


def _enum(value: object, kind: type[E], name: str) -> E:
    """Accept the enum member or its string value; anything else is InvalidInput."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str) and value in kind._value2member_map_:
        return kind(value)
    allowed = ", ".join(m.value for m in kind)
    raise InvalidInput(f"{name} must be one of {allowed}; got {value!r}", field=name)


def _check_range(
    value: float, name: str, low: float, high: float, unit: str, *, low_inclusive: bool = True
) -> None:
    ok_low = value >= low if low_inclusive else value > low
    if isinstance(value, bool) or not math.isfinite(value) or not ok_low or value > high:
        bound = "≥" if low_inclusive else ">"
        raise InvalidInput(
            f"{name} must be {bound} {low} and ≤ {high} {unit}; got {value}", field=name
        )


def _check_score(value: int | None, name: str, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise InvalidInput(
            f"{name} must be a whole number from 0 to {high}; got {value!r}", field=name
        )


@dataclass(frozen=True)
class BloodPressureReading:
    """One resting blood pressure, in mmHg."""

    systolic_mmhg: float
    diastolic_mmhg: float

    def __post_init__(self) -> None:
        _check_range(self.systolic_mmhg, "systolic_mmhg", 50, 300, "mmHg")
        _check_range(self.diastolic_mmhg, "diastolic_mmhg", 20, 200, "mmHg")
        if self.diastolic_mmhg >= self.systolic_mmhg:
            raise InvalidInput(
                f"diastolic_mmhg ({self.diastolic_mmhg}) must be below systolic_mmhg "
                f"({self.systolic_mmhg})",
                field="diastolic_mmhg",
            )

    def __str__(self) -> str:
        return f"{self.systolic_mmhg:g}/{self.diastolic_mmhg:g} mmHg"


@dataclass(frozen=True)
class Medication:
    """A current medication: generic or brand name, and the total daily dose (None = unknown)."""

    name: str
    daily_dose_mg: float | None = None

    def __post_init__(self) -> None:
        # The name is looked up by ScreeningInput, which can name the row in its error.
        if self.daily_dose_mg is not None:
            _check_range(self.daily_dose_mg, "daily_dose_mg", 0, 10_000, "mg", low_inclusive=False)

    @property
    def drug(self) -> DrugInfo:
        """The drug table entry (raises InvalidInput for an unknown name)."""
        return lookup_drug(self.name, field="name")


@dataclass(frozen=True)
class TreatmentTrial:
    """A past treatment trial for the indication.

    `name` is the drug (looked up in the drug table) or the therapy (free text, e.g. "CBT").
    `dose_adequate` is the clinician's judgement that the dose was adequate (the reference has
    no minimum-dose table); `in_current_episode` matters for depression (TRD counts trials in
    the current episode only).
    """

    kind: TrialKind
    name: str
    weeks: float
    outcome: TrialOutcome
    daily_dose_mg: float | None = None
    dose_adequate: bool = True
    in_current_episode: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(self.kind, TrialKind, "kind"))
        object.__setattr__(self, "outcome", _enum(self.outcome, TrialOutcome, "outcome"))
        if not self.name.strip():
            raise InvalidInput("name must name the drug or the therapy", field="name")
        _check_range(self.weeks, "weeks", 0, 520, "weeks")
        if self.daily_dose_mg is not None:
            _check_range(self.daily_dose_mg, "daily_dose_mg", 0, 10_000, "mg", low_inclusive=False)

    @property
    def drug(self) -> DrugInfo | None:
        """The drug table entry for a drug trial, None for psychological therapy."""
        return lookup_drug(self.name, field="name") if self.kind is TrialKind.DRUG else None

    @property
    def label(self) -> str:
        drug = self.drug
        return drug.name if drug is not None else " ".join(self.name.split())


@dataclass(frozen=True)
class ScreeningInput:
    """Everything eligibility screening weighs, for one patient at one point in time.

    `resting_bp` lists recent resting readings oldest first; the latest one decides the
    hypertension contraindication. Scale totals are None when not recorded.
    """

    age_years: int
    sex: Sex
    weight_kg: float
    height_cm: float
    diagnoses: frozenset[Diagnosis]
    resting_bp: tuple[BloodPressureReading, ...] = ()
    conditions: frozenset[Condition] = frozenset()
    hepatic_impairment: HepaticImpairment = HepaticImpairment.NONE
    medications: tuple[Medication, ...] = ()
    treatment_trials: tuple[TreatmentTrial, ...] = ()
    gad7_total: int | None = None
    phq9_total: int | None = None
    phq9_item9: int | None = None
    pcl5_total: int | None = None
    active_suicidal_intent: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "sex", _enum(self.sex, Sex, "sex"))
        object.__setattr__(
            self,
            "hepatic_impairment",
            _enum(self.hepatic_impairment, HepaticImpairment, "hepatic_impairment"),
        )
        for name, kind in (("diagnoses", Diagnosis), ("conditions", Condition)):
            members = frozenset(_enum(v, kind, name) for v in getattr(self, name))
            object.__setattr__(self, name, members)
        for name in ("resting_bp", "medications", "treatment_trials"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if (
            isinstance(self.age_years, bool)
            or not isinstance(self.age_years, int)
            or not 0 <= self.age_years <= 120
        ):
            raise InvalidInput(
                f"age_years must be a whole number from 0 to 120; got {self.age_years!r}",
                field="age_years",
            )
        _check_range(self.weight_kg, "weight_kg", 0, 400, "kg", low_inclusive=False)
        _check_range(self.height_cm, "height_cm", 50, 250, "cm")
        _check_score(self.gad7_total, "gad7_total", 21)
        _check_score(self.phq9_total, "phq9_total", 27)
        _check_score(self.phq9_item9, "phq9_item9", 3)
        _check_score(self.pcl5_total, "pcl5_total", 80)
        if (
            self.phq9_item9 is not None
            and self.phq9_total is not None
            and self.phq9_item9 > self.phq9_total
        ):
            raise InvalidInput(
                f"phq9_item9 ({self.phq9_item9}) cannot exceed phq9_total ({self.phq9_total})",
                field="phq9_item9",
            )
        self._check_items()

    def _check_items(self) -> None:
        for attr, kind in (
            ("resting_bp", BloodPressureReading),
            ("medications", Medication),
            ("treatment_trials", TreatmentTrial),
        ):
            for i, item in enumerate(getattr(self, attr)):
                if not isinstance(item, kind):
                    raise InvalidInput(
                        f"{attr}[{i}] must be a {kind.__name__}", field=f"{attr}[{i}]"
                    )
                if isinstance(item, Medication) or (
                    isinstance(item, TreatmentTrial) and item.kind is TrialKind.DRUG
                ):
                    lookup_drug(item.name, field=f"{attr}[{i}].name")

    @property
    def bmi_kg_m2(self) -> float:
        """Body-mass index, kg/m² (weight_kg / height in metres squared)."""
        return self.weight_kg / (self.height_cm / 100.0) ** 2

    @property
    def latest_bp(self) -> BloodPressureReading | None:
        return self.resting_bp[-1] if self.resting_bp else None
