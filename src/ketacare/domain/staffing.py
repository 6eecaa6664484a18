"""Staffing: how many patients one nurse may monitor at the same time.

`StaffingPolicy` is the policy section "staffing". `check_nurse_load` says whether a nurse who
already has `concurrent_patients` overlapping sessions may take one more. The default 1:4 is an
operational clinic value (the issue's default), UNCONFIRMED: a prescriber or the clinic lead must
confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.sources import CLINIC_POLICY
from ketacare.domain.thresholds import threshold


@dataclass(frozen=True)
class StaffingPolicy:
    """Staffing thresholds (policy section "staffing")."""

    max_patients_per_nurse: int = threshold(
        4,
        statement="One nurse monitors at most 4 patients in session at the same time (1:4). "
        "UNCONFIRMED default: a prescriber must confirm it.",
        unit="patients per nurse",
        source=CLINIC_POLICY,
        minimum=1,
        maximum=8,
    )


NURSE_RATIO = rule(
    "staffing.nurse_ratio",
    "A nurse is assigned at most the policy's number of patients whose sessions overlap in time "
    "(default 1:4); a booking beyond it is refused.",
    CLINIC_POLICY,
    params=("staffing.max_patients_per_nurse",),
)


def check_nurse_load(concurrent_patients: int, policy: StaffingPolicy) -> Finding:
    """May a nurse with `concurrent_patients` overlapping sessions take one more?

    The most patients at any moment of the new session's time counts (not the total over the
    day). Returns a BLOCK finding when one more would exceed the ratio, an INFO one otherwise.
    """
    if (
        isinstance(concurrent_patients, bool)
        or not isinstance(concurrent_patients, int)
        or (concurrent_patients < 0)
    ):
        raise InvalidInput(
            "concurrent_patients must be a whole number ≥ 0", field="concurrent_patients"
        )
    most = policy.max_patients_per_nurse
    after = concurrent_patients + 1
    if after > most:
        return NURSE_RATIO.finding(
            Severity.BLOCK,
            f"The nurse would have {after} patients at once; the clinic's ratio allows 1:{most}.",
            patients=after,
            max_patients_per_nurse=most,
        )
    return NURSE_RATIO.finding(
        Severity.INFO,
        f"The nurse will have {after} of at most {most} patients at once.",
        patients=after,
        max_patients_per_nurse=most,
    )


__all__ = ["NURSE_RATIO", "StaffingPolicy", "check_nurse_load"]
