"""Trajectories: a patient's course on one symptom scale — response, remission, relapse, state.

`trajectory(...)` walks a time-ordered series of total scores (the first is the baseline) once
and reports baseline, latest, best, percent change, first response and remission, relapse
events, the current state and the slope in points per week, with findings.

Relapse (no confirmed published definition; clinic policy a prescriber must confirm): after a
response, `relapse_consecutive_measurements` consecutive measurements whose improvement from
baseline is below the response percentage. A patient may respond again after a relapse (e.g.
after re-induction); each loss is a separate RelapseEvent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.instruments import Instrument
from ketacare.domain.outcomes import (
    EARLY,
    NO_RESPONSE,
    OutcomesPolicy,
    ResponseLevel,
    check_outcome_instrument,
    level_finding,
    mcid_findings,
    meets_improvement,
    percent_improvement,
    response_level,
)
from ketacare.domain.sources import CLINIC_POLICY, RELAPSE_DEFINITION, TRANSL_PSYCHIATRY_2024


class TrajectoryState(StrEnum):
    NOT_STARTED = "not_started"  # only a baseline so far
    NOT_MEASURABLE = "not_measurable"  # baseline 0: no improvement can be computed
    NOT_IMPROVING = "not_improving"  # below early improvement, too early to call non-response
    IMPROVING = "improving"  # early improvement, below partial response
    PARTIAL_RESPONDER = "partial_responder"
    RESPONDER = "responder"
    REMITTER = "remitter"
    LOSING_RESPONSE = "losing_response"  # was responding; latest below response, not yet relapse
    RELAPSED = "relapsed"  # response lost (policy definition) and not regained
    NON_RESPONDER = "non_responder"  # no early improvement by the non-response session


NON_RESPONSE = rule(
    "outcomes.likely_non_response",
    "No early improvement by session 4 signals "
    "likely non-response; do not stop after only 1–2 sessions.",
    TRANSL_PSYCHIATRY_2024,
    params=("outcomes.early_improvement_pct", "outcomes.non_response_after_session"),
)
LOSING = rule(
    "outcomes.losing_response",
    "A responder whose latest score is below the response "
    "percentage is losing response (not yet a relapse).",
    RELAPSE_DEFINITION,
    params=("outcomes.response_min_improvement_pct", "outcomes.relapse_consecutive_measurements"),
)
RELAPSE = rule(
    "outcomes.relapse",
    "After a response, consecutive measurements below the "
    "response percentage are a relapse (clinic definition, UNCONFIRMED).",
    RELAPSE_DEFINITION,
    params=("outcomes.response_min_improvement_pct", "outcomes.relapse_consecutive_measurements"),
)
BASELINE_ZERO = rule(
    "outcomes.baseline_zero",
    "With a baseline of 0 no improvement can be computed; response and remission do not apply.",
    CLINIC_POLICY,
)


@dataclass(frozen=True)
class Measurement:
    """One total score at a moment (date or datetime), optionally tied to a session number."""

    when: date | datetime
    score: int
    session_number: int | None = None

    @property
    def day(self) -> date:
        return self.when.date() if isinstance(self.when, datetime) else self.when

    def describe(self) -> str:
        session = f" (session {self.session_number})" if self.session_number is not None else ""
        return f"{self.day.isoformat()}{session}"


@dataclass(frozen=True)
class RelapseEvent:
    """A loss of response: the last responding measurement, the first one that lost it, and the
    measurement that confirmed the loss (the N-th consecutive one; equal to lost_at when N = 1).
    Time to relapse is measured to `lost_at`."""

    last_response: Measurement
    lost_at: Measurement
    confirmed_at: Measurement


@dataclass(frozen=True)
class Trajectory:
    """A patient's course on one instrument. Percentages are None when the baseline is 0."""

    instrument: Instrument
    state: TrajectoryState
    measurements: tuple[Measurement, ...]
    baseline: Measurement
    latest: Measurement
    best: Measurement
    change_points: int
    improvement_pct: float | None
    best_improvement_pct: float | None
    first_response: Measurement | None
    first_remission: Measurement | None
    relapses: tuple[RelapseEvent, ...]
    slope_points_per_week: float | None
    findings: tuple[Finding, ...]


