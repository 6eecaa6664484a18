"""Side effects of each session: nausea, dissociation (CADSS), sedation (MOAA/S), BP rise.

Probabilities are logistic in the route's intercept, the log2 of the dose relative to the
route's reference dose (Glue 2017 dose–response), and a per-patient susceptibility (some
patients are sedated or dissociate at most sessions, others never: REMS reports sedation in
61.9% of patients but 34.7% of sessions). Dissociation wanes with the session number
(Glue 2018: CADSS 20 → 8.8 over 14 weeks); the BP rise does not (Riva-Posse 2018).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ketacare.simulation.params import ROUTES, CohortConfig
from ketacare.simulation.patients import Patients

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class SessionSideEffects:
    nausea: BoolArray
    cadss: IntArray  # CADSS total at peak (0–92)
    dissociation: BoolArray  # CADSS above the threshold
    moaas: IntArray  # lowest MOAA/S in the session (5 = alert, 0 = no response to pain)
    sedation: BoolArray  # MOAA/S ≤ 4
    systolic_predose_mmhg: IntArray
    diastolic_predose_mmhg: IntArray
    systolic_rise_mmhg: FloatArray  # peak minus pre-dose
    diastolic_rise_mmhg: FloatArray
    large_bp_rise: BoolArray  # ≥ 40 systolic and/or ≥ 25 diastolic (label definition)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def simulate_side_effects(
    p: Patients,
    patient: IntArray,
    session_number: IntArray,
    dose_relative: FloatArray,
    config: CohortConfig,
    rng: np.random.Generator,
) -> SessionSideEffects:
    """Side effects for sessions given as parallel arrays (patient index, number, dose)."""
    se = config.side_effects
    m = patient.shape[0]
    route = p.route_index[patient]
    table = [config.routes[r] for r in ROUTES]
    sedation_a = np.array([t.sedation_logit for t in table])[route]
    dissociation_a = np.array([t.dissociation_logit for t in table])[route]
    nausea_a = np.array([t.nausea_logit for t in table])[route]
    rise_a = np.array([t.systolic_rise_mmhg for t in table])[route]
    dose_term = se.dose_logit_per_doubling * np.log2(np.maximum(dose_relative, 0.05))
    susceptible = p.side_effect_susceptibility[patient]

    nausea = rng.random(m) < _sigmoid(nausea_a + dose_term + 0.4 * susceptible)
    waning = se.dissociation_logit_per_log_session * np.log(session_number)
    dissociation = rng.random(m) < _sigmoid(dissociation_a + dose_term + susceptible + waning)
    above = rng.lognormal(se.cadss_log_mean + 0.5 * dose_term, se.cadss_log_sd, m)
    below = rng.integers(0, se.cadss_threshold + 1, m)
    cadss = np.where(
        dissociation,
        np.clip(np.rint(se.cadss_threshold + above), se.cadss_threshold + 1, 92),
        below,
    ).astype(np.int64)

    sedated = rng.random(m) < _sigmoid(sedation_a + dose_term + susceptible)
    levels = rng.choice(
        5, size=m, p=np.asarray(se.moaas_given_sedation) / sum(se.moaas_given_sedation)
    )
    moaas = np.where(sedated, levels, 5).astype(np.int64)

    age = p.age_years[patient]
    sbp0 = p.systolic_baseline_mmhg[patient] + rng.normal(0.0, 6.0, m)
    dbp0 = p.diastolic_baseline_mmhg[patient] + rng.normal(0.0, 4.0, m)
    rise = (
        rise_a * np.sqrt(np.maximum(dose_relative, 0.05))
        + se.systolic_per_year_of_age_mmhg * (age - 44.0)
        + p.systolic_rise_offset_mmhg[patient]
        + rng.normal(0.0, se.systolic_session_sd_mmhg, m)
    )
    d_rise = se.diastolic_per_systolic * rise + rng.normal(0.0, se.diastolic_noise_sd_mmhg, m)
    large = (rise >= se.large_rise_systolic_mmhg) | (d_rise >= se.large_rise_diastolic_mmhg)
    return SessionSideEffects(
        nausea=nausea,
        cadss=cadss,
        dissociation=dissociation,
        moaas=moaas,
        sedation=moaas <= 4,
        systolic_predose_mmhg=np.rint(sbp0).astype(np.int64),
        diastolic_predose_mmhg=np.rint(dbp0).astype(np.int64),
        systolic_rise_mmhg=np.round(rise, 1),
        diastolic_rise_mmhg=np.round(d_rise, 1),
        large_bp_rise=large,
    )
