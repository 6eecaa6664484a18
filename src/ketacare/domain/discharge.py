"""Discharge gate: may the patient leave now? A checklist, every criterion with its reason.

Criteria (every route; clinical reference §2.1, §2.4, §8 rule 7):
- minimum observation from `session_shape` (esketamine: ≥ 120 min from the first device,
  REMS; racemic routes: the clinic's observation after the end of dosing) — no override;
- a reading taken after dosing began and recently (the "before discharge" REMS reading);
- blood pressure, heart rate and respiration back in range: inside the pre-dose lines of
  `VitalsPolicy` (the line we would have dosed at), or close to the patient's own pre-dose
  baseline, and never at or above the pre-dose block line;
- sedation resolved (MOAA/S 5), dissociation resolved (CADSS-6 total at or below the
  policy's maximum, default 0), a responsible adult escort present.
The result always carries the no-driving and escort instructions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ketacare.domain.discharge_criteria import (
    Criterion,
    DischargePolicy,
    blood_pressure_criterion,
    dissociation_criterion,
    escort_criterion,
    heart_rate_criterion,
    observation_criterion,
    recorded_criterion,
    respiration_criterion,
    sedation_criterion,
)
from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding
from ketacare.domain.routes import ObservationAnchor, Route, SessionShape
from ketacare.domain.vital_signs import VitalReading, check_moaas, check_same_clock
from ketacare.domain.vitals_policy import VitalsPolicy

NO_DRIVING_INSTRUCTION = (
    "Do not drive, operate machinery or do anything that needs full alertness until the next "
    "day, after a restful sleep."
)  # Spravato label section 17
# Ketalar label: an outpatient leaves accompanied by a responsible adult.
ESCORT_INSTRUCTION = (
    "Leave only with a responsible adult who will see you home; do not travel home alone."
)
INSTRUCTIONS = (NO_DRIVING_INSTRUCTION, ESCORT_INSTRUCTION)

CADSS6_MAX = 24  # 6 items scored 0–4


@dataclass(frozen=True)
class DischargeResult:
    """The discharge decision: allowed only when every criterion passed.

    `ready_at_earliest` is the end of the minimum observation; the other criteria can hold the
    patient longer. `instructions` are given at every discharge.
    """

    allowed: bool
    ready_at_earliest: datetime
    criteria: tuple[Criterion, ...]
    instructions: tuple[str, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(c.finding for c in self.criteria)

    @property
    def unmet(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.passed)

    @property
    def clinically_ready(self) -> bool:
        """Every criterion but the minimum observation passed (the REMS form asks when)."""
        return all(c.passed for c in self.criteria if c.name != "minimum_observation")


def discharge_gate(
    route: Route,
    dose_start: datetime,
    now: datetime,
    latest_vitals: VitalReading | None,
    baseline_vitals: VitalReading | None,
    latest_moaas: int | None,
    latest_dissociation: int | None,
    escort_present: bool,
    shape: SessionShape,
    policy: DischargePolicy,
    *,
    vitals_policy: VitalsPolicy,
    dose_end: datetime | None = None,
) -> DischargeResult:
    """May the patient leave at `now`? Every criterion is listed, passed or not, with its reason.

    `shape`: `session_shape(route, dosing_policy)`; its minimum observation is counted from
    `dose_start` (esketamine: first device) or from the end of dosing (racemic routes). When the
    actual `dose_end` is given, the later of the planned and actual end counts.
    `latest_vitals`: the most recent reading; `baseline_vitals`: the pre-dose reading (None if
    missing: only the absolute lines apply). `latest_moaas`: MOAA/S 0–5; `latest_dissociation`:
    CADSS-6 total 0–24; None = not rated (the criterion fails). `vitals_policy` supplies the
    pre-dose lines the vitals must be back inside. Raises InvalidInput naming the field for a
    route/shape mismatch, times out of order (`now` before `dose_start`, readings after `now`),
    or scores out of range.
    """
    ready_at = _validate(route, dose_start, now, dose_end, latest_vitals, baseline_vitals, shape)
    if latest_moaas is not None:
        check_moaas(latest_moaas, "latest_moaas")
    _check_cadss6(latest_dissociation)
    if not isinstance(escort_present, bool):
        raise InvalidInput("escort_present must be true or false", field="escort_present")
    latest, base, vp = latest_vitals, baseline_vitals, vitals_policy
    criteria = (
        observation_criterion(route, dose_start, now, ready_at, shape),
        recorded_criterion(dose_start, now, latest, policy),
        blood_pressure_criterion(latest, base, vp, policy),
        heart_rate_criterion(latest, base, vp, policy),
        respiration_criterion(latest, base, vp),
        sedation_criterion(latest_moaas, policy),
        dissociation_criterion(latest_dissociation, policy),
        escort_criterion(escort_present, policy),
    )
    allowed = all(c.passed for c in criteria)
    return DischargeResult(allowed, ready_at, criteria, INSTRUCTIONS)


def earliest_discharge(
    dose_start: datetime, shape: SessionShape, dose_end: datetime | None = None
) -> datetime:
    """The end of the minimum observation: planned from `dose_start`, later if dosing ran long."""
    planned = dose_start + timedelta(minutes=shape.minimum_from_dose_start_min)
    if dose_end is None or shape.observation_anchor is not ObservationAnchor.DOSE_END:
        return planned
    return max(planned, dose_end + timedelta(minutes=shape.minimum_observation_min))


def _validate(
    route: Route,
    dose_start: datetime,
    now: datetime,
    dose_end: datetime | None,
    latest: VitalReading | None,
    baseline: VitalReading | None,
    shape: SessionShape,
) -> datetime:
    if shape.route is not route:
        raise InvalidInput(
            f"shape is for route {shape.route.value}, not {route.value}", field="shape"
        )
    named = [("dose_start", dose_start), ("now", now)]
    named += [("dose_end", dose_end)] if dose_end is not None else []
    named += [("latest_vitals", latest.taken_at)] if latest is not None else []
    named += [("baseline_vitals", baseline.taken_at)] if baseline is not None else []
    check_same_clock(named)
    if now < dose_start:
        raise InvalidInput("now cannot be before dose_start", field="now")
    if dose_end is not None and not dose_start <= dose_end <= now:
        raise InvalidInput("dose_end must be between dose_start and now", field="dose_end")
    for field, reading in (("latest_vitals", latest), ("baseline_vitals", baseline)):
        if reading is not None and reading.taken_at > now:
            raise InvalidInput(f"{field} cannot be taken after now", field=field)
    return earliest_discharge(dose_start, shape, dose_end)


def _check_cadss6(value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= CADSS6_MAX:
        raise InvalidInput(
            f"latest_dissociation must be a CADSS-6 total from 0 to {CADSS6_MAX}; got {value!r}",
            field="latest_dissociation",
        )


__all__ = [
    "ESCORT_INSTRUCTION",
    "INSTRUCTIONS",
    "NO_DRIVING_INSTRUCTION",
    "Criterion",
    "DischargePolicy",
    "DischargeResult",
    "discharge_gate",
    "earliest_discharge",
]
