"""Calibration of the sessions-to-response forecast on held-out synthetic courses.

Generates a seeded synthetic cohort (`simulate_cohort`, 12 sessions per course so every held-out
course is followed to the forecast's horizon), fits the forecast on a training part (ridge toward
the published priors, as a clinic would), and forecasts the held-out part at landmarks 0, 1 and 2
(before the first session, and with the scores observed after sessions 1 and 2). Reported:

- Brier score of P(responded by session 6) and P(responded by session 12) against a no-skill
  baseline (the training base rate at that landmark) and the Brier skill score;
- a reliability table: deciles of the predicted probability, mean predicted vs observed;
- the prior's unconditioned curve averaged over study-shaped cohorts (Oliver 2022, Hull 2022).

Run: ``python -m ketacare.simulation.forecast_calibration [--patients N] [--seed S]``.
``--derive-priors`` prints the coefficients fitted on a large cohort with no prior pull (how
`PRIORS` in ketacare.domain.forecast_priors was produced).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ketacare.domain.forecast import ForecastPolicy
from ketacare.domain.forecast_model import (
    FEATURES,
    HORIZON_SESSIONS,
    ROUTE_ORDER,
    CourseTable,
    HazardModel,
    covariates,
    design,
    first_response,
    fit_hazard,
    improvement_at,
    responded_table,
)
from ketacare.domain.forecast_priors import PRIORS
from ketacare.domain.instruments import GAD7, PHQ9
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.simulation.cohort import Cohort, simulate_cohort
from ketacare.simulation.params import CohortConfig

FloatArray = NDArray[np.float64]
INSTRUMENT_COLUMNS = {"gad7": ("GAD-7", "gad7_baseline"), "phq9": ("PHQ-9", "phq9_baseline")}
INSTRUMENTS = {"gad7": GAD7, "phq9": PHQ9}
LANDMARKS = (0, 1, 2)
DEFAULT_SEED = 20260302


def course_table(cohort: Cohort, instrument: str = "gad7") -> CourseTable:
    """The cohort's loading series as a CourseTable for `instrument` ("gad7" or "phq9")."""
    label, baseline_column = INSTRUMENT_COLUMNS[instrument]
    patients = cohort.patients
    n = len(patients)
    scores = cohort.scores
    after = scores[
        (scores["instrument"] == label)
        & (scores["session_number"] >= 1)
        & (scores["session_number"] <= HORIZON_SESSIONS)
    ]
    grid = np.full((n, HORIZON_SESSIONS), -1, dtype=np.int64)
    grid[
        after["patient_id"].to_numpy(np.int64),
        after["session_number"].to_numpy().astype(np.int64) - 1,
    ] = after["score"].to_numpy(np.int64)
    route_codes = {r.value: i for i, r in enumerate(ROUTE_ORDER)}
    route = np.array([route_codes[str(r)] for r in patients["route"].cat.categories])[
        patients["route"].cat.codes.to_numpy()
    ]
    return CourseTable(
        cov=covariates(
            patients["gad7_baseline"].to_numpy(),
            patients["phq9_baseline"].to_numpy(),
            patients["comorbid_depression"].to_numpy(bool),
            patients["comorbid_ptsd"].to_numpy(bool),
            np.asarray(route, dtype=np.int64),
        ),
        baseline=patients[baseline_column].to_numpy(np.int64),
        scores=grid,
        sessions=np.minimum(patients["loading_sessions"].to_numpy(np.int64), HORIZON_SESSIONS),
    )


def twelve_session_cohort(n: int, seed: int, **overrides: object) -> Cohort:
    config = replace(CohortConfig(loading_sessions=HORIZON_SESSIONS, followup_days=0), **overrides)  # type: ignore[arg-type]
    return simulate_cohort(n, seed, config=config)


def subset(table: CourseTable, index: NDArray[np.int64]) -> CourseTable:
    return CourseTable(
        table.cov.take(index), table.baseline[index], table.scores[index], table.sessions[index]
    )


