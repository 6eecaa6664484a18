"""The sessions-to-response model: a discrete-time logistic hazard with landmarks (pure maths).

For a patient who has not responded after ``m`` sessions (the *landmark*; m = 0 before the first
session), the probability of a *first* response at session ``n > m`` is

    h(n | m, x) = logistic(beta · f(n, m, x))

where ``f`` are the features below: the session number (log n and its square), baseline
severity (GAD-7 and PHQ-9, standardised), comorbid depression and PTSD, route, and — from the
patient's own scores — the improvement observed at the landmark, whose weight fades with the
distance n − m. P(responded by N) = 1 − prod_{n=m+1..N} (1 − h(n)).

Fitting stacks one person-period dataset per landmark (a landmark "super-model") and maximises
the logistic likelihood with a ridge penalty pulling the coefficients toward the prior, by
Newton's method (IRLS); the person-period blocks are built once per fit. Response itself is
decided by `ketacare.domain.outcomes.response_level` through a lookup table over every
(baseline, score) pair — never re-implemented here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ketacare.domain.instrument_model import Instrument
from ketacare.domain.outcomes import OutcomesPolicy, ResponseLevel, response_level
from ketacare.domain.routes import Route

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

HORIZON_SESSIONS = 12  # the forecast covers sessions 1…12 (issue 7 §4)
FIT_LANDMARKS = (0, 1, 2, 3, 4)  # landmarks stacked when fitting; later ones extrapolate
ROUTE_ORDER: tuple[Route, ...] = (Route.IV, Route.IM, Route.ESKETAMINE_NASAL, Route.SUBLINGUAL)
FEATURES: tuple[str, ...] = (
    "intercept",
    "log_session",
    "log_session_sq",
    "gad7_baseline_z",
    "phq9_baseline_z",
    "comorbid_depression",
    "comorbid_ptsd",
    "route_im",
    "route_esketamine",
    "route_sublingual",
    "sublingual_x_log_session",
    "sublingual_x_log_session_sq",
    "scored",
    "improvement",
    "improvement_x_log_distance",
    "log_landmark",
    "scored_x_log_session",
    "scored_x_log_session_sq",
    "scored_x_sublingual",
)
K = len(FEATURES)
# Standardisation of baseline severity (a typical treatment-resistant anxiety clinic).
GAD7_CENTRE, GAD7_SCALE = 14.0, 5.0
PHQ9_CENTRE, PHQ9_SCALE = 14.0, 6.0
_RESPONDED = frozenset({ResponseLevel.RESPONSE, ResponseLevel.REMISSION})


@dataclass(frozen=True)
class Covariates:
    """Per-patient covariates as arrays of equal length (baseline None → the centre)."""

    gad7_z: FloatArray
    phq9_z: FloatArray
    depression: FloatArray
    ptsd: FloatArray
    route_index: IntArray  # index into ROUTE_ORDER

    @property
    def n(self) -> int:
        return int(self.gad7_z.shape[0])

    def take(self, index: IntArray) -> Covariates:
        return Covariates(
            self.gad7_z[index],
            self.phq9_z[index],
            self.depression[index],
            self.ptsd[index],
            self.route_index[index],
        )


def covariates(
    gad7: IntArray | FloatArray,
    phq9: IntArray | FloatArray,
    depression: BoolArray,
    ptsd: BoolArray,
    route_index: IntArray,
) -> Covariates:
    """Standardise raw covariates (NaN baselines become the centre, i.e. z = 0)."""
    g = np.nan_to_num((np.asarray(gad7, dtype=np.float64) - GAD7_CENTRE) / GAD7_SCALE)
    p = np.nan_to_num((np.asarray(phq9, dtype=np.float64) - PHQ9_CENTRE) / PHQ9_SCALE)
    return Covariates(
        g,
        p,
        np.asarray(depression, dtype=np.float64),
        np.asarray(ptsd, dtype=np.float64),
        np.asarray(route_index, dtype=np.int64),
    )


def design(n: IntArray, m: IntArray, improvement: FloatArray, cov: Covariates) -> FloatArray:
    """The feature matrix (rows × K) for sessions `n` seen from landmarks `m` (all length R)."""
    rows = n.shape[0]
    x = np.empty((rows, K), dtype=np.float64)
    log_n = np.log(n.astype(np.float64))
    scored = (m > 0).astype(np.float64)
    imp = np.clip(improvement, -1.0, 1.0) * scored
    sl = (cov.route_index == 3).astype(np.float64)
    x[:, 0] = 1.0
    x[:, 1] = log_n
    x[:, 2] = log_n * log_n
    x[:, 3] = cov.gad7_z
    x[:, 4] = cov.phq9_z
    x[:, 5] = cov.depression
    x[:, 6] = cov.ptsd
    x[:, 7] = cov.route_index == 1
    x[:, 8] = cov.route_index == 2
    x[:, 9] = sl
    x[:, 10] = sl * log_n
    x[:, 11] = sl * log_n * log_n  # the sublingual cohort responds faster (Hull 2022)
    x[:, 12] = scored
    x[:, 13] = imp
    x[:, 14] = imp * np.log(np.maximum(n - m, 1).astype(np.float64))
    x[:, 15] = np.log1p(m.astype(np.float64))
    # Seen from a landmark, the hazard's shape differs from the unconditioned (mixture) shape.
    x[:, 16] = scored * log_n
    x[:, 17] = scored * log_n * log_n
    x[:, 18] = scored * sl
    return x


def _sigmoid(z: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


@dataclass(frozen=True)
class HazardModel:
    """Coefficients (in FEATURES order) of one instrument's hazard model."""

    coefficients: tuple[float, ...]

    def beta(self) -> FloatArray:
        return np.asarray(self.coefficients, dtype=np.float64)

    def curve(self, landmark: int, improvement: float, cov: Covariates) -> FloatArray:
        """P(responded by N), N = 1…12, for one patient (cov of length 1) not responded at
        `landmark` (entries N ≤ landmark are 0: observed not yet)."""
        out = np.zeros(HORIZON_SESSIONS, dtype=np.float64)
        if landmark >= HORIZON_SESSIONS:
            return out
        n = np.arange(landmark + 1, HORIZON_SESSIONS + 1, dtype=np.int64)
        m = np.full(n.shape[0], landmark, dtype=np.int64)
        idx = np.zeros(n.shape[0], dtype=np.int64)
        x = design(n, m, np.full(n.shape[0], improvement), cov.take(idx))
        hazard = _sigmoid(x @ self.beta())
        out[landmark:] = 1.0 - np.cumprod(1.0 - hazard)
        return out


