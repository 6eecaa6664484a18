"""Patients: covariates and the latent traits that drive their course (vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ketacare.simulation.params import ROUTES, CohortConfig

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Patients:
    """One entry per patient; arrays of equal length ``n``. Route is an index into ROUTES."""

    age_years: FloatArray
    female: BoolArray
    weight_kg: FloatArray
    height_cm: FloatArray
    illness_duration_years: FloatArray
    comorbid_depression: BoolArray
    comorbid_ptsd: BoolArray
    route_index: IntArray
    gad7_baseline: IntArray
    phq9_baseline: IntArray
    pcl5_baseline: IntArray
    systolic_baseline_mmhg: FloatArray
    diastolic_baseline_mmhg: FloatArray
    # Latent traits (not observed by a clinic).
    depth_gad7: FloatArray  # fraction of the baseline GAD-7 removed at full effect
    depth_phq9: FloatArray
    speed_sessions: FloatArray  # time constant in effective sessions
    tolerance: FloatArray  # tau: per-session shrink of further benefit (0 for most)
    full_benefit_days: FloatArray  # days the benefit holds fully after a session
    residual_share: FloatArray  # share of the benefit kept once it has worn off
    side_effect_susceptibility: FloatArray  # logit shift for sedation/dissociation/nausea
    systolic_rise_offset_mmhg: FloatArray  # patient's own typical peak rise offset

    @property
    def n(self) -> int:
        return int(self.age_years.shape[0])


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _route_indices(n: int, config: CohortConfig, rng: np.random.Generator) -> IntArray:
    if config.only_route is not None:
        if config.only_route not in ROUTES:
            raise ValueError(f"only_route must be one of {ROUTES}; got {config.only_route!r}")
        return np.full(n, ROUTES.index(config.only_route), dtype=np.int64)
    shares = np.array([config.routes[r].share for r in ROUTES], dtype=np.float64)
    return rng.choice(len(ROUTES), size=n, p=shares / shares.sum()).astype(np.int64)


def draw_patients(n: int, config: CohortConfig, rng: np.random.Generator) -> Patients:
    """Draw ``n`` patients' covariates and latent traits from ``rng``."""
    cov, resp, dur = config.covariates, config.response, config.durability
    age = np.clip(rng.normal(cov.age_mean_years, cov.age_sd_years, n), 18.0, 80.0)
    female = rng.random(n) < cov.female_share
    height = np.where(female, rng.normal(163.0, 7.0, n), rng.normal(177.0, 7.5, n))
    bmi = np.clip(rng.lognormal(np.log(27.0), 0.18, n), 17.0, 50.0)
    weight = np.round(bmi * (height / 100.0) ** 2, 1)
    duration = np.clip(rng.lognormal(np.log(cov.illness_duration_median_years), 0.7, n), 1.0, 50.0)
    dep_share = (
        cov.comorbid_depression_share
        if config.comorbid_depression_share is None
        else config.comorbid_depression_share
    )
    depression = rng.random(n) < dep_share
    ptsd = rng.random(n) < cov.comorbid_ptsd_share
    route = _route_indices(n, config, rng)

    # Baseline severity: GAD-7 and PHQ-9 correlated through a shared distress factor.
    shared = rng.standard_normal(n)
    gad = cov.gad7_baseline_mean + cov.gad7_baseline_sd * (
        0.6 * shared + 0.8 * rng.standard_normal(n)
    )
    phq_mean = np.where(
        depression, cov.phq9_baseline_mean_depressed, cov.phq9_baseline_mean_not_depressed
    )
    phq = phq_mean + cov.phq9_baseline_sd * (0.6 * shared + 0.8 * rng.standard_normal(n))
    pcl_mean = np.where(ptsd, cov.pcl5_baseline_mean_ptsd, cov.pcl5_baseline_mean_no_ptsd)
    pcl = pcl_mean + cov.pcl5_baseline_sd * rng.standard_normal(n)
    pcl = np.where(ptsd, np.maximum(pcl, 33.0), np.minimum(pcl, 32.0))

    route_shift = np.array([config.routes[r].depth_logit_shift for r in ROUTES])[route]
    route_speed = np.array([config.routes[r].speed_factor for r in ROUTES])[route]
    logit = (
        resp.depth_logit_mean
        + route_shift
        + resp.duration_logit_per_log_year * np.log(duration / cov.illness_duration_median_years)
        + resp.ptsd_logit_shift * ptsd
        + resp.depth_logit_sd * rng.standard_normal(n)
    )
    depth_gad = resp.depth_max * _sigmoid(logit + resp.instrument_logit_sd * rng.standard_normal(n))
    depth_phq = resp.depth_max * _sigmoid(
        logit + resp.phq9_logit_shift + resp.instrument_logit_sd * rng.standard_normal(n)
    )
    speed = route_speed * rng.lognormal(np.log(resp.speed_median_sessions), resp.speed_log_sd, n)
    tolerant = rng.random(n) < resp.tolerance_share
    tau = np.where(tolerant, rng.uniform(*resp.tolerance_per_session, n), 0.0)

    sbp = np.clip(rng.normal(118.0 + 0.45 * (age - 44.0), 11.0, n), 95.0, 175.0)
    se = config.side_effects
    return Patients(
        age_years=np.round(age, 1),
        female=female,
        weight_kg=weight,
        height_cm=np.asarray(np.round(height, 1), dtype=np.float64),
        illness_duration_years=np.round(duration, 1),
        comorbid_depression=depression,
        comorbid_ptsd=ptsd,
        route_index=route,
        gad7_baseline=np.clip(np.rint(gad), 0, 21).astype(np.int64),
        phq9_baseline=np.clip(np.rint(phq), 0, 27).astype(np.int64),
        pcl5_baseline=np.clip(np.rint(pcl), 0, 80).astype(np.int64),
        systolic_baseline_mmhg=sbp,
        diastolic_baseline_mmhg=np.clip(0.55 * sbp + rng.normal(12.0, 6.0, n), 55.0, 110.0),
        depth_gad7=depth_gad,
        depth_phq9=depth_phq,
        speed_sessions=speed,
        tolerance=tau,
        full_benefit_days=rng.lognormal(
            np.log(dur.full_benefit_median_days), dur.full_benefit_log_sd, n
        ),
        residual_share=rng.beta(*dur.residual_share_beta, n),
        side_effect_susceptibility=se.patient_logit_sd * rng.standard_normal(n),
        systolic_rise_offset_mmhg=se.systolic_patient_sd_mmhg * rng.standard_normal(n),
    )
