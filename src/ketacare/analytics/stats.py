"""Small vectorised statistics: Wilson intervals and a Kaplan–Meier product-limit table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for proportions ``successes / n`` (elementwise; NaN where n = 0)."""
    x = np.asarray(successes, dtype=np.float64)
    total = np.asarray(n, dtype=np.float64)
    if np.any(x < 0) or np.any(x > total):
        raise ValueError("successes must lie between 0 and n")
    z = float(norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / total
        denom = 1.0 + z * z / total
        centre = (p + z * z / (2.0 * total)) / denom
        half = z * np.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total)) / denom
    low = np.where(total > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(total > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


@dataclass(frozen=True)
class KaplanMeier:
    """Product-limit estimate at each distinct duration (events and censorings)."""

    timeline: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray
    survival: FloatArray

    def median(self) -> float:
        """First time the survival falls to 0.5 or below (inf if it never does)."""
        below = np.flatnonzero(self.survival <= 0.5)
        return float(self.timeline[below[0]]) if below.size else float("inf")


def kaplan_meier(durations: ArrayLike, observed: ArrayLike) -> KaplanMeier:
    """Kaplan–Meier estimate from durations and event flags (True = event, False = censored)."""
    t = np.asarray(durations, dtype=np.float64)
    e = np.asarray(observed, dtype=bool)
    timeline, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e, minlength=timeline.size).astype(np.int64)
    removed = np.bincount(inverse, minlength=timeline.size).astype(np.int64)
    at_risk = t.size - np.concatenate([[0], np.cumsum(removed)[:-1]]).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(at_risk > 0, 1.0 - events / at_risk, 1.0)
    return KaplanMeier(
        timeline=timeline,
        at_risk=at_risk,
        events=events,
        censored=removed - events,
        survival=np.asarray(np.cumprod(factor), dtype=np.float64),
    )