@dataclass(frozen=True)
class CourseTable:
    """Courses in columns: covariates, the forecast instrument's baseline and its score after
    each session 1…12 (-1 = no score), and how many sessions each course had."""

    cov: Covariates
    baseline: IntArray
    scores: IntArray  # (n, HORIZON_SESSIONS)
    sessions: IntArray

    @property
    def n(self) -> int:
        return int(self.baseline.shape[0])


def responded_table(instrument: Instrument, policy: OutcomesPolicy) -> BoolArray:
    """responded[b, s]: is score `s` from baseline `b` a response (or remission)? Built from the
    outcomes module's own `response_level`; baseline 0 can never respond."""
    size = instrument.total_max + 1
    table = np.zeros((size, size), dtype=np.bool_)
    for b in range(1, size):
        for s in range(size):
            table[b, s] = response_level(instrument, b, s, policy) in _RESPONDED
    return table


def first_response(table: CourseTable, responded: BoolArray) -> IntArray:
    """The session (1…12) of each course's first response, or HORIZON_SESSIONS + 1 if none."""
    scored = table.scores >= 0
    hit = responded[table.baseline[:, None], np.maximum(table.scores, 0)] & scored
    hit &= np.arange(1, HORIZON_SESSIONS + 1)[None, :] <= table.sessions[:, None]
    first = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, HORIZON_SESSIONS + 1)
    return np.asarray(first, dtype=np.int64)


