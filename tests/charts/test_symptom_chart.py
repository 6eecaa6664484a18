"""The symptom chart: bands from the policy (both sides of each threshold), session markers,
an accessible name, nothing without scores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ketacare.charts.symptoms import SymptomPoint, bands_for, symptom_chart
from ketacare.domain.outcomes import OutcomesPolicy

START = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _points(*totals: int) -> list[SymptomPoint]:
    return [SymptomPoint(START + timedelta(days=7 * i), t) for i, t in enumerate(totals)]


@pytest.mark.parametrize(
    ("baseline", "pct", "response_at"),
    [(20, 50.0, 10.0), (15, 50.0, 7.5), (20, 40.0, 12.0)],
)
def test_the_response_line_is_the_policy_percentage_below_the_baseline(
    baseline, pct, response_at
) -> None:  # type: ignore[no-untyped-def]
    policy = replace(OutcomesPolicy(), response_min_improvement_pct=pct)
    assert bands_for(baseline, policy).response_at_or_below == response_at


@pytest.mark.parametrize(("baseline", "applies"), [(9, False), (10, True), (11, True)])
def test_remission_applies_only_from_the_policy_baseline(baseline, applies) -> None:  # type: ignore[no-untyped-def]
    bands = bands_for(baseline, OutcomesPolicy())
    assert (bands.remission_below == 5) is applies
    assert (bands.remission_below is None) is not applies


def test_a_clinic_remission_cutoff_is_drawn_as_its_policy_says() -> None:
    policy = replace(OutcomesPolicy(), remission_below_score=7)
    svg = symptom_chart("phq9", _points(18, 12, 6), [], policy)
    assert svg is not None and "remission (&lt; 7)" in svg


def test_the_chart_marks_each_session_and_names_itself() -> None:
    sessions = [START + timedelta(days=d) for d in (3, 10)]
    svg = symptom_chart("gad7", _points(16, 11, 7), sessions, OutcomesPolicy())
    assert svg is not None
    assert svg.startswith('<svg role="img" aria-label="GAD-7 over time: 3 scores, 2 sessions"')
    assert "treatment session" in svg
    assert "response (≥ 50% below baseline 16)" in svg


def test_no_scores_no_chart() -> None:
    assert symptom_chart("gad7", [], [START], OutcomesPolicy()) is None
