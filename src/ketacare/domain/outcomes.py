"""Outcomes: the thresholds (OutcomesPolicy) and classifying one score against baseline.

Definitions follow clinical-reference §4.8: response = ≥ 50% reduction from baseline; partial
response ≥ 30%; early improvement ≥ 20%; remission (GAD-7 / PHQ-9 only) = score < 5 from a
baseline ≥ 10. Relapse has no confirmed published definition: it is loss of response
(improvement below the response percentage) on `relapse_consecutive_measurements` consecutive
measurements after a response — a clinic policy a prescriber must confirm (see trajectories.py,
which follows a patient's series over time).

Percent thresholds are compared in integer arithmetic ((baseline − score) × 100 ≥ pct × baseline)
so that exactly 50% counts as 50%.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.instruments import GAD7, PHQ9, Instrument
from ketacare.domain.sources import (
    BLEVINS_2015,
    CLINIC_POLICY,
    EARLY_IMPROVEMENT_2021,
    HULL_2022,
    PHQ9_ITEM9_ASSESSMENT,
    RELAPSE_DEFINITION,
    TOUSSAINT_2020,
    TRANSL_PSYCHIATRY_2024,
)
from ketacare.domain.thresholds import threshold

# Remission (< 5 from ≥ 10) is published for these two scales only (Hull 2022).
REMISSION_INSTRUMENTS = frozenset({GAD7.code, PHQ9.code})


@dataclass(frozen=True)
class OutcomesPolicy:
    """Thresholds for scoring alerts, response, remission and relapse."""

    response_min_improvement_pct: float = threshold(
        50.0,
        statement="Response is a reduction from baseline of at least this percentage.",
        unit="%",
        source=HULL_2022,
        minimum=25,
        maximum=90,
    )
    partial_response_min_improvement_pct: float = threshold(
        30.0,
        statement="Partial response is a reduction of at least this percentage (below "
        "response); published on MADRS, applied here to the tracked scale.",
        unit="%",
        source=TRANSL_PSYCHIATRY_2024,
        minimum=10,
        maximum=60,
    )
    early_improvement_pct: float = threshold(
        20.0,
        statement="Early improvement is a reduction of at least this percentage; without "
        "it by the non-response session the patient is a likely non-responder.",
        unit="%",
        source=EARLY_IMPROVEMENT_2021,
        minimum=5,
        maximum=50,
    )
    remission_below_score: int = threshold(
        5,
        statement="Remission (GAD-7, PHQ-9) is a score below this value…",
        unit="points",
        source=HULL_2022,
        minimum=1,
        maximum=10,
    )
    remission_requires_baseline_at_least: int = threshold(
        10,
        statement="…from a baseline of at least this value.",
        unit="points",
        source=HULL_2022,
        minimum=5,
        maximum=20,
    )
    gad7_mcid_points: int = threshold(
        4,
        statement="A GAD-7 change of at least this many points is clinically important.",
        unit="points",
        source=TOUSSAINT_2020,
        minimum=2,
        maximum=8,
    )
    pcl5_provisional_ptsd_at: int = threshold(
        33,
        statement="A PCL-5 total at or above this value suggests provisional PTSD.",
        unit="points",
        source=BLEVINS_2015,
        minimum=31,
        maximum=33,
    )
    phq9_item9_alert_at: int = threshold(
        1,
        statement="A PHQ-9 item 9 answer at or above this value triggers a suicide risk "
        "assessment. Any answer other than 'Not at all' must alert, so it cannot be raised.",
        unit="points",
        source=PHQ9_ITEM9_ASSESSMENT,
        minimum=1,
        maximum=1,
    )
    relapse_consecutive_measurements: int = threshold(
        2,
        statement="After a response, this many consecutive measurements below the response "
        "percentage make a relapse. Clinic policy (no confirmed published relapse definition): "
        "a prescriber must confirm it.",
        unit="measurements",
        source=RELAPSE_DEFINITION,
        minimum=1,
        maximum=4,
    )
    non_response_after_session: int = threshold(
        4,
        statement="With no early improvement by this session number the patient is flagged "
        "as a likely non-responder (never stop after only 1–2 sessions).",
        unit="session",
        source=TRANSL_PSYCHIATRY_2024,
        minimum=3,
        maximum=12,
    )
    crisis_resources_text: str = threshold(
        "If you are thinking about harming yourself, you are not alone: call or text 988 "
        "(Suicide & Crisis Lifeline, US, 24/7), or call 911 if you are in immediate danger. "
        "The clinic has been alerted and will contact you.",
        statement="Shown to a patient at once when a PHQ-9 item 9 answer reaches the alert "
        "level. The US default names the 988 Suicide & Crisis Lifeline; a clinic outside the "
        "US must replace it with its local crisis line (a prescriber confirms the wording).",
        unit="text",
        source=CLINIC_POLICY,
    )

    def __post_init__(self) -> None:
        if self.partial_response_min_improvement_pct >= self.response_min_improvement_pct:
            raise InvalidInput(
                "outcomes.partial_response_min_improvement_pct must be below "
                f"outcomes.response_min_improvement_pct ({self.response_min_improvement_pct}%)",
                field="outcomes.partial_response_min_improvement_pct",
            )
        if self.early_improvement_pct > self.partial_response_min_improvement_pct:
            raise InvalidInput(
                "outcomes.early_improvement_pct must not exceed "
                f"outcomes.partial_response_min_improvement_pct "
                f"({self.partial_response_min_improvement_pct}%)",
                field="outcomes.early_improvement_pct",
            )


class ResponseLevel(StrEnum):
    REMISSION = "remission"
    RESPONSE = "response"
    PARTIAL_RESPONSE = "partial_response"
    NO_RESPONSE = "no_response"


RESPONSE = rule(
    "outcomes.response",
    "A reduction from baseline of at least the response percentage (default 50%) is a response.",
    HULL_2022,
    params=("outcomes.response_min_improvement_pct",),
)
REMISSION = rule(
    "outcomes.remission",
    "A GAD-7 or PHQ-9 score below 5 from a baseline of at least 10 is remission.",
    HULL_2022,
    params=("outcomes.remission_below_score", "outcomes.remission_requires_baseline_at_least"),
)
PARTIAL = rule(
    "outcomes.partial_response",
    "A reduction of at least 30% but below the response percentage is a partial response.",
    TRANSL_PSYCHIATRY_2024,
    params=("outcomes.partial_response_min_improvement_pct",),
)
EARLY = rule(
    "outcomes.early_improvement",
    "A reduction of at least 20% is early improvement.",
    EARLY_IMPROVEMENT_2021,
    params=("outcomes.early_improvement_pct",),
)
NO_RESPONSE = rule(
    "outcomes.no_response",
    "A reduction below the partial-response percentage is not (yet) a response.",
    HULL_2022,
    params=("outcomes.partial_response_min_improvement_pct",),
)
GAD7_MCID_BETTER = rule(
    "outcomes.gad7_clinically_important_improvement",
    "A GAD-7 drop of at least 4 points is clinically important.",
    TOUSSAINT_2020,
    params=("outcomes.gad7_mcid_points",),
)
GAD7_MCID_WORSE = rule(
    "outcomes.gad7_clinically_important_worsening",
    "A GAD-7 rise of at least 4 points above baseline is a clinically important worsening.",
    TOUSSAINT_2020,
    params=("outcomes.gad7_mcid_points",),
)


@dataclass(frozen=True)
class Classification:
    """A score against baseline: level, change in points (positive = better) and percent."""

    level: ResponseLevel
    baseline: int
    score: int
    change_points: int
    improvement_pct: float
    findings: tuple[Finding, ...]


def percent_improvement(baseline: float, score: float) -> float:
    """(baseline − score) / baseline × 100: positive = better, negative = worse.

    Raises InvalidInput when baseline ≤ 0 (there is nothing to improve on).
    """
    if baseline <= 0:
        raise InvalidInput(
            f"baseline must be above 0 to compute an improvement; got {baseline}", field="baseline"
        )
    return (baseline - score) / baseline * 100.0


def meets_improvement(baseline: int, score: int, pct: float) -> bool:
    """True when the reduction from `baseline` to `score` is at least `pct` percent."""
    return (baseline - score) * 100 >= pct * baseline


def response_level(
    instrument: Instrument, baseline: int, score: int, p: OutcomesPolicy
) -> ResponseLevel:
    """Remission, response, partial response or none (baseline must be above 0)."""
    if (
        instrument.code in REMISSION_INSTRUMENTS
        and baseline >= p.remission_requires_baseline_at_least
        and score < p.remission_below_score
    ):
        return ResponseLevel.REMISSION
    if meets_improvement(baseline, score, p.response_min_improvement_pct):
        return ResponseLevel.RESPONSE
    if meets_improvement(baseline, score, p.partial_response_min_improvement_pct):
        return ResponseLevel.PARTIAL_RESPONSE
    return ResponseLevel.NO_RESPONSE


def check_outcome_instrument(instrument: Instrument) -> None:
    """Refuse in-session ratings (MOAA/S, CADSS-6): response rules apply to symptom scales."""
    if not instrument.outcome_measure:
        raise InvalidInput(
            f"{instrument.name} is an in-session rating, not an outcome measure; "
            "use GAD-7, PHQ-9 or PCL-5",
            field="instrument",
        )


def classify(
    instrument: Instrument, baseline: int, score: int, *, policy: OutcomesPolicy
) -> Classification:
    """Classify one score against the baseline (both totals of `instrument`)."""
    check_outcome_instrument(instrument)
    instrument.check_total(baseline, field="baseline")
    instrument.check_total(score, field="score")
    pct = percent_improvement(baseline, score)
    level = response_level(instrument, baseline, score, policy)
    findings = [level_finding(instrument, level, baseline, score, pct, policy)]
    findings += mcid_findings(instrument, baseline, score, policy)
    return Classification(level, baseline, score, baseline - score, pct, tuple(findings))


def level_finding(
    instrument: Instrument,
    level: ResponseLevel,
    baseline: int,
    score: int,
    pct: float,
    p: OutcomesPolicy,
    when: str = "",
) -> Finding:
    moved = f"{instrument.name} {baseline} at baseline → {score}{when} ({pct:.0f}% improvement"
    data: dict[str, object] = {"baseline": baseline, "score": score, "improvement_pct": pct}
    if level is ResponseLevel.REMISSION:
        return REMISSION.finding(
            Severity.INFO,
            f"{moved}; below {p.remission_below_score} from "
            f"a baseline ≥ {p.remission_requires_baseline_at_least}): "
            f"remission.",
            **data,
        )
    if level is ResponseLevel.RESPONSE:
        return RESPONSE.finding(
            Severity.INFO, f"{moved} ≥ {p.response_min_improvement_pct:g}%): response.", **data
        )
    if level is ResponseLevel.PARTIAL_RESPONSE:
        return PARTIAL.finding(
            Severity.INFO,
            f"{moved} ≥ "
            f"{p.partial_response_min_improvement_pct:g}%, below "
            f"{p.response_min_improvement_pct:g}%): partial response.",
            **data,
        )
    return NO_RESPONSE.finding(
        Severity.INFO,
        f"{moved} < {p.partial_response_min_improvement_pct:g}%): no response yet.",
        **data,
    )


def mcid_findings(
    instrument: Instrument, baseline: int, score: int, p: OutcomesPolicy
) -> list[Finding]:
    if instrument.code != GAD7.code:
        return []
    change = baseline - score
    if change >= p.gad7_mcid_points:
        return [
            GAD7_MCID_BETTER.finding(
                Severity.INFO,
                f"GAD-7 fell {change} points ({baseline} → {score}; ≥ "
                f"{p.gad7_mcid_points}): a clinically important improvement.",
                change_points=change,
            )
        ]
    if -change >= p.gad7_mcid_points:
        return [
            GAD7_MCID_WORSE.finding(
                Severity.CAUTION,
                f"GAD-7 rose {-change} points above baseline ({baseline} → "
                f"{score}; ≥ {p.gad7_mcid_points}): a clinically important worsening.",
                change_points=change,
            )
        ]
    return []
