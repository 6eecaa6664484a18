"""Monitoring cadence: when the next reading is due on each route, and when it is overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Severity
from ketacare.domain.monitoring import CadenceStatus, cadence_due
from ketacare.domain.routes import Route
from ketacare.domain.vitals import VitalsPolicy

T0 = datetime(2025, 3, 4, 9, 0)
POLICY = VitalsPolicy()
PRE = T0 - timedelta(minutes=5)  # the pre-dose reading


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def due(
    route: Route,
    readings_min: list[float],
    now_min: float,
    dose_end_min: float | None = None,
    *,
    with_predose: bool = True,
) -> CadenceStatus:
    times = [at(m) for m in readings_min] + ([PRE] if with_predose else [])
    dose_end = at(dose_end_min) if dose_end_min is not None else None
    return cadence_due(route, T0, dose_end, times, at(now_min), POLICY)


def minutes_of(moment: datetime) -> float:
    return (moment - T0).total_seconds() / 60


# --- IV: every 10 min during the infusion, every 15 after (Riva-Posse 2018) ----------------


@pytest.mark.parametrize(
    ("readings", "dose_end", "expected_due"),
    [
        ([], None, 10),
        ([10], None, 20),
        ([10, 20, 30], 40, 40),
        ([10, 20, 30, 40], 40, 55),
        ([10, 20, 30, 40, 55], 40, 70),
        ([10, 20, 30, 38], 40, 48),
    ],
)
def test_iv_readings_are_due_every_10_min_during_and_every_15_min_after_the_infusion(
    readings: list[float], dose_end: float | None, expected_due: float
) -> None:
    now = max([*readings, 0, dose_end or 0])
    status = due(Route.IV, readings, now, dose_end)
    assert minutes_of(status.next_due_at) == expected_due
    assert not status.overdue
    assert status.findings[-1].rule_id == "monitoring.iv_cadence"
    assert status.findings[-1].severity is Severity.INFO


@pytest.mark.parametrize(
    ("now", "overdue", "severity"),
    [
        (20, False, Severity.INFO),
        (20.5, True, Severity.CAUTION),
        (25, True, Severity.CAUTION),
        (25.5, True, Severity.ACT),
    ],
)
def test_an_iv_reading_is_overdue_strictly_after_10_min_and_act_after_the_grace(
    now: float, overdue: bool, severity: Severity
) -> None:
    status = due(Route.IV, [10], now)
    assert status.overdue is overdue
    assert status.overdue_by_min == pytest.approx(max(0.0, now - 20))
    assert status.findings[-1].severity is severity


def test_after_the_infusion_the_15_minute_boundary_holds() -> None:
    assert not due(Route.IV, [40], 55, dose_end_min=40).overdue
    late = due(Route.IV, [40], 56, dose_end_min=40)
    assert late.overdue and late.overdue_by_min == pytest.approx(1)
    assert "overdue by 1 min" in late.findings[-1].message


# --- Esketamine: pre-dose, ~40 min, then the follow-up interval (label / REMS) -------------


@pytest.mark.parametrize(
    ("readings", "expected_due", "rule_id"),
    [
        ([], 40, "monitoring.esketamine_40_min_check"),
        ([15, 30], 40, "monitoring.esketamine_40_min_check"),
        ([34], 40, "monitoring.esketamine_40_min_check"),
        ([35], 65, "monitoring.esketamine_followup"),
        ([40], 70, "monitoring.esketamine_followup"),
        ([40, 70], 100, "monitoring.esketamine_followup"),
    ],
)
def test_esketamine_blood_pressure_is_due_about_40_minutes_after_dosing(
    readings: list[float], expected_due: float, rule_id: str
) -> None:
    status = due(Route.ESKETAMINE_NASAL, readings, max([*readings, 1]))
    assert minutes_of(status.next_due_at) == expected_due
    assert status.findings[-1].rule_id == rule_id


def test_a_missed_esketamine_40_minute_check_is_overdue_after_40_minutes() -> None:
    assert not due(Route.ESKETAMINE_NASAL, [], 40).overdue
    status = due(Route.ESKETAMINE_NASAL, [], 41)
    assert status.overdue and status.overdue_by_min == pytest.approx(1)
    assert status.findings[-1].source.key == "spravato-label"


# --- IM and SL: every 15 min (clinic policy) ---------------------------------------------


@pytest.mark.parametrize(
    ("route", "rule_id"),
    [(Route.IM, "monitoring.im_cadence"), (Route.SUBLINGUAL, "monitoring.sublingual_cadence")],
)
def test_im_and_sublingual_readings_are_due_every_15_minutes_by_clinic_policy(
    route: Route, rule_id: str
) -> None:
    assert minutes_of(due(route, [], 0).next_due_at) == 15
    assert minutes_of(due(route, [15], 15).next_due_at) == 30
    assert not due(route, [15], 30).overdue
    late = due(route, [15], 31)
    assert late.overdue
    assert late.findings[-1].rule_id == rule_id
    assert not late.findings[-1].source.confirmed


# --- The pre-dose reading ----------------------------------------------------------------


def test_before_dosing_without_a_reading_the_predose_reading_is_due_at_dose_start() -> None:
    status = due(Route.IV, [], -10, with_predose=False)
    assert status.next_due_at == T0
    assert not status.overdue
    assert status.findings[-1].rule_id == "monitoring.predose_reading"


def test_dosing_without_a_predose_reading_is_an_act_finding() -> None:
    status = due(Route.IV, [], 5, with_predose=False)
    first = status.findings[0]
    assert (first.rule_id, first.severity) == ("monitoring.predose_reading", Severity.ACT)


@pytest.mark.parametrize(("age_min", "counts"), [(60, True), (61, False)])
def test_a_predose_reading_counts_only_within_60_minutes_before_dosing(
    age_min: float, counts: bool
) -> None:
    status = cadence_due(Route.IV, T0, None, [at(-age_min)], at(5), POLICY)
    missing = [f for f in status.findings if f.rule_id == "monitoring.predose_reading"]
    assert (not missing) is counts


# --- Validation --------------------------------------------------------------------------


def test_a_dose_end_before_its_start_or_after_now_is_refused() -> None:
    with pytest.raises(InvalidInput) as before:
        cadence_due(Route.IV, T0, at(-1), [PRE], at(10), POLICY)
    with pytest.raises(InvalidInput) as after:
        cadence_due(Route.IV, T0, at(20), [PRE], at(10), POLICY)
    assert before.value.field == after.value.field == "dose_end"


def test_a_reading_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        cadence_due(Route.IV, T0, None, [PRE, at(11)], at(10), POLICY)
    assert raised.value.field == "reading_times"


def test_mixing_timezone_aware_and_naive_times_is_refused() -> None:
    with pytest.raises(InvalidInput):
        cadence_due(Route.IV, T0, None, [PRE], at(10).replace(tzinfo=UTC), POLICY)


# --- Properties --------------------------------------------------------------------------


@given(
    route=st.sampled_from(list(Route)),
    readings=st.lists(st.integers(min_value=0, max_value=180), max_size=8),
    now=st.integers(min_value=0, max_value=240),
    dose_end=st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
)
def test_overdue_exactly_when_now_is_past_the_next_due_time(
    route: Route, readings: list[int], now: int, dose_end: int | None
) -> None:
    readings = [m for m in readings if m <= now]
    if dose_end is not None and dose_end > now:
        dose_end = None
    status = due(route, [float(m) for m in readings], now, dose_end)
    late = minutes_of(status.next_due_at) - now
    assert status.overdue == (late < 0)
    assert status.overdue_by_min == pytest.approx(max(0.0, -late))
    assert minutes_of(status.next_due_at) > max(readings, default=0)