def curves(model: HazardModel, table: CourseTable, landmark: int) -> FloatArray:
    """P(responded by N) for every course of `table` seen from `landmark` (n × 12)."""
    out = np.zeros((table.n, HORIZON_SESSIONS))
    steps = HORIZON_SESSIONS - landmark
    if steps <= 0 or table.n == 0:
        return out
    n = np.tile(np.arange(landmark + 1, HORIZON_SESSIONS + 1, dtype=np.int64), table.n)
    who = np.repeat(np.arange(table.n, dtype=np.int64), steps)
    x = design(
        n,
        np.full(n.shape[0], landmark, dtype=np.int64),
        improvement_at(table, landmark)[who],
        table.cov.take(who),
    )
    hazard = (0.5 * (1.0 + np.tanh(0.5 * (x @ model.beta())))).reshape(table.n, steps)
    out[:, landmark:] = 1.0 - np.cumprod(1.0 - hazard, axis=1)
    return out


@dataclass(frozen=True)
class LandmarkScore:
    landmark: int
    by_session: int
    patients: int
    observed_rate: float
    brier: float
    brier_prior: float
    brier_no_skill: float

    @property
    def skill(self) -> float:
        return 1.0 - self.brier / self.brier_no_skill if self.brier_no_skill > 0 else 0.0


def eligible_at(table: CourseTable, first: NDArray[np.int64], landmark: int) -> NDArray[np.bool_]:
    ok = (table.baseline > 0) & (first > landmark)
    if landmark > 0:
        ok &= table.scores[:, landmark - 1] >= 0
    return np.asarray(ok, dtype=np.bool_)


def reliability(predicted: FloatArray, observed: FloatArray, bins: int = 10) -> pd.DataFrame:
    """Deciles of the prediction: count, mean predicted, observed share."""
    order = np.argsort(predicted, kind="stable")
    groups = np.array_split(order, bins)
    return pd.DataFrame(
        {
            "decile": np.arange(1, len(groups) + 1),
            "patients": [g.size for g in groups],
            "mean_predicted": [float(predicted[g].mean()) for g in groups],
            "observed": [float(observed[g].mean()) for g in groups],
        }
    )


@dataclass(frozen=True)
class CalibrationReport:
    patients: int
    seed: int
    instrument: str
    train: int
    test: int
    fit_seconds: float
    fit_iterations: int
    scores: tuple[LandmarkScore, ...]
    reliability_by_12: pd.DataFrame
    reliability_by_6: pd.DataFrame
    prior_checks: tuple[PriorCheck, ...]


def calibrate(
    n_patients: int = 20_000,
    seed: int = DEFAULT_SEED,
    *,
    instrument: str = "gad7",
    train_share: float = 0.7,
    policy: ForecastPolicy | None = None,
    outcomes: OutcomesPolicy | None = None,
) -> CalibrationReport:
    """Fit on a training part, score the held-out part at landmarks 0, 1, 2."""
    policy = policy or ForecastPolicy()
    responded = responded_table(INSTRUMENTS[instrument], outcomes or OutcomesPolicy())
    table = course_table(twelve_session_cohort(n_patients, seed), instrument)
    order = np.random.default_rng(seed + 1).permutation(table.n)
    cut = int(table.n * train_share)
    train, test = subset(table, order[:cut]), subset(table, order[cut:])
    prior = PRIORS[instrument]
    started = time.perf_counter()
    fitted = fit_hazard(train, responded, prior, ridge=policy.prior_weight)
    seconds = time.perf_counter() - started
    first_train = first_response(train, responded)
    first_test = first_response(test, responded)
    results: list[LandmarkScore] = []
    rel: dict[int, pd.DataFrame] = {}
    for landmark in LANDMARKS:
        ok_test = eligible_at(test, first_test, landmark)
        ok_train = eligible_at(train, first_train, landmark)
        part = subset(test, np.flatnonzero(ok_test))
        predicted = curves(fitted.model, part, landmark)
        predicted_prior = curves(prior, part, landmark)
        for by in (6, HORIZON_SESSIONS):
            observed = (first_test[ok_test] <= by).astype(np.float64)
            base_rate = float(np.mean(first_train[ok_train] <= by))
            p, q = predicted[:, by - 1], predicted_prior[:, by - 1]
            results.append(
                LandmarkScore(
                    landmark,
                    by,
                    int(ok_test.sum()),
                    float(observed.mean()),
                    float(np.mean((p - observed) ** 2)),
                    float(np.mean((q - observed) ** 2)),
                    float(np.mean((base_rate - observed) ** 2)),
                )
            )
            if landmark == 0:
                rel[by] = reliability(p, observed)
    return CalibrationReport(
        n_patients,
        seed,
        instrument,
        train.n,
        test.n,
        seconds,
        fitted.iterations,
        tuple(results),
        rel[HORIZON_SESSIONS],
        rel[6],
        prior_checks(seed),
    )


