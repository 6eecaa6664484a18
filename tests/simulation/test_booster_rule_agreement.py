"""The simulator's vectorised symptom trigger is the clinical core's `booster_due`: for any
post-loading score, check-in score and clinic policy, both say "due" for the same check-ins."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.instruments import GAD7
from ketacare.domain.maintenance import MaintenancePolicy, booster_due
from ketacare.domain.trajectories import Measurement
from ketacare.simulation.followup import SymptomTriggeredBoosters, _triggered

DAY = date(2026, 3, 2)


@given(
    post=st.integers(0, 21),
    check_in=st.integers(0, 21),
    rise=st.integers(2, 8),
    back_to=st.integers(5, 15),
)
def test_the_simulated_trigger_agrees_with_the_core_for_one_check_in(
    post: int, check_in: int, rise: int, back_to: int
) -> None:
    policy = MaintenancePolicy(booster_rise_points=rise, booster_return_score=back_to)
    core = booster_due(
        GAD7,
        Measurement(DAY, post),
        [Measurement(DAY + timedelta(days=7), check_in)],
        DAY + timedelta(days=7),
        policy=policy,
    )
    simulated = _triggered(
        SymptomTriggeredBoosters.from_policy(policy), np.array([check_in]), np.array([post])
    )
    assert bool(simulated[0]) is core.due
