"""Parameters of the synthetic-cohort generator, with where each value comes from.

Every number the generator uses lives here, in frozen dataclasses, so a scenario is a
`dataclasses.replace` of the defaults. Values are of three kinds (see docs/simulation.md):

- FIXED: copied from the clinical reference (schedules, doses, scale ranges);
- FITTED: chosen so that the measured figures of `ketacare.simulation.calibration` fall within
  the documented tolerance of a published figure (the figure is named in the comment);
- ASSUMED: no published figure (e.g. the magnitude of tolerance, nausea rates); a documented
  placeholder, marked UNCONFIRMED, to be replaced when a clinic has its own data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ketacare.domain.routes import Route

ROUTES: tuple[str, ...] = tuple(r.value for r in Route)


@dataclass(frozen=True)
class RouteParams:
    """How one route is given and how it differs in effect and side effects."""

    share: float  # ASSUMED share of the clinic cohort on this route
    loading_sessions: int  # FIXED: the usual loading series for the route (reference 1.1–1.5, 5.6)
    interval_days: tuple[int, int]  # FIXED: inclusive range of days between loading sessions
    depth_logit_shift: float  # FITTED: route/setting shift of the depth of response
    speed_factor: float  # FITTED: multiplies the sessions-to-effect time constant
    # Side effects at the route's reference dose (logit scale; patient effects added on top).
    sedation_logit: float  # FITTED to the esketamine label (sedation 48–61% of patients)
    dissociation_logit: float  # FITTED to the esketamine label (dissociation 61–75%)
    nausea_logit: float  # ASSUMED (UNCONFIRMED): no per-route nausea rate in the reference
    systolic_rise_mmhg: float  # FITTED: mean peak systolic rise at the reference dose


DEFAULT_ROUTES: dict[str, RouteParams] = {
    # IV 0.5 mg/kg over 40 min, 6 infusions 2–3 per week (Murrough 2013: 6 in 12 days;
    # Oliver 2022: 6 within 21 days).
    Route.IV.value: RouteParams(0.50, 6, (2, 4), 0.0, 1.0, -2.2, -0.8, -2.2, 16.0),
    # IM 0.5 mg/kg (Chilukuri 2014: IM as effective as IV); same series as IV.
    Route.IM.value: RouteParams(0.10, 6, (2, 4), 0.0, 1.0, -2.0, -0.7, -2.0, 14.0),
    # Esketamine: twice weekly for the 4-week induction (8 sessions; Spravato label).
    # No anxiety outcome figure for esketamine: response assumed equal to IV (UNCONFIRMED).
    Route.ESKETAMINE_NASAL.value: RouteParams(0.20, 8, (3, 4), 0.0, 1.0, -2.3, -0.5, -1.6, 9.0),
    # Sublingual at home: 4 sessions over 4 weeks (Hull 2022). The deeper, faster effect is
    # FITTED to Hull's self-selected telehealth cohort; it describes that population, not a
    # claim that the route is more effective.
    Route.SUBLINGUAL.value: RouteParams(0.20, 4, (7, 7), 1.50, 0.46, -2.6, -1.4, -2.4, 7.0),
}


@dataclass(frozen=True)
class CovariateParams:
    """Who comes to the clinic (ASSUMED: a treatment-resistant anxiety clinic population)."""

    age_mean_years: float = 44.0
    age_sd_years: float = 13.0
    female_share: float = 0.6
    comorbid_depression_share: float = 0.7
    comorbid_ptsd_share: float = 0.25
    illness_duration_median_years: float = 10.0
    gad7_baseline_mean: float = 14.5
    gad7_baseline_sd: float = 4.5
    phq9_baseline_mean_depressed: float = 16.5
    phq9_baseline_mean_not_depressed: float = 9.0
    phq9_baseline_sd: float = 4.0
    pcl5_baseline_mean_ptsd: float = 50.0
    pcl5_baseline_mean_no_ptsd: float = 18.0
    pcl5_baseline_sd: float = 10.0


@dataclass(frozen=True)
class ResponseParams:
    """Per-patient depth and speed of response, and tolerance (see docs/simulation.md).

    After k sessions the fraction of the baseline score removed is
    ``depth * (1 - exp(-E_k / speed))`` where ``E_k = sum_{j<k} (1 - tau)**j`` is the effective
    number of sessions: with tolerance (tau > 0) each further session adds less.
    """

    depth_logit_mean: float = 1.00  # FITTED: GAD-7 depth; with phq9_logit_shift, Oliver 2022
    depth_logit_sd: float = 1.50  # FITTED: Oliver 2022 PHQ-9 response/remission at 6 and 10
    depth_max: float = 0.97  # scores never fall by more than this fraction on average
    duration_logit_per_log_year: float = -0.25  # ASSUMED: longer illness, shallower response
    ptsd_logit_shift: float = -0.30  # ASSUMED: PCL-5 did not respond in Abdallah 2022
    phq9_logit_shift: float = 2.20  # FITTED: depression responds more than anxiety
    # (Hietamies 2023: d 1.56 depression vs 1.17 anxiety; Oliver: GAD-7 only ≈ 30% lower)
    instrument_logit_sd: float = 0.45  # ASSUMED: GAD-7 and PHQ-9 depths differ per patient
    speed_median_sessions: float = 6.5  # FITTED: Oliver's gain from 6 to 10 infusions
    speed_log_sd: float = 0.70  # FITTED: same; early-improvement figures follow
    tolerance_share: float = 0.20  # UNCONFIRMED: share of patients who develop tolerance
    tolerance_per_session: tuple[float, float] = (0.05, 0.20)  # UNCONFIRMED: range of tau
    gad7_noise_sd: float = 1.5  # ASSUMED: test–retest noise of one GAD-7 (points)
    phq9_noise_sd: float = 2.0  # ASSUMED: test–retest noise of one PHQ-9 (points)


@dataclass(frozen=True)
class DurabilityParams:
    """How the benefit wears off after the last session (FITTED to Murrough 2013: median
    18 days to relapse among responders after 6 infusions)."""

    full_benefit_median_days: float = 13.0  # benefit holds fully this long (median)
    full_benefit_log_sd: float = 0.65
    decay_half_life_days: float = 6.0  # then decays with this half-life …
    residual_share_beta: tuple[float, float] = (1.2, 4.0)  # … to a kept fraction ~ Beta(a, b)


@dataclass(frozen=True)
class SideEffectParams:
    """Side effects per session (FITTED to the label/cohort figures named in the comments)."""

    patient_logit_sd: float = 4.0  # FITTED: REMS sedation 61.9% of patients vs 34.7% of sessions
    dose_logit_per_doubling: float = 0.9  # Glue 2017: dose–response for dissociation and BP
    dissociation_logit_per_log_session: float = -0.45  # Glue 2018: CADSS 20 → 8.8 over 14 weeks
    cadss_threshold: int = 4  # dissociation = CADSS > 4 (UNCONFIRMED cut-off)
    cadss_log_mean: float = 2.0  # FITTED: IV mean CADSS 7.7 (SD 9.2), Yale cohort
    cadss_log_sd: float = 0.8
    moaas_given_sedation: tuple[float, float, float, float, float] = (0.004, 0.01, 0.03, 0.156, 0.8)
    # P(MOAA/S = 0, 1, 2, 3, 4 | sedated); MOAA/S 4 most common (label); 0 = loss of consciousness
    systolic_patient_sd_mmhg: float = 7.0  # FITTED: Yale SD 11.2 of the peak systolic rise
    systolic_session_sd_mmhg: float = 8.5
    systolic_per_year_of_age_mmhg: float = 0.15  # Yale: age associated with SBP surge
    diastolic_per_systolic: float = 0.69  # FITTED: Yale DBP +11.0 (SD 8.45) vs SBP +16.0
    diastolic_noise_sd_mmhg: float = 4.0
    large_rise_systolic_mmhg: float = 40.0  # label: rise ≥ 40 systolic and/or ≥ 25 diastolic
    large_rise_diastolic_mmhg: float = 25.0


@dataclass(frozen=True)
class CohortConfig:
    """Everything `simulate_cohort` needs besides the number of patients and the seed."""

    routes: dict[str, RouteParams] = field(default_factory=lambda: dict(DEFAULT_ROUTES))
    covariates: CovariateParams = field(default_factory=CovariateParams)
    response: ResponseParams = field(default_factory=ResponseParams)
    durability: DurabilityParams = field(default_factory=DurabilityParams)
    side_effects: SideEffectParams = field(default_factory=SideEffectParams)
    loading_sessions: int | None = None  # None: each route's own series; else for every route
    followup_days: int = 84  # check-ins after loading (Murrough followed up to 83 days)
    checkin_interval_days: float = 7.0  # weekly check-ins; 3.5 gives twice-weekly
    only_route: str | None = None  # put every patient on this route (scenarios)
    comorbid_depression_share: float | None = None  # override the covariate share (scenarios)
