"""Policy thresholds: a dataclass field that carries its published default, unit and source.

Every clinical threshold is declared with `threshold(...)` as a field of a frozen policy section
dataclass (e.g. `VitalsPolicy.predose_hold_systolic_mmhg`). `ClinicPolicy` (policy.py) composes
the sections; a clinic's override is a new policy version built with `ClinicPolicy.with_overrides`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ketacare.domain.sources import Source


@dataclass(frozen=True)
class ThresholdInfo:
    """What the rules document and the admin page show about one policy value."""

    statement: str
    unit: str
    source: Source
    minimum: float | None = None
    maximum: float | None = None

    @property
    def needs_prescriber_confirmation(self) -> bool:
        """True when the reference marks the default UNCONFIRMED (a prescriber must sign off)."""
        return not self.source.confirmed


def threshold(
    default: Any,
    *,
    statement: str,
    unit: str,
    source: Source,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Any:
    """A policy field with its default, a plain statement, the unit and the source.

    `minimum`/`maximum` bound what a clinic may override the value to (never the default itself).
    Tuple defaults are allowed (e.g. allowed esketamine doses) and must stay immutable.
    """
    info = ThresholdInfo(statement, unit, source, minimum, maximum)
    return dataclasses.field(default=default, metadata={"threshold": info})


def threshold_info(section: type, name: str) -> ThresholdInfo:
    for f in dataclasses.fields(section):
        if f.name == name:
            info = f.metadata.get("threshold")
            if isinstance(info, ThresholdInfo):
                return info
    raise KeyError(f"{section.__name__}.{name} is not a declared threshold")
