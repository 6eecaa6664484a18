"""Routes of administration and the shape of a session on each route.

`DosingPolicy` (declared in dosing_policy.py, re-exported here) holds every dosing threshold and
the timing of a session. `session_shape(route, policy)` says how long dosing takes, how long the
patient must at least be observed (and from when that is counted), when the effect is expected
to peak and how long the chair is occupied. Dose computation lives in `dosing.py`.

Sources: clinical-reference.md sections 1.1–1.6, 2.1, 2.4, 6.1 and rule 1, 4 and 7 of section 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.dosing_policy import DosingPolicy
from ketacare.domain.errors import InvalidInput
from ketacare.domain.sources import (
    ASKP_ROUTES,
    ASKP_ROUTES_SUBLINGUAL,
    CLINIC_POLICY,
    SPRAVATO_REMS,
    Source,
)


class Route(StrEnum):
    IV = "iv"  # racemic ketamine, intravenous infusion
    IM = "im"  # racemic ketamine, intramuscular injection
    ESKETAMINE_NASAL = "esketamine_nasal"  # Spravato device, REMS setting
    SUBLINGUAL = "sublingual"  # racemic ketamine troche / lozenge / oral


class ObservationAnchor(StrEnum):
    """The moment the minimum observation period is counted from."""

    DOSE_START = "dose_start"  # esketamine: REMS counts from the first device
    DOSE_END = "dose_end"  # racemic routes: from the end of the infusion/injection/hold


@dataclass(frozen=True)
class SessionShape:
    """How a session on one route unfolds, in minutes (all counted from dose start unless named).

    `dosing_min`: from the start of dosing to its end (infusion length; last esketamine device;
    end of the SL hold). `minimum_observation_min` counts from `observation_anchor`.
    `peak_effect_window_min`: (earliest, latest) minutes from dose start when the effect is
    expected to peak. `minimum_from_dose_start_min`: the earliest discharge, counted from dose
    start. `chair_min`: planned chair occupancy including pre-dose time.
    `observation_source` tells whether the observation period is a label requirement or an
    UNCONFIRMED clinic policy (`observation_source.confirmed`).
    """

    route: Route
    dosing_min: int
    minimum_observation_min: int
    observation_anchor: ObservationAnchor
    observation_source: Source
    peak_effect_window_min: tuple[float, float]
    peak_effect_source: Source
    pre_dose_min: int

    @property
    def minimum_from_dose_start_min(self) -> int:
        """Earliest discharge in minutes from the start of dosing."""
        if self.observation_anchor is ObservationAnchor.DOSE_END:
            return self.dosing_min + self.minimum_observation_min
        return max(self.dosing_min, self.minimum_observation_min)

    @property
    def chair_min(self) -> int:
        """Planned chair occupancy: pre-dose time plus the earliest discharge."""
        return self.pre_dose_min + self.minimum_from_dose_start_min


def esketamine_dosing_minutes(device_count: int, policy: DosingPolicy) -> int:
    """Minutes from the first to the last esketamine device (5-minute rest between devices)."""
    if not 1 <= device_count <= policy.esketamine_max_mg // policy.esketamine_device_mg:
        raise InvalidInput(
            f"device_count must be 1 to {policy.esketamine_max_mg // policy.esketamine_device_mg}"
            f"; got {device_count}",
            field="device_count",
        )
    return (device_count - 1) * policy.esketamine_device_rest_minutes


def session_shape(
    route: Route, policy: DosingPolicy, *, device_count: int | None = None
) -> SessionShape:
    """The shape of one session on `route` under `policy`.

    For esketamine, `device_count` (1–3) sets the dosing time; None assumes the largest dose
    (3 devices, 10 minutes) so that chair planning is never short. Other routes ignore it.
    Peak-effect windows: ASKP3 route table (IV 1 min, effect building to the end of the infusion —
    DERIVED; IM 5 min; intranasal 15 min, sedation peaking 30–45 min; SL 20–30 min, row mapping
    UNCONFIRMED).
    """
    if route is Route.IV:
        dosing = policy.iv_infusion_minutes
        return SessionShape(
            route,
            dosing,
            policy.iv_min_observation_minutes,
            ObservationAnchor.DOSE_END,
            CLINIC_POLICY,
            (1.0, float(dosing)),
            ASKP_ROUTES,
            policy.pre_dose_minutes,
        )
    if route is Route.IM:
        return SessionShape(
            route,
            policy.im_injection_minutes,
            policy.im_min_observation_minutes,
            ObservationAnchor.DOSE_END,
            CLINIC_POLICY,
            (5.0, 5.0),
            ASKP_ROUTES,
            policy.pre_dose_minutes,
        )
    if route is Route.ESKETAMINE_NASAL:
        most = policy.esketamine_max_mg // policy.esketamine_device_mg
        devices = most if device_count is None else device_count
        return SessionShape(
            route,
            esketamine_dosing_minutes(devices, policy),
            policy.esketamine_min_observation_minutes,
            ObservationAnchor.DOSE_START,
            SPRAVATO_REMS,
            (15.0, 45.0),
            ASKP_ROUTES,
            policy.pre_dose_minutes,
        )
    return SessionShape(
        route,
        policy.sublingual_hold_minutes,
        policy.sublingual_min_observation_minutes,
        ObservationAnchor.DOSE_END,
        CLINIC_POLICY,
        (20.0, 30.0),
        ASKP_ROUTES_SUBLINGUAL,
        policy.pre_dose_minutes,
    )


__all__ = [
    "DosingPolicy",
    "ObservationAnchor",
    "Route",
    "SessionShape",
    "esketamine_dosing_minutes",
    "session_shape",
]
