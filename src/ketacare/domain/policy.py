"""ClinicPolicy: every clinical threshold, with its published default and source.

The policy is composed of one frozen section per concept, each declared beside the rules that
read it (e.g. `VitalsPolicy` in vitals.py). Values are addressed as "section.field"
(e.g. "vitals.predose_hold_systolic_mmhg"). A clinic's override is a new policy built with
`with_overrides`, which refuses unknown keys, wrong types and values outside the declared bounds;
the service layer stores each version with who changed what and why.

Defaults the reference marks UNCONFIRMED need a prescriber's confirmation: `unconfirmed()` lists
the ones not yet confirmed in this policy version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ketacare.domain.check_ins import CheckInPolicy
from ketacare.domain.discharge import DischargePolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.forecast import ForecastPolicy
from ketacare.domain.maintenance import MaintenancePolicy
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.domain.plans import PlanPolicy
from ketacare.domain.routes import DosingPolicy
from ketacare.domain.screening import ScreeningPolicy
from ketacare.domain.staffing import StaffingPolicy
from ketacare.domain.thresholds import ThresholdInfo
from ketacare.domain.vitals import VitalsPolicy

SECTIONS: dict[str, type] = {
    "screening": ScreeningPolicy,
    "dosing": DosingPolicy,
    "plans": PlanPolicy,
    "vitals": VitalsPolicy,
    "discharge": DischargePolicy,
    "outcomes": OutcomesPolicy,
    "maintenance": MaintenancePolicy,
    "staffing": StaffingPolicy,
    "forecast": ForecastPolicy,
    "check_ins": CheckInPolicy,
}


@dataclass(frozen=True)
class PolicyValue:
    """One threshold as a clinic sees it: current value beside the published default."""

    key: str
    value: Any
    default: Any
    info: ThresholdInfo
    confirmed: bool

    @property
    def overridden(self) -> bool:
        return bool(self.value != self.default)


@dataclass(frozen=True)
class ClinicPolicy:
    """All thresholds of one clinic policy version (defaults unless overridden)."""

    screening: ScreeningPolicy = field(default_factory=ScreeningPolicy)
    dosing: DosingPolicy = field(default_factory=DosingPolicy)
    plans: PlanPolicy = field(default_factory=PlanPolicy)
    vitals: VitalsPolicy = field(default_factory=VitalsPolicy)
    discharge: DischargePolicy = field(default_factory=DischargePolicy)
    outcomes: OutcomesPolicy = field(default_factory=OutcomesPolicy)
    maintenance: MaintenancePolicy = field(default_factory=MaintenancePolicy)
    staffing: StaffingPolicy = field(default_factory=StaffingPolicy)
    forecast: ForecastPolicy = field(default_factory=ForecastPolicy)
    check_ins: CheckInPolicy = field(default_factory=CheckInPolicy)
    confirmed_keys: frozenset[str] = frozenset()

    def value_of(self, key: str) -> Any:
        section, name = _split(key)
        return getattr(getattr(self, section), name)

    def values(self) -> Iterator[PolicyValue]:
        """Every threshold in document order, with its default and source."""
        for section_name, section_type in SECTIONS.items():
            current = getattr(self, section_name)
            for f in dataclasses.fields(section_type):
                info = f.metadata.get("threshold")
                if not isinstance(info, ThresholdInfo):
                    continue
                key = f"{section_name}.{f.name}"
                confirmed = not info.needs_prescriber_confirmation or key in self.confirmed_keys
                yield PolicyValue(key, getattr(current, f.name), f.default, info, confirmed)

    def unconfirmed(self) -> list[PolicyValue]:
        """Thresholds resting on an UNCONFIRMED default that no prescriber has confirmed yet."""
        return [v for v in self.values() if not v.confirmed]

    def with_overrides(
        self, overrides: Mapping[str, Any], *, confirm: frozenset[str] = frozenset()
    ) -> ClinicPolicy:
        """A new policy version with `overrides` applied and `confirm` keys marked confirmed."""
        known = {v.key: v for v in self.values()}
        changed: dict[str, dict[str, Any]] = {}
        for key, value in overrides.items():
            if key not in known:
                raise InvalidInput(f"{key!r} is not a clinic policy value", field=key)
            checked = _check(known[key], value)
            section, name = _split(key)
            changed.setdefault(section, {})[name] = checked
        for key in confirm:
            if key not in known:
                raise InvalidInput(f"{key!r} is not a clinic policy value", field=key)
        sections = {s: dataclasses.replace(getattr(self, s), **vals) for s, vals in changed.items()}
        return dataclasses.replace(self, **sections, confirmed_keys=self.confirmed_keys | confirm)

    def overrides(self) -> dict[str, Any]:
        """Only the values that differ from the published defaults (what a version stores)."""
        return {v.key: v.value for v in self.values() if v.overridden}


def _split(key: str) -> tuple[str, str]:
    section, _, name = key.partition(".")
    if section not in SECTIONS or not name:
        raise InvalidInput(f"{key!r} is not a clinic policy value", field=key)
    return section, name


def _check(current: PolicyValue, value: Any) -> Any:
    default = current.default
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InvalidInput(f"{current.key} must be true or false", field=current.key)
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple):
            raise InvalidInput(f"{current.key} must be a list", field=current.key)
        return tuple(value)
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(
                f"{current.key} must be a number ({current.info.unit})", field=current.key
            )
        low, high = current.info.minimum, current.info.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise InvalidInput(
                f"{current.key} must be between {low} and {high} {current.info.unit}; got {value}",
                field=current.key,
            )
        if isinstance(default, int) and not isinstance(default, bool) and value != int(value):
            raise InvalidInput(
                f"{current.key} must be a whole number ({current.info.unit})", field=current.key
            )
        return float(value) if isinstance(default, float) else int(value)
    if isinstance(default, str):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"{current.key} must be non-empty text", field=current.key)
        return value
    raise InvalidInput(f"{current.key} cannot be overridden", field=current.key)
