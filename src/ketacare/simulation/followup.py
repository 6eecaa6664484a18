"""After loading: check-in scores, wear-off of the benefit, and boosters under a policy.

The course is stepped one day at a time for all patients at once (a vector operation per day).
After a session with latent benefit ``b`` the benefit holds fully for the patient's
``full_benefit_days``, then decays with ``decay_half_life_days`` towards ``residual_share × b``.
A booster counts as one more session in the patient's effective-session count (so tolerance
shrinks it) and restores the benefit to ``benefit_after(sessions so far)``.
Boosters are given only to patients who responded (GAD-7 ≥ 50% below baseline) at the end of
loading; the others are followed with check-ins only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ketacare.domain.maintenance import MaintenancePolicy
from ketacare.simulation.loading import Loading, benefit_after, observe
from ketacare.simulation.params import CohortConfig
from ketacare.simulation.patients import Patients

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class NoBoosters:
    """Natural course after loading (the Murrough 2013 follow-up design)."""


@dataclass(frozen=True)
class FixedIntervalBoosters:
    """A booster every ``interval_days`` after the last loading session."""

    interval_days: int


@dataclass(frozen=True)
class SymptomTriggeredBoosters:
    """The clinical core's maintenance rule (ketacare.domain.maintenance.booster_due), vectorised:
    a booster is due when a check-in GAD-7 is ≥ ``rise_points`` above the post-loading score, or
    ≥ ``return_to_score`` when loading had brought it below that; it is given ``delay_days``
    after the triggering check-in (the window's earliest day), and never sooner than
    ``min_interval_days`` after the previous session (a simulation guard against weekly
    re-triggering, in the spirit of the core's overuse review)."""

    rise_points: int = 4
    return_to_score: int = 10
    delay_days: int = 0
    min_interval_days: int = 7

    @classmethod
    def from_policy(
        cls, policy: MaintenancePolicy, *, min_interval_days: int = 7
    ) -> SymptomTriggeredBoosters:
        """The rule with a clinic's `MaintenancePolicy` values."""
        return cls(
            rise_points=policy.booster_rise_points,
            return_to_score=policy.booster_return_score,
            delay_days=policy.booster_window_earliest_days,
            min_interval_days=min_interval_days,
        )


BoosterPolicy = NoBoosters | FixedIntervalBoosters | SymptomTriggeredBoosters


@dataclass(frozen=True)
class FollowUp:
    """Rows produced after loading plus per-patient tallies over the follow-up."""

    # Score rows (patient index, absolute day, session number or NaN, instrument 0=GAD-7/1=PHQ-9).
    score_patient: IntArray
    score_day: IntArray
    score_session: FloatArray
    score_instrument: IntArray
    score_value: IntArray
    # Booster session rows.
    booster_patient: IntArray
    booster_day: IntArray
    booster_number: IntArray  # session number (loading length + j)
    # Tallies per patient over ``followup_days``.
    boosters: IntArray
    days_in_remission: IntArray  # latent GAD-7 < 5 (patients with baseline ≥ 10 only)
    days_in_response: IntArray  # latent GAD-7 ≤ half of baseline
    maintained: BoolArray  # eligible for boosters (responded at the end of loading)


def _checkin_days(config: CohortConfig) -> set[int]:
    steps = np.arange(1, int(config.followup_days / config.checkin_interval_days) + 1)
    days = np.rint(steps * config.checkin_interval_days).astype(int)
    return {int(d) for d in days if 0 < d <= config.followup_days}


def _wear(
    u: FloatArray, full_days: FloatArray, residual: FloatArray, half_life: float
) -> FloatArray:
    decay = np.exp2(-np.maximum(u - full_days, 0.0) / half_life)
    return np.asarray(residual + (1.0 - residual) * decay, dtype=np.float64)


def simulate_followup(
    p: Patients,
    loading: Loading,
    config: CohortConfig,
    policy: BoosterPolicy,
    rng: np.random.Generator,
    *,
    record: bool = True,
) -> FollowUp:
    """Step every patient through ``config.followup_days`` days after their last loading session."""
    n = p.n
    idx = np.arange(n)
    last = loading.n_sessions - 1
    end_day = loading.day[idx, last]
    peak_gad = loading.benefit_gad7[idx, last]
    peak_phq = loading.benefit_phq9[idx, last]
    post_gad = loading.gad7_after[idx, last]
    sessions = loading.n_sessions.astype(np.float64).copy()
    maintained = (p.gad7_baseline > 0) & (post_gad * 2 <= p.gad7_baseline)
    last_session = np.zeros(n)  # days since end of loading of the latest session
    boosters = np.zeros(n, dtype=np.int64)
    in_remission = np.zeros(n, dtype=np.int64)
    in_response = np.zeros(n, dtype=np.int64)
    remission_eligible = p.gad7_baseline >= 10
    half_life = config.durability.decay_half_life_days
    resp = config.response
    checkins = _checkin_days(config)
    # Check-in rows are preallocated (one block of n rows per check-in day and instrument).
    size = 2 * n * len(checkins) if record else 0
    c_patient = np.empty(size, dtype=np.int64)
    c_day = np.empty(size, dtype=np.int64)
    c_instrument = np.empty(size, dtype=np.int64)
    c_value = np.empty(size, dtype=np.int64)
    filled = 0
    pending = np.full(n, np.inf)  # day a triggered booster will be given
    rows: list[tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]] = []
    b_rows: list[tuple[IntArray, IntArray, IntArray]] = []

    for t in range(1, config.followup_days + 1):
        u = t - last_session
        wear = _wear(u, p.full_benefit_days, p.residual_share, half_life)
        gad_benefit = peak_gad * wear
        expected = p.gad7_baseline * (1.0 - gad_benefit)
        in_remission += remission_eligible & (expected < 5.0)
        in_response += (expected * 2.0 <= p.gad7_baseline) & (p.gad7_baseline > 0)
        gad_score: IntArray | None = None
        if t in checkins:
            gad_score = observe(p.gad7_baseline, gad_benefit, resp.gad7_noise_sd, 21, rng)
            phq_score = observe(p.phq9_baseline, peak_phq * wear, resp.phq9_noise_sd, 27, rng)
            if record:
                for code, value in ((0, gad_score), (1, phq_score)):
                    block = slice(filled, filled + n)
                    c_patient[block], c_day[block] = idx, end_day + t
                    c_instrument[block], c_value[block] = code, value
                    filled += n
        if isinstance(policy, SymptomTriggeredBoosters):
            triggered = maintained & _triggered(policy, gad_score, post_gad) & np.isinf(pending)
            pending[triggered] = t + policy.delay_days
            due = (pending <= t) & (u >= policy.min_interval_days)
            pending[due] = np.inf
        elif isinstance(policy, FixedIntervalBoosters):
            due = maintained & (u >= policy.interval_days)
        else:
            due = np.zeros(n, dtype=bool)
        if due.any():
            who = np.flatnonzero(due)
            sessions[who] += 1
            boosters[who] += 1
            last_session[who] = t
            peak_gad[who] = benefit_after(
                sessions[who], p.depth_gad7[who], p.speed_sessions[who], p.tolerance[who]
            )
            peak_phq[who] = benefit_after(
                sessions[who], p.depth_phq9[who], p.speed_sessions[who], p.tolerance[who]
            )
            if record:
                day = end_day[who] + t
                number = sessions[who].astype(np.int64)
                b_rows.append((who, day, number))
                after_day = day + 1
                g = observe(p.gad7_baseline[who], peak_gad[who], resp.gad7_noise_sd, 21, rng)
                q = observe(p.phq9_baseline[who], peak_phq[who], resp.phq9_noise_sd, 27, rng)
                k = number.astype(np.float64)
                zeros = np.zeros(who.size, dtype=np.int64)
                rows.append((who, after_day, k, zeros, g))
                rows.append((who, after_day, k, zeros + 1, q))

    rows.insert(0, (c_patient, c_day, np.full(size, np.nan), c_instrument, c_value))
    return FollowUp(
        *_stack(rows),
        *_stack_boosters(b_rows),
        boosters=boosters,
        days_in_remission=in_remission,
        days_in_response=in_response,
        maintained=maintained,
    )


def _triggered(
    policy: SymptomTriggeredBoosters, gad_score: IntArray | None, post_gad: IntArray
) -> BoolArray:
    if gad_score is None:
        return np.zeros(post_gad.shape, dtype=bool)
    rise = gad_score - post_gad >= policy.rise_points
    returned = (post_gad < policy.return_to_score) & (gad_score >= policy.return_to_score)
    return np.asarray(rise | returned)


def _stack(
    rows: list[tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]],
) -> tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]:
    if not rows:
        e = np.zeros(0, dtype=np.int64)
        return e, e, np.zeros(0), e, e
    return (
        np.concatenate([r[0] for r in rows]),
        np.concatenate([r[1] for r in rows]),
        np.concatenate([r[2] for r in rows]),
        np.concatenate([r[3] for r in rows]),
        np.concatenate([r[4] for r in rows]),
    )


def _stack_boosters(
    rows: list[tuple[IntArray, IntArray, IntArray]],
) -> tuple[IntArray, IntArray, IntArray]:
    if not rows:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e
    return (
        np.concatenate([r[0] for r in rows]),
        np.concatenate([r[1] for r in rows]),
        np.concatenate([r[2] for r in rows]),
    )
