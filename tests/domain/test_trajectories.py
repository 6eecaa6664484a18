"""Trajectories: state, first response and remission, relapse events, slope."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.instruments import GAD7, PCL5
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.domain.trajectories import Measurement, TrajectoryState, trajectory

POLICY = OutcomesPolicy()
START = date(2026, 1, 5)


def series(*scores: int, sessions: bool = True) -> list[Measurement]:
    """One measurement every 3 days; the first is the baseline (session 0)."""
    return [
        Measurement(START + timedelta(days=3 * i), s, i if sessions else None)
        for i, s in enumerate(scores)
    ]


def state_of(*scores: int, policy: OutcomesPolicy = POLICY) -> TrajectoryState:
    return trajectory(GAD7, series(*scores), policy=policy).state


@pytest.mark.parametrize(
    ("scores", "state"),
    [
        ((16,), TrajectoryState.NOT_STARTED),
        ((0, 3), TrajectoryState.NOT_MEASURABLE),
        ((16, 14), TrajectoryState.NOT_IMPROVING),  # 12.5% < 20%
        ((15, 12), TrajectoryState.IMPROVING),  # 20%
        ((20, 14), TrajectoryState.PARTIAL_RESPONDER),  # 30%
        ((16, 9), TrajectoryState.PARTIAL_RESPONDER),  # 43.75%
        ((16, 8), TrajectoryState.RESPONDER),  # 50%
        ((16, 4), TrajectoryState.REMITTER),
        ((9, 4), TrajectoryState.RESPONDER),  # baseline < 10: no remission
    ],
)
def test_the_current_state_follows_the_latest_score(
    scores: tuple[int, ...], state: TrajectoryState
) -> None:
    assert state_of(*scores) is state


def test_no_early_improvement_by_session_4_is_likely_non_response() -> None:
    result = trajectory(GAD7, series(16, 16, 15, 15, 14), policy=POLICY)
    assert result.state is TrajectoryState.NON_RESPONDER
    finding = result.findings[-1]
    assert (finding.rule_id, finding.severity) == ("outcomes.likely_non_response", Severity.REVIEW)
    assert "by session 4" in finding.message


def test_without_early_improvement_at_session_3_it_is_too_early_to_call() -> None:
    assert state_of(16, 16, 15, 14) is TrajectoryState.NOT_IMPROVING


def test_without_session_numbers_non_response_is_never_called() -> None:
    result = trajectory(GAD7, series(16, 16, 16, 16, 16, 16, sessions=False), policy=POLICY)
    assert result.state is TrajectoryState.NOT_IMPROVING


def test_summary_reports_baseline_latest_best_and_first_response_and_remission() -> None:
    result = trajectory(GAD7, series(16, 12, 8, 4, 6), policy=POLICY)
    assert (result.baseline.score, result.latest.score, result.best.score) == (16, 6, 4)
    assert result.change_points == 10
    assert result.improvement_pct == pytest.approx(62.5)
    assert result.best_improvement_pct == pytest.approx(75.0)
    assert result.first_response is not None and result.first_response.session_number == 2
    assert result.first_remission is not None and result.first_remission.session_number == 3
    assert result.state is TrajectoryState.RESPONDER
    assert result.relapses == ()


def test_one_measurement_below_response_after_a_response_is_losing_response_not_relapse() -> None:
    result = trajectory(GAD7, series(16, 8, 10), policy=POLICY)
    assert result.state is TrajectoryState.LOSING_RESPONSE
    assert result.relapses == ()
    assert result.findings[0].rule_id == "outcomes.losing_response"
    assert result.findings[0].severity is Severity.CAUTION


def test_two_consecutive_measurements_below_response_are_a_relapse() -> None:
    result = trajectory(GAD7, series(16, 8, 10, 11), policy=POLICY)
    assert result.state is TrajectoryState.RELAPSED
    (event,) = result.relapses
    assert (event.last_response.score, event.lost_at.score, event.confirmed_at.score) == (8, 10, 11)
    assert event.lost_at.day == START + timedelta(days=6)
    relapse = [f for f in result.findings if f.rule_id == "outcomes.relapse"]
    assert relapse[0].severity is Severity.REVIEW
    assert "to be confirmed by a prescriber" in relapse[0].message


def test_a_regained_response_before_confirmation_is_not_a_relapse() -> None:
    result = trajectory(GAD7, series(16, 8, 10, 7), policy=POLICY)
    assert result.state is TrajectoryState.RESPONDER
    assert result.relapses == ()


def test_a_clinic_may_call_relapse_on_the_first_loss() -> None:
    eager = dataclasses.replace(POLICY, relapse_consecutive_measurements=1)
    result = trajectory(GAD7, series(16, 8, 10), policy=eager)
    assert result.state is TrajectoryState.RELAPSED
    assert result.relapses[0].lost_at is result.relapses[0].confirmed_at


def test_a_relapse_followed_by_a_new_response_stays_on_record_as_history() -> None:
    result = trajectory(GAD7, series(16, 8, 10, 11, 12, 7), policy=POLICY)
    assert result.state is TrajectoryState.RESPONDER
    assert len(result.relapses) == 1
    history = [f for f in result.findings if f.rule_id == "outcomes.relapse"]
    assert history[0].severity is Severity.INFO


def test_relapsed_stays_relapsed_while_only_partly_better() -> None:
    assert state_of(16, 8, 10, 11, 9) is TrajectoryState.RELAPSED


def test_two_relapses_are_two_events() -> None:
    result = trajectory(GAD7, series(16, 8, 12, 12, 7, 11, 11), policy=POLICY)
    assert [e.lost_at.session_number for e in result.relapses] == [2, 5]


def test_slope_is_in_points_per_week() -> None:
    points = [Measurement(START, 16), Measurement(START + timedelta(days=7), 9)]
    assert trajectory(GAD7, points, policy=POLICY).slope_points_per_week == pytest.approx(-7.0)


def test_slope_is_none_when_every_measurement_is_on_the_same_moment() -> None:
    points = [Measurement(START, 16), Measurement(START, 12)]
    assert trajectory(GAD7, points, policy=POLICY).slope_points_per_week is None


def test_dates_and_datetimes_mix_in_one_series() -> None:
    points = [
        Measurement(START, 16),
        Measurement(datetime(2026, 1, 5, 18, 0), 12),
        Measurement(date(2026, 1, 12), 8),
    ]
    assert trajectory(GAD7, points, policy=POLICY).state is TrajectoryState.RESPONDER


def test_a_series_out_of_time_order_is_refused() -> None:
    points = [Measurement(START, 16), Measurement(START - timedelta(days=1), 12)]
    with pytest.raises(InvalidInput) as err:
        trajectory(GAD7, points, policy=POLICY)
    assert err.value.field == "measurements[1].when"


def test_an_empty_series_and_a_score_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidInput):
        trajectory(GAD7, [], policy=POLICY)
    with pytest.raises(InvalidInput) as err:
        trajectory(GAD7, series(16, 22), policy=POLICY)
    assert err.value.field == "measurements[1].score"


def test_pcl5_trajectories_never_reach_remission() -> None:
    result = trajectory(PCL5, series(50, 10, 2), policy=POLICY)
    assert result.state is TrajectoryState.RESPONDER
    assert result.first_remission is None


@given(st.lists(st.integers(0, 21), min_size=1, max_size=12))
def test_any_valid_series_summarises_without_error(scores: list[int]) -> None:
    result = trajectory(GAD7, series(*scores), policy=POLICY)
    assert result.best.score == min(scores[1:] or scores[:1])
    assert result.findings
    if scores[0] > 0 and len(scores) > 1:
        assert result.improvement_pct is not None and result.improvement_pct <= 100
    for event in result.relapses:
        assert event.last_response.day <= event.lost_at.day <= event.confirmed_at.day
