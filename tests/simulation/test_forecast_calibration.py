"""Forecast calibration on held-out synthetic courses: the forecast beats a no-skill baseline
at every landmark, and the priors reproduce the study-shaped cohorts they were derived from."""

from __future__ import annotations

from ketacare.simulation.forecast_calibration import calibrate, format_report


def test_on_a_small_held_out_cohort_the_forecast_beats_the_no_skill_brier_score() -> None:
    report = calibrate(3000, seed=11)
    assert {s.landmark for s in report.scores} == {0, 1, 2}
    for score in report.scores:
        assert score.brier < score.brier_no_skill, score
    # Improvement so far is the strongest signal: skill grows once scores are observed.
    skill = {(s.landmark, s.by_session): s.skill for s in report.scores}
    assert skill[(2, 6)] > skill[(0, 6)]
    table = report.reliability_by_12
    assert len(table) == 10 and (abs(table.mean_predicted - table.observed) < 0.15).all()
    assert "| decile |" in format_report(report)


def test_the_priors_forecast_what_the_generator_measures_for_oliver_and_hull() -> None:
    report = calibrate(1000, seed=12)
    for check in report.prior_checks:
        assert abs(check.priors - check.generator_by) < 0.05, check
        assert abs(check.generator_at - check.published) < 0.06, check