def trajectory(
    instrument: Instrument, measurements: Sequence[Measurement], *, policy: OutcomesPolicy
) -> Trajectory:
    """Summarise a time-ordered series; the first measurement is the baseline.

    Raises InvalidInput if the series is empty, out of time order, or has a score outside the
    instrument's range.
    """
    series = _checked_series(instrument, measurements)
    base, latest = series[0], series[-1]
    best = min(series[1:], key=lambda m: m.score) if len(series) > 1 else base
    summary = _Walk(instrument, base.score, policy)
    if base.score > 0:
        for m in series[1:]:
            summary.step(m)
    state = _state(instrument, series, summary, policy)
    pct = best_pct = None
    if base.score > 0:
        pct = percent_improvement(base.score, latest.score)
        best_pct = percent_improvement(base.score, best.score)
    findings = _trajectory_findings(instrument, state, series, summary, policy)
    return Trajectory(
        instrument,
        state,
        series,
        base,
        latest,
        best,
        base.score - latest.score,
        pct,
        best_pct,
        summary.first_response,
        summary.first_remission,
        tuple(summary.relapses),
        _slope_per_week(series),
        tuple(findings),
    )


def _moment(when: date | datetime) -> float:
    """Days since 0001-01-01 (time-of-day as a fraction; time zones are not compared)."""
    if isinstance(when, datetime):
        seconds = when.hour * 3600 + when.minute * 60 + when.second
        return when.toordinal() + seconds / 86400
    return float(when.toordinal())


def _checked_series(
    instrument: Instrument, measurements: Sequence[Measurement]
) -> tuple[Measurement, ...]:
    check_outcome_instrument(instrument)
    if not measurements:
        raise InvalidInput(
            "a trajectory needs at least a baseline measurement", field="measurements"
        )
    for i, m in enumerate(measurements):
        instrument.check_total(m.score, field=f"measurements[{i}].score")
        if i and _moment(m.when) < _moment(measurements[i - 1].when):
            raise InvalidInput(
                f"measurements must be in time order; measurement {i} "
                f"({m.day}) is before measurement {i - 1} "
                f"({measurements[i - 1].day})",
                field=f"measurements[{i}].when",
            )
    return tuple(measurements)


@dataclass
class _Walk:
    """Walks the series once, tracking response, remission and relapse (mutable, private)."""

    instrument: Instrument
    baseline: int
    policy: OutcomesPolicy
    first_response: Measurement | None = None
    first_remission: Measurement | None = None
    last_response: Measurement | None = None
    loss_run: list[Measurement] = dataclasses.field(default_factory=list)
    relapses: list[RelapseEvent] = dataclasses.field(default_factory=list)

    @property
    def in_response(self) -> bool:
        return self.last_response is not None

    def step(self, m: Measurement) -> None:
        level = response_level(self.instrument, self.baseline, m.score, self.policy)
        if level in (ResponseLevel.RESPONSE, ResponseLevel.REMISSION):
            self.first_response = self.first_response or m
            if level is ResponseLevel.REMISSION:
                self.first_remission = self.first_remission or m
            self.last_response, self.loss_run = m, []
        elif self.last_response is not None:
            self.loss_run.append(m)
            if len(self.loss_run) >= self.policy.relapse_consecutive_measurements:
                self.relapses.append(RelapseEvent(self.last_response, self.loss_run[0], m))
                self.last_response, self.loss_run = None, []


def _state(
    instrument: Instrument, series: tuple[Measurement, ...], walk: _Walk, p: OutcomesPolicy
) -> TrajectoryState:
    base, latest = series[0].score, series[-1]
    if len(series) == 1:
        return TrajectoryState.NOT_STARTED
    if base == 0:
        return TrajectoryState.NOT_MEASURABLE
    level = response_level(instrument, base, latest.score, p)
    if level is ResponseLevel.REMISSION:
        return TrajectoryState.REMITTER
    if level is ResponseLevel.RESPONSE:
        return TrajectoryState.RESPONDER
    if walk.in_response:
        return TrajectoryState.LOSING_RESPONSE
    if walk.relapses:
        return TrajectoryState.RELAPSED
    if level is ResponseLevel.PARTIAL_RESPONSE:
        return TrajectoryState.PARTIAL_RESPONDER
    if meets_improvement(base, latest.score, p.early_improvement_pct):
        return TrajectoryState.IMPROVING
    if latest.session_number is not None and latest.session_number >= p.non_response_after_session:
        return TrajectoryState.NON_RESPONDER
    return TrajectoryState.NOT_IMPROVING


