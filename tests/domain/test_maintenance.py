"""Maintenance: booster timing from the symptom trend and symptom check-in intervals."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.instruments import GAD7, PCL5, PHQ9
from ketacare.domain.maintenance import MaintenancePolicy, booster_due
from ketacare.domain.thresholds import threshold_info
from ketacare.domain.trajectories import Measurement

POLICY = MaintenancePolicy()
LOADED = date(2026, 2, 20)


def post(score: int) -> Measurement:
    return Measurement(LOADED, score)


def on(day: int, score: int) -> Measurement:
    """A check-in `day` days after the post-loading score."""
    return Measurement(LOADED + timedelta(days=day), score)


def rule_ids(findings: tuple[object, ...]) -> list[str]:
    return [f.rule_id for f in findings]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("post_loading", "latest", "due"),
    [
        (5, 8, False),  # +3, below 10
        (5, 9, True),  # +4
        (7, 9, False),  # +2, below 10
        (7, 10, True),  # returns to 10 (+3)
        (0, 3, False),
        (0, 4, True),
        (12, 15, False),  # post-loading already ≥ 10: only the rise counts
        (12, 16, True),
        (12, 12, False),
        (9, 9, False),
    ],
)
def test_a_booster_is_due_on_a_4_point_rise_or_a_return_to_10(
    post_loading: int, latest: int, due: bool
) -> None:
    result = booster_due(
        GAD7, post(post_loading), [on(10, latest)], LOADED + timedelta(days=10), policy=POLICY
    )
    assert result.due is due
    assert ("maintenance.booster_due" in rule_ids(result.findings)) is due
    assert ("maintenance.booster_not_due" in rule_ids(result.findings)) is not due


def test_the_booster_finding_quotes_the_numbers_and_the_window() -> None:
    result = booster_due(
        GAD7, post(5), [Measurement(date(2026, 3, 2), 10)], date(2026, 3, 2), policy=POLICY
    )
    assert (result.earliest, result.latest) == (date(2026, 3, 2), date(2026, 3, 9))
    finding = result.findings[-1]
    assert finding.severity is Severity.REVIEW
    assert finding.message == (
        "GAD-7 rose from 5 after loading to 10 on 2026-03-02 (+5 ≥ 4 points; ≥ 10): "
        "a booster is due between 2026-03-02 and 2026-03-09."
    )


def test_the_window_starts_at_the_first_of_the_consecutive_triggering_check_ins() -> None:
    result = booster_due(
        GAD7, post(5), [on(7, 6), on(10, 9), on(12, 11)], LOADED + timedelta(12), policy=POLICY
    )
    assert result.trigger == on(10, 9)
    assert result.earliest == LOADED + timedelta(days=10)
    assert result.latest == LOADED + timedelta(days=17)


def test_an_earlier_rise_that_has_settled_does_not_make_a_booster_due() -> None:
    result = booster_due(
        GAD7, post(5), [on(7, 10), on(10, 6)], LOADED + timedelta(10), policy=POLICY
    )
    assert not result.due and result.trigger is None and result.earliest is None
    assert "back to 6" in result.findings[-1].message


def test_a_rise_after_a_settled_one_starts_a_new_window() -> None:
    result = booster_due(
        GAD7, post(5), [on(3, 10), on(6, 6), on(9, 9)], LOADED + timedelta(9), policy=POLICY
    )
    assert result.trigger == on(9, 9)


@pytest.mark.parametrize(("days_after_window", "overdue"), [(0, False), (1, True)])
def test_a_booster_not_given_by_the_end_of_the_window_is_overdue(
    days_after_window: int, overdue: bool
) -> None:
    today = LOADED + timedelta(days=3 + 7 + days_after_window)
    result = booster_due(GAD7, post(5), [on(3, 10)], today, policy=POLICY)
    assert result.due and result.overdue is overdue
    assert ("overdue" in result.findings[-1].message) is overdue


def test_a_clinic_can_set_the_booster_window() -> None:
    policy = dataclasses.replace(
        POLICY, booster_window_earliest_days=2, booster_window_latest_days=5
    )
    result = booster_due(GAD7, post(5), [on(3, 10)], LOADED + timedelta(3), policy=policy)
    assert (result.earliest, result.latest) == (LOADED + timedelta(5), LOADED + timedelta(8))


def test_a_post_loading_score_already_at_10_is_a_caution_to_review_the_plan() -> None:
    result = booster_due(GAD7, post(10), [], LOADED, policy=POLICY)
    assert rule_ids(result.findings)[0] == "maintenance.post_loading_not_below_return"
    assert result.findings[0].severity is Severity.CAUTION


@pytest.mark.parametrize(("days_since_check_in", "overdue"), [(18, False), (19, True)])
def test_a_symptom_check_in_is_due_every_18_days(days_since_check_in: int, overdue: bool) -> None:
    today = LOADED + timedelta(days=4 + days_since_check_in)
    result = booster_due(GAD7, post(5), [on(4, 6)], today, policy=POLICY)
    assert result.check_in_by == LOADED + timedelta(days=22)
    assert ("maintenance.check_in_overdue" in rule_ids(result.findings)) is overdue


def test_without_check_ins_the_interval_counts_from_the_post_loading_score() -> None:
    result = booster_due(GAD7, post(5), [], LOADED + timedelta(days=19), policy=POLICY)
    assert not result.due
    assert "maintenance.check_in_overdue" in rule_ids(result.findings)


def test_phq9_uses_the_same_booster_rule() -> None:
    assert booster_due(PHQ9, post(6), [on(5, 10)], LOADED + timedelta(5), policy=POLICY).due


@given(
    st.integers(0, 21),
    st.lists(st.integers(0, 40), min_size=0, max_size=10, unique=True),
    st.integers(0, 30),
)
def test_a_booster_is_never_due_while_scores_stay_at_the_post_loading_level(
    level: int, days: list[int], extra_days: int
) -> None:
    check_ins = [on(d, level) for d in sorted(days)]
    today = LOADED + timedelta(days=max(days, default=0) + extra_days)
    result = booster_due(GAD7, post(level), check_ins, today, policy=POLICY)
    assert not result.due
    assert Severity.REVIEW not in {f.severity for f in result.findings}


@given(st.integers(0, 21), st.integers(0, 20))
def test_a_higher_latest_score_is_never_less_due(post_loading: int, latest: int) -> None:
    today = LOADED + timedelta(days=5)
    lower = booster_due(GAD7, post(post_loading), [on(5, latest)], today, policy=POLICY)
    higher = booster_due(GAD7, post(post_loading), [on(5, latest + 1)], today, policy=POLICY)
    assert higher.due or not lower.due


@pytest.mark.parametrize(
    ("instrument", "check_ins", "today", "field"),
    [
        (PCL5, [], LOADED, "instrument"),
        (GAD7, [on(3, 22)], LOADED + timedelta(3), "recent[0].score"),
        (GAD7, [on(5, 6), on(3, 6)], LOADED + timedelta(5), "recent[1].when"),
        (GAD7, [on(-1, 6)], LOADED, "recent[0].when"),
        (GAD7, [on(6, 6)], LOADED + timedelta(5), "recent"),
    ],
)
def test_invalid_booster_input_is_refused(
    instrument: object, check_ins: list[Measurement], today: date, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        booster_due(instrument, post(5), check_ins, today, policy=POLICY)  # type: ignore[arg-type]
    assert err.value.field == field


def test_defaults_and_which_need_prescriber_confirmation() -> None:
    p = MaintenancePolicy()
    assert (p.booster_rise_points, p.booster_return_score) == (4, 10)
    assert (p.booster_window_earliest_days, p.booster_window_latest_days) == (0, 7)
    assert p.review_within_days == 18
    for name in (
        "booster_rise_points",
        "booster_return_score",
        "booster_window_latest_days",
        "tolerance_min_decline_points",
        "max_sessions_per_30_days",
        "max_iv_equivalent_mg_per_kg_per_30_days",
    ):
        assert threshold_info(MaintenancePolicy, name).needs_prescriber_confirmation, name
    for name in ("review_within_days",):
        assert not threshold_info(MaintenancePolicy, name).needs_prescriber_confirmation, name


def test_a_window_that_closes_before_it_opens_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        dataclasses.replace(POLICY, booster_window_earliest_days=8)
    assert err.value.field == "maintenance.booster_window_earliest_days"
