"""The pre-dose gate: vital signs, fasting, escort, symptoms and today's interacting drugs."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.drugs import DrugClass
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.predose import GateOutcome, GateResult, PredoseChecks, predose_gate
from ketacare.domain.routes import Route
from ketacare.domain.vitals import VitalReading, VitalsPolicy

T0 = datetime(2025, 3, 4, 9, 0)
POLICY = VitalsPolicy()
RACEMIC = [Route.IV, Route.IM, Route.SUBLINGUAL]


def reading(systolic: float = 122, diastolic: float = 78, spo2: float = 98) -> VitalReading:
    return VitalReading(
        systolic_mmhg=systolic,
        diastolic_mmhg=diastolic,
        heart_rate_bpm=74,
        spo2_pct=spo2,
        taken_at=T0,
    )


def checks(**changes: object) -> PredoseChecks:
    values: dict[str, object] = {
        "hours_since_food": 3.0,
        "minutes_since_liquids": 60,
        "escort_confirmed": True,
    }
    values.update(changes)
    return PredoseChecks(**values)  # type: ignore[arg-type]


def gate(
    r: VitalReading | None = None,
    c: PredoseChecks | None = None,
    route: Route = Route.ESKETAMINE_NASAL,
    policy: VitalsPolicy = POLICY,
) -> GateResult:
    return predose_gate(r or reading(), c or checks(), route, policy)


def rule_ids(result: GateResult) -> list[str]:
    return [f.rule_id for f in result.findings]


def test_everything_in_order_passes_with_one_info_finding() -> None:
    result = gate()
    assert result.outcome is GateOutcome.PASS
    assert [(f.rule_id, f.severity) for f in result.findings] == [("predose.clear", Severity.INFO)]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "outcome"),
    [
        (140, 90, GateOutcome.PASS),
        (141, 80, GateOutcome.HOLD),
        (130, 91, GateOutcome.HOLD),
        (179, 99, GateOutcome.HOLD),
        (180, 80, GateOutcome.BLOCK),
        (150, 100, GateOutcome.BLOCK),
    ],
)
def test_predose_bp_above_140_90_holds_the_dose_and_at_180_100_blocks_it(
    systolic: float, diastolic: float, outcome: GateOutcome
) -> None:
    assert gate(reading(systolic, diastolic)).outcome is outcome


def test_predose_spo2_below_95_holds_the_dose() -> None:
    assert gate(reading(spo2=95)).outcome is GateOutcome.PASS
    assert gate(reading(spo2=94)).outcome is GateOutcome.HOLD


@pytest.mark.parametrize(
    ("food_h", "liquids_min", "outcome"),
    [
        (2.0, 30, GateOutcome.PASS),
        (1.9, 30, GateOutcome.HOLD),
        (2.0, 29, GateOutcome.HOLD),
        (None, 30, GateOutcome.HOLD),
        (2.0, None, GateOutcome.HOLD),
    ],
)
def test_esketamine_needs_2_hours_without_food_and_30_minutes_without_liquids(
    food_h: float | None, liquids_min: float | None, outcome: GateOutcome
) -> None:
    result = gate(c=checks(hours_since_food=food_h, minutes_since_liquids=liquids_min))
    assert result.outcome is outcome
    if outcome is GateOutcome.HOLD:
        assert rule_ids(result) == ["predose.fasting_esketamine"]
        assert result.findings[0].source.key == "spravato-label"


def test_a_short_fast_says_how_long_to_wait() -> None:
    result = gate(c=checks(hours_since_food=1.5))
    assert "30 min more" in result.findings[0].message


@pytest.mark.parametrize("route", RACEMIC)
def test_racemic_fasting_is_unconfirmed_clinic_policy(route: Route) -> None:
    result = gate(c=checks(hours_since_food=1.0), route=route)
    assert result.outcome is GateOutcome.HOLD
    (finding,) = result.findings
    assert finding.rule_id == "predose.fasting_racemic"
    assert not finding.source.confirmed


def test_a_clinic_can_turn_racemic_fasting_off_with_zero() -> None:
    no_fast = dataclasses.replace(POLICY, racemic_fast_food_h=0.0, racemic_fast_liquids_min=0)
    unknown = checks(hours_since_food=None, minutes_since_liquids=None)
    assert gate(c=unknown, route=Route.IV, policy=no_fast).outcome is GateOutcome.PASS
    assert gate(c=unknown, route=Route.ESKETAMINE_NASAL, policy=no_fast).outcome is (
        GateOutcome.HOLD
    )


def test_no_confirmed_escort_holds_the_dose_unless_the_clinic_waives_it() -> None:
    result = gate(c=checks(escort_confirmed=False))
    assert result.outcome is GateOutcome.HOLD
    assert rule_ids(result) == ["predose.escort"]
    waived = dataclasses.replace(POLICY, escort_required_before_dosing=False)
    assert gate(c=checks(escort_confirmed=False), policy=waived).outcome is GateOutcome.PASS


@pytest.mark.parametrize(
    ("drug", "rule_id", "severity"),
    [
        ("benzodiazepine", "predose.sedative_today", Severity.REVIEW),
        ("z_drug", "predose.sedative_today", Severity.REVIEW),
        ("opioid", "predose.sedative_today", Severity.REVIEW),
        ("other_cns_depressant", "predose.sedative_today", Severity.REVIEW),
        ("alcohol", "predose.sedative_today", Severity.REVIEW),
        ("psychostimulant", "predose.pressor_today", Severity.REVIEW),
        ("maoi", "predose.pressor_today", Severity.REVIEW),
        ("sympathomimetic", "predose.pressor_today", Severity.REVIEW),
        ("xanthine", "predose.theophylline_today", Severity.HOLD),
        ("theophylline", "predose.theophylline_today", Severity.HOLD),
    ],
)
def test_an_interacting_drug_taken_today_holds_for_a_prescriber(
    drug: str, rule_id: str, severity: Severity
) -> None:
    result = gate(c=checks(drugs_taken_today=(drug,)))
    assert result.outcome is GateOutcome.HOLD
    assert [(f.rule_id, f.severity) for f in result.findings] == [(rule_id, severity)]


@pytest.mark.parametrize("drug", ["antidepressant", "nmda_active", "cyp_inhibitor"])
def test_drug_classes_screened_at_eligibility_do_not_hold_the_dose_on_the_day(drug: str) -> None:
    assert gate(c=checks(drugs_taken_today=(drug,))).outcome is GateOutcome.PASS


def test_the_screening_drug_table_classes_can_be_passed_straight_in() -> None:
    from ketacare.domain.drugs import lookup_drug

    alprazolam = lookup_drug("alprazolam")
    names = tuple(c.value for c in alprazolam.classes)
    result = gate(c=checks(drugs_taken_today=names))
    assert "predose.sedative_today" in rule_ids(result)


def test_drug_class_names_forgive_case_spaces_and_hyphens_and_repeat() -> None:
    result = gate(c=checks(drugs_taken_today=("Z-Drug", " BENZODIAZEPINE ", "z_drug")))
    (finding,) = result.findings
    assert finding.data["drug_classes"] == ["benzodiazepine", "z_drug"]


def test_an_unknown_drug_class_is_refused_listing_the_allowed_ones() -> None:
    with pytest.raises(InvalidInput) as raised:
        checks(drugs_taken_today=("aspirin",))
    assert raised.value.field == "drugs_taken_today"
    assert "xanthine" in raised.value.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours_since_food", -1),
        ("minutes_since_liquids", -0.5),
        ("hours_since_food", True),
        ("escort_confirmed", "yes"),
        ("crisis_symptoms", ("hiccups",)),
    ],
)
def test_invalid_checks_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        checks(**{field: value})
    assert raised.value.field == field


def test_a_crisis_symptom_before_dosing_blocks_and_calls_for_emergency_care() -> None:
    result = gate(c=checks(crisis_symptoms=("chest_pain",)))
    assert result.outcome is GateOutcome.BLOCK
    assert [f.severity for f in result.findings] == [Severity.EMERGENCY]


def test_block_beats_hold_and_every_reason_is_kept() -> None:
    result = gate(reading(190, 100), checks(escort_confirmed=False, hours_since_food=0.5))
    assert result.outcome is GateOutcome.BLOCK
    assert set(rule_ids(result)) == {
        "vitals.predose_bp_block",
        "predose.fasting_esketamine",
        "predose.escort",
    }


@given(
    systolic=st.integers(min_value=100, max_value=240),
    food=st.floats(min_value=0, max_value=12),
    escort=st.booleans(),
    drugs=st.lists(st.sampled_from([d.value for d in DrugClass]), max_size=3),
    route=st.sampled_from(list(Route)),
)
def test_the_outcome_follows_the_worst_finding(
    systolic: int, food: float, escort: bool, drugs: list[str], route: Route
) -> None:
    result = gate(
        reading(systolic, 70),
        checks(hours_since_food=food, escort_confirmed=escort, drugs_taken_today=tuple(drugs)),
        route,
    )
    worst = max(f.severity.rank for f in result.findings)
    if worst >= Severity.BLOCK.rank:
        assert result.outcome is GateOutcome.BLOCK
    elif worst >= Severity.REVIEW.rank:
        assert result.outcome is GateOutcome.HOLD
    else:
        assert result.outcome is GateOutcome.PASS
    assert (result.outcome is GateOutcome.BLOCK) == (systolic >= 180)
