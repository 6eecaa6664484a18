"""Outcome definitions and the `Figure` every analytics function returns (table + definition).

The definitions follow the clinical core (reference 4.8): response = a fall of at least 50% from
baseline; remission = a follow-up score below 5 in a patient whose baseline was at least 10;
early improvement = a fall of at least 20%. They are parameters, so a clinic's policy values can
be passed in; every figure's definition text is built from the values actually used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ketacare.domain.outcomes import OutcomesPolicy


@dataclass(frozen=True)
class OutcomeDefinitions:
    """Thresholds that turn scores into outcomes (defaults: Hull 2022, Murrough 2013)."""

    response_fall_fraction: float = 0.5
    remission_below: int = 5
    remission_baseline_at_least: int = 10
    early_improvement_fraction: float = 0.2
    relapse_confirmations: int = 2  # consecutive check-ins without response (see relapse_text)
    confidence: float = 0.95

    @classmethod
    def from_policy(cls, policy: OutcomesPolicy, *, confidence: float = 0.95) -> OutcomeDefinitions:
        """The definitions of a clinic's `OutcomesPolicy` (the clinical core's values)."""
        return cls(
            response_fall_fraction=policy.response_min_improvement_pct / 100.0,
            remission_below=policy.remission_below_score,
            remission_baseline_at_least=policy.remission_requires_baseline_at_least,
            early_improvement_fraction=policy.early_improvement_pct / 100.0,
            relapse_confirmations=policy.relapse_consecutive_measurements,
            confidence=confidence,
        )

    def __post_init__(self) -> None:
        if not 0.0 < self.response_fall_fraction < 1.0:
            raise ValueError("response_fall_fraction must be between 0 and 1 (exclusive)")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError("confidence must be between 0 and 1 (exclusive)")

    @property
    def response_text(self) -> str:
        return (
            f"response = a score at least {self.response_fall_fraction:.0%} below the "
            "patient's baseline (baseline above 0)"
        )

    @property
    def remission_text(self) -> str:
        return (
            f"remission = a score below {self.remission_below} in a patient whose baseline "
            f"was at least {self.remission_baseline_at_least}"
        )

    @property
    def relapse_text(self) -> str:
        runs = (
            ""
            if self.relapse_confirmations <= 1
            else f", confirmed by the next {self.relapse_confirmations - 1} check-in(s)"
        )
        return (
            "relapse = in a patient who met response on the score after the last loading "
            f"session, the first later check-in whose score no longer meets response{runs}"
        )


@dataclass(frozen=True)
class Figure:
    """One figure of the report: what it shows, how it is defined, and its numbers."""

    title: str
    definition: str
    table: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()


def ci_text(confidence: float) -> str:
    return f"{confidence:.0%} confidence intervals by the Wilson score method"
