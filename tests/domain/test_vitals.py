"""Vital readings and what they mean: plausibility, pre-dose lines, in-session alert levels."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ketacare.domain.discharge import DischargePolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import RULES, Finding, Severity
from ketacare.domain.routes import DosingPolicy, Route
from ketacare.domain.thresholds import ThresholdInfo
from ketacare.domain.vitals import (
    AlertLevel,
    CrisisSymptom,
    Phase,
    VitalReading,
    VitalsPolicy,
    assess_reading,
)

T0 = datetime(2025, 3, 4, 9, 0)
POLICY = VitalsPolicy()


def reading(
    systolic: float = 120,
    diastolic: float = 75,
    heart_rate: float = 72,
    spo2: float = 98,
    rr: float | None = None,
) -> VitalReading:
    return VitalReading(
        systolic_mmhg=systolic,
        diastolic_mmhg=diastolic,
        heart_rate_bpm=heart_rate,
        spo2_pct=spo2,
        respiratory_rate_per_min=rr,
        taken_at=T0,
    )


def by_rule(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def severity_of(findings: list[Finding], rule_id: str) -> Severity | None:
    matched = by_rule(findings, rule_id)
    assert len(matched) <= 1, matched
    return matched[0].severity if matched else None


# --- Plausibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spo2_pct", 101),
        ("spo2_pct", -1),
        ("systolic_mmhg", 39),
        ("systolic_mmhg", 301),
        ("diastolic_mmhg", 19),
        ("heart_rate_bpm", 19),
        ("heart_rate_bpm", 301),
        ("respiratory_rate_per_min", 81),
        ("respiratory_rate_per_min", -1),
        ("spo2_pct", math.nan),
        ("heart_rate_bpm", math.inf),
        ("systolic_mmhg", True),
        ("spo2_pct", "98"),
    ],
)
def test_an_implausible_value_is_refused_naming_the_field(field: str, value: object) -> None:
    values: dict[str, object] = {
        "systolic_mmhg": 120,
        "diastolic_mmhg": 75,
        "heart_rate_bpm": 72,
        "spo2_pct": 98,
        "respiratory_rate_per_min": 14,
        "taken_at": T0,
    }
    values[field] = value
    with pytest.raises(InvalidInput) as raised:
        VitalReading(**values)  # type: ignore[arg-type]
    assert raised.value.field == field


@pytest.mark.parametrize(("systolic", "diastolic"), [(120, 120), (100, 110)])
def test_diastolic_must_be_below_systolic(systolic: float, diastolic: float) -> None:
    with pytest.raises(InvalidInput) as raised:
        reading(systolic=systolic, diastolic=diastolic)
    assert raised.value.field == "diastolic_mmhg"


def test_plausibility_bounds_themselves_are_accepted() -> None:
    low = reading(systolic=40, diastolic=20, heart_rate=20, spo2=0, rr=0)
    high = reading(systolic=300, diastolic=200, heart_rate=300, spo2=100, rr=80)
    assert low.spo2_pct == 0
    assert high.systolic_mmhg == 300


def test_a_reading_without_a_time_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        VitalReading(
            systolic_mmhg=120,
            diastolic_mmhg=70,
            heart_rate_bpm=70,
            spo2_pct=98,
            taken_at="09:00",  # type: ignore[arg-type]
        )
    assert raised.value.field == "taken_at"


# --- Pre-dose lines (rule 5) -------------------------------------------------------------


def predose(r: VitalReading, policy: VitalsPolicy = POLICY) -> list[Finding]:
    return assess_reading(r, Route.ESKETAMINE_NASAL, Phase.PRE_DOSE, policy)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (140, 80, None),
        (141, 80, Severity.HOLD),
        (130, 90, None),
        (130, 91, Severity.HOLD),
        (179, 80, Severity.HOLD),
        (180, 80, Severity.BLOCK),
        (150, 99, Severity.HOLD),
        (150, 100, Severity.BLOCK),
        (140, 90, None),
    ],
)
def test_predose_bp_above_140_90_holds_and_at_180_100_blocks(
    systolic: float, diastolic: float, expected: Severity | None
) -> None:
    findings = predose(reading(systolic=systolic, diastolic=diastolic))
    hold = severity_of(findings, "vitals.predose_bp_hold")
    block = severity_of(findings, "vitals.predose_bp_block")
    assert (block or hold) == expected
    assert not (hold and block), "a blocked reading is not also reported as a hold"


def test_a_predose_block_cites_the_smpc_and_a_hold_cites_the_spravato_label() -> None:
    (block,) = predose(reading(systolic=185, diastolic=95))
    (hold,) = predose(reading(systolic=145, diastolic=85))
    assert block.source.key == "swiss-ketamine-smpc"
    assert hold.source.key == "spravato-label"
    assert "185/95" in block.message and "180/100" in block.message


@pytest.mark.parametrize(
    ("changes", "held"),
    [
        ({"systolic": 90, "diastolic": 60}, False),
        ({"systolic": 89, "diastolic": 60}, True),
        ({"heart_rate": 50}, False),
        ({"heart_rate": 49}, True),
        ({"heart_rate": 120}, False),
        ({"heart_rate": 121}, True),
        ({"spo2": 95}, False),
        ({"spo2": 94}, True),
        ({"rr": 10}, False),
        ({"rr": 9}, True),
        ({"rr": 30}, False),
        ({"rr": 31}, True),
        ({"rr": None}, False),
    ],
)
def test_predose_heart_rate_spo2_rr_and_low_bp_outside_range_hold(
    changes: dict[str, float | None], held: bool
) -> None:
    findings = predose(reading(**changes))  # type: ignore[arg-type]
    out = by_rule(findings, "vitals.predose_out_of_range")
    assert bool(out) is held
    assert all(f.severity is Severity.HOLD and not f.source.confirmed for f in out)


def test_predose_phase_reports_emergency_levels_but_not_act_levels() -> None:
    act_level = predose(reading(spo2=89))
    assert {f.severity for f in act_level} == {Severity.HOLD}
    emergency = predose(reading(spo2=84))
    assert {f.severity for f in emergency} == {Severity.HOLD, Severity.EMERGENCY}


def test_a_clinic_override_moves_the_predose_hold_line() -> None:
    relaxed = dataclasses.replace(POLICY, predose_hold_systolic_mmhg=150)
    assert predose(reading(systolic=150, diastolic=80), relaxed) == []
    assert severity_of(predose(reading(systolic=151), relaxed), "vitals.predose_bp_hold")


# --- In-session alert levels -------------------------------------------------------------


def in_session(r: VitalReading, *, moaas: int | None = None) -> list[Finding]:
    return assess_reading(r, Route.IV, Phase.DOSING, POLICY, moaas=moaas)


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (159, 80, None),
        (160, 80, Severity.CAUTION),
        (179, 80, Severity.CAUTION),
        (180, 80, Severity.ACT),
        (199, 80, Severity.ACT),
        (200, 80, Severity.EMERGENCY),
        (150, 99, None),
        (150, 100, Severity.CAUTION),
        (150, 109, Severity.CAUTION),
        (150, 110, Severity.ACT),
        (150, 119, Severity.ACT),
        (150, 120, Severity.EMERGENCY),
        (185, 121, Severity.EMERGENCY),
        (90, 60, None),
        (89, 60, Severity.CAUTION),
    ],
)
def test_session_blood_pressure_alert_levels_on_both_sides_of_each_line(
    systolic: float, diastolic: float, expected: Severity | None
) -> None:
    findings = in_session(reading(systolic=systolic, diastolic=diastolic))
    assert severity_of(findings, "vitals.session_bp") == expected


@pytest.mark.parametrize(
    ("heart_rate", "expected"),
    [
        (110, None),
        (111, Severity.CAUTION),
        (120, Severity.CAUTION),
        (121, Severity.ACT),
        (50, None),
        (49, Severity.CAUTION),
    ],
)
def test_session_heart_rate_alert_levels(heart_rate: float, expected: Severity | None) -> None:
    findings = in_session(reading(heart_rate=heart_rate))
    assert severity_of(findings, "vitals.session_heart_rate") == expected


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [
        (94, None),
        (93, Severity.CAUTION),
        (90, Severity.CAUTION),
        (89, Severity.ACT),
        (85, Severity.ACT),
        (84, Severity.EMERGENCY),
    ],
)
def test_session_spo2_alert_levels(spo2: float, expected: Severity | None) -> None:
    assert severity_of(in_session(reading(spo2=spo2)), "vitals.session_spo2") == expected


@pytest.mark.parametrize(("rr", "expected"), [(10, None), (9, Severity.ACT), (None, None)])
def test_session_respiratory_rate_below_10_means_act(
    rr: float | None, expected: Severity | None
) -> None:
    findings = in_session(reading(rr=rr))
    assert severity_of(findings, "vitals.session_respiratory_rate") == expected


@pytest.mark.parametrize(
    ("moaas", "expected"),
    [
        (5, None),
        (4, None),
        (3, Severity.CAUTION),
        (2, Severity.ACT),
        (1, Severity.ACT),
        (0, Severity.EMERGENCY),
    ],
)
def test_session_moaas_alert_levels(moaas: int, expected: Severity | None) -> None:
    assert severity_of(in_session(reading(), moaas=moaas), "vitals.session_sedation") == expected


@pytest.mark.parametrize("moaas", [-1, 6, True, 2.5])
def test_a_moaas_outside_0_to_5_is_refused(moaas: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        in_session(reading(), moaas=moaas)  # type: ignore[arg-type]
    assert raised.value.field == "moaas"


def test_normal_vitals_in_session_give_no_findings() -> None:
    assert in_session(reading(rr=14), moaas=5) == []


def test_in_session_defaults_are_unconfirmed_and_say_so() -> None:
    findings = in_session(reading(systolic=185))
    assert findings and all(not f.source.confirmed for f in findings)
    assert "180" in findings[0].message and "act" in findings[0].message


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("symptom", list(CrisisSymptom))
def test_any_crisis_symptom_is_an_emergency_whatever_the_numbers(
    phase: Phase, symptom: CrisisSymptom
) -> None:
    findings = assess_reading(reading(), Route.ESKETAMINE_NASAL, phase, POLICY, symptoms=[symptom])
    assert [f.severity for f in findings] == [Severity.EMERGENCY]
    assert findings[0].rule_id == "vitals.crisis_symptom"


def test_an_unknown_symptom_name_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        assess_reading(reading(), Route.IV, Phase.DOSING, POLICY, symptoms=["tiredness"])
    assert raised.value.field == "symptoms"


def test_alert_levels_map_to_the_same_severities() -> None:
    assert [level.severity for level in AlertLevel] == [
        Severity.CAUTION,
        Severity.ACT,
        Severity.EMERGENCY,
    ]


# --- Properties --------------------------------------------------------------------------

systolics = st.integers(min_value=60, max_value=260)
diastolics = st.integers(min_value=30, max_value=150)


@given(
    systolic=st.integers(min_value=90, max_value=260),
    diastolic=diastolics,
    extra=st.integers(min_value=1, max_value=40),
)
def test_a_higher_systolic_never_lowers_the_session_bp_level(
    systolic: int, diastolic: int, extra: int
) -> None:
    assume(diastolic < systolic)
    ranks = []
    for value in (systolic, systolic + extra):
        findings = in_session(reading(systolic=value, diastolic=diastolic))
        severity = severity_of(findings, "vitals.session_bp")
        ranks.append(-1 if severity is None else severity.rank)
    assert ranks[1] >= ranks[0]


@given(systolic=systolics, diastolic=diastolics)
def test_predose_block_happens_exactly_at_or_above_180_100(systolic: int, diastolic: int) -> None:
    assume(diastolic < systolic)
    findings = predose(reading(systolic=systolic, diastolic=diastolic))
    blocked = severity_of(findings, "vitals.predose_bp_block") is Severity.BLOCK
    assert blocked == (systolic >= 180 or diastolic >= 100)
    held = severity_of(findings, "vitals.predose_bp_hold") is Severity.HOLD
    assert held == (not blocked and (systolic > 140 or diastolic > 90))


@given(
    spo2=st.integers(min_value=0, max_value=100),
    heart_rate=st.integers(min_value=20, max_value=300),
    phase=st.sampled_from(list(Phase)),
    route=st.sampled_from(list(Route)),
)
def test_each_rule_gives_at_most_one_finding_per_reading(
    spo2: int, heart_rate: int, phase: Phase, route: Route
) -> None:
    findings = assess_reading(reading(spo2=spo2, heart_rate=heart_rate), route, phase, POLICY)
    session_ids = [f.rule_id for f in findings if f.rule_id.startswith("vitals.session")]
    assert len(session_ids) == len(set(session_ids))


# --- Declarations ------------------------------------------------------------------------

SECTIONS = {"vitals": VitalsPolicy, "discharge": DischargePolicy, "dosing": DosingPolicy}
MY_RULES = ("vitals.", "predose.", "monitoring.", "discharge.")


def test_every_rule_param_names_a_declared_policy_threshold() -> None:
    import ketacare.domain.discharge
    import ketacare.domain.monitoring
    import ketacare.domain.predose  # noqa: F401

    mine = [r for r in RULES.values() if r.id.startswith(MY_RULES)]
    assert len(mine) >= 20
    for declared in mine:
        for param in declared.params:
            section, _, name = param.partition(".")
            fields = {f.name for f in dataclasses.fields(SECTIONS[section])}
            assert name in fields, f"{declared.id} reads unknown {param}"


@pytest.mark.parametrize("section", [VitalsPolicy, DischargePolicy])
def test_every_threshold_resting_on_an_unconfirmed_source_says_so(section: type) -> None:
    for f in dataclasses.fields(section):
        info = f.metadata["threshold"]
        assert isinstance(info, ThresholdInfo)
        if not info.source.confirmed:
            assert "UNCONFIRMED" in info.statement, f.name
        if info.minimum is not None and isinstance(f.default, int | float):
            assert info.minimum <= f.default <= (info.maximum or math.inf), f.name
