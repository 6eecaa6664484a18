"""Response/remission by session count, sessions to first response, breakdowns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketacare.analytics import (
    OutcomeDefinitions,
    comorbidity_groups,
    response_by_session,
    route_groups,
    sessions_to_first_response,
    wilson_interval,
)
from ketacare.simulation import simulate_cohort


def scores_frame(rows: list[tuple[int, int, float, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["patient_id", "day", "session_number", "instrument", "score"]
    )


# Patient 1: baseline 16 → 9 → 8 (response at session 2, fall of exactly 50%) → 4 (remission).
# Patient 2: baseline 8 → 4 (response; no remission because baseline < 10).
# Patient 3: baseline 12 → 7 (41.7%: no response).
# Patient 4: no baseline → left out.
TABLE = scores_frame(
    [
        (1, 0, 0, "GAD-7", 16),
        (1, 1, 1, "GAD-7", 9),
        (1, 3, 2, "GAD-7", 8),
        (1, 5, 3, "GAD-7", 4),
        (2, 0, 0, "GAD-7", 8),
        (2, 1, 1, "GAD-7", 4),
        (3, 0, 0, "GAD-7", 12),
        (3, 1, 1, "GAD-7", 7),
        (4, 1, 1, "GAD-7", 2),
        (1, 0, 0, "PHQ-9", 20),
        (1, 1, 1, "PHQ-9", 2),
    ]
)


def test_counts_response_at_exactly_half_of_baseline_and_not_just_above() -> None:
    t = response_by_session(TABLE).table.set_index("session_number")
    assert t.loc[1, "n_at_risk"] == 3 and t.loc[1, "responders"] == 1  # only patient 2
    assert t.loc[2, "responders"] == 1  # 16 → 8 is exactly 50%


def test_remission_needs_a_score_below_5_from_a_baseline_of_at_least_10() -> None:
    t = response_by_session(TABLE).table.set_index("session_number")
    assert t.loc[1, "remission_eligible"] == 2  # patients 1 and 3; patient 2's baseline is 8
    assert t.loc[1, "remitters"] == 0
    assert t.loc[3, "remitters"] == 1 and t.loc[3, "remission_rate"] == 1.0


def test_other_instruments_are_ignored() -> None:
    t = response_by_session(TABLE, instrument="PHQ-9").table
    assert list(t["n_at_risk"]) == [1] and list(t["remitters"]) == [1]


def test_rows_carry_wilson_intervals() -> None:
    t = response_by_session(TABLE).table.set_index("session_number")
    low, high = wilson_interval(1, 3)
    assert t.loc[1, "response_ci_low"] == pytest.approx(float(low))
    assert t.loc[1, "response_ci_high"] == pytest.approx(float(high))


def test_the_definition_states_the_thresholds_used() -> None:
    fig = response_by_session(TABLE, definitions=OutcomeDefinitions(response_fall_fraction=0.4))
    assert "40%" in fig.definition and "below 5" in fig.definition
    # With a 40% threshold patients 1 (43.8%) and 3 (41.7%) also respond after session 1.
    assert fig.table.set_index("session_number").loc[1, "responders"] == 3


def test_sessions_to_first_response_counts_each_patient_once() -> None:
    fig = sessions_to_first_response(TABLE)
    t = fig.table.set_index("sessions")
    assert t.loc[1, "patients"] == 1 and t.loc[2, "patients"] == 1
    assert "never responded: 1" in fig.notes  # patient 3


def test_string_patient_ids_work_like_integers() -> None:
    as_text = TABLE.assign(patient_id=TABLE["patient_id"].map(lambda i: f"p{i}"))
    pd.testing.assert_frame_equal(
        response_by_session(as_text).table, response_by_session(TABLE).table
    )


def test_breakdown_by_route_and_comorbidity_partitions_the_patients() -> None:
    c = simulate_cohort(1500, 21)
    overall = response_by_session(c.scores).table.set_index("session_number")
    by_route = response_by_session(c.scores, groups=route_groups(c.sessions)).table
    by_comorbidity = response_by_session(c.scores, groups=comorbidity_groups(c.patients)).table
    for split in (by_route, by_comorbidity):
        summed = split.groupby("session_number")[["n_at_risk", "responders", "remitters"]].sum()
        pd.testing.assert_frame_equal(
            summed, overall[["n_at_risk", "responders", "remitters"]], check_names=False
        )
    assert set(by_comorbidity["group"]) == {
        "anxiety only",
        "with depression",
        "with PTSD",
        "with depression and PTSD",
    }


def test_wilson_interval_matches_a_known_value() -> None:
    low, high = wilson_interval(17, 24)
    assert float(low) == pytest.approx(0.5081, abs=1e-3)
    assert float(high) == pytest.approx(0.8508, abs=1e-3)


def test_wilson_interval_is_nan_for_no_patients_and_refuses_impossible_counts() -> None:
    low, _ = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low[0])
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_definitions_follow_the_clinical_core_policy_defaults() -> None:
    from ketacare.domain.outcomes import OutcomesPolicy

    assert OutcomeDefinitions.from_policy(OutcomesPolicy()) == OutcomeDefinitions()
