"""The forecast's priors: hazard coefficients that reproduce the published figures.

No study publishes a per-session hazard model for ketamine, so the priors are DERIVED: they are
the coefficients fitted (`fit_hazard` with a negligible ridge toward zero) on 200,000 synthetic
12-session courses from `ketacare.simulation` (seed 7), the generator whose calibration against
Oliver 2022 (PHQ-9 response 50% after 6 and 72% after 10 IV infusions), Hull 2022 (GAD-7
response 62.9% after 4 sublingual sessions), Hietamies 2023 (effect sizes) and the
early-improvement studies (Transl Psychiatry 2024; Canadian Rapid Treatment Center 2021) is
measured in docs/simulation.md. `python -m ketacare.simulation.forecast_calibration
--derive-priors` regenerates them; the same module checks that the priors' unconditioned curve,
averaged over study-shaped cohorts, reproduces those figures (docs/forecast.md).

Coefficients are in `forecast_model.FEATURES` order.
"""

from __future__ import annotations

from ketacare.domain.forecast_model import FEATURES, HazardModel

# fmt: off
PRIORS: dict[str, HazardModel] = {
    "gad7": HazardModel((
        -3.9727, 2.3708, -0.7099,  # intercept, log n, (log n)²
        -0.3138, 0.0032,  # GAD-7 and PHQ-9 baseline (z)
        -0.0076, -0.1308,  # comorbid depression, PTSD
        -0.0133, 0.0066,  # IM, esketamine
        2.1871, -0.5629, -0.0325,  # sublingual, × log n, × (log n)²
        -0.9146, 6.6705, -1.0033, -0.9858,  # scored, improvement, × log distance, log landmark
        0.5854, 0.0276, -0.3366,  # scored × log n, × (log n)², × sublingual
    )),
    "phq9": HazardModel((
        -2.7186, 1.8542, -0.5185,
        -0.0098, -0.3577,
        -0.0948, -0.0428,
        -0.0029, -0.0060,
        1.5023, -0.2905, -0.0442,
        -0.4433, 3.3430, -0.5691, -0.5606,
        0.3907, -0.0143, -0.1500,
    )),
}
# fmt: on

assert all(len(m.coefficients) == len(FEATURES) for m in PRIORS.values())
