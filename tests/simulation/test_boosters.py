"""Booster-policy comparison on one synthetic cohort."""

from __future__ import annotations

import pandas as pd
import pytest

from ketacare.domain.maintenance import MaintenancePolicy
from ketacare.simulation import SymptomTriggeredBoosters, compare_booster_policies


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compare_booster_policies(3000, 4).set_index("policy")


def test_every_policy_is_compared_on_the_same_maintained_patients(table: pd.DataFrame) -> None:
    assert table["maintained_patients"].nunique() == 1
    assert list(table.index) == [
        "no boosters",
        "every 2 weeks",
        "every 3 weeks",
        "every 4 weeks",
        "symptom-triggered",
    ]


def test_more_frequent_fixed_boosters_use_more_sessions_and_keep_more_remission_days(
    table: pd.DataFrame,
) -> None:
    fixed = table.loc[["every 4 weeks", "every 3 weeks", "every 2 weeks"]]
    assert fixed["sessions_per_patient_year"].is_monotonic_increasing
    assert fixed["remission_days_per_patient_year"].is_monotonic_increasing


def test_fixed_every_2_weeks_uses_about_26_sessions_a_year(table: pd.DataFrame) -> None:
    assert table.loc["every 2 weeks", "sessions_per_patient_year"] == pytest.approx(26, abs=0.5)


def test_no_boosters_uses_no_sessions_and_keeps_least_remission(table: pd.DataFrame) -> None:
    assert table.loc["no boosters", "sessions_per_patient_year"] == 0
    assert table["remission_days_per_patient_year"].idxmin() == "no boosters"


def test_symptom_trigger_takes_the_clinical_core_policy_values() -> None:
    rule = SymptomTriggeredBoosters.from_policy(MaintenancePolicy())
    assert (rule.rise_points, rule.return_to_score, rule.delay_days) == (4, 10, 0)