def _trajectory_findings(
    instrument: Instrument,
    state: TrajectoryState,
    series: tuple[Measurement, ...],
    walk: _Walk,
    p: OutcomesPolicy,
) -> list[Finding]:
    base, latest = series[0], series[-1]
    name = instrument.name
    if state is TrajectoryState.NOT_STARTED:
        return [
            NO_RESPONSE.finding(
                Severity.INFO,
                f"Only the baseline {name} ({base.score} on "
                f"{base.describe()}) so far: nothing to compare yet.",
            )
        ]
    if state is TrajectoryState.NOT_MEASURABLE:
        return [
            BASELINE_ZERO.finding(
                Severity.INFO,
                f"Baseline {name} was 0 on "
                f"{base.describe()}: response and remission cannot be "
                f"computed on this scale.",
            )
        ]
    findings = [
        _relapse_finding(
            name,
            base.score,
            event,
            p,
            current=(state is TrajectoryState.RELAPSED and event is walk.relapses[-1]),
        )
        for event in walk.relapses
    ]
    pct = percent_improvement(base.score, latest.score)
    at = f" on {latest.describe()}"
    if state is TrajectoryState.LOSING_RESPONSE and walk.last_response is not None:
        findings.append(
            LOSING.finding(
                Severity.CAUTION,
                f"{name} {base.score} at baseline → {latest.score}{at} ({pct:.0f}% < "
                f"{p.response_min_improvement_pct:g}%): response (last seen "
                f"{walk.last_response.describe()}) is slipping; a relapse if it stays below on "
                f"{p.relapse_consecutive_measurements} consecutive measurements.",
                improvement_pct=pct,
            )
        )
    elif state is TrajectoryState.NON_RESPONDER:
        findings.append(
            NON_RESPONSE.finding(
                Severity.REVIEW,
                f"{name} {base.score} at baseline → {latest.score}{at} ({pct:.0f}% < "
                f"{p.early_improvement_pct:g}%) by session {latest.session_number} (≥ "
                f"{p.non_response_after_session}): likely non-response; the prescriber decides "
                f"whether to continue.",
                improvement_pct=pct,
            )
        )
    elif state is TrajectoryState.IMPROVING:
        findings.append(
            EARLY.finding(
                Severity.INFO,
                f"{name} {base.score} at baseline → {latest.score}{at} ({pct:.0f}% ≥ "
                f"{p.early_improvement_pct:g}%): early improvement.",
                improvement_pct=pct,
            )
        )
    elif state is not TrajectoryState.RELAPSED:
        level = response_level(instrument, base.score, latest.score, p)
        findings.append(level_finding(instrument, level, base.score, latest.score, pct, p, at))
    findings += mcid_findings(instrument, base.score, latest.score, p)
    return findings


def _relapse_finding(
    name: str, baseline: int, event: RelapseEvent, p: OutcomesPolicy, *, current: bool
) -> Finding:
    pct = percent_improvement(baseline, event.lost_at.score)
    n = p.relapse_consecutive_measurements
    confirmed = (
        ""
        if event.confirmed_at is event.lost_at
        else f", still below on {event.confirmed_at.describe()} ({n} consecutive)"
    )
    tail = (
        "relapse (clinic definition, to be confirmed by a prescriber)"
        if current
        else "a relapse, since followed by a renewed response"
    )
    return RELAPSE.finding(
        Severity.REVIEW if current else Severity.INFO,
        f"{name} response (last {event.last_response.describe()}) lost on "
        f"{event.lost_at.describe()}: {baseline} → {event.lost_at.score} ({pct:.0f}% < "
        f"{p.response_min_improvement_pct:g}%){confirmed}: {tail}.",
        lost_on=event.lost_at.day.isoformat(),
        current=current,
    )


def _slope_per_week(series: tuple[Measurement, ...]) -> float | None:
    """Least-squares slope of score over time in points per week (negative = improving)."""
    xs = [_moment(m.when) for m in series]
    ys = [float(m.score) for m in series]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx * 7.0
