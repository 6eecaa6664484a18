"""The loading series: session days, doses (with titration) and scores after each session.

All arrays are (patients × sessions) matrices; a patient's sessions beyond their series length
are masked out. The fraction of the baseline score removed after k sessions is
``depth * (1 - exp(-E_k / speed))`` with ``E_k = (1 - (1 - tau)**k) / tau`` (``= k`` when
tau = 0): with tolerance each further session adds less (see params.ResponseParams).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ketacare.domain.routes import Route
from ketacare.simulation.params import ROUTES, CohortConfig
from ketacare.simulation.patients import Patients

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Dose ladders: racemic in mg/kg (KADS 0.5 → 0.6 → 0.75, capped at the rule's 0.75 mg/kg);
# esketamine in mg (28-mg steps, ≤ 84 mg; Spravato label). Sublingual is fixed per patient.
RACEMIC_LADDER_MG_PER_KG = np.array([0.5, 0.6, 0.75])
ESKETAMINE_LADDER_MG = np.array([28.0, 56.0, 84.0])
RACEMIC_TITRATE_FROM_SESSION = 4  # PRACTICE: dose nudged up after session 3 if < 50% better
ESKETAMINE_TITRATE_FROM_SESSION = 2  # label: later induction doses 56 or 84 mg
SUBLINGUAL_MG_PER_KG = 5.0  # Hull 2022: initial ≈ 5 mg/kg, 300–450 mg per session
SUBLINGUAL_RANGE_MG = (300.0, 450.0)
IM_BIOAVAILABILITY = 0.93  # ASKP3 / Clements 1982
# ASKP3 equivalence in a 70 kg adult: 56 mg esketamine ≈ 100 mg SL ≈ 0.5 mg/kg IV
# (the SL row mapping is UNCONFIRMED in the reference).
ESKETAMINE_MG_PER_IV_HALF_MG_PER_KG = 56.0
SUBLINGUAL_MG_PER_IV_HALF_MG_PER_KG = 100.0


@dataclass(frozen=True)
class Loading:
    """Loading series of every patient; matrices are (n, max_sessions), masked by ``valid``."""

    n_sessions: IntArray  # series length per patient
    valid: BoolArray
    day: IntArray  # day of each session (first session = day 0)
    dose_mg: FloatArray
    dose_relative: FloatArray  # dose / the route's reference dose (for side effects)
    iv_equivalent_mg_per_kg: FloatArray
    benefit_gad7: FloatArray  # latent fraction of baseline removed after each session
    benefit_phq9: FloatArray
    gad7_after: IntArray  # observed score the day after each session
    phq9_after: IntArray


def effective_sessions(k: FloatArray | IntArray, tau: FloatArray) -> FloatArray:
    """E_k = sum_{j<k} (1 - tau)^j, elementwise; equals k where tau is 0."""
    k = np.asarray(k, dtype=np.float64)
    safe = np.where(tau > 0, tau, 1.0)
    shrunk = (1.0 - (1.0 - safe) ** k) / safe
    return np.asarray(np.where(tau > 0, shrunk, k), dtype=np.float64)


def benefit_after(
    k: FloatArray | IntArray, depth: FloatArray, speed: FloatArray, tau: FloatArray
) -> FloatArray:
    """Latent fraction of the baseline removed after ``k`` sessions (broadcasts)."""
    return np.asarray(depth * (1.0 - np.exp(-effective_sessions(k, tau) / speed)), dtype=np.float64)


def observe(
    baseline: IntArray, benefit: FloatArray, noise_sd: float, maximum: int, rng: np.random.Generator
) -> IntArray:
    """An integer score: baseline × (1 − benefit) plus measurement noise, clipped to the scale."""
    expected = baseline * (1.0 - benefit)
    noisy = expected + noise_sd * rng.standard_normal(np.shape(expected))
    return np.clip(np.rint(noisy), 0, maximum).astype(np.int64)


def _series_lengths(p: Patients, config: CohortConfig) -> IntArray:
    if config.loading_sessions is not None:
        return np.full(p.n, config.loading_sessions, dtype=np.int64)
    per_route = np.array([config.routes[r].loading_sessions for r in ROUTES], dtype=np.int64)
    return per_route[p.route_index]


def _session_days(
    p: Patients, config: CohortConfig, width: int, rng: np.random.Generator
) -> IntArray:
    low = np.array([config.routes[r].interval_days[0] for r in ROUTES])[p.route_index]
    high = np.array([config.routes[r].interval_days[1] for r in ROUTES])[p.route_index]
    gaps = rng.integers(low[:, None], high[:, None] + 1, size=(p.n, max(width - 1, 0)))
    return np.concatenate([np.zeros((p.n, 1), dtype=np.int64), np.cumsum(gaps, axis=1)], axis=1)


def _doses(p: Patients, gad7_after: IntArray, width: int) -> tuple[FloatArray, FloatArray]:
    """Dose in mg and relative to the route's reference dose, with the titration ladders."""
    route = np.asarray(ROUTES)[p.route_index]
    racemic = (route == Route.IV.value) | (route == Route.IM.value)
    esk = route == Route.ESKETAMINE_NASAL.value
    rung = np.where(esk & (p.age_years < 65), 1, 0)
    improvement = np.zeros(p.n)
    dose_mg = np.zeros((p.n, width))
    relative = np.zeros((p.n, width))
    sl_mg = np.clip(
        np.round(SUBLINGUAL_MG_PER_KG * p.weight_kg / 50.0) * 50.0, *SUBLINGUAL_RANGE_MG
    )
    for k in range(width):
        session = k + 1
        if k > 0:
            base = np.maximum(p.gad7_baseline, 1)
            improvement = (p.gad7_baseline - gad7_after[:, k - 1]) / base
        step_racemic = racemic & (session >= RACEMIC_TITRATE_FROM_SESSION) & (improvement < 0.5)
        step_esk = esk & (session >= ESKETAMINE_TITRATE_FROM_SESSION) & (improvement < 0.5)
        rung = np.minimum(rung + (step_racemic | step_esk), 2)
        mg_per_kg = RACEMIC_LADDER_MG_PER_KG[rung]
        dose_mg[:, k] = np.select(
            [racemic, esk],
            [np.round(mg_per_kg * p.weight_kg, 1), ESKETAMINE_LADDER_MG[rung]],
            sl_mg,
        )
        relative[:, k] = np.select(
            [racemic, esk],
            [mg_per_kg / 0.5, ESKETAMINE_LADDER_MG[rung] / 56.0],
            sl_mg / p.weight_kg / SUBLINGUAL_MG_PER_KG,
        )
    return dose_mg, relative


