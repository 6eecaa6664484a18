"""Maintenance safety: tolerance, overuse (frequency and cumulative dose) and visit screens.

At every maintenance visit ask about urinary symptoms (ketamine uropathy), signs of misuse and the
benzodiazepine load (clinical-reference §5.4, §5.5, §8 rule 10). Tolerance and overuse limits
have no published values: they are clinic policy (MaintenancePolicy) a prescriber must confirm.
Dates are injected (`today`); nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.instruments import Instrument
from ketacare.domain.maintenance import MaintenancePolicy
from ketacare.domain.sources import (
    ANDRASHKO_2020,
    COTTRELL_2012,
    OVERUSE_DERIVED,
    SPRAVATO_LABEL,
    TOLERANCE_POLICY,
)

OVERUSE_WINDOW_DAYS = 30  # the guard counts the 30 days ending today, today included


class UrinarySymptom(StrEnum):
    FREQUENCY = "frequency"
    URGENCY = "urgency"
    DYSURIA = "dysuria"
    HAEMATURIA = "haematuria"
    SUPRAPUBIC_PAIN = "suprapubic_pain"


class MisuseSign(StrEnum):
    EARLIER_SESSION_REQUESTED = "earlier_session_requested"
    EXTRA_SESSIONS_REQUESTED = "extra_sessions_requested"
    HIGHER_DOSE_REQUESTED = "higher_dose_requested"
    KETAMINE_FROM_OTHER_SOURCES = "ketamine_from_other_sources"
    TAKE_HOME_DOSES_UNACCOUNTED = "take_home_doses_unaccounted"
    SEEKS_DISSOCIATIVE_EFFECT = "seeks_dissociative_effect"


TOLERANCE = rule(
    "maintenance.possible_tolerance",
    "A shrinking benefit per session over recent sessions suggests tolerance (clinic policy).",
    TOLERANCE_POLICY,
    params=("maintenance.tolerance_window_sessions", "maintenance.tolerance_min_decline_points"),
)
OVERUSE_FREQUENCY = rule(
    "maintenance.overuse_session_frequency",
    "More maintenance sessions in 30 days than the clinic maximum needs prescriber review.",
    OVERUSE_DERIVED,
    params=("maintenance.max_sessions_per_30_days",),
)
OVERUSE_DOSE = rule(
    "maintenance.overuse_cumulative_dose",
    "A cumulative IV-equivalent dose in 30 days above the clinic maximum needs prescriber review.",
    OVERUSE_DERIVED,
    params=("maintenance.max_iv_equivalent_mg_per_kg_per_30_days",),
)
URINARY = rule(
    "maintenance.urinary_symptoms",
    "Any urinary symptom (frequency, urgency, dysuria, haematuria, suprapubic pain) at a "
    "maintenance visit needs prescriber review for ketamine uropathy.",
    COTTRELL_2012,
)
MISUSE = rule(
    "maintenance.misuse_signs",
    "Signs of misuse (requests for earlier, extra or larger doses; other sources; unaccounted "
    "take-home doses) need prescriber review; ketamine is Schedule III.",
    SPRAVATO_LABEL,
)
BENZODIAZEPINE = rule(
    "maintenance.benzodiazepine_load",
    "A benzodiazepine load above 8 mg diazepam-equivalent/day predicts a poorer response.",
    ANDRASHKO_2020,
    # One home for the threshold: the screening section (the same load, re-checked at visits).
    params=("screening.benzodiazepine_diazepam_eq_mg_per_day_limit",),
)


@dataclass(frozen=True)
class SessionBenefit:
    """One session's acute benefit: the total before and after (same instrument)."""

    day: date
    pre_score: int
    post_score: int
    session_number: int | None = None

    @property
    def benefit_points(self) -> int:
        return self.pre_score - self.post_score


@dataclass(frozen=True)
class ToleranceAssessment:
    """`decline_points` is the fitted fall in benefit across the window (None if too few)."""

    detected: bool
    window: tuple[SessionBenefit, ...]
    decline_points: float | None
    findings: tuple[Finding, ...]


