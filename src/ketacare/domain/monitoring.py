"""Monitoring cadence: when the next set of vital signs is due, and whether it is overdue.

Per route (clinical reference §8 rule 6):
- IV: every 10 min during the infusion, every 15 min after it (Riva-Posse 2018).
- Esketamine: before dosing, about 40 min after dosing (counted from the first device, as the
  REMS form counts), then at the clinic's follow-up interval until discharge; the reading
  before discharge is a discharge criterion (discharge.py). Pulse oximetry is part of every
  reading (`VitalReading.spo2_pct` is required).
- IM and SL/oral: every 15 min from the dose (clinic policy, UNCONFIRMED).
Every route needs a pre-dose reading taken within `predose_reading_max_age_min` before dosing.

The schedule restarts from each reading: the next one is due one interval after the latest
in-session reading (or after dose start when there is none yet).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Rule, Severity, rule
from ketacare.domain.routes import Route
from ketacare.domain.sources import CLINIC_POLICY, RIVA_POSSE_2018, SPRAVATO_LABEL
from ketacare.domain.vital_signs import check_same_clock, minutes_between
from ketacare.domain.vitals_policy import VitalsPolicy

_GRACE = "vitals.cadence_grace_min"

PREDOSE_READING = rule(
    "monitoring.predose_reading",
    "Blood pressure (with heart rate and SpO2) is checked before every dose, within 60 minutes "
    "before dosing.",
    SPRAVATO_LABEL,
    params=("vitals.predose_reading_max_age_min",),
)
IV_CADENCE = rule(
    "monitoring.iv_cadence",
    "IV: vital signs every 10 minutes during the infusion and every 15 minutes after it; "
    "overdue up to 5 minutes is a caution, later staff must act.",
    RIVA_POSSE_2018,
    params=("vitals.iv_interval_during_min", "vitals.iv_interval_after_min", _GRACE),
)
ESKETAMINE_CHECK = rule(
    "monitoring.esketamine_40_min_check",
    "Esketamine: re-check blood pressure about 40 minutes after dosing (a REMS form field).",
    SPRAVATO_LABEL,
    params=("vitals.esketamine_check_min", "vitals.esketamine_check_early_min", _GRACE),
)
ESKETAMINE_FOLLOWUP = rule(
    "monitoring.esketamine_followup",
    "Esketamine: after the 40-minute check, vital signs at least every 30 minutes until "
    "discharge (the label says 'as clinically warranted'; UNCONFIRMED default).",
    CLINIC_POLICY,
    params=("vitals.esketamine_followup_interval_min", _GRACE),
)
IM_CADENCE = rule(
    "monitoring.im_cadence",
    "IM: vital signs every 15 minutes from the injection until discharge (UNCONFIRMED).",
    CLINIC_POLICY,
    params=("vitals.im_interval_min", _GRACE),
)
SUBLINGUAL_CADENCE = rule(
    "monitoring.sublingual_cadence",
    "SL/oral: vital signs every 15 minutes from the dose until discharge (UNCONFIRMED).",
    CLINIC_POLICY,
    params=("vitals.sublingual_interval_min", _GRACE),
)


@dataclass(frozen=True)
class CadenceStatus:
    """When the next reading is due; `overdue_by_min` is 0.0 unless `overdue`."""

    next_due_at: datetime
    overdue: bool
    overdue_by_min: float
    findings: tuple[Finding, ...]


def cadence_due(
    route: Route,
    dose_start: datetime,
    dose_end: datetime | None,
    reading_times: Sequence[datetime],
    now: datetime,
    policy: VitalsPolicy,
) -> CadenceStatus:
    """When the next set of vital signs is due on `route`, and whether it is overdue at `now`.

    `dose_start`: when dosing started (before it has: when it is planned to start).
    `dose_end`: when dosing ended (end of infusion, last device, end of SL hold); None while it
    is still running (IV: the 10-minute cadence applies). `reading_times`: when each recorded
    reading was taken (any order). A reading is overdue strictly after its due time; up to
    `cadence_grace_min` late it is a CAUTION finding, later an ACT finding. Before dosing, the
    pre-dose reading is due at `dose_start`; dosing without one gives an ACT finding.
    Raises InvalidInput for a dose end before its start or after `now`, a reading after `now`,
    or a mix of timezone-aware and naive datetimes.
    """
    times = _validated(dose_start, dose_end, reading_times, now)
    findings: list[Finding] = []
    max_age = timedelta(minutes=policy.predose_reading_max_age_min)
    has_predose = any(dose_start - max_age <= t <= dose_start for t in times)
    if not has_predose and now <= dose_start:
        return _status(PREDOSE_READING, dose_start, now, "the pre-dose reading", policy, [])
    if not has_predose:
        findings.append(
            PREDOSE_READING.finding(
                Severity.ACT,
                f"Dosing started at {dose_start:%H:%M} without a reading in the "
                f"{policy.predose_reading_max_age_min} minutes before it: take a reading now "
                "and record why.",
            )
        )
    in_session = [t for t in times if t >= dose_start]
    if route is Route.ESKETAMINE_NASAL:
        check_at = dose_start + timedelta(minutes=policy.esketamine_check_min)
        window_start = check_at - timedelta(minutes=policy.esketamine_check_early_min)
        checked = [t for t in in_session if t >= window_start]
        if not checked:
            what = f"the {policy.esketamine_check_min}-minute blood pressure check"
            return _status(ESKETAMINE_CHECK, check_at, now, what, policy, findings)
        every = policy.esketamine_followup_interval_min
        due = checked[-1] + timedelta(minutes=every)
        return _status(ESKETAMINE_FOLLOWUP, due, now, f"every {every} min", policy, findings)
    anchor = in_session[-1] if in_session else dose_start
    declared, every, phase = _interval(route, anchor, dose_end, policy)
    due = anchor + timedelta(minutes=every)
    return _status(declared, due, now, f"every {every} min {phase}", policy, findings)


def _interval(
    route: Route, anchor: datetime, dose_end: datetime | None, policy: VitalsPolicy
) -> tuple[Rule, int, str]:
    if route is Route.IV:
        if dose_end is None or anchor < dose_end:
            return IV_CADENCE, policy.iv_interval_during_min, "during the infusion"
        return IV_CADENCE, policy.iv_interval_after_min, "after the infusion"
    if route is Route.IM:
        return IM_CADENCE, policy.im_interval_min, "after the injection"
    return SUBLINGUAL_CADENCE, policy.sublingual_interval_min, "after the dose"


def _status(
    declared: Rule,
    due: datetime,
    now: datetime,
    what: str,
    policy: VitalsPolicy,
    findings: list[Finding],
) -> CadenceStatus:
    late = minutes_between(due, now)
    if late <= 0:
        findings.append(
            declared.finding(
                Severity.INFO,
                f"Next reading due at {due:%H:%M} ({what}).",
                next_due_at=due.isoformat(),
            )
        )
        return CadenceStatus(due, False, 0.0, tuple(findings))
    severity = Severity.CAUTION if late <= policy.cadence_grace_min else Severity.ACT
    findings.append(
        declared.finding(
            severity,
            f"Reading overdue by {math.ceil(late)} min (due at {due:%H:%M}; {what}): take one now.",
            next_due_at=due.isoformat(),
            overdue_by_min=late,
        )
    )
    return CadenceStatus(due, True, late, tuple(findings))


def _validated(
    dose_start: datetime,
    dose_end: datetime | None,
    reading_times: Sequence[datetime],
    now: datetime,
) -> list[datetime]:
    named = [("dose_start", dose_start), ("now", now)]
    if dose_end is not None:
        named.append(("dose_end", dose_end))
    named += [("reading_times", t) for t in reading_times]
    check_same_clock(named)
    if dose_end is not None and not dose_start <= dose_end <= now:
        raise InvalidInput(
            "dose_end must be at or after dose_start and not later than now", field="dose_end"
        )
    if any(t > now for t in reading_times):
        raise InvalidInput("reading_times cannot be later than now", field="reading_times")
    return sorted(reading_times)


__all__ = [
    "CadenceStatus",
    "cadence_due",
]
