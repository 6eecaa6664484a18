"""Adverse-event rates per 100 sessions, overall or by a session column (e.g. route)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketacare.analytics.definitions import Figure, ci_text
from ketacare.analytics.stats import wilson_interval

# Session column → what counts as an event (matches the sessions table of the simulation and
# the monitored-session records).
ADVERSE_EVENTS: dict[str, str] = {
    "nausea": "nausea recorded in the session",
    "dissociation": "dissociation: CADSS total above 4",
    "sedation": "sedation: lowest MOAA/S of the session 4 or below",
    "large_bp_rise": "blood-pressure rise of ≥ 40 mmHg systolic and/or ≥ 25 mmHg diastolic "
    "(Spravato label definition)",
}


def adverse_event_rates(
    sessions: pd.DataFrame,
    *,
    by: str | None = "route",
    events: tuple[str, ...] = tuple(ADVERSE_EVENTS),
    confidence: float = 0.95,
) -> Figure:
    """Events per 100 sessions with Wilson CIs, one row per (group, event)."""
    missing = [e for e in events if e not in sessions.columns]
    if missing:
        raise ValueError(f"sessions has no column(s) {missing}; expected event flags {events}")
    if by is None:
        codes, names = np.zeros(len(sessions), dtype=np.int64), np.array(["all sessions"])
    else:
        codes, names = pd.factorize(sessions[by].astype(str), sort=True)
    n = np.bincount(codes, minlength=len(names))
    rows = []
    for event in events:
        flags = sessions[event].to_numpy(dtype=bool)
        k = np.bincount(codes, weights=flags, minlength=len(names)).astype(np.int64)
        low, high = wilson_interval(k, n, confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = 100.0 * k / n
        rows.append(
            pd.DataFrame(
                {
                    "group": [str(x) for x in names],
                    "event": event,
                    "sessions": n,
                    "events": k,
                    "per_100_sessions": rate,
                    "ci_low": 100.0 * low,
                    "ci_high": 100.0 * high,
                }
            )
        )
    definitions = "; ".join(f"{e} = {ADVERSE_EVENTS.get(e, e)}" for e in events)
    definition = (
        f"Sessions with the event per 100 sessions ({definitions}). "
        f"{ci_text(confidence)}; sessions of one patient are counted as independent, "
        "so the intervals are somewhat too narrow when events cluster in patients."
    )
    return Figure(
        title="Adverse events per 100 sessions",
        definition=definition,
        table=pd.concat(rows, ignore_index=True),
    )
