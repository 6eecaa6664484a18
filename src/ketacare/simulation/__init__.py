"""Synthetic clinic cohorts calibrated to published figures (seeded, vectorised).

Public API:

- `simulate_cohort(n_patients, seed, *, config=None, policy=None) -> Cohort` — the patients,
  scores and sessions tables (plus latent traits) of a synthetic cohort;
- `CohortConfig` and its parameter sections (`params.py`), scenario overrides via
  `dataclasses.replace`;
- booster policies `NoBoosters`, `FixedIntervalBoosters`, `SymptomTriggeredBoosters` and
  `compare_booster_policies` (sessions per patient-year against days in remission);
- `python -m ketacare.simulation.calibration` prints the calibration table of docs/simulation.md.
"""

from ketacare.simulation.boosters import PolicyOutcome, compare_booster_policies
from ketacare.simulation.cohort import INSTRUMENTS, Cohort, simulate_cohort
from ketacare.simulation.followup import (
    BoosterPolicy,
    FixedIntervalBoosters,
    NoBoosters,
    SymptomTriggeredBoosters,
)
from ketacare.simulation.params import (
    ROUTES,
    CohortConfig,
    CovariateParams,
    DurabilityParams,
    ResponseParams,
    RouteParams,
    SideEffectParams,
)

__all__ = [
    "INSTRUMENTS",
    "ROUTES",
    "BoosterPolicy",
    "Cohort",
    "CohortConfig",
    "CovariateParams",
    "DurabilityParams",
    "FixedIntervalBoosters",
    "NoBoosters",
    "PolicyOutcome",
    "ResponseParams",
    "RouteParams",
    "SideEffectParams",
    "SymptomTriggeredBoosters",
    "compare_booster_policies",
    "simulate_cohort",
]