def tolerance(
    instrument: Instrument, sessions: Sequence[SessionBenefit], *, policy: MaintenancePolicy
) -> ToleranceAssessment:
    """Look for a shrinking benefit per session over the most recent sessions.

    The benefit of a session is pre − post score. Over the last `tolerance_window_sessions`
    sessions (time order), a least-squares line through the benefits is fitted; its fall from
    the first to the last session of the window is `decline_points`. A fitted line, not the
    first-minus-last difference, so one unusual session does not decide alone.
    """
    for i, s in enumerate(sessions):
        instrument.check_total(s.pre_score, field=f"sessions[{i}].pre_score")
        instrument.check_total(s.post_score, field=f"sessions[{i}].post_score")
        if i and s.day < sessions[i - 1].day:
            raise InvalidInput(
                f"sessions must be in time order; session {i} ({s.day}) is "
                f"before {sessions[i - 1].day}",
                field=f"sessions[{i}].day",
            )
    k, name = policy.tolerance_window_sessions, instrument.name
    if len(sessions) < k:
        return ToleranceAssessment(
            False,
            tuple(sessions),
            None,
            (
                TOLERANCE.finding(
                    Severity.INFO,
                    f"{len(sessions)} sessions with {name} before and after (< {k}): "
                    f"too few to judge tolerance.",
                ),
            ),
        )
    window = tuple(sessions[-k:])
    benefits = [float(s.benefit_points) for s in window]
    decline = -_slope(benefits) * (k - 1)
    detected = decline >= policy.tolerance_min_decline_points
    listed = ", ".join(f"{s.benefit_points:+d}" for s in window)
    if detected:
        finding = TOLERANCE.finding(
            Severity.REVIEW,
            f"{name} benefit per session over the last {k} sessions "
            f"({window[0].day} to {window[-1].day}) was {listed} points, a fitted decline of "
            f"{decline:.1f} ≥ {policy.tolerance_min_decline_points:g}: possible tolerance; "
            f"review dose and interval.",
            decline_points=decline,
        )
    else:
        finding = TOLERANCE.finding(
            Severity.INFO,
            f"{name} benefit per session over the last {k} sessions was "
            f"{listed} points (fitted decline {decline:.1f} < "
            f"{policy.tolerance_min_decline_points:g}): no sign of tolerance.",
            decline_points=decline,
        )
    return ToleranceAssessment(detected, window, decline, (finding,))


def _slope(values: Sequence[float]) -> float:
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / sxx


@dataclass(frozen=True)
class DosedSession:
    """A maintenance session and its dose as IV-equivalent mg/kg (None = not known); the route
    module converts other routes to IV-equivalents."""

    day: date
    iv_equivalent_mg_per_kg: float | None = None


@dataclass(frozen=True)
class OveruseAssessment:
    """Sessions and known cumulative IV-equivalent dose in the 30 days ending `today`."""

    exceeded: bool
    sessions_in_window: int
    cumulative_iv_equivalent_mg_per_kg: float
    sessions_without_dose: int
    findings: tuple[Finding, ...]


def overuse(
    sessions: Sequence[DosedSession], today: date, *, policy: MaintenancePolicy
) -> OveruseAssessment:
    """Guard against too frequent sessions and too high a cumulative dose in maintenance.

    Pass the maintenance-phase sessions only (the loading series is expected to be dense).
    Counts the 30 days ending `today` (today included); sessions after today are refused.
    """
    window_start = today - timedelta(days=OVERUSE_WINDOW_DAYS - 1)
    for i, s in enumerate(sessions):
        if s.day > today:
            raise InvalidInput(
                f"session {i} is on {s.day}, after today ({today})", field=f"sessions[{i}].day"
            )
        dose = s.iv_equivalent_mg_per_kg
        if dose is not None and (isinstance(dose, bool) or not dose >= 0):
            raise InvalidInput(
                f"session {i} dose must be 0 mg/kg or more; got {dose}",
                field=f"sessions[{i}].iv_equivalent_mg_per_kg",
            )
    in_window = [s for s in sessions if s.day >= window_start]
    known = [s.iv_equivalent_mg_per_kg for s in in_window if s.iv_equivalent_mg_per_kg is not None]
    total, unknown = float(sum(known)), len(in_window) - len(known)
    period = f"the 30 days from {window_start} to {today}"
    findings: list[Finding] = []
    if len(in_window) > policy.max_sessions_per_30_days:
        findings.append(
            OVERUSE_FREQUENCY.finding(
                Severity.REVIEW,
                f"{len(in_window)} sessions in {period} (> "
                f"{policy.max_sessions_per_30_days}): more often than the clinic allows; review "
                f"for overuse or misuse.",
                sessions=len(in_window),
            )
        )
    if total > policy.max_iv_equivalent_mg_per_kg_per_30_days:
        findings.append(
            OVERUSE_DOSE.finding(
                Severity.REVIEW,
                f"Cumulative {total:.2f} mg/kg IV-equivalent in {period} (> "
                f"{policy.max_iv_equivalent_mg_per_kg_per_30_days:g}): review dose and interval.",
                cumulative_mg_per_kg=total,
            )
        )
    if unknown:
        findings.append(
            OVERUSE_DOSE.finding(
                Severity.INFO,
                f"Dose unknown for {unknown} of {len(in_window)} sessions in "
                f"{period}: the cumulative {total:.2f} mg/kg IV-equivalent is a lower bound.",
            )
        )
    return OveruseAssessment(
        any(f.severity is Severity.REVIEW for f in findings),
        len(in_window),
        total,
        unknown,
        tuple(findings),
    )


