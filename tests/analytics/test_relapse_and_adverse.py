"""Time to relapse (Kaplan–Meier) and adverse-event rates per 100 sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from ketacare.analytics import (
    OutcomeDefinitions,
    adverse_event_rates,
    kaplan_meier,
    relapse_after_loading,
    route_groups,
)
from ketacare.simulation import simulate_cohort


def sessions_frame(rows: list[tuple[int, int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["patient_id", "session_number", "day", "phase"])


SESSIONS = sessions_frame(
    [
        (1, 1, 0, "loading"),
        (1, 2, 2, "loading"),
        (2, 1, 0, "loading"),
        (2, 2, 2, "loading"),
        (2, 3, 20, "booster"),
    ]
)
NAN = float("nan")
SCORES = pd.DataFrame(
    [
        # Patient 1: responder (16 → 6); check-ins 7, 9 (lost), 10 (lost: relapse on day 10).
        (1, 0, 0, "GAD-7", 16),
        (1, 3, 2, "GAD-7", 6),
        (1, 7, NAN, "GAD-7", 7),
        (1, 10, NAN, "GAD-7", 9),
        (1, 14, NAN, "GAD-7", 10),
        # Patient 2: responder; one lost check-in, recovered; booster on day 20 censors (day 16).
        (2, 0, 0, "GAD-7", 12),
        (2, 3, 2, "GAD-7", 5),
        (2, 9, NAN, "GAD-7", 8),
        (2, 16, NAN, "GAD-7", 5),
        (2, 23, NAN, "GAD-7", 11),
    ],
    columns=["patient_id", "day", "session_number", "instrument", "score"],
)


def test_relapse_needs_two_consecutive_check_ins_without_response() -> None:
    d = relapse_after_loading(SCORES, SESSIONS).durations.set_index("patient_id")
    assert bool(d.loc[1, "relapsed"]) and d.loc[1, "duration_days"] == 8  # day 10 − day 2


def test_follow_up_is_censored_at_the_last_check_in_before_the_first_booster() -> None:
    d = relapse_after_loading(SCORES, SESSIONS).durations.set_index("patient_id")
    assert not bool(d.loc[2, "relapsed"]) and d.loc[2, "duration_days"] == 14  # day 16 − 2


def test_a_single_check_in_counts_when_the_policy_asks_for_one() -> None:
    d = relapse_after_loading(
        SCORES, SESSIONS, definitions=OutcomeDefinitions(relapse_confirmations=1)
    ).durations
    assert d.set_index("patient_id").loc[2, "duration_days"] == 7  # day 9


def test_non_responders_at_the_end_of_loading_are_not_at_risk_of_relapse() -> None:
    scores = SCORES.copy()
    scores.loc[(scores["patient_id"] == 1) & (scores["session_number"] == 2), "score"] = 9
    d = relapse_after_loading(scores, SESSIONS).durations
    assert list(d["patient_id"]) == [2]


def test_numpy_product_limit_matches_lifelines() -> None:
    rng = np.random.default_rng(0)
    t = rng.integers(1, 40, 500).astype(float)
    e = rng.random(500) < 0.7
    ours = kaplan_meier(t, e)
    kmf = KaplanMeierFitter().fit(t, e)
    theirs = kmf.survival_function_.iloc[1:, 0].to_numpy()  # lifelines adds time 0
    np.testing.assert_allclose(ours.survival, theirs)
    assert ours.median() == kmf.median_survival_time_


def test_relapse_curves_have_bands_around_the_estimate_per_route() -> None:
    c = simulate_cohort(1500, 31)
    fig = relapse_after_loading(c.scores, c.sessions, groups=route_groups(c.sessions))
    assert set(fig.curves["group"]) == {"iv", "im", "esketamine_nasal", "sublingual"}
    assert (fig.curves["ci_low"] <= fig.curves["survival"] + 1e-12).all()
    assert (fig.curves["survival"] <= fig.curves["ci_high"] + 1e-12).all()
    assert "Kaplan–Meier" in fig.definition and "consecutive" not in fig.title


def test_adverse_event_rates_are_per_100_sessions_with_intervals() -> None:
    sessions = pd.DataFrame(
        {
            "route": ["iv"] * 4 + ["im"] * 2,
            "nausea": [True, False, False, False, True, True],
            "dissociation": [False] * 6,
            "sedation": [True] * 6,
            "large_bp_rise": [False] * 6,
        }
    )
    t = adverse_event_rates(sessions).table.set_index(["group", "event"])
    assert t.loc[("iv", "nausea"), "per_100_sessions"] == 25.0
    assert t.loc[("im", "nausea"), "per_100_sessions"] == 100.0
    assert t.loc[("iv", "dissociation"), "ci_low"] == 0.0
    assert t.loc[("iv", "dissociation"), "ci_high"] > 0.0


def test_adverse_event_rates_name_a_missing_column() -> None:
    with pytest.raises(ValueError, match="nausea"):
        adverse_event_rates(pd.DataFrame({"route": ["iv"]}), events=("nausea",))
