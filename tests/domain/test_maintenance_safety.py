"""Maintenance safety: tolerance, overuse, urinary symptoms, misuse, benzodiazepine load."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.instruments import GAD7
from ketacare.domain.maintenance import MaintenancePolicy
from ketacare.domain.maintenance_safety import (
    DosedSession,
    MisuseSign,
    SessionBenefit,
    UrinarySymptom,
    benzodiazepine_load,
    maintenance_visit_screen,
    misuse_signs,
    overuse,
    tolerance,
    urinary_symptoms,
)
from ketacare.domain.screening_policy import ScreeningPolicy

POLICY = MaintenancePolicy()
# The visit re-checks the screening section's limit (one home for the 8 mg threshold).
BENZO_LIMIT = ScreeningPolicy().benzodiazepine_diazepam_eq_mg_per_day_limit
TODAY = date(2026, 4, 30)


def benefits(*points: int) -> list[SessionBenefit]:
    """Sessions a week apart, each with pre-score 15 and the given benefit."""
    return [
        SessionBenefit(date(2026, 1, 1) + timedelta(weeks=i), 15, 15 - b, i + 7)
        for i, b in enumerate(points)
    ]


# --- Tolerance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "detected"),
    [((8, 6, 4, 2), True), ((6, 5, 4, 3), False), ((5, 5, 5, 5), False), ((2, 4, 6, 8), False)],
)
def test_a_shrinking_benefit_per_session_suggests_tolerance(
    points: tuple[int, ...], detected: bool
) -> None:
    result = tolerance(GAD7, benefits(*points), policy=POLICY)
    assert result.detected is detected
    assert result.findings[0].severity is (Severity.REVIEW if detected else Severity.INFO)


@pytest.mark.parametrize(("points", "detected"), [((5, 3, 1), True), ((5, 3, 2), False)])
def test_tolerance_is_flagged_at_exactly_the_decline_threshold(
    points: tuple[int, ...], detected: bool
) -> None:
    policy = dataclasses.replace(POLICY, tolerance_window_sessions=3)
    result = tolerance(GAD7, benefits(*points), policy=policy)
    assert result.decline_points == pytest.approx(4.0 if detected else 3.0)
    assert result.detected is detected


def test_only_the_most_recent_sessions_are_judged() -> None:
    result = tolerance(GAD7, benefits(0, 0, 8, 6, 4, 2), policy=POLICY)
    assert result.detected
    assert [s.benefit_points for s in result.window] == [8, 6, 4, 2]
    assert "+8, +6, +4, +2" in result.findings[0].message


def test_too_few_sessions_cannot_show_tolerance() -> None:
    result = tolerance(GAD7, benefits(8, 2, 0), policy=POLICY)
    assert not result.detected and result.decline_points is None
    assert "too few" in result.findings[0].message


def test_tolerance_refuses_scores_out_of_range_and_sessions_out_of_order() -> None:
    with pytest.raises(InvalidInput) as err:
        tolerance(GAD7, [SessionBenefit(TODAY, 22, 10)], policy=POLICY)
    assert err.value.field == "sessions[0].pre_score"
    with pytest.raises(InvalidInput) as err:
        tolerance(GAD7, list(reversed(benefits(1, 2))), policy=POLICY)
    assert err.value.field == "sessions[1].day"


@given(st.lists(st.integers(0, 15), min_size=4, max_size=10))
def test_a_steady_or_growing_benefit_is_never_tolerance(points: list[int]) -> None:
    steady = sorted(points)  # non-decreasing benefit
    assert not tolerance(GAD7, benefits(*steady), policy=POLICY).detected


# --- Overuse ------------------------------------------------------------------------------------


def sessions_before(*days_ago: int, dose: float | None = 0.5) -> list[DosedSession]:
    return [DosedSession(TODAY - timedelta(days=d), dose) for d in sorted(days_ago, reverse=True)]


@pytest.mark.parametrize(("count", "flagged"), [(5, False), (6, True)])
def test_more_than_5_sessions_in_30_days_needs_review(count: int, flagged: bool) -> None:
    result = overuse(sessions_before(*range(0, count * 5, 5)), TODAY, policy=POLICY)
    assert result.sessions_in_window == count
    ids = [f.rule_id for f in result.findings]
    assert ("maintenance.overuse_session_frequency" in ids) is flagged
    assert result.exceeded is flagged


@pytest.mark.parametrize(("days_ago", "counted"), [(29, True), (30, False)])
def test_the_window_is_the_30_days_ending_today(days_ago: int, counted: bool) -> None:
    result = overuse(sessions_before(days_ago), TODAY, policy=POLICY)
    assert result.sessions_in_window == (1 if counted else 0)


@pytest.mark.parametrize(("dose", "flagged"), [(1.0, False), (1.01, True)])
def test_a_cumulative_dose_above_5_mg_per_kg_iv_equivalent_needs_review(
    dose: float, flagged: bool
) -> None:
    result = overuse(sessions_before(0, 7, 14, 21, 28, dose=dose), TODAY, policy=POLICY)
    assert [f.rule_id for f in result.findings] == (
        ["maintenance.overuse_cumulative_dose"] if flagged else []
    )
    assert result.exceeded is flagged


def test_unknown_doses_make_the_cumulative_dose_a_lower_bound() -> None:
    result = overuse(
        [DosedSession(TODAY, 1.0), DosedSession(TODAY - timedelta(days=7))], TODAY, policy=POLICY
    )
    assert result.sessions_without_dose == 1
    assert result.cumulative_iv_equivalent_mg_per_kg == 1.0
    assert (
        result.findings[0].severity is Severity.INFO and "lower bound" in result.findings[0].message
    )
    assert not result.exceeded


@pytest.mark.parametrize(
    ("session", "field"),
    [
        (DosedSession(TODAY + timedelta(days=1), 0.5), "sessions[0].day"),
        (DosedSession(TODAY, -0.5), "sessions[0].iv_equivalent_mg_per_kg"),
        (DosedSession(TODAY, float("nan")), "sessions[0].iv_equivalent_mg_per_kg"),
    ],
)
def test_future_sessions_and_negative_doses_are_refused(session: DosedSession, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        overuse([session], TODAY, policy=POLICY)
    assert err.value.field == field


# --- Visit screens ------------------------------------------------------------------------------


@pytest.mark.parametrize("symptom", list(UrinarySymptom))
def test_any_urinary_symptom_needs_review(symptom: UrinarySymptom) -> None:
    (finding,) = urinary_symptoms({symptom})
    assert (finding.rule_id, finding.severity) == ("maintenance.urinary_symptoms", Severity.REVIEW)
    assert symptom.value.replace("_", " ") in finding.message


def test_no_urinary_symptoms_no_finding() -> None:
    assert urinary_symptoms(set()) == ()


@pytest.mark.parametrize("sign", list(MisuseSign))
def test_any_sign_of_misuse_needs_review(sign: MisuseSign) -> None:
    (finding,) = misuse_signs([sign])
    assert (finding.rule_id, finding.severity) == ("maintenance.misuse_signs", Severity.REVIEW)


def test_no_misuse_signs_no_finding() -> None:
    assert misuse_signs([]) == ()


@pytest.mark.parametrize(("mg", "flagged"), [(0.0, False), (8.0, False), (8.5, True), (20.0, True)])
def test_a_benzodiazepine_load_above_8_mg_diazepam_equivalent_needs_review(
    mg: float, flagged: bool
) -> None:
    findings = benzodiazepine_load(mg, limit_mg_per_day=BENZO_LIMIT)
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].severity is Severity.REVIEW
        assert f"{mg:g} mg diazepam-equivalent/day (> 8)" in findings[0].message


def test_a_negative_benzodiazepine_load_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        benzodiazepine_load(-1, limit_mg_per_day=BENZO_LIMIT)
    assert err.value.field == "diazepam_eq_mg_per_day"


def test_the_visit_screen_combines_the_three_questions() -> None:
    findings = maintenance_visit_screen(
        {UrinarySymptom.HAEMATURIA},
        [MisuseSign.EARLIER_SESSION_REQUESTED],
        10,
        benzodiazepine_limit_mg_per_day=BENZO_LIMIT,
    )
    assert [f.rule_id for f in findings] == [
        "maintenance.urinary_symptoms",
        "maintenance.misuse_signs",
        "maintenance.benzodiazepine_load",
    ]
    assert maintenance_visit_screen(set(), [], 2, benzodiazepine_limit_mg_per_day=BENZO_LIMIT) == ()