def urinary_symptoms(symptoms: Collection[UrinarySymptom]) -> tuple[Finding, ...]:
    """Any reported urinary symptom → prescriber review (ketamine uropathy); none → no finding."""
    if not symptoms:
        return ()
    listed = ", ".join(s.value.replace("_", " ") for s in UrinarySymptom if s in symptoms)
    return (
        URINARY.finding(
            Severity.REVIEW,
            f"Urinary symptoms reported: {listed}. Assess for ketamine-related "
            f"cystitis and refer to urology as warranted before the next session.",
            symptoms=sorted(s.value for s in symptoms),
        ),
    )


def misuse_signs(signs: Collection[MisuseSign]) -> tuple[Finding, ...]:
    """Any sign of misuse → prescriber review; none → no finding."""
    if not signs:
        return ()
    listed = ", ".join(s.value.replace("_", " ") for s in MisuseSign if s in signs)
    return (
        MISUSE.finding(
            Severity.REVIEW,
            f"Signs of possible misuse: {listed}. Review before the next session.",
            signs=sorted(s.value for s in signs),
        ),
    )


def benzodiazepine_load(
    diazepam_eq_mg_per_day: float, *, limit_mg_per_day: float
) -> tuple[Finding, ...]:
    """Review a benzodiazepine load above `limit_mg_per_day`, the clinic's
    `ScreeningPolicy.benzodiazepine_diazepam_eq_mg_per_day_limit` (the screening module converts
    drugs and doses to diazepam-equivalent mg/day)."""
    if isinstance(diazepam_eq_mg_per_day, bool) or not diazepam_eq_mg_per_day >= 0:
        raise InvalidInput(
            f"diazepam-equivalent dose must be 0 mg/day or more; got {diazepam_eq_mg_per_day}",
            field="diazepam_eq_mg_per_day",
        )
    limit = limit_mg_per_day
    if diazepam_eq_mg_per_day <= limit:
        return ()
    return (
        BENZODIAZEPINE.finding(
            Severity.REVIEW,
            f"Benzodiazepine load {diazepam_eq_mg_per_day:g} mg diazepam-"
            f"equivalent/day (> {limit:g}) predicts a poorer ketamine response; review it with the "
            f"prescriber.",
            diazepam_eq_mg_per_day=diazepam_eq_mg_per_day,
        ),
    )


def maintenance_visit_screen(
    urinary: Collection[UrinarySymptom],
    misuse: Collection[MisuseSign],
    diazepam_eq_mg_per_day: float,
    *,
    benzodiazepine_limit_mg_per_day: float,
) -> tuple[Finding, ...]:
    """The three questions of every maintenance visit, combined (empty = nothing to review)."""
    return (
        urinary_symptoms(urinary)
        + misuse_signs(misuse)
        + benzodiazepine_load(
            diazepam_eq_mg_per_day, limit_mg_per_day=benzodiazepine_limit_mg_per_day
        )
    )