def improvement_at(table: CourseTable, landmark: int) -> FloatArray:
    """Fractional improvement of the score after session `landmark` (0 for landmark 0)."""
    if landmark == 0:
        return np.zeros(table.n)
    base = np.maximum(table.baseline, 1).astype(np.float64)
    return np.asarray((base - table.scores[:, landmark - 1]) / base, dtype=np.float64)


def person_periods(
    table: CourseTable, first: IntArray, landmarks: tuple[int, ...] = FIT_LANDMARKS
) -> Iterator[tuple[FloatArray, FloatArray]]:
    """(X, y) blocks of the stacked landmark person-period data, one block per (m, n)."""
    usable = table.baseline > 0
    for m in landmarks:
        eligible = usable & (first > m) & (table.sessions > m)
        if m > 0:
            eligible &= table.scores[:, m - 1] >= 0
        who = np.flatnonzero(eligible)
        if who.size == 0:
            continue
        imp = improvement_at(table, m)[who]
        cov = table.cov.take(who)
        for n in range(m + 1, HORIZON_SESSIONS + 1):
            at_risk = (
                (first[who] >= n) & (table.sessions[who] >= n) & (table.scores[who, n - 1] >= 0)
            )
            rows = np.flatnonzero(at_risk)
            if rows.size == 0:
                break
            count = rows.shape[0]
            x = design(
                np.full(count, n, dtype=np.int64),
                np.full(count, m, dtype=np.int64),
                imp[rows],
                cov.take(rows),
            )
            yield x, (first[who][rows] == n).astype(np.float64)


@dataclass(frozen=True)
class FitResult:
    model: HazardModel
    iterations: int
    converged: bool
    rows: int


def fit_hazard(
    table: CourseTable,
    responded: BoolArray,
    prior: HazardModel,
    *,
    ridge: float,
    max_iterations: int = 25,
    tolerance: float = 1e-7,
) -> FitResult:
    """Newton–Raphson on the stacked logistic likelihood − ridge/2 · ‖beta − prior‖².

    With few courses the penalty keeps the coefficients near the prior (shrinkage); with many
    the data dominate. `ridge` must be > 0 (it also keeps the Hessian invertible).
    """
    first = first_response(table, responded)
    centre = prior.beta()
    beta = centre.copy()
    penalty = ridge * np.eye(K)
    # Built once: ≈ 150 bytes per person-period row (≈ 400 MB for 100,000 12-session courses).
    blocks = list(person_periods(table, first))
    rows = 0
    for iteration in range(1, max_iterations + 1):
        hessian = penalty.copy()
        gradient = -ridge * (beta - centre)
        rows = 0
        for x, y in blocks:
            p = _sigmoid(x @ beta)
            w = p * (1.0 - p)
            hessian += (x.T * w) @ x
            gradient += x.T @ (y - p)
            rows += y.shape[0]
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < tolerance:
            return FitResult(HazardModel(tuple(float(b) for b in beta)), iteration, True, rows)
    return FitResult(HazardModel(tuple(float(b) for b in beta)), max_iterations, False, rows)


def penalised_loglik(
    table: CourseTable, responded: BoolArray, prior: HazardModel, beta: FloatArray, ridge: float
) -> float:
    """The objective `fit_hazard` maximises (for checks and the benchmark's baseline)."""
    first = first_response(table, responded)
    total = -0.5 * ridge * float(np.sum((beta - prior.beta()) ** 2))
    for x, y in person_periods(table, first):
        z = x @ beta
        total += float(np.sum(y * z - np.logaddexp(0.0, z)))
    return total
