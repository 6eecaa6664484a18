"""Outcomes: percent improvement, response / partial / remission classification, policy."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.instruments import GAD7, MOAAS, PCL5, PHQ9, Instrument
from ketacare.domain.outcomes import (
    OutcomesPolicy,
    ResponseLevel,
    classify,
    percent_improvement,
)
from ketacare.domain.thresholds import threshold_info

POLICY = OutcomesPolicy()


# --- Percent improvement ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "score", "pct"),
    [(10, 5, 50.0), (16, 8, 50.0), (20, 14, 30.0), (20, 25, -25.0), (12, 0, 100.0), (7, 7, 0.0)],
)
def test_percent_improvement_is_the_drop_as_a_share_of_baseline(
    baseline: int, score: int, pct: float
) -> None:
    assert percent_improvement(baseline, score) == pytest.approx(pct)


@pytest.mark.parametrize("baseline", [0, -3])
def test_percent_improvement_needs_a_baseline_above_zero(baseline: int) -> None:
    with pytest.raises(InvalidInput) as err:
        percent_improvement(baseline, 0)
    assert err.value.field == "baseline"


@given(st.integers(1, 80), st.integers(0, 80))
def test_percent_improvement_recovers_the_point_change(baseline: int, score: int) -> None:
    pct = percent_improvement(baseline, score)
    assert pct * baseline / 100 == pytest.approx(baseline - score)
    assert pct <= 100
    assert (pct == 100) == (score == 0)
    assert (pct > 0) == (score < baseline)


# --- Classification -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "baseline", "score", "level"),
    [
        # response at ≥ 50%
        (GAD7, 16, 8, ResponseLevel.RESPONSE),
        (GAD7, 16, 9, ResponseLevel.PARTIAL_RESPONSE),
        # partial response at ≥ 30% (exactly 30% must count despite float rounding)
        (GAD7, 20, 14, ResponseLevel.PARTIAL_RESPONSE),
        (GAD7, 20, 15, ResponseLevel.NO_RESPONSE),
        # remission: < 5 from a baseline ≥ 10
        (GAD7, 10, 4, ResponseLevel.REMISSION),
        (GAD7, 10, 5, ResponseLevel.RESPONSE),
        (GAD7, 9, 4, ResponseLevel.RESPONSE),
        (PHQ9, 12, 4, ResponseLevel.REMISSION),
        (PHQ9, 12, 5, ResponseLevel.RESPONSE),
        # no remission definition for PCL-5
        (PCL5, 40, 2, ResponseLevel.RESPONSE),
        (PCL5, 40, 21, ResponseLevel.PARTIAL_RESPONSE),
        # worse than baseline
        (GAD7, 8, 12, ResponseLevel.NO_RESPONSE),
    ],
)
def test_a_score_is_classified_against_baseline(
    instrument: Instrument, baseline: int, score: int, level: ResponseLevel
) -> None:
    result = classify(instrument, baseline, score, policy=POLICY)
    assert result.level is level
    assert result.change_points == baseline - score
    assert result.findings[0].rule_id == f"outcomes.{level.value}"


def test_the_response_finding_quotes_the_numbers() -> None:
    finding = classify(GAD7, 16, 7, policy=POLICY).findings[0]
    assert finding.severity is Severity.INFO
    assert finding.message == "GAD-7 16 at baseline → 7 (56% improvement ≥ 50%): response."


def test_a_clinic_can_raise_the_response_percentage() -> None:
    stricter = dataclasses.replace(POLICY, response_min_improvement_pct=60.0)
    assert classify(GAD7, 16, 8, policy=stricter).level is ResponseLevel.PARTIAL_RESPONSE


@pytest.mark.parametrize(
    ("baseline", "score", "rule_id"),
    [
        (16, 12, "outcomes.gad7_clinically_important_improvement"),
        (16, 13, None),
        (8, 12, "outcomes.gad7_clinically_important_worsening"),
        (8, 11, None),
    ],
)
def test_gad7_changes_of_4_points_are_clinically_important(
    baseline: int, score: int, rule_id: str | None
) -> None:
    extra = [f.rule_id for f in classify(GAD7, baseline, score, policy=POLICY).findings[1:]]
    assert extra == ([rule_id] if rule_id else [])


def test_a_clinically_important_worsening_is_a_caution() -> None:
    worse = classify(GAD7, 8, 13, policy=POLICY).findings[-1]
    assert worse.severity is Severity.CAUTION
    assert "rose 5 points" in worse.message


def test_mcid_is_not_applied_to_phq9() -> None:
    assert len(classify(PHQ9, 20, 10, policy=POLICY).findings) == 1


def test_in_session_ratings_are_not_outcome_measures() -> None:
    with pytest.raises(InvalidInput) as err:
        classify(MOAAS, 5, 3, policy=POLICY)
    assert err.value.field == "instrument"


@pytest.mark.parametrize(
    ("baseline", "score", "field"), [(22, 5, "baseline"), (10, -1, "score"), (0, 0, "baseline")]
)
def test_scores_outside_the_range_or_a_zero_baseline_are_refused(
    baseline: int, score: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        classify(GAD7, baseline, score, policy=POLICY)
    assert err.value.field == field


@given(st.integers(1, 21), st.integers(0, 20))
def test_a_lower_score_never_classifies_worse(baseline: int, score: int) -> None:
    order = list(reversed(ResponseLevel))  # NO_RESPONSE … REMISSION
    higher = classify(GAD7, baseline, score + 1, policy=POLICY).level
    lower = classify(GAD7, baseline, score, policy=POLICY).level
    assert order.index(lower) >= order.index(higher)


# --- Policy -------------------------------------------------------------------------------------


def test_published_defaults() -> None:
    p = OutcomesPolicy()
    assert (p.response_min_improvement_pct, p.partial_response_min_improvement_pct) == (50.0, 30.0)
    assert (p.early_improvement_pct, p.gad7_mcid_points) == (20.0, 4)
    assert (p.remission_below_score, p.remission_requires_baseline_at_least) == (5, 10)
    assert (p.pcl5_provisional_ptsd_at, p.phq9_item9_alert_at) == (33, 1)
    assert (p.relapse_consecutive_measurements, p.non_response_after_session) == (2, 4)


def test_the_relapse_definition_needs_prescriber_confirmation_and_response_does_not() -> None:
    assert threshold_info(
        OutcomesPolicy, "relapse_consecutive_measurements"
    ).needs_prescriber_confirmation
    assert not threshold_info(
        OutcomesPolicy, "response_min_improvement_pct"
    ).needs_prescriber_confirmation


def test_the_pcl5_cut_off_may_only_move_within_31_to_33() -> None:
    info = threshold_info(OutcomesPolicy, "pcl5_provisional_ptsd_at")
    assert (info.minimum, info.maximum) == (31, 33)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"partial_response_min_improvement_pct": 50.0},
            "outcomes.partial_response_min_improvement_pct",
        ),
        ({"early_improvement_pct": 35.0}, "outcomes.early_improvement_pct"),
    ],
)
def test_incoherent_percentages_are_refused(overrides: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        dataclasses.replace(POLICY, **overrides)
    assert err.value.field == field
