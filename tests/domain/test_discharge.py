"""The discharge gate: the minimum observation per route and every other criterion."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.discharge import (
    ESCORT_INSTRUCTION,
    NO_DRIVING_INSTRUCTION,
    DischargePolicy,
    DischargeResult,
    discharge_gate,
)
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.routes import DosingPolicy, Route, session_shape
from ketacare.domain.vitals import VitalReading, VitalsPolicy

T0 = datetime(2025, 3, 4, 9, 0)
DOSING = DosingPolicy()
POLICY = DischargePolicy()
VITALS = VitalsPolicy()
CRITERIA = [
    "minimum_observation",
    "vitals_recorded",
    "blood_pressure",
    "heart_rate",
    "respiration",
    "sedation",
    "dissociation",
    "escort",
]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def vitals(
    systolic: float = 128,
    diastolic: float = 80,
    heart_rate: float = 76,
    spo2: float = 97,
    rr: float | None = 14,
    taken_at: datetime | None = None,
) -> VitalReading:
    return VitalReading(
        systolic_mmhg=systolic,
        diastolic_mmhg=diastolic,
        heart_rate_bpm=heart_rate,
        spo2_pct=spo2,
        respiratory_rate_per_min=rr,
        taken_at=taken_at or at(0),
    )


BASELINE = vitals(systolic=126, diastolic=78, heart_rate=72, spo2=98, taken_at=at(-10))


def discharge(
    minutes: float = 240,
    route: Route = Route.ESKETAMINE_NASAL,
    *,
    latest: VitalReading | str | None = "fresh",
    baseline: VitalReading | None = BASELINE,
    moaas: int | None = 5,
    cadss6: int | None = 0,
    escort: bool = True,
    policy: DischargePolicy = POLICY,
    dosing: DosingPolicy = DOSING,
    dose_end: datetime | None = None,
) -> DischargeResult:
    now = at(minutes)
    reading = vitals(taken_at=now - timedelta(minutes=5)) if latest == "fresh" else latest
    assert not isinstance(reading, str)
    return discharge_gate(
        route,
        T0,
        now,
        reading,
        baseline,
        moaas,
        cadss6,
        escort,
        session_shape(route, dosing),
        policy,
        vitals_policy=VITALS,
        dose_end=dose_end,
    )


def criterion(result: DischargeResult, name: str) -> bool:
    (found,) = [c for c in result.criteria if c.name == name]
    return found.passed


# --- Minimum observation per route -------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "allowed"),
    [(90, False), (119, False), (119.9, False), (120, True), (121, True)],
)
def test_esketamine_discharge_needs_120_minutes_from_the_first_device(
    minutes: float, allowed: bool
) -> None:
    result = discharge(minutes)
    assert result.allowed is allowed
    assert result.ready_at_earliest == at(120)
    assert result.clinically_ready
    if not allowed:
        assert [c.name for c in result.unmet] == ["minimum_observation"]
        assert result.unmet[0].finding.severity is Severity.BLOCK
        assert result.unmet[0].finding.source.key == "spravato-rems"


@pytest.mark.parametrize(
    ("route", "earliest"),
    [(Route.IV, 40 + 60), (Route.IM, 1 + 60), (Route.SUBLINGUAL, 15 + 90)],
)
def test_racemic_discharge_counts_the_observation_from_the_end_of_dosing(
    route: Route, earliest: int
) -> None:
    assert not discharge(earliest - 1, route).allowed
    result = discharge(earliest, route)
    assert result.allowed
    assert result.ready_at_earliest == at(earliest)
    observation = result.criteria[0].finding
    assert observation.rule_id == "discharge.minimum_observation_racemic"
    assert not observation.source.confirmed


def test_an_infusion_that_ran_long_pushes_the_earliest_discharge_later() -> None:
    assert discharge(100, Route.IV, dose_end=at(40)).allowed
    late = discharge(105, Route.IV, dose_end=at(50))
    assert not late.allowed
    assert late.ready_at_earliest == at(110)
    assert discharge(110, Route.IV, dose_end=at(50)).allowed


def test_an_infusion_stopped_early_still_waits_for_the_planned_minimum() -> None:
    result = discharge(90, Route.IV, dose_end=at(20))
    assert not result.allowed
    assert result.ready_at_earliest == at(100)


def test_a_clinic_longer_observation_is_respected() -> None:
    longer = dataclasses.replace(DOSING, esketamine_min_observation_minutes=180)
    assert not discharge(179, dosing=longer).allowed
    assert discharge(180, dosing=longer).allowed


# --- Every criterion is listed, with a reason --------------------------------------------


def test_every_criterion_is_listed_in_checklist_order_with_instructions() -> None:
    result = discharge(240)
    assert result.allowed
    assert [c.name for c in result.criteria] == CRITERIA
    assert all(c.finding.severity is Severity.INFO and c.finding.message for c in result.criteria)
    assert result.instructions == (NO_DRIVING_INSTRUCTION, ESCORT_INSTRUCTION)
    assert "until the next day" in NO_DRIVING_INSTRUCTION


def test_a_refused_discharge_still_carries_the_instructions_and_all_criteria() -> None:
    result = discharge(30, latest=None, moaas=None, cadss6=None, escort=False)
    assert not result.allowed
    assert [c.name for c in result.criteria] == CRITERIA
    assert [c.name for c in result.unmet] == CRITERIA
    assert NO_DRIVING_INSTRUCTION in result.instructions
    assert {c.finding.severity for c in result.unmet[1:]} == {Severity.HOLD}


@pytest.mark.parametrize(
    ("latest", "baseline", "passed"),
    [
        (vitals(140, 90), None, True),
        (vitals(141, 85), None, False),
        (vitals(135, 91), None, False),
        (vitals(141, 85), vitals(135, 80), True),
        (vitals(146, 90), vitals(135, 80), False),
        (vitals(145, 91), vitals(135, 80), False),
        (vitals(179, 95), vitals(172, 95), True),
        (vitals(180, 95), vitals(175, 95), False),
        (vitals(170, 100), vitals(170, 95), False),
        (vitals(90, 60), None, True),
        (vitals(89, 60), None, False),
        (vitals(89, 60), vitals(95, 60), True),
    ],
)
def test_blood_pressure_must_be_back_below_the_hold_line_or_near_baseline(
    latest: VitalReading, baseline: VitalReading | None, passed: bool
) -> None:
    fresh = dataclasses.replace(latest, taken_at=at(235))
    result = discharge(240, latest=fresh, baseline=baseline)
    assert criterion(result, "blood_pressure") is passed
    assert result.allowed is passed


@pytest.mark.parametrize(
    ("heart_rate", "baseline_hr", "passed"),
    [(120, None, True), (121, None, False), (121, 115, True), (131, 120, False), (49, None, False)],
)
def test_heart_rate_must_be_within_50_120_or_near_baseline(
    heart_rate: float, baseline_hr: float | None, passed: bool
) -> None:
    base = vitals(heart_rate=baseline_hr, taken_at=at(-10)) if baseline_hr else None
    result = discharge(240, latest=vitals(heart_rate=heart_rate, taken_at=at(235)), baseline=base)
    assert criterion(result, "heart_rate") is passed


@pytest.mark.parametrize(
    ("spo2", "rr", "baseline_spo2", "passed"),
    [
        (95, 14, None, True),
        (94, 14, None, False),
        (94, 14, 94, True),
        (93, 14, 94, False),
        (97, 10, None, True),
        (97, 9, None, False),
        (97, 31, None, False),
        (97, None, None, True),
    ],
)
def test_respiratory_depression_must_have_resolved(
    spo2: float, rr: float | None, baseline_spo2: float | None, passed: bool
) -> None:
    base = vitals(spo2=baseline_spo2, taken_at=at(-10)) if baseline_spo2 else None
    latest = vitals(spo2=spo2, rr=rr, taken_at=at(235))
    assert criterion(discharge(240, latest=latest, baseline=base), "respiration") is passed


@pytest.mark.parametrize(("moaas", "passed"), [(5, True), (4, False), (0, False), (None, False)])
def test_sedation_must_have_resolved_to_moaas_5(moaas: int | None, passed: bool) -> None:
    result = discharge(240, moaas=moaas)
    assert criterion(result, "sedation") is passed
    assert result.allowed is passed


@pytest.mark.parametrize(
    ("cadss6", "limit", "passed"),
    [(0, 0, True), (1, 0, False), (None, 0, False), (2, 2, True), (3, 2, False)],
)
def test_dissociation_must_be_at_or_below_the_cadss6_limit(
    cadss6: int | None, limit: int, passed: bool
) -> None:
    policy = dataclasses.replace(POLICY, dissociation_max_cadss6=limit)
    assert criterion(discharge(240, cadss6=cadss6, policy=policy), "dissociation") is passed


def test_the_patient_may_not_leave_without_an_escort_unless_policy_waives_it() -> None:
    assert not discharge(240, escort=False).allowed
    waived = dataclasses.replace(POLICY, escort_required=False)
    assert discharge(240, escort=False, policy=waived).allowed


@pytest.mark.parametrize(
    ("taken_min", "passed"), [(225, True), (224, False), (-5, False), (None, False)]
)
def test_a_fresh_reading_taken_after_dosing_is_needed_before_discharge(
    taken_min: float | None, passed: bool
) -> None:
    latest = vitals(taken_at=at(taken_min)) if taken_min is not None else None
    result = discharge(240, latest=latest)
    assert criterion(result, "vitals_recorded") is passed
    assert result.allowed is passed


# --- Validation --------------------------------------------------------------------------


def test_a_shape_for_another_route_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        discharge_gate(
            Route.IV,
            T0,
            at(200),
            None,
            None,
            5,
            0,
            True,
            session_shape(Route.ESKETAMINE_NASAL, DOSING),
            POLICY,
            vitals_policy=VITALS,
        )
    assert raised.value.field == "shape"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": -1}, "now"),
        ({"moaas": 6}, "latest_moaas"),
        ({"cadss6": 25}, "latest_dissociation"),
        ({"cadss6": -1}, "latest_dissociation"),
        ({"latest": vitals(taken_at=at(300))}, "latest_vitals"),
        ({"dose_end": at(-5)}, "dose_end"),
    ],
)
def test_out_of_range_inputs_are_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        discharge(**changes)  # type: ignore[arg-type]
    assert raised.value.field == field


# --- Property: never before the route's minimum observation ------------------------------


@given(
    route=st.sampled_from(list(Route)),
    observation=st.integers(min_value=15, max_value=240),
    seconds=st.integers(min_value=0, max_value=8 * 3600),
)
def test_discharge_is_never_allowed_before_the_minimum_observation(
    route: Route, observation: int, seconds: int
) -> None:
    dosing = dataclasses.replace(
        DOSING,
        esketamine_min_observation_minutes=max(observation, 120),
        iv_min_observation_minutes=observation,
        im_min_observation_minutes=observation,
        sublingual_min_observation_minutes=observation,
    )
    shape = session_shape(route, dosing)
    minutes = seconds / 60
    result = discharge(minutes, route, dosing=dosing)
    floor = shape.minimum_from_dose_start_min
    assert result.ready_at_earliest == at(floor)
    # Everything else is fine, so the observation alone decides.
    assert result.allowed == (minutes >= floor)
    if route is Route.ESKETAMINE_NASAL:
        assert not result.allowed or minutes >= 120
