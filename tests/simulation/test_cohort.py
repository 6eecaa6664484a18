"""The synthetic cohort: shapes, ranges, determinism and vectorised speed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from ketacare.domain.routes import Route
from ketacare.simulation import (
    CohortConfig,
    FixedIntervalBoosters,
    SymptomTriggeredBoosters,
    simulate_cohort,
)


@pytest.fixture(scope="module")
def cohort():  # type: ignore[no-untyped-def]
    return simulate_cohort(2000, 11)


def test_same_seed_gives_identical_tables() -> None:
    a, b = simulate_cohort(500, 3), simulate_cohort(500, 3)
    pd.testing.assert_frame_equal(a.patients, b.patients)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.sessions, b.sessions)


def test_a_generator_can_be_passed_instead_of_a_seed() -> None:
    a = simulate_cohort(300, np.random.default_rng(9))
    b = simulate_cohort(300, 9)
    pd.testing.assert_frame_equal(a.scores, b.scores)


def test_different_seeds_give_different_cohorts() -> None:
    assert not simulate_cohort(300, 1).scores.equals(simulate_cohort(300, 2).scores)


def test_scores_are_integers_within_each_scale(cohort) -> None:  # type: ignore[no-untyped-def]
    s = cohort.scores
    gad = s[s["instrument"] == "GAD-7"]["score"]
    phq = s[s["instrument"] == "PHQ-9"]["score"]
    assert gad.between(0, 21).all() and phq.between(0, 27).all()
    assert np.issubdtype(s["score"].dtype, np.integer)


def test_every_patient_has_one_baseline_per_instrument_on_day_0(cohort) -> None:  # type: ignore[no-untyped-def]
    base = cohort.scores[cohort.scores["session_number"] == 0]
    assert len(base) == 2 * len(cohort.patients)
    assert (base["day"] == 0).all()


def test_routes_use_the_domain_route_strings(cohort) -> None:  # type: ignore[no-untyped-def]
    assert set(cohort.patients["route"].astype(str)) == {r.value for r in Route}


def test_loading_length_follows_the_route(cohort) -> None:  # type: ignore[no-untyped-def]
    lengths = cohort.patients.groupby("route", observed=True)["loading_sessions"].unique()
    assert list(lengths["iv"]) == [6] and list(lengths["esketamine_nasal"]) == [8]
    assert list(lengths["sublingual"]) == [4]


def test_esketamine_doses_are_28_56_or_84_mg(cohort) -> None:  # type: ignore[no-untyped-def]
    esk = cohort.sessions[cohort.sessions["route"] == "esketamine_nasal"]
    assert set(esk["dose_mg"].unique()) <= {28.0, 56.0, 84.0}


def test_iv_doses_stay_within_0_5_to_0_75_mg_per_kg(cohort) -> None:  # type: ignore[no-untyped-def]
    iv = cohort.sessions[cohort.sessions["route"] == "iv"]
    assert iv["iv_equivalent_mg_per_kg"].between(0.49, 0.76).all()


def test_the_natural_course_has_no_boosters_and_weekly_check_ins(cohort) -> None:  # type: ignore[no-untyped-def]
    assert (cohort.sessions["phase"] == "loading").all()
    checkins = cohort.scores[cohort.scores["session_number"].isna()]
    assert len(checkins) == 2 * len(cohort.patients) * (84 // 7)


def test_fixed_boosters_come_every_interval_to_end_of_loading_responders() -> None:
    c = simulate_cohort(400, 5, policy=FixedIntervalBoosters(14))
    boosters = c.sessions[c.sessions["phase"] == "booster"]
    assert len(boosters) > 0
    gaps = boosters.groupby("patient_id")["day"].diff().dropna()
    assert (gaps == 14).all()


def test_symptom_triggered_boosters_follow_a_check_in_that_worsened() -> None:
    c = simulate_cohort(1000, 6, policy=SymptomTriggeredBoosters())
    boosters = c.sessions[c.sessions["phase"] == "booster"]
    assert len(boosters) > 0
    gad = c.scores[(c.scores["instrument"] == "GAD-7") & c.scores["session_number"].isna()]
    same_day = boosters.merge(gad, on=["patient_id", "day"])
    assert len(same_day) == len(boosters)  # each booster is on a check-in day (delay 0)


def test_tolerance_shrinks_the_gain_of_later_sessions() -> None:
    from ketacare.simulation.loading import benefit_after

    depth, speed = np.array([0.9]), np.array([3.0])
    plain = benefit_after(np.arange(1, 11), depth, speed, np.array([0.0]))
    tolerant = benefit_after(np.arange(1, 11), depth, speed, np.array([0.2]))
    assert (np.diff(tolerant) < np.diff(plain)).all()
    assert tolerant[0] == pytest.approx(plain[0])


def test_100000_patients_generate_in_seconds() -> None:
    start = time.perf_counter()
    c = simulate_cohort(100_000, 1, config=CohortConfig(followup_days=28))
    # Typically 2–4 s; the bound leaves room for a shared, busy 2-core machine.
    assert time.perf_counter() - start < 12.0
    assert c.patients.shape[0] == 100_000


def test_zero_patients_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        simulate_cohort(0, 1)
