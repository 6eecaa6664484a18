"""`simulate_cohort`: a seeded synthetic clinic cohort as three columnar tables.

Tables (pandas DataFrames, the shapes the database's queries also return):

- ``patients``: patient_id, age_years, sex, weight_kg, height_cm, illness_duration_years,
  comorbid_depression, comorbid_ptsd, pcl5_baseline, route, gad7_baseline, phq9_baseline,
  systolic_baseline_mmhg, diastolic_baseline_mmhg, loading_sessions.
- ``scores``: patient_id, day, session_number, instrument, score. Day 0 is the first session;
  the baseline has session_number 0 (day 0, before dosing); the score after session k has
  session_number k and is taken the day after it; check-ins between sessions have NaN.
- ``sessions``: patient_id, session_number, day, phase ("loading"/"booster"), route, dose_mg,
  iv_equivalent_mg_per_kg, nausea, cadss, dissociation, moaas, sedation, systolic_predose_mmhg,
  diastolic_predose_mmhg, systolic_rise_mmhg, diastolic_rise_mmhg, large_bp_rise.
- ``traits`` (latent, for calibration and tests only; a clinic never sees these).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ketacare.simulation.followup import BoosterPolicy, FollowUp, NoBoosters, simulate_followup
from ketacare.simulation.loading import Loading, iv_equivalent, simulate_loading
from ketacare.simulation.params import ROUTES, CohortConfig
from ketacare.simulation.patients import Patients, draw_patients
from ketacare.simulation.side_effects import simulate_side_effects

INSTRUMENTS: tuple[str, str] = ("GAD-7", "PHQ-9")
PHASES: tuple[str, str] = ("loading", "booster")


@dataclass(frozen=True)
class Cohort:
    """A synthetic cohort: the three clinic tables plus the latent traits behind them."""

    patients: pd.DataFrame
    scores: pd.DataFrame
    sessions: pd.DataFrame
    traits: pd.DataFrame
    config: CohortConfig = field(repr=False)


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def simulate_cohort(
    n_patients: int,
    seed: int | np.random.Generator,
    *,
    config: CohortConfig | None = None,
    policy: BoosterPolicy | None = None,
) -> Cohort:
    """Generate ``n_patients`` patients, their loading series and follow-up.

    ``seed`` is an int (a fresh ``numpy.random.default_rng(seed)``) or a Generator to draw from;
    the same seed and config always give the same tables. ``policy`` chooses boosters after
    loading (default: none, the natural course).
    """
    if n_patients < 1:
        raise ValueError(f"n_patients must be at least 1; got {n_patients}")
    cfg = config or CohortConfig()
    rng = _rng(seed)
    p = draw_patients(n_patients, cfg, rng)
    loading = simulate_loading(p, cfg, rng)
    follow = simulate_followup(p, loading, cfg, policy or NoBoosters(), rng)
    return Cohort(
        patients=_patients_frame(p, loading),
        scores=_scores_frame(p, loading, follow),
        sessions=_sessions_frame(p, loading, follow, cfg, rng),
        traits=_traits_frame(p),
        config=cfg,
    )


def _route_categorical(route_index: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(route_index, categories=list(ROUTES))


def _patients_frame(p: Patients, loading: Loading) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": np.arange(p.n, dtype=np.int64),
            "age_years": p.age_years,
            "sex": pd.Categorical.from_codes(p.female.astype(np.int8), categories=["M", "F"]),
            "weight_kg": p.weight_kg,
            "height_cm": p.height_cm,
            "illness_duration_years": p.illness_duration_years,
            "comorbid_depression": p.comorbid_depression,
            "comorbid_ptsd": p.comorbid_ptsd,
            "pcl5_baseline": p.pcl5_baseline,
            "route": _route_categorical(p.route_index),
            "gad7_baseline": p.gad7_baseline,
            "phq9_baseline": p.phq9_baseline,
            "systolic_baseline_mmhg": np.round(p.systolic_baseline_mmhg).astype(np.int64),
            "diastolic_baseline_mmhg": np.round(p.diastolic_baseline_mmhg).astype(np.int64),
            "loading_sessions": loading.n_sessions,
        }
    )


def _traits_frame(p: Patients) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": np.arange(p.n, dtype=np.int64),
            "depth_gad7": p.depth_gad7,
            "depth_phq9": p.depth_phq9,
            "speed_sessions": p.speed_sessions,
            "tolerance": p.tolerance,
            "full_benefit_days": p.full_benefit_days,
            "residual_share": p.residual_share,
        }
    )


def _scores_frame(p: Patients, loading: Loading, follow: FollowUp) -> pd.DataFrame:
    n, width = loading.valid.shape
    pid = np.broadcast_to(np.arange(n)[:, None], (n, width))[loading.valid]
    k = np.broadcast_to(np.arange(1, width + 1)[None, :], (n, width))[loading.valid]
    after_day = (loading.day + 1)[loading.valid]
    zeros_n = np.zeros(n, dtype=np.int64)
    m = pid.shape[0]
    parts_pid = [np.arange(n), np.arange(n), pid, pid, follow.score_patient]
    parts_day = [zeros_n, zeros_n, after_day, after_day, follow.score_day]
    parts_k = [
        np.zeros(n),
        np.zeros(n),
        k.astype(np.float64),
        k.astype(np.float64),
        follow.score_session,
    ]
    parts_inst = [
        zeros_n,
        zeros_n + 1,
        np.zeros(m, dtype=np.int64),
        np.ones(m, dtype=np.int64),
        follow.score_instrument,
    ]
    parts_val = [
        p.gad7_baseline,
        p.phq9_baseline,
        loading.gad7_after[loading.valid],
        loading.phq9_after[loading.valid],
        follow.score_value,
    ]
    patient_id = np.concatenate(parts_pid).astype(np.int64, copy=False)
    day = np.concatenate(parts_day).astype(np.int64, copy=False)
    instrument = np.concatenate(parts_inst)
    # One integer key (patient, day, instrument) sorts far faster than a three-key lexsort.
    span = int(day.max()) + 1 if day.size else 1
    order = np.argsort((patient_id * span + day) * 2 + instrument, kind="stable")
    # Distinct dtypes per column (int64, int32, float64, category, int16) keep pandas from
    # copying columns into a consolidated block.
    return pd.DataFrame(
        {
            "patient_id": patient_id[order],
            "day": day[order].astype(np.int32),
            "session_number": np.concatenate(parts_k)[order],
            "instrument": pd.Categorical.from_codes(
                instrument[order].astype(np.int8), categories=list(INSTRUMENTS)
            ),
            "score": np.concatenate(parts_val)[order].astype(np.int16),
        }
    )


def _sessions_frame(
    p: Patients, loading: Loading, follow: FollowUp, cfg: CohortConfig, rng: np.random.Generator
) -> pd.DataFrame:
    n, width = loading.valid.shape
    pid_l = np.broadcast_to(np.arange(n)[:, None], (n, width))[loading.valid]
    k_l = np.broadcast_to(np.arange(1, width + 1)[None, :], (n, width))[loading.valid]
    last = loading.n_sessions - 1
    # A booster repeats the patient's last loading dose.
    b_dose = loading.dose_mg[follow.booster_patient, last[follow.booster_patient]]
    b_rel = loading.dose_relative[follow.booster_patient, last[follow.booster_patient]]
    pid = np.concatenate([pid_l, follow.booster_patient]).astype(np.int64)
    number = np.concatenate([k_l, follow.booster_number]).astype(np.int64)
    day = np.concatenate([loading.day[loading.valid], follow.booster_day]).astype(np.int64)
    dose = np.concatenate([loading.dose_mg[loading.valid], b_dose])
    rel = np.concatenate([loading.dose_relative[loading.valid], b_rel])
    phase = np.concatenate(
        [
            np.zeros(pid_l.shape[0], dtype=np.int8),
            np.ones(follow.booster_patient.shape[0], dtype=np.int8),
        ]
    )
    order = np.lexsort((number, pid))
    pid, number, day = pid[order], number[order], day[order]
    dose, rel, phase = dose[order], rel[order], phase[order]
    fx = simulate_side_effects(p, pid, number, rel, cfg, rng)
    return pd.DataFrame(
        {
            "patient_id": pid,
            "session_number": number,
            "day": day,
            "phase": pd.Categorical.from_codes(phase, categories=list(PHASES)),
            "route": _route_categorical(p.route_index[pid]),
            "dose_mg": np.round(dose, 1),
            "iv_equivalent_mg_per_kg": np.round(
                iv_equivalent(p.route_index[pid], dose, p.weight_kg[pid]), 3
            ),
            "nausea": fx.nausea,
            "cadss": fx.cadss,
            "dissociation": fx.dissociation,
            "moaas": fx.moaas,
            "sedation": fx.sedation,
            "systolic_predose_mmhg": fx.systolic_predose_mmhg,
            "diastolic_predose_mmhg": fx.diastolic_predose_mmhg,
            "systolic_rise_mmhg": fx.systolic_rise_mmhg,
            "diastolic_rise_mmhg": fx.diastolic_rise_mmhg,
            "large_bp_rise": fx.large_bp_rise,
        }
    )
