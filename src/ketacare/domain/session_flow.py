"""The flow of a treatment session: its states and the transitions allowed between them.

scheduled → checked_in → pre_dose_check → dosing → monitoring → recovery → discharged.
A session may be stopped from any state between check-in and discharge, recorded as a no-show
or cancelled while scheduled. A pre-dose check may be repeated (new vitals, fasting time passed).
Terminal states (discharged, stopped, no_show, cancelled) allow nothing further.
"""

from __future__ import annotations

from enum import StrEnum

from ketacare.domain.errors import Conflict


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    PRE_DOSE_CHECK = "pre_dose_check"
    DOSING = "dosing"
    MONITORING = "monitoring"
    RECOVERY = "recovery"
    DISCHARGED = "discharged"
    STOPPED = "stopped"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


S = SessionStatus
_IN_CLINIC = (S.CHECKED_IN, S.PRE_DOSE_CHECK, S.DOSING, S.MONITORING, S.RECOVERY)

ALLOWED: dict[SessionStatus, frozenset[SessionStatus]] = {
    S.SCHEDULED: frozenset({S.CHECKED_IN, S.NO_SHOW, S.CANCELLED}),
    S.CHECKED_IN: frozenset({S.PRE_DOSE_CHECK, S.STOPPED}),
    S.PRE_DOSE_CHECK: frozenset({S.PRE_DOSE_CHECK, S.DOSING, S.STOPPED}),
    S.DOSING: frozenset({S.MONITORING, S.STOPPED}),
    S.MONITORING: frozenset({S.RECOVERY, S.DISCHARGED, S.STOPPED}),
    S.RECOVERY: frozenset({S.DISCHARGED, S.STOPPED}),
    S.DISCHARGED: frozenset(),
    S.STOPPED: frozenset(),
    S.NO_SHOW: frozenset(),
    S.CANCELLED: frozenset(),
}
# Sessions in these states no longer hold their chair or their nurse.
RELEASED = frozenset({S.DISCHARGED, S.STOPPED, S.NO_SHOW, S.CANCELLED})
TERMINAL = frozenset(s for s, targets in ALLOWED.items() if not targets)
IN_CLINIC = frozenset(_IN_CLINIC)
# After dosing began: readings are in-session (DOSING phase, then RECOVERY).
DOSED = frozenset({S.DOSING, S.MONITORING, S.RECOVERY, S.DISCHARGED})


def check_transition(current: SessionStatus, target: SessionStatus) -> None:
    """Refuse (Conflict, with the reason and what is allowed) a move the flow does not allow."""
    if target in ALLOWED[current]:
        return
    if current in TERMINAL:
        raise Conflict(
            f"the session is {current.value}; nothing more can happen to it "
            f"(asked: {target.value})",
            field="status",
        )
    allowed = ", ".join(sorted(s.value for s in ALLOWED[current]))
    raise Conflict(
        f"a session that is {current.value} cannot become {target.value}; from "
        f"{current.value} it can become: {allowed}",
        field="status",
    )


__all__ = [
    "ALLOWED",
    "DOSED",
    "IN_CLINIC",
    "RELEASED",
    "TERMINAL",
    "SessionStatus",
    "check_transition",
]
