""" "How many sessions will I need?": the forecast of response by session N (N = 1…12).

Contract: `forecast_sessions(course, model, outcomes=…, policy=…) -> SessionForecast` gives
P(responded by session N) for N = 1…12, the expected (median) number of sessions to response with
an 80% interval from the predictive distribution, the basis (published priors or this clinic's
completed courses) and findings with reasons. The model (`forecast_model.py`) is a discrete-time
logistic hazard of the *first* response, conditioned on the patient not having responded by the
session of their latest score (the landmark), with baseline severity, comorbid depression/PTSD,
route and the improvement so far as covariates. Response is `outcomes.response_level` (response
or remission) on the forecast instrument (GAD-7 by default, PHQ-9 allowed).

`choose_model` learns from the clinic's completed courses only when there are at least
`ForecastPolicy.min_completed_courses`; it then fits with a ridge penalty toward the priors
(`forecast_priors.py`), so a small clinic stays close to them. Below that count: the priors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.forecast_input import (
    FORECAST_INSTRUMENTS,
    PatientCourse,
    baseline_of,
    instrument_of,
    validate_course,
)
from ketacare.domain.forecast_model import (
    HORIZON_SESSIONS,
    ROUTE_ORDER,
    CourseTable,
    HazardModel,
    covariates,
    fit_hazard,
    responded_table,
)
from ketacare.domain.forecast_priors import PRIORS
from ketacare.domain.instrument_model import Instrument
from ketacare.domain.outcomes import OutcomesPolicy, ResponseLevel, response_level
from ketacare.domain.routes import Route
from ketacare.domain.sources import (
    CLINIC_POLICY,
    EARLY_IMPROVEMENT_2021,
    FORECAST_PRIORS_DERIVED,
)
from ketacare.domain.thresholds import threshold

INTERVAL_PCT = 80  # the interval reported: 10th to 90th percentile of sessions to response


@dataclass(frozen=True)
class ForecastPolicy:
    """When the forecast learns from the clinic, and how strongly it is pulled to the priors."""

    min_completed_courses: int = threshold(
        50,
        statement="The forecast learns from the clinic's own completed courses only when it has "
        "at least this many; below it, it uses the published priors. Clinic policy (no "
        "published minimum): a prescriber must confirm it.",
        unit="courses",
        source=CLINIC_POLICY,
        minimum=10,
        maximum=100000,
    )
    prior_weight: float = threshold(
        10.0,
        statement="Ridge penalty pulling the clinic's fitted coefficients toward the priors "
        "(larger = trust the published figures longer). Clinic policy: confirm before use.",
        unit="penalty",
        source=CLINIC_POLICY,
        minimum=0.1,
        maximum=10000,
    )
    notable_difference_pct: float = threshold(
        3.0,
        statement="A covariate (severity, comorbidity, route, early improvement) is named as a "
        "reason when it moves the chance of response by session 12 by at least this many "
        "percentage points. Clinic policy: confirm before use.",
        unit="percentage points",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=50,
    )


BASIS = rule(
    "forecast.basis",
    "The forecast learns from the clinic's completed courses when it has at least the policy "
    "count (shrunk toward the priors); otherwise it uses priors derived from published figures.",
    CLINIC_POLICY,
    params=("forecast.min_completed_courses", "forecast.prior_weight"),
)
EARLY = rule(
    "forecast.early_improvement",
    "Improvement so far is the strongest signal: early improvement (default ≥ 20%) raises the "
    "chance of response; none lowers it (but never stop after only 1–2 sessions).",
    EARLY_IMPROVEMENT_2021,
    params=("outcomes.early_improvement_pct", "forecast.notable_difference_pct"),
)
COVARIATE = rule(
    "forecast.covariate",
    "Baseline severity, comorbid depression or PTSD and the route are named when they move the "
    "chance of response by session 12 by at least the notable difference.",
    FORECAST_PRIORS_DERIVED,
    params=("forecast.notable_difference_pct",),
)
BEYOND = rule(
    "forecast.beyond_horizon",
    "When fewer than half of similar patients respond within 12 sessions, the expected number "
    "of sessions is beyond what the forecast covers: discuss the plan with the prescriber.",
    FORECAST_PRIORS_DERIVED,
)
RESPONDED = rule(
    "forecast.already_responded",
    "A patient whose score already meets response needs no forecast of response.",
    EARLY_IMPROVEMENT_2021,
    params=("outcomes.response_min_improvement_pct",),
)
STALE = rule(
    "forecast.forecast_from_latest_score",
    "The forecast is made from the session of the latest score; sessions done since then "
    "without a score are not counted (their outcome is unknown).",
    CLINIC_POLICY,
)


@dataclass(frozen=True)
class ForecastModel:
    """The hazard model in use for one instrument and where it came from."""

    instrument: str
    hazard: HazardModel
    clinic_courses: int  # completed courses the clinic has for this instrument
    fitted: bool  # True: learnt from those courses; False: the published priors

    @property
    def basis(self) -> str:
        if self.fitted:
            return f"this clinic's {self.clinic_courses} completed courses"
        return "published figures"


@dataclass(frozen=True)
class SessionForecast:
    instrument: str
    by_session: tuple[float, ...]  # P(responded by session N), N = 1…12
    landmark: int  # the session the forecast is made from (0 = before the first)
    improvement_pct: float | None  # at the landmark
    responded_at_session: int | None
    expected_sessions: int | None  # median sessions to response; None = beyond 12
    interval_low: int | None  # 10th percentile; None = beyond 12
    interval_high: int | None  # 90th percentile; None = beyond 12
    basis: str
    fitted: bool
    findings: tuple[Finding, ...]

    @property
    def beyond_horizon(self) -> bool:
        return self.responded_at_session is None and self.expected_sessions is None


def prior_model(instrument: str, clinic_courses: int = 0) -> ForecastModel:
    return ForecastModel(instrument_of(instrument).code, PRIORS[instrument], clinic_courses, False)


def choose_model(
    instrument: str,
    courses: Sequence[PatientCourse],
    *,
    policy: ForecastPolicy,
    outcomes: OutcomesPolicy,
) -> ForecastModel:
    """Fit on `courses` (ridge toward the priors) when there are at least the policy's count;
    otherwise the priors (recording how many courses the clinic has)."""
    tool = instrument_of(instrument)
    usable = [c for c in courses if (baseline_of(c, tool) or 0) > 0]
    if len(usable) < policy.min_completed_courses:
        return prior_model(tool.code, len(usable))
    table = course_table(usable, tool.code)
    fit = fit_hazard(
        table, responded_table(tool, outcomes), PRIORS[tool.code], ridge=policy.prior_weight
    )
    return ForecastModel(tool.code, fit.model, len(usable), True)


def course_table(courses: Sequence[PatientCourse], instrument: str) -> CourseTable:
    """Columnar form of `courses` for fitting (scores after sessions 1…12; -1 = none)."""
    tool = instrument_of(instrument)
    scores = np.full((len(courses), HORIZON_SESSIONS), -1, dtype=np.int64)
    for i, c in enumerate(courses):
        for n, total in c.scores_after_session:
            if 1 <= n <= HORIZON_SESSIONS:
                scores[i, n - 1] = total
    nan = float("nan")
    return CourseTable(
        cov=covariates(
            np.array([nan if c.gad7_baseline is None else c.gad7_baseline for c in courses]),
            np.array([nan if c.phq9_baseline is None else c.phq9_baseline for c in courses]),
            np.array([c.comorbid_depression for c in courses], dtype=np.bool_),
            np.array([c.comorbid_ptsd for c in courses], dtype=np.bool_),
            np.array([ROUTE_ORDER.index(c.route) for c in courses], dtype=np.int64),
        ),
        baseline=np.array([baseline_of(c, tool) or 0 for c in courses], dtype=np.int64),
        scores=scores,
        sessions=np.array([min(c.sessions_done, HORIZON_SESSIONS) for c in courses]),
    )


def forecast_sessions(
    course: PatientCourse,
    model: ForecastModel,
    *,
    outcomes: OutcomesPolicy,
    policy: ForecastPolicy,
) -> SessionForecast:
    """The forecast for one patient (validates `course`; InvalidInput names the field)."""
    tool = instrument_of(model.instrument)
    baseline = validate_course(course, tool)
    scores = sorted(course.scores_after_session)
    for n, total in scores:
        if response_level(tool, baseline, total, outcomes) in _RESPONSE_LEVELS:
            return _responded(course, model, tool, baseline, n, total, outcomes)
    landmark, improvement = 0, 0.0
    if scores:
        landmark = min(scores[-1][0], HORIZON_SESSIONS)
        improvement = (baseline - scores[-1][1]) / baseline
    curve = _curve(model.hazard, course, landmark, improvement)
    findings = [_basis_finding(model, policy)]
    if landmark < course.sessions_done:
        findings.append(
            STALE.finding(
                Severity.INFO,
                f"The latest {tool.name} after a session is from session {landmark} of "
                f"{course.sessions_done}; the forecast is made from session {landmark}.",
                landmark=landmark,
            )
        )
    findings += _reasons(course, model, landmark, improvement, curve, outcomes, policy)
    median = _first_at(curve, 0.5)
    if median is None:
        findings.append(
            BEYOND.finding(
                Severity.CAUTION,
                f"Only {curve[-1]:.0%} of patients like this respond within "
                f"{HORIZON_SESSIONS} sessions: the expected number of sessions is beyond "
                f"{HORIZON_SESSIONS}. Discuss the plan with the prescriber.",
                by_12=float(curve[-1]),
            )
        )
    return SessionForecast(
        instrument=tool.code,
        by_session=tuple(float(p) for p in curve),
        landmark=landmark,
        improvement_pct=improvement * 100.0 if landmark else None,
        responded_at_session=None,
        expected_sessions=median,
        interval_low=_first_at(curve, 0.1),
        interval_high=_first_at(curve, 0.9),
        basis=model.basis,
        fitted=model.fitted,
        findings=tuple(findings),
    )


_RESPONSE_LEVELS = frozenset({ResponseLevel.RESPONSE, ResponseLevel.REMISSION})


def _curve(
    hazard: HazardModel, course: PatientCourse, landmark: int, improvement: float
) -> np.ndarray:
    nan = float("nan")
    cov = covariates(
        np.array([nan if course.gad7_baseline is None else course.gad7_baseline]),
        np.array([nan if course.phq9_baseline is None else course.phq9_baseline]),
        np.array([course.comorbid_depression]),
        np.array([course.comorbid_ptsd]),
        np.array([ROUTE_ORDER.index(course.route)], dtype=np.int64),
    )
    # Rounding keeps the curve stable to display and monotone after accumulation.
    return np.maximum.accumulate(np.clip(hazard.curve(landmark, improvement, cov), 0.0, 1.0))


def _first_at(curve: np.ndarray, level: float) -> int | None:
    hits = np.flatnonzero(curve >= level)
    return int(hits[0]) + 1 if hits.size else None


def _responded(
    course: PatientCourse,
    model: ForecastModel,
    tool: Instrument,
    baseline: int,
    at: int,
    total: int,
    outcomes: OutcomesPolicy,
) -> SessionForecast:
    curve = tuple(1.0 if n >= at else 0.0 for n in range(1, HORIZON_SESSIONS + 1))
    pct = (baseline - total) / baseline * 100.0
    finding = RESPONDED.finding(
        Severity.INFO,
        f"{tool.name} {baseline} at baseline → {total} after session {at} ({pct:.0f}% "
        f"improvement ≥ {outcomes.response_min_improvement_pct:g}%): already a response.",
        session=at,
    )
    return SessionForecast(
        tool.code, curve, at, pct, at, at, at, at, model.basis, model.fitted, (finding,)
    )


def _basis_finding(model: ForecastModel, policy: ForecastPolicy) -> Finding:
    if model.fitted:
        text = (
            f"Based on this clinic's {model.clinic_courses} completed courses (at least "
            f"{policy.min_completed_courses} needed), shrunk toward the published priors."
        )
    else:
        text = (
            f"Based on published figures: the clinic has {model.clinic_courses} completed "
            f"courses, fewer than the {policy.min_completed_courses} needed to learn from its own."
        )
    return BASIS.finding(Severity.INFO, text, clinic_courses=model.clinic_courses)


def _reasons(
    course: PatientCourse,
    model: ForecastModel,
    landmark: int,
    improvement: float,
    curve: np.ndarray,
    outcomes: OutcomesPolicy,
    policy: ForecastPolicy,
) -> list[Finding]:
    """Named reasons: each covariate set to a reference value, and the change it makes."""
    notable = policy.notable_difference_pct / 100.0
    p12 = float(curve[-1])
    tool_name = FORECAST_INSTRUMENTS[model.instrument].name
    found: list[Finding] = []

    def compare(other: PatientCourse, imp: float = improvement) -> float:
        return float(_curve(model.hazard, other, landmark, imp)[-1])

    if landmark > 0:
        early = outcomes.early_improvement_pct / 100.0
        if improvement >= early:
            ref = compare(course, 0.0)
            verb, versus = "raises", "with no improvement"
        else:
            ref = compare(course, early)
            verb, versus = "lowers", f"with {outcomes.early_improvement_pct:g}% improvement"
        if abs(p12 - ref) >= notable:
            found.append(
                EARLY.finding(
                    Severity.INFO,
                    f"{'Early improvement' if verb == 'raises' else 'Little improvement'} of "
                    f"{improvement:.0%} on the {tool_name} by session {landmark} {verb} the "
                    f"chance of response by session {HORIZON_SESSIONS}: {p12:.0%} vs {ref:.0%} "
                    f"{versus}.",
                    improvement_pct=improvement * 100.0,
                    landmark=landmark,
                )
            )
    checks: list[tuple[str, PatientCourse]] = [
        (
            f"Baseline severity (GAD-7 {course.gad7_baseline}, PHQ-9 {course.phq9_baseline})",
            replace(course, gad7_baseline=14, phq9_baseline=14),
        )
    ]
    if course.comorbid_depression:
        checks.append(("Comorbid depression", replace(course, comorbid_depression=False)))
    if course.comorbid_ptsd:
        checks.append(("Comorbid PTSD", replace(course, comorbid_ptsd=False)))
    if course.route is not Route.IV:
        checks.append((f"The {course.route.value} route", replace(course, route=Route.IV)))
    references = {
        "Baseline": "with average baseline scores (14)",
        "Comorbid": "without it",
        "The": "with the IV route",
    }
    for label, other in checks:
        ref = compare(other)
        if abs(p12 - ref) >= notable:
            verb = "raises" if p12 > ref else "lowers"
            found.append(
                COVARIATE.finding(
                    Severity.INFO,
                    f"{label} {verb} the chance of response by session {HORIZON_SESSIONS}: "
                    f"{p12:.0%} vs {ref:.0%} {references[label.split()[0]]}.",
                    difference=p12 - ref,
                )
            )
    return found


__all__ = [
    "FORECAST_INSTRUMENTS",
    "INTERVAL_PCT",
    "ForecastModel",
    "ForecastPolicy",
    "PatientCourse",
    "SessionForecast",
    "choose_model",
    "course_table",
    "forecast_sessions",
    "prior_model",
    "validate_course",
]
