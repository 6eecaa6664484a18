"""Benchmark: the sessions-to-response forecast — fit time, per-patient forecast time, calibration.

    .venv/bin/python benchmarks/forecast.py [--courses 100000] [--patients 2000] [--seed 7]

Data: a seeded synthetic cohort (ketacare.simulation) of 12-session courses, as the GAD-7
CourseTable the clinic's completed courses become.

- Fit (target ≤ 30 s on 100,000 courses): ours, `fit_hazard` (Newton/IRLS on the stacked landmark
  person-period likelihood with the ridge toward the priors), beside a baseline that maximises the
  same objective with scipy.optimize.minimize (L-BFGS-B, analytic gradient, same data blocks).
  Both start from the priors; the largest coefficient difference between them is reported.
- Per-patient forecast (target ≤ 5 ms): ours, `forecast_sessions` (validation, curve, interval,
  findings with the counterfactual reasons) on patients at landmarks 0–4, beside a
  straightforward pure-Python loop computing only the curve (math.exp per session). Median and
  p99 over all patients.
- Calibration: Brier score at landmarks 0, 1, 2 against the no-skill baseline (20,000 courses).

Writes benchmarks/results/forecast.txt.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from ketacare.domain.forecast import ForecastPolicy, PatientCourse, forecast_sessions, prior_model
from ketacare.domain.forecast_model import (
    FEATURES,
    ROUTE_ORDER,
    CourseTable,
    first_response,
    fit_hazard,
    person_periods,
    responded_table,
)
from ketacare.domain.forecast_priors import PRIORS
from ketacare.domain.instruments import GAD7
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.simulation.forecast_calibration import (
    calibrate,
    course_table,
    format_report,
    twelve_session_cohort,
)

RESULTS = Path(__file__).parent / "results" / "forecast.txt"


def scipy_fit(table: CourseTable, responded: np.ndarray, ridge: float) -> tuple[np.ndarray, int]:
    first = first_response(table, responded)
    centre = PRIORS["gad7"].beta()

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        value = 0.5 * ridge * float(np.sum((beta - centre) ** 2))
        grad = ridge * (beta - centre)
        for x, y in person_periods(table, first):
            z = x @ beta
            value -= float(np.sum(y * z - np.logaddexp(0.0, z)))
            grad -= x.T @ (y - 0.5 * (1.0 + np.tanh(0.5 * z)))
        return value, grad

    result = minimize(objective, centre.copy(), jac=True, method="L-BFGS-B",
                      options={"maxiter": 1000, "gtol": 1e-6})  # fmt: skip
    return result.x, int(result.nfev)


def patients_from(table: CourseTable, count: int, seed: int) -> list[PatientCourse]:
    rng = np.random.default_rng(seed)
    out = []
    for i in rng.choice(table.n, size=count, replace=False):
        done = int(rng.integers(0, 5))
        scores = tuple((n, int(table.scores[i, n - 1])) for n in range(1, done + 1))
        g = round(float(table.cov.gad7_z[i]) * 5 + 14)
        p = round(float(table.cov.phq9_z[i]) * 6 + 14)
        out.append(
            PatientCourse(ROUTE_ORDER[int(table.cov.route_index[i])], max(g, 1), p,
                          bool(table.cov.depression[i]), bool(table.cov.ptsd[i]), done, scores)
        )  # fmt: skip
    return out


def python_curve(course: PatientCourse, beta: tuple[float, ...]) -> list[float]:
    """The baseline: the same hazard curve with plain Python floats, one patient at a time."""
    base = course.gad7_baseline or 1
    landmark = course.scores_after_session[-1][0] if course.scores_after_session else 0
    imp = (base - course.scores_after_session[-1][1]) / base if landmark else 0.0
    sl = 1.0 if course.route.value == "sublingual" else 0.0
    scored = 1.0 if landmark else 0.0
    survive, out = 1.0, [0.0] * 12
    for n in range(landmark + 1, 13):
        ln = math.log(n)
        x = (1.0, ln, ln * ln, (base - 14) / 5, ((course.phq9_baseline or 14) - 14) / 6,
             float(course.comorbid_depression), float(course.comorbid_ptsd),
             float(course.route.value == "im"), float(course.route.value == "esketamine_nasal"),
             sl, sl * ln, sl * ln * ln, scored, imp, imp * math.log(max(n - landmark, 1)),
             math.log1p(landmark), scored * ln, scored * ln * ln, scored * sl)  # fmt: skip
        z = sum(b * v for b, v in zip(beta, x, strict=True))
        survive *= 1.0 - 1.0 / (1.0 + math.exp(-z))
        out[n - 1] = 1.0 - survive
    return out


def timed_ms(fn, items) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000.0)
    return out


def p99(values: list[float]) -> float:
    return float(np.percentile(values, 99))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calibration-courses", type=int, default=20_000)
    args = parser.parse_args()
    assert len(FEATURES) == 19
    lines = [
        f"Forecast benchmark — {platform.python_version()}, {os.cpu_count()} cores, "
        f"numpy {np.__version__}",
        f"command: .venv/bin/python benchmarks/forecast.py --courses {args.courses} "
        f"--patients {args.patients} --seed {args.seed}",
        "",
    ]
    started = time.perf_counter()
    table = course_table(twelve_session_cohort(args.courses, args.seed), "gad7")
    lines.append(f"synthetic courses generated in {time.perf_counter() - started:.1f} s")
    responded = responded_table(GAD7, OutcomesPolicy())
    ridge = ForecastPolicy().prior_weight

    started, cpu = time.perf_counter(), time.process_time()
    ours = fit_hazard(table, responded, PRIORS["gad7"], ridge=ridge)
    ours_s, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    theirs, evaluations = scipy_fit(table, responded, ridge)
    theirs_s, theirs_cpu = time.perf_counter() - started, time.process_time() - cpu
    diff = float(np.max(np.abs(theirs - ours.model.beta())))
    lines += [
        "",
        f"Fit on {args.courses} courses ({ours.rows} person-period rows, {len(FEATURES)} "
        "coefficients; target ≤ 30 s):",
        f"  ours   Newton/IRLS       {ours_s:7.2f} s wall, {ours_cpu:7.2f} s CPU  "
        f"({ours.iterations} iterations)",
        f"  scipy  L-BFGS-B          {theirs_s:7.2f} s wall, {theirs_cpu:7.2f} s CPU  "
        f"({evaluations} evaluations); "
        f"max |coefficient difference| {diff:.2e}",
    ]

    patients = patients_from(table, args.patients, args.seed + 1)
    model, outcomes, policy = prior_model("gad7"), OutcomesPolicy(), ForecastPolicy()
    forecast_sessions(patients[0], model, outcomes=outcomes, policy=policy)  # warm-up
    ours_ms = timed_ms(
        lambda c: forecast_sessions(c, model, outcomes=outcomes, policy=policy), patients
    )
    beta = PRIORS["gad7"].coefficients
    loop_ms = timed_ms(lambda c: python_curve(c, beta), patients)
    lines += [
        "",
        f"Per-patient forecast, {args.patients} patients at landmarks 0–4 (target ≤ 5 ms):",
        f"  ours   forecast_sessions (curve + interval + reasons)  median "
        f"{statistics.median(ours_ms):.3f} ms  p99 {p99(ours_ms):.3f} ms",
        f"  loop   pure-Python curve only                          median "
        f"{statistics.median(loop_ms):.3f} ms  p99 {p99(loop_ms):.3f} ms",
        "",
    ]
    lines.append(format_report(calibrate(args.calibration_courses, 20260302)))
    lines.append(f"\nload average at the end: {os.getloadavg()}")
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