def prior_checks(seed: int, n: int = 4000) -> tuple[PriorCheck, ...]:
    """The priors' unconditioned curves averaged over study-shaped cohorts, beside the published
    figure, the generator's share meeting response *at* that session (what the studies report)
    and its share having responded *by* that session (what the forecast predicts)."""
    oliver = course_table(
        twelve_session_cohort(n, seed + 2, only_route="iv", comorbid_depression_share=1.0), "phq9"
    )
    hull = course_table(twelve_session_cohort(n, seed + 3, only_route="sublingual"), "gad7")
    checks = (
        ("Oliver 2022: PHQ-9 response after 6 IV infusions", 0.50, oliver, "phq9", 6),
        ("Oliver 2022: PHQ-9 response after 10 IV infusions", 0.72, oliver, "phq9", 10),
        ("Hull 2022: GAD-7 response after 4 sublingual sessions", 0.629, hull, "gad7", 4),
    )
    out = []
    for name, published, table, code, at in checks:
        responded = responded_table(INSTRUMENTS[code], OutcomesPolicy())
        now = responded[table.baseline, np.maximum(table.scores[:, at - 1], 0)]
        by = first_response(table, responded) <= at
        prior = curves(PRIORS[code], table, 0)[:, at - 1]
        out.append(
            PriorCheck(name, published, float(now.mean()), float(by.mean()), float(prior.mean()))
        )
    return tuple(out)


@dataclass(frozen=True)
class PriorCheck:
    figure: str
    published: float
    generator_at: float  # share meeting response at the session (the published kind)
    generator_by: float  # share having responded by the session (the forecast's kind)
    priors: float  # the priors' mean forecast of "responded by"


def derive_priors(n_patients: int = 200_000, seed: int = 7) -> dict[str, HazardModel]:
    """Coefficients fitted on a large default cohort with a negligible pull toward zero."""
    cohort = twelve_session_cohort(n_patients, seed)
    zero = HazardModel(tuple(0.0 for _ in FEATURES))
    out = {}
    for code, tool in INSTRUMENTS.items():
        responded = responded_table(tool, OutcomesPolicy())
        out[code] = fit_hazard(course_table(cohort, code), responded, zero, ridge=1.0).model
    return out


def format_report(report: CalibrationReport) -> str:
    lines = [
        f"Forecast calibration — {report.instrument}, {report.patients} synthetic courses "
        f"(seed {report.seed}), trained on {report.train}, held out {report.test}; fit "
        f"{report.fit_seconds:.2f} s in {report.fit_iterations} Newton iterations",
        "",
        "| landmark | event | held-out patients | observed | Brier (fitted) | Brier (priors) "
        "| Brier (no skill) | skill |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in report.scores:
        lines.append(
            f"| {s.landmark} | responded by session {s.by_session} | {s.patients} | "
            f"{s.observed_rate:.3f} | {s.brier:.4f} | {s.brier_prior:.4f} | "
            f"{s.brier_no_skill:.4f} | {s.skill:.3f} |"
        )
    for by, frame in ((HORIZON_SESSIONS, report.reliability_by_12), (6, report.reliability_by_6)):
        lines += [
            "",
            f"Reliability at landmark 0, P(responded by session {by}) (deciles):",
            "",
            "| decile | patients | mean predicted | observed |",
            "|---|---|---|---|",
        ]
        for row in frame.itertuples(index=False):
            lines.append(
                f"| {row.decile} | {row.patients} | {row.mean_predicted:.3f} | {row.observed:.3f} |"
            )
    lines += [
        "",
        "| published figure | published | generator: response at N | generator: responded "
        "by N | priors' mean forecast (by N) |",
        "|---|---|---|---|---|",
    ]
    for c in report.prior_checks:
        lines.append(
            f"| {c.figure} | {c.published:.3f} | {c.generator_at:.3f} | {c.generator_by:.3f} "
            f"| {c.priors:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--instrument", choices=sorted(INSTRUMENTS), default="gad7")
    parser.add_argument("--derive-priors", action="store_true")
    args = parser.parse_args(argv)
    if args.derive_priors:
        for code, model in derive_priors().items():
            coefs = ", ".join(f"{c:.4f}" for c in model.coefficients)
            print(f'"{code}": HazardModel(({coefs})),')
        return 0
    print(format_report(calibrate(args.patients, args.seed, instrument=args.instrument)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
