"""Routes, session shape and dose computation (clinical-reference.md 1.1–1.6, rules 1 and 4)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.dosing import (
    Sex,
    WeightBasis,
    body_mass_index,
    compute_dose,
    ideal_body_weight_kg,
)
from ketacare.domain.errors import InvalidInput, RuleViolation
from ketacare.domain.esketamine import EsketamineRegimen
from ketacare.domain.findings import RULES, Severity
from ketacare.domain.routes import (
    DosingPolicy,
    ObservationAnchor,
    Route,
    session_shape,
)
from ketacare.domain.thresholds import threshold_info

POLICY = DosingPolicy()


# --- Route enum and session shape -------------------------------------------------------------


def test_route_names_and_values_are_stable() -> None:
    assert {r.name: r.value for r in Route} == {
        "IV": "iv",
        "IM": "im",
        "ESKETAMINE_NASAL": "esketamine_nasal",
        "SUBLINGUAL": "sublingual",
    }


@pytest.mark.parametrize(
    ("route", "dosing", "observation", "anchor", "from_start", "peak"),
    [
        (Route.IV, 40, 60, ObservationAnchor.DOSE_END, 100, (1.0, 40.0)),
        (Route.IM, 1, 60, ObservationAnchor.DOSE_END, 61, (5.0, 5.0)),
        (Route.ESKETAMINE_NASAL, 10, 120, ObservationAnchor.DOSE_START, 120, (15.0, 45.0)),
        (Route.SUBLINGUAL, 15, 90, ObservationAnchor.DOSE_END, 105, (20.0, 30.0)),
    ],
)
def test_session_shape_defaults_per_route(
    route: Route,
    dosing: int,
    observation: int,
    anchor: ObservationAnchor,
    from_start: int,
    peak: tuple[float, float],
) -> None:
    shape = session_shape(route, POLICY)
    assert shape.dosing_min == dosing
    assert shape.minimum_observation_min == observation
    assert shape.observation_anchor is anchor
    assert shape.minimum_from_dose_start_min == from_start
    assert shape.peak_effect_window_min == peak
    assert shape.chair_min == POLICY.pre_dose_minutes + from_start


def test_esketamine_observation_is_the_rems_two_hours_from_the_first_device() -> None:
    shape = session_shape(Route.ESKETAMINE_NASAL, POLICY, device_count=2)
    assert shape.dosing_min == 5  # one 5-minute rest between two devices
    assert shape.minimum_from_dose_start_min == 120
    assert shape.observation_source.confirmed


@pytest.mark.parametrize("route", [Route.IV, Route.IM, Route.SUBLINGUAL])
def test_racemic_observation_is_an_unconfirmed_clinic_policy(route: Route) -> None:
    assert not session_shape(route, POLICY).observation_source.confirmed


def test_slower_iv_infusion_lengthens_the_session() -> None:
    slow = dataclasses.replace(POLICY, iv_infusion_minutes=100)
    assert session_shape(Route.IV, slow).minimum_from_dose_start_min == 160


@pytest.mark.parametrize("devices", [0, 4])
def test_esketamine_device_count_outside_1_to_3_is_invalid(devices: int) -> None:
    with pytest.raises(InvalidInput):
        session_shape(Route.ESKETAMINE_NASAL, POLICY, device_count=devices)


def test_infusion_minutes_may_be_overridden_only_between_40_and_100() -> None:
    info = threshold_info(DosingPolicy, "iv_infusion_minutes")
    assert (info.minimum, info.maximum) == (40, 100)


def test_unconfirmed_dosing_defaults_need_a_prescriber() -> None:
    assert threshold_info(DosingPolicy, "sublingual_max_mg").needs_prescriber_confirmation
    assert threshold_info(DosingPolicy, "im_max_mg_per_kg").needs_prescriber_confirmation
    assert not threshold_info(DosingPolicy, "iv_max_mg_per_kg").needs_prescriber_confirmation


# --- IV dosing -------------------------------------------------------------------------------


def test_standard_iv_dose_for_70_kg_is_35_mg_over_40_minutes_at_52_5_mg_per_hour() -> None:
    plan = compute_dose(Route.IV, policy=POLICY, weight_kg=70)
    assert (plan.dose_mg, plan.mg_per_kg, plan.infusion_minutes, plan.rate_mg_per_h) == (
        35.0,
        0.5,
        40,
        52.5,
    )
    assert plan.basis is WeightBasis.ACTUAL
    assert plan.override_reason is None


@pytest.mark.parametrize(
    ("mg_per_kg", "reason", "outcome"),
    [
        (0.09, None, "block"),
        (0.1, None, 7.0),
        (0.75, None, 52.5),
        (0.76, None, "hold"),
        (0.76, "   ", "hold"),
        (0.76, "partial response at 0.75", 53.2),
        (1.0, "partial response", 70.0),
        (1.01, "partial response", "block"),
        (1.5, None, "block"),
    ],
)
def test_iv_dose_range_and_override(mg_per_kg: float, reason: str | None, outcome: object) -> None:
    if isinstance(outcome, str):
        with pytest.raises(RuleViolation) as caught:
            compute_dose(
                Route.IV, policy=POLICY, weight_kg=70, mg_per_kg=mg_per_kg, override_reason=reason
            )
        assert caught.value.findings[0].rule_id == "dosing.iv_range"
        assert caught.value.findings[0].severity.value == outcome
    else:
        plan = compute_dose(
            Route.IV, policy=POLICY, weight_kg=70, mg_per_kg=mg_per_kg, override_reason=reason
        )
        assert plan.dose_mg == outcome


def test_an_override_is_recorded_with_a_caution_finding() -> None:
    plan = compute_dose(
        Route.IV, policy=POLICY, weight_kg=80, mg_per_kg=0.9, override_reason="no response at 0.75"
    )
    assert plan.override_reason == "no response at 0.75"
    assert any(f.severity is Severity.CAUTION for f in plan.findings)


def test_override_reason_is_ignored_when_the_dose_is_within_range() -> None:
    plan = compute_dose(Route.IV, policy=POLICY, weight_kg=80, override_reason="not needed")
    assert plan.override_reason is None


def test_a_clinic_cannot_raise_the_override_ceiling_above_1_mg_per_kg() -> None:
    assert threshold_info(DosingPolicy, "iv_override_max_mg_per_kg").maximum == 1.0
    assert threshold_info(DosingPolicy, "iv_max_mg_per_kg").maximum == 1.0


def test_slower_infusion_changes_the_rate_not_the_dose() -> None:
    slow = dataclasses.replace(POLICY, iv_infusion_minutes=100)
    plan = compute_dose(Route.IV, policy=slow, weight_kg=70)
    assert (plan.dose_mg, plan.rate_mg_per_h) == (35.0, 21.0)


# --- Weight basis ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("height_cm", "sex", "ideal_kg"),
    [
        (152.4, Sex.MALE, 50.0),
        (152.4, Sex.FEMALE, 45.5),
        (177.8, Sex.MALE, 73.0),  # 5 ft 10 in
        (167.64, Sex.FEMALE, 59.3),  # 5 ft 6 in
    ],
)
def test_devine_ideal_body_weight(height_cm: float, sex: Sex, ideal_kg: float) -> None:
    assert ideal_body_weight_kg(height_cm, sex) == pytest.approx(ideal_kg, abs=0.01)


@pytest.mark.parametrize(
    ("weight_kg", "basis", "basis_kg"),
    [
        (95.8, WeightBasis.ACTUAL, 95.8),  # BMI 29.99 at 178.7 cm
        (95.9, WeightBasis.IDEAL, 73.8),  # BMI 30.03
    ],
)
def test_ideal_weight_applies_from_bmi_30_when_the_clinic_chooses(
    weight_kg: float, basis: WeightBasis, basis_kg: float
) -> None:
    policy = dataclasses.replace(POLICY, ideal_weight_when_obese=True)
    plan = compute_dose(Route.IV, policy=policy, weight_kg=weight_kg, height_cm=178.7, sex=Sex.MALE)
    assert plan.basis is basis
    assert plan.weight_basis_kg == pytest.approx(basis_kg, abs=0.05)


def test_actual_body_weight_is_the_default_even_at_high_bmi() -> None:
    plan = compute_dose(Route.IV, policy=POLICY, weight_kg=130, height_cm=170, sex=Sex.FEMALE)
    assert (plan.basis, plan.dose_mg) == (WeightBasis.ACTUAL, 65.0)


def test_a_prescriber_may_choose_ideal_weight_for_one_patient() -> None:
    plan = compute_dose(
        Route.IV,
        policy=POLICY,
        weight_kg=130,
        height_cm=170,
        sex=Sex.FEMALE,
        ideal_weight_when_obese=True,
    )
    assert plan.basis is WeightBasis.IDEAL
    assert plan.dose_mg == pytest.approx(0.5 * (45.5 + 2.3 * (170 - 152.4) / 2.54), abs=0.1)


def test_ideal_weight_needs_height_and_sex() -> None:
    with pytest.raises(InvalidInput) as no_height:
        compute_dose(Route.IV, policy=POLICY, weight_kg=130, ideal_weight_when_obese=True)
    assert no_height.value.field == "height_cm"
    with pytest.raises(InvalidInput) as no_sex:
        compute_dose(
            Route.IV, policy=POLICY, weight_kg=130, height_cm=170, ideal_weight_when_obese=True
        )
    assert no_sex.value.field == "sex"


def test_ideal_weight_under_5_ft_holds_for_a_prescriber() -> None:
    with pytest.raises(RuleViolation) as caught:
        compute_dose(
            Route.IV,
            policy=POLICY,
            weight_kg=90,
            height_cm=150,
            sex=Sex.FEMALE,
            ideal_weight_when_obese=True,
        )
    assert caught.value.findings[0].severity is Severity.HOLD


def test_bmi_is_weight_over_height_squared() -> None:
    assert body_mass_index(90, 150) == pytest.approx(40.0)


@pytest.mark.parametrize("weight_kg", [0.0, -5.0, 19.9, 400.1, float("nan")])
def test_implausible_weight_is_invalid(weight_kg: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        compute_dose(Route.IV, policy=POLICY, weight_kg=weight_kg)
    assert caught.value.field == "weight_kg"


def test_weight_based_dose_without_weight_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        compute_dose(Route.IM, policy=POLICY)


# --- IM and sublingual ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mg_per_kg", "outcome"),
    [(0.24, "block"), (0.25, 20.0), (0.5, 40.0), (0.51, "block")],
)
def test_im_dose_range(mg_per_kg: float, outcome: object) -> None:
    if isinstance(outcome, str):
        with pytest.raises(RuleViolation) as caught:
            compute_dose(Route.IM, policy=POLICY, weight_kg=80, mg_per_kg=mg_per_kg)
        assert caught.value.findings[0].severity.value == outcome
    else:
        plan = compute_dose(Route.IM, policy=POLICY, weight_kg=80, mg_per_kg=mg_per_kg)
        assert (plan.dose_mg, plan.infusion_minutes) == (outcome, None)


def test_im_has_no_override_room_by_default() -> None:
    with pytest.raises(RuleViolation) as caught:
        compute_dose(Route.IM, policy=POLICY, weight_kg=80, mg_per_kg=0.6, override_reason="x")
    assert caught.value.findings[0].severity is Severity.BLOCK


def test_a_clinic_may_open_im_override_room() -> None:
    roomy = dataclasses.replace(POLICY, im_override_max_mg_per_kg=0.75)
    with pytest.raises(RuleViolation) as caught:
        compute_dose(Route.IM, policy=roomy, weight_kg=80, mg_per_kg=0.6)
    assert caught.value.findings[0].severity is Severity.HOLD
    plan = compute_dose(Route.IM, policy=roomy, weight_kg=80, mg_per_kg=0.6, override_reason="x")
    assert (plan.dose_mg, plan.override_reason) == (48.0, "x")


@pytest.mark.parametrize(
    ("fixed_mg", "allowed"), [(9.9, False), (10.0, True), (450.0, True), (450.1, False)]
)
def test_sublingual_fixed_dose_range(fixed_mg: float, allowed: bool) -> None:
    if allowed:
        assert compute_dose(Route.SUBLINGUAL, policy=POLICY, fixed_mg=fixed_mg).dose_mg == fixed_mg
    else:
        with pytest.raises(RuleViolation):
            compute_dose(Route.SUBLINGUAL, policy=POLICY, fixed_mg=fixed_mg)


def test_sublingual_default_is_2_mg_per_kg() -> None:
    plan = compute_dose(Route.SUBLINGUAL, policy=POLICY, weight_kg=70)
    assert (plan.dose_mg, plan.mg_per_kg) == (140.0, 2.0)


@pytest.mark.parametrize(
    ("weight_kg", "mg_per_kg", "allowed"),
    [(70, 0.09, False), (70, 0.15, True), (70, 5.0, True), (70, 5.1, False), (100, 5.0, False)],
)
def test_sublingual_per_kg_range_and_session_cap(
    weight_kg: float, mg_per_kg: float, allowed: bool
) -> None:
    if allowed:
        compute_dose(Route.SUBLINGUAL, policy=POLICY, weight_kg=weight_kg, mg_per_kg=mg_per_kg)
    else:  # 5 mg/kg × 100 kg = 500 mg is over the 450 mg per-session maximum
        with pytest.raises(RuleViolation):
            compute_dose(Route.SUBLINGUAL, policy=POLICY, weight_kg=weight_kg, mg_per_kg=mg_per_kg)


def test_sublingual_needs_one_of_fixed_or_per_kg() -> None:
    with pytest.raises(InvalidInput):
        compute_dose(Route.SUBLINGUAL, policy=POLICY, weight_kg=70, fixed_mg=100, mg_per_kg=1.0)


# --- Esketamine ------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "day1_mg"), [(64, 56), (65, 28)])
def test_esketamine_day1_dose_depends_on_age_65(age: int, day1_mg: int) -> None:
    plan = compute_dose(Route.ESKETAMINE_NASAL, policy=POLICY, age_years=age)
    assert (plan.dose_mg, plan.device_count) == (day1_mg, day1_mg // 28)


@pytest.mark.parametrize(("age", "wrong_day1"), [(64, 28), (64, 84), (65, 56)])
def test_esketamine_day1_other_dose_is_refused(age: int, wrong_day1: int) -> None:
    with pytest.raises(RuleViolation):
        compute_dose(Route.ESKETAMINE_NASAL, policy=POLICY, age_years=age, esketamine_mg=wrong_day1)


@pytest.mark.parametrize(
    ("age", "previous", "dose", "allowed"),
    [
        (40, 56, 84, True),
        (40, 84, 56, True),
        (40, 56, 28, False),  # 28 mg is labelled only from 65
        (70, 56, 28, True),
        (70, 28, 56, True),
        (70, 28, 84, False),  # more than one 28 mg step up
        (40, 84, 112, False),  # above 84 mg
        (40, 56, 60, False),  # not a device multiple
    ],
)
def test_esketamine_later_doses(age: int, previous: int, dose: int, allowed: bool) -> None:
    def give() -> float:
        return compute_dose(
            Route.ESKETAMINE_NASAL,
            policy=POLICY,
            age_years=age,
            session_number=3,
            previous_esketamine_mg=previous,
            esketamine_mg=dose,
        ).dose_mg

    if allowed:
        assert give() == dose
    else:
        with pytest.raises(RuleViolation) as caught:
            give()
        assert caught.value.findings[0].severity is Severity.BLOCK


def test_esketamine_repeats_the_previous_dose_when_none_is_given() -> None:
    plan = compute_dose(
        Route.ESKETAMINE_NASAL,
        policy=POLICY,
        age_years=40,
        session_number=2,
        previous_esketamine_mg=84,
    )
    assert (plan.dose_mg, plan.device_count) == (84.0, 3)


def test_esketamine_after_day1_needs_the_previous_dose() -> None:
    with pytest.raises(InvalidInput):
        compute_dose(Route.ESKETAMINE_NASAL, policy=POLICY, age_years=40, session_number=2)


def test_esketamine_needs_age_and_is_for_adults_only() -> None:
    with pytest.raises(InvalidInput):
        compute_dose(Route.ESKETAMINE_NASAL, policy=POLICY)
    with pytest.raises(RuleViolation):
        compute_dose(Route.ESKETAMINE_NASAL, policy=POLICY, age_years=17)


def test_suicidal_ideation_regimen_starts_at_84_and_may_reduce_to_56() -> None:
    regimen = EsketamineRegimen.MDD_SUICIDAL_IDEATION
    first = compute_dose(
        Route.ESKETAMINE_NASAL, policy=POLICY, age_years=40, esketamine_regimen=regimen
    )
    reduced = compute_dose(
        Route.ESKETAMINE_NASAL,
        policy=POLICY,
        age_years=40,
        esketamine_regimen=regimen,
        session_number=2,
        previous_esketamine_mg=84,
        esketamine_mg=56,
    )
    assert (first.dose_mg, reduced.dose_mg) == (84.0, 56.0)


def test_every_dosing_rule_is_registered_with_a_source() -> None:
    for rule_id in (
        "dosing.iv_range",
        "dosing.im_range",
        "dosing.sublingual_range",
        "dosing.weight_basis",
        "dosing.esketamine_dose",
    ):
        assert RULES[rule_id].source.citation


# --- Properties -------------------------------------------------------------------------------

weights = st.floats(min_value=20, max_value=400, allow_nan=False)
doses = st.floats(min_value=0.01, max_value=2.0, allow_nan=False)


@given(weight=weights, mg_per_kg=doses, reason=st.sampled_from([None, "recorded"]))
def test_no_iv_dose_ever_exceeds_the_policy_maximum(
    weight: float, mg_per_kg: float, reason: str | None
) -> None:
    try:
        plan = compute_dose(
            Route.IV, policy=POLICY, weight_kg=weight, mg_per_kg=mg_per_kg, override_reason=reason
        )
    except RuleViolation:
        return
    limit = POLICY.iv_override_max_mg_per_kg if reason else POLICY.iv_max_mg_per_kg
    assert plan.dose_mg <= limit * weight + 1e-9
    assert plan.dose_mg <= POLICY.iv_override_max_mg_per_kg * weight + 1e-9


@given(
    weight=weights,
    height=st.floats(min_value=152.4, max_value=250, allow_nan=False),
    sex=st.sampled_from(Sex),
    mg_per_kg=doses,
)
def test_ideal_weight_never_raises_the_dose_above_actual_weight_dosing(
    weight: float, height: float, sex: Sex, mg_per_kg: float
) -> None:
    try:
        plan = compute_dose(
            Route.IV,
            policy=POLICY,
            weight_kg=weight,
            height_cm=height,
            sex=sex,
            mg_per_kg=mg_per_kg,
            ideal_weight_when_obese=True,
        )
    except RuleViolation:
        return
    assert plan.weight_basis_kg is not None and plan.weight_basis_kg <= weight
    assert plan.dose_mg <= POLICY.iv_max_mg_per_kg * weight + 1e-9


@given(route=st.sampled_from([Route.IM, Route.SUBLINGUAL]), weight=weights, per_kg=doses)
def test_no_im_or_sublingual_dose_exceeds_its_maximum(
    route: Route, weight: float, per_kg: float
) -> None:
    try:
        plan = compute_dose(route, policy=POLICY, weight_kg=weight, mg_per_kg=per_kg * 3)
    except RuleViolation:
        return
    if route is Route.IM:
        assert plan.dose_mg <= POLICY.im_max_mg_per_kg * weight + 1e-9
    else:
        assert plan.dose_mg <= POLICY.sublingual_max_mg
        assert plan.dose_mg <= POLICY.sublingual_max_mg_per_kg * weight + 1e-9


@given(
    age=st.integers(min_value=18, max_value=100),
    previous=st.sampled_from([28, 56, 84]),
    dose=st.integers(min_value=0, max_value=200),
    session=st.integers(min_value=1, max_value=30),
)
def test_no_esketamine_dose_exceeds_84_mg_or_a_28_mg_step(
    age: int, previous: int, dose: int, session: int
) -> None:
    try:
        plan = compute_dose(
            Route.ESKETAMINE_NASAL,
            policy=POLICY,
            age_years=age,
            session_number=session,
            previous_esketamine_mg=previous,
            esketamine_mg=dose,
        )
    except RuleViolation:
        return
    assert plan.dose_mg in (28, 56, 84)
    assert plan.dose_mg <= POLICY.esketamine_max_mg
    if session > 1:
        assert plan.dose_mg - previous <= 28
    assert plan.device_count == plan.dose_mg // 28