def iv_equivalent(route_index: IntArray, dose_mg: FloatArray, weight_kg: FloatArray) -> FloatArray:
    """IV-equivalent mg/kg by the ASKP3 route table (see module constants)."""
    route = np.asarray(ROUTES)[route_index]
    per_kg = dose_mg / weight_kg
    seventy = 70.0 / weight_kg
    return np.asarray(
        np.select(
            [
                route == Route.IV.value,
                route == Route.IM.value,
                route == Route.ESKETAMINE_NASAL.value,
            ],
            [
                per_kg,
                per_kg * IM_BIOAVAILABILITY,
                dose_mg / ESKETAMINE_MG_PER_IV_HALF_MG_PER_KG * 0.5 * seventy,
            ],
            dose_mg / SUBLINGUAL_MG_PER_IV_HALF_MG_PER_KG * 0.5 * seventy,
        ),
        dtype=np.float64,
    )


def simulate_loading(p: Patients, config: CohortConfig, rng: np.random.Generator) -> Loading:
    """Session days, doses, latent benefit and observed scores of each patient's loading series."""
    n_sessions = _series_lengths(p, config)
    width = int(n_sessions.max()) if p.n else 0
    k = np.arange(1, width + 1, dtype=np.float64)[None, :]
    valid = k <= n_sessions[:, None]
    tau = p.tolerance[:, None]
    b_gad = benefit_after(k, p.depth_gad7[:, None], p.speed_sessions[:, None], tau)
    b_phq = benefit_after(k, p.depth_phq9[:, None], p.speed_sessions[:, None], tau)
    resp = config.response
    gad = observe(p.gad7_baseline[:, None], b_gad, resp.gad7_noise_sd, 21, rng)
    phq = observe(p.phq9_baseline[:, None], b_phq, resp.phq9_noise_sd, 27, rng)
    day = _session_days(p, config, width, rng)
    dose_mg, relative = _doses(p, gad, width)
    iv_eq = iv_equivalent(p.route_index[:, None], dose_mg, p.weight_kg[:, None])
    return Loading(
        n_sessions=n_sessions,
        valid=valid,
        day=day,
        dose_mg=dose_mg,
        dose_relative=relative,
        iv_equivalent_mg_per_kg=iv_eq,
        benefit_gad7=b_gad,
        benefit_phq9=b_phq,
        gad7_after=gad,
        phq9_after=phq,
    )
