"""The generator reproduces its targets within the tolerances docs/simulation.md states."""

from __future__ import annotations

import pandas as pd
import pytest

from ketacare.simulation.calibration import proportion_tolerance, run_calibration, targets


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return run_calibration(n_patients=3000, seed=77)


@pytest.mark.parametrize("key", [t.key for t in targets() if t.calibrated])
def test_measured_figure_is_within_its_documented_tolerance(table: pd.DataFrame, key: str) -> None:
    row = table.set_index("key").loc[key]
    assert row["accept_low"] <= row["measured"] <= row["accept_high"], (
        f"{row['figure']}: measured {row['measured']:.3f}, accepted "
        f"{row['accept_low']:.3f}–{row['accept_high']:.3f}"
    )


def test_every_target_names_its_source_and_a_published_value_inside_its_tolerance() -> None:
    for t in targets():
        assert t.source and t.low <= t.published <= t.high


def test_proportion_tolerance_is_at_least_five_points_either_side() -> None:
    low, high = proportion_tolerance(500, 1000)
    assert low == pytest.approx(0.45) and high == pytest.approx(0.55)


def test_proportion_tolerance_uses_the_study_interval_when_wider() -> None:
    low, high = proportion_tolerance(17, 24)
    assert low < 0.55 and high > 0.80
