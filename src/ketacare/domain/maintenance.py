"""Maintenance: the MaintenancePolicy thresholds and booster timing from the symptom trend.

Booster rule (clinical-reference §8 rule 10, a DERIVED policy needing clinician sign-off): a
booster is due when the total rises ≥ 4 points above the post-loading level (GAD-7 MCID) or
returns to ≥ 10 (moderate cut-off). The booster window, the tolerance measure and the overuse
limits have no published values: they are clinic policy a prescriber must confirm. Tolerance,
overuse and the visit safety screens (urinary symptoms, misuse, benzodiazepine load) read the
same policy and live in maintenance_safety.py.

Dates are injected (`today`); nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.instruments import GAD7, PHQ9, Instrument
from ketacare.domain.sources import (
    BOOSTER_DERIVED,
    CLINIC_POLICY,
    MURROUGH_2013,
    OVERUSE_DERIVED,
    TOLERANCE_POLICY,
)
from ketacare.domain.thresholds import threshold
from ketacare.domain.trajectories import Measurement


@dataclass(frozen=True)
class MaintenancePolicy:
    """Thresholds for boosters, symptom check-ins, tolerance, overuse and visit screens."""

    booster_rise_points: int = threshold(
        4,
        statement="A booster is due when the total rises at least this many points above the "
        "post-loading level (GAD-7 MCID). DERIVED policy: a prescriber must confirm it.",
        unit="points",
        source=BOOSTER_DERIVED,
        minimum=2,
        maximum=10,
    )
    booster_return_score: int = threshold(
        10,
        statement="A booster is due when the total returns to at least this value (moderate "
        "cut-off), if loading had brought it below. DERIVED policy: a prescriber must confirm it.",
        unit="points",
        source=BOOSTER_DERIVED,
        minimum=5,
        maximum=20,
    )
    booster_window_earliest_days: int = threshold(
        0,
        statement="The booster window opens this many days after the triggering score. "
        "Clinic policy: a prescriber must confirm it.",
        unit="days",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=14,
    )
    booster_window_latest_days: int = threshold(
        7,
        statement="The booster window closes this many days after the triggering score. "
        "Clinic policy: a prescriber must confirm it.",
        unit="days",
        source=CLINIC_POLICY,
        minimum=1,
        maximum=28,
    )
    review_within_days: int = threshold(
        18,
        statement="During maintenance, ask for a symptom check-in at least this often (the "
        "median time to relapse after a 6-infusion series was 18 days).",
        unit="days",
        source=MURROUGH_2013,
        minimum=7,
        maximum=42,
    )
    tolerance_window_sessions: int = threshold(
        4,
        statement="Tolerance is judged over this many most recent sessions. Clinic policy: a "
        "prescriber must confirm it.",
        unit="sessions",
        source=TOLERANCE_POLICY,
        minimum=3,
        maximum=10,
    )
    tolerance_min_decline_points: float = threshold(
        4.0,
        statement="Possible tolerance when the benefit per session (pre − post score) "
        "declines by at least this many points across the window (fitted trend). Clinic policy: "
        "a prescriber must confirm it.",
        unit="points",
        source=TOLERANCE_POLICY,
        minimum=1,
        maximum=20,
    )
    max_sessions_per_30_days: int = threshold(
        5,
        statement="More than this many maintenance sessions in 30 days (more often than "
        "weekly) needs prescriber review. DERIVED policy: a prescriber must confirm it.",
        unit="sessions",
        source=OVERUSE_DERIVED,
        minimum=2,
        maximum=12,
    )
    max_iv_equivalent_mg_per_kg_per_30_days: float = threshold(
        5.0,
        statement="More than this cumulative IV-equivalent dose in 30 days of maintenance "
        "needs prescriber review. DERIVED policy: a prescriber must confirm it.",
        unit="mg/kg IV-equivalent",
        source=OVERUSE_DERIVED,
        minimum=1,
        maximum=15,
    )

    def __post_init__(self) -> None:
        if self.booster_window_earliest_days > self.booster_window_latest_days:
            raise InvalidInput(
                "maintenance.booster_window_earliest_days must not be after "
                f"maintenance.booster_window_latest_days ({self.booster_window_latest_days})",
                field="maintenance.booster_window_earliest_days",
            )


BOOSTER_DUE = rule(
    "maintenance.booster_due",
    "A booster is due when the total rises ≥ 4 points above the post-loading level or returns "
    "to ≥ 10 (DERIVED policy; clinician sign-off needed).",
    BOOSTER_DERIVED,
    params=(
        "maintenance.booster_rise_points",
        "maintenance.booster_return_score",
        "maintenance.booster_window_earliest_days",
        "maintenance.booster_window_latest_days",
    ),
)
BOOSTER_NOT_DUE = rule(
    "maintenance.booster_not_due",
    "No booster is due while the latest total is below both booster triggers.",
    BOOSTER_DERIVED,
    params=("maintenance.booster_rise_points", "maintenance.booster_return_score"),
)
POST_LOADING_HIGH = rule(
    "maintenance.post_loading_not_below_return",
    "When the post-loading total is already at or above the return score, only the rise "
    "triggers a booster, and the plan deserves review.",
    BOOSTER_DERIVED,
    params=("maintenance.booster_return_score",),
)
CHECK_IN_OVERDUE = rule(
    "maintenance.check_in_overdue",
    "During maintenance a symptom check-in is due at least every 18 days.",
    MURROUGH_2013,
    params=("maintenance.review_within_days",),
)


@dataclass(frozen=True)
class BoosterAssessment:
    """Whether a booster is due and its window (None when not due), with the triggering score,
    the date by which the next symptom check-in is due, and the reasons."""

    due: bool
    earliest: date | None
    latest: date | None
    overdue: bool
    trigger: Measurement | None
    check_in_by: date
    findings: tuple[Finding, ...]


def booster_due(
    instrument: Instrument,
    post_loading: Measurement,
    recent: Sequence[Measurement],
    today: date,
    *,
    policy: MaintenancePolicy,
) -> BoosterAssessment:
    """Decide from the symptom trend whether a booster is due.

    `post_loading` is the total at the end of loading (the reference level); `recent` are the
    check-ins since then, in time order, none after `today`. The decision rests on the latest
    check-in: if it meets a trigger, the booster window runs from the first of the consecutive
    triggering check-ins ending at the latest. GAD-7 and PHQ-9 only (both have the moderate
    cut-off at 10; the 4-point rise is GAD-7's MCID, applied to PHQ-9 by the same policy).
    """
    _check_booster_input(instrument, post_loading, recent, today)
    p, name, base = policy, instrument.name, post_loading.score
    findings: list[Finding] = []
    return_applies = base < p.booster_return_score
    if not return_applies:
        findings.append(
            POST_LOADING_HIGH.finding(
                Severity.CAUTION,
                f"{name} after loading was {base} on {post_loading.day}, already ≥ "
                f"{p.booster_return_score}: only a rise of ≥ {p.booster_rise_points} points will "
                f"trigger a booster; review the maintenance plan.",
                post_loading=base,
            )
        )

    def triggers(m: Measurement) -> bool:
        return m.score - base >= p.booster_rise_points or (
            return_applies and m.score >= p.booster_return_score
        )

    last_seen = recent[-1] if recent else post_loading
    check_in_by = last_seen.day + timedelta(days=p.review_within_days)
    if today > check_in_by:
        findings.append(
            CHECK_IN_OVERDUE.finding(
                Severity.CAUTION,
                f"No {name} since {last_seen.day} ({(today - last_seen.day).days} days > "
                f"{p.review_within_days}): ask the patient for a check-in.",
                last_check_in=last_seen.day.isoformat(),
            )
        )
    if not recent or not triggers(recent[-1]):
        findings.append(_not_due(name, base, recent, triggers, p))
        return BoosterAssessment(False, None, None, False, None, check_in_by, tuple(findings))
    start = len(recent) - 1
    while start > 0 and triggers(recent[start - 1]):
        start -= 1
    trigger = recent[start]
    earliest = trigger.day + timedelta(days=p.booster_window_earliest_days)
    latest = trigger.day + timedelta(days=p.booster_window_latest_days)
    overdue = today > latest
    findings.append(_due(name, base, trigger, recent[-1], earliest, latest, today, p))
    return BoosterAssessment(True, earliest, latest, overdue, trigger, check_in_by, tuple(findings))


def _check_booster_input(
    instrument: Instrument, post_loading: Measurement, recent: Sequence[Measurement], today: date
) -> None:
    if instrument.code not in (GAD7.code, PHQ9.code):
        raise InvalidInput(
            f"booster timing uses GAD-7 or PHQ-9 totals; got {instrument.name}", field="instrument"
        )
    instrument.check_total(post_loading.score, field="post_loading.score")
    previous = post_loading.day
    for i, m in enumerate(recent):
        instrument.check_total(m.score, field=f"recent[{i}].score")
        if m.day < previous:
            raise InvalidInput(
                f"check-in {i} ({m.day}) is before {previous}; check-ins must be "
                "in time order and after the post-loading score",
                field=f"recent[{i}].when",
            )
        previous = m.day
    if previous > today:
        raise InvalidInput(f"a check-in on {previous} is after today ({today})", field="recent")


def _reason(name: str, base: int, m: Measurement, p: MaintenancePolicy) -> str:
    rise = m.score - base
    parts = []
    if rise >= p.booster_rise_points:
        parts.append(f"+{rise} ≥ {p.booster_rise_points} points")
    if base < p.booster_return_score <= m.score:
        parts.append(f"≥ {p.booster_return_score}")
    return f"{name} rose from {base} after loading to {m.score} on {m.day} ({'; '.join(parts)})"


def _due(
    name: str,
    base: int,
    trigger: Measurement,
    latest: Measurement,
    earliest: date,
    last_day: date,
    today: date,
    p: MaintenancePolicy,
) -> Finding:
    text = _reason(name, base, trigger, p)
    if latest is not trigger:
        text += f" and is {latest.score} on {latest.day}"
    if today > last_day:
        text += (
            f": a booster was due between {earliest} and {last_day} and is "
            f"{(today - last_day).days} days overdue."
        )
    else:
        text += f": a booster is due between {earliest} and {last_day}."
    return BOOSTER_DUE.finding(
        Severity.REVIEW,
        text,
        trigger_day=trigger.day.isoformat(),
        earliest=earliest.isoformat(),
        latest=last_day.isoformat(),
    )


def _not_due(
    name: str,
    base: int,
    recent: Sequence[Measurement],
    triggers: Callable[[Measurement], bool],
    p: MaintenancePolicy,
) -> Finding:
    if not recent:
        return BOOSTER_NOT_DUE.finding(
            Severity.INFO, f"No {name} check-in since loading ({base}): no booster due yet."
        )
    latest = recent[-1]
    earlier = [m for m in recent[:-1] if triggers(m)]
    if earlier:
        return BOOSTER_NOT_DUE.finding(
            Severity.INFO,
            f"{_reason(name, base, earlier[-1], p)} but is back to "
            f"{latest.score} on {latest.day}: no booster due now.",
        )
    limits = f"less than {p.booster_rise_points} points above {base}"
    if base < p.booster_return_score:
        limits += f" and below {p.booster_return_score}"
    return BOOSTER_NOT_DUE.finding(
        Severity.INFO,
        f"{name} {latest.score} on {latest.day} is {limits} (post-loading level): no booster due.",
    )
