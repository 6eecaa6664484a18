"""The outcome report bundle and its SVG charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ketacare.analytics import (
    booster_policy_chart_svg,
    outcome_report,
    relapse_after_loading,
    relapse_chart_svg,
)
from ketacare.simulation import compare_booster_policies, simulate_cohort


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    c = simulate_cohort(800, 41)
    return outcome_report(c.scores, c.sessions, c.patients)


def test_every_figure_carries_its_definition(report) -> None:  # type: ignore[no-untyped-def]
    for fig in (
        report.response,
        report.response_by_route,
        report.response_by_comorbidity,
        report.sessions_to_response,
        report.relapse,
        report.adverse_events,
    ):
        assert len(fig.definition) > 60 and fig.title


def test_charts_are_well_formed_svg(report) -> None:  # type: ignore[no-untyped-def]
    assert set(report.charts) == {
        "response",
        "sessions_to_response",
        "relapse",
        "relapse_by_route",
        "adverse_events",
    }
    for svg in report.charts.values():
        root = ET.fromstring(svg.split("\n", 3)[-1] if svg.startswith("<?xml") else svg)
        assert root.tag.endswith("svg")


def test_charts_are_deterministic() -> None:
    c = simulate_cohort(300, 42)
    fig = relapse_after_loading(c.scores, c.sessions)
    assert relapse_chart_svg(fig) == relapse_chart_svg(fig)


def test_booster_policy_chart_labels_each_policy() -> None:
    table = compare_booster_policies(400, 1, days=120)
    svg = booster_policy_chart_svg(table)
    assert "symptom-triggered" in svg and "<svg" in svg


def test_error_bars_never_go_negative_when_a_bound_misses_a_zero_rate_by_rounding() -> None:
    import pandas as pd

    from ketacare.analytics.charts import _error_bars

    below, above = _error_bars(pd.Series([0.0]), pd.Series([1e-17]), pd.Series([0.2]))
    assert below.iloc[0] == 0.0 and above.iloc[0] == 0.2
