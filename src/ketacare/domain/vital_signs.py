"""Vital signs as recorded: the reading, the session phase, crisis symptoms, and small helpers.

`VitalReading` is one set of vital signs as a monitor or a nurse records it, validated for
plausibility: a value no living patient could have is an entry or feed error (InvalidInput
naming the field), not a clinical finding. What a reading *means* is decided in vitals.py.

Units: mmHg, beats/min, %, breaths/min (interop-reference.md §3.2: LOINC 8480-6, 8462-4,
8867-4, 2708-6/59408-5, 9279-1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route


class Phase(StrEnum):
    """Where in the session a reading was taken."""

    PRE_DOSE = "pre_dose"  # before the first dose is given
    DOSING = "dosing"  # during the infusion / between devices / during the SL hold
    RECOVERY = "recovery"  # after dosing ended, until discharge


class CrisisSymptom(StrEnum):
    """Hypertensive-crisis or encephalopathy symptoms: emergency care whatever the numbers."""

    CHEST_PAIN = "chest_pain"
    DYSPNOEA = "dyspnoea"
    SEVERE_HEADACHE = "severe_headache"
    VISUAL_CHANGE = "visual_change"
    SEIZURE = "seizure"
    REDUCED_CONSCIOUSNESS = "reduced_consciousness"
    FOCAL_DEFICIT = "focal_deficit"


# Plausibility bounds: outside these a value is an entry or feed error, not a clinical finding.
_PLAUSIBLE: dict[str, tuple[float, float]] = {
    "systolic_mmhg": (40, 300),
    "diastolic_mmhg": (20, 200),
    "heart_rate_bpm": (20, 300),
    "spo2_pct": (0, 100),
    "respiratory_rate_per_min": (0, 80),
}


@dataclass(frozen=True, kw_only=True)
class VitalReading:
    """One set of vital signs taken at `taken_at`.

    Blood pressure in mmHg, heart rate in beats/min, SpO2 in percent, respiratory rate in
    breaths/min (None when not measured). Raises InvalidInput naming the field when a value is
    not a finite number within plausible bounds (systolic 40–300, diastolic 20–200 and below
    systolic, heart rate 20–300, SpO2 0–100, respiratory rate 0–80).
    """

    systolic_mmhg: float
    diastolic_mmhg: float
    heart_rate_bpm: float
    spo2_pct: float
    taken_at: datetime
    respiratory_rate_per_min: float | None = None

    def __post_init__(self) -> None:
        for name, (low, high) in _PLAUSIBLE.items():
            value = getattr(self, name)
            if value is None and name == "respiratory_rate_per_min":
                continue
            _check_number(name, value, low, high)
        if self.diastolic_mmhg >= self.systolic_mmhg:
            raise InvalidInput(
                f"diastolic_mmhg must be below systolic_mmhg; got {self.bp_text}",
                field="diastolic_mmhg",
            )
        if not isinstance(self.taken_at, datetime):
            raise InvalidInput("taken_at must be a date and time", field="taken_at")

    @property
    def bp_text(self) -> str:
        """Blood pressure as clinicians write it, e.g. '142/88 mmHg'."""
        return f"{fmt(self.systolic_mmhg)}/{fmt(self.diastolic_mmhg)} mmHg"


def _check_number(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{name} must be a number; got {value!r}", field=name)
    if not low <= value <= high:
        raise InvalidInput(
            f"{name} must be between {fmt(low)} and {fmt(high)}; got {fmt(value)}", field=name
        )


def fmt(value: float) -> str:
    """A number without a needless '.0' (142, not 142.0; 36.5 stays)."""
    return f"{value:g}"


def check_moaas(value: object, field: str) -> int:
    """Validate a MOAA/S score (integer 0–5; 5 = alert, 0 = no response to pain)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
        raise InvalidInput(
            f"{field} must be a MOAA/S score from 0 to 5; got {value!r}", field=field
        )
    return value


def check_same_clock(times: Iterable[tuple[str, datetime]]) -> None:
    """Refuse non-datetimes and a mix of timezone-aware and naive datetimes (not comparable)."""
    seen: dict[bool, str] = {}
    for field, moment in times:
        if not isinstance(moment, datetime):
            raise InvalidInput(f"{field} must be a date and time", field=field)
        seen.setdefault(moment.tzinfo is not None, field)
    if len(seen) > 1:
        raise InvalidInput(
            f"{seen[False]} and {seen[True]} must both carry a timezone or both not",
            field=seen[False],
        )


def minutes_between(start: datetime, end: datetime) -> float:
    """Minutes from `start` to `end` (negative when `end` is earlier)."""
    return (end - start).total_seconds() / 60


def parse_symptoms(symptoms: Iterable[CrisisSymptom | str], field: str) -> list[CrisisSymptom]:
    """Crisis symptoms from their names; an unknown name is InvalidInput listing the allowed."""
    parsed: list[CrisisSymptom] = []
    for name in symptoms:
        try:
            parsed.append(CrisisSymptom(str(name).strip().lower()))
        except ValueError:
            allowed = ", ".join(s.value for s in CrisisSymptom)
            raise InvalidInput(
                f"{field} contains {name!r}; allowed symptoms: {allowed}", field=field
            ) from None
    return sorted(set(parsed), key=list(CrisisSymptom).index)


_DURING = {
    Route.IV: "during the infusion",
    Route.IM: "during the injection",
    Route.ESKETAMINE_NASAL: "during esketamine dosing",
    Route.SUBLINGUAL: "during the sublingual hold",
}


def when(route: Route, phase: Phase) -> str:
    """The moment of a reading in words, for messages ('during the infusion', 'after dosing')."""
    if phase is Phase.PRE_DOSE:
        return "before dosing"
    if phase is Phase.DOSING:
        return _DURING[route]
    return "after dosing"


__all__ = [
    "CrisisSymptom",
    "Phase",
    "VitalReading",
    "check_moaas",
    "check_same_clock",
    "fmt",
    "minutes_between",
    "parse_symptoms",
    "when",
]
