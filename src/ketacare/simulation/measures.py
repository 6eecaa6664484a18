"""Measurements of a synthetic cohort that the calibration compares with published figures.

Each function takes a `Cohort` and returns one number, measured with the same analytics the
clinic report uses (response/remission by session count, Kaplan–Meier relapse) or directly from
the tables (effect sizes, side-effect rates).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ketacare.analytics.core import dense_codes, select_rows
from ketacare.analytics.outcomes import response_by_session
from ketacare.analytics.relapse import relapse_after_loading
from ketacare.simulation.cohort import Cohort


def rate(instrument: str, session: int, column: str) -> Callable[[Cohort], float]:
    def measure(c: Cohort) -> float:
        t = response_by_session(c.scores, instrument=instrument).table
        return float(t.loc[t["session_number"] == session, column].iloc[0])

    return measure


def paired(c: Cohort, instrument: str, session: int) -> tuple[np.ndarray, np.ndarray]:
    (codes,), ids = dense_codes(c.scores["patient_id"].to_numpy())
    rows = select_rows(codes, c.scores, instrument)
    pre = np.full(ids.size, np.nan)
    post = np.full(ids.size, np.nan)
    pre[rows.patient[rows.session == 0]] = rows.score[rows.session == 0]
    post[rows.patient[rows.session == session]] = rows.score[rows.session == session]
    ok = ~np.isnan(pre) & ~np.isnan(post)
    return pre[ok], post[ok]


def cohen_d(c: Cohort, instrument: str = "GAD-7", session: int = 6) -> float:
    """(mean baseline − mean post) / pooled SD of baseline and post scores."""
    pre, post = paired(c, instrument, session)
    pooled = np.sqrt((pre.var(ddof=1) + post.var(ddof=1)) / 2.0)
    return float((pre.mean() - post.mean()) / pooled)


def improvement(c: Cohort, session: int) -> np.ndarray:
    pre, post = paired(c, "PHQ-9", session)
    keep = pre > 0
    return np.asarray((pre[keep] - post[keep]) / pre[keep])


def late_improvers(c: Cohort) -> float:
    """Share of patients without ≥ 20% improvement after session 1 or 2 who reach it by 4."""
    s1, s2, s4 = improvement(c, 1), improvement(c, 2), improvement(c, 4)
    early = (s1 >= 0.2) | (s2 >= 0.2)
    return float(np.mean(s4[~early] >= 0.2))


def early_prediction(c: Cohort, which: str) -> float:
    """Response after session 1 as a predictor of response after session 6 (PHQ-9)."""
    s1, s6 = improvement(c, 1), improvement(c, 6)
    early, final = s1 >= 0.5, s6 >= 0.5
    if which == "sensitivity":
        return float(np.mean(early[final]))
    return float(np.mean(~early[~final]))


def improvement_by_4_sensitivity(c: Cohort) -> float:
    """Among PHQ-9 responders after session 6, the share already ≥ 20% better after 4."""
    s4, s6 = improvement(c, 4), improvement(c, 6)
    return float(np.mean(s4[s6 >= 0.5] >= 0.2))


def relapse_median(c: Cohort) -> float:
    return float(
        relapse_after_loading(c.scores, c.sessions, instrument="PHQ-9")
        .medians["median_days"]
        .iloc[0]
    )


def session_stat(column: str, stat: str) -> Callable[[Cohort], float]:
    def measure(c: Cohort) -> float:
        values = c.sessions[column].to_numpy(dtype=np.float64)
        return float(values.mean() if stat == "mean" else values.std(ddof=1))

    return measure


def patients_ever(column: str, within_days: int = 28) -> Callable[[Cohort], float]:
    def measure(c: Cohort) -> float:
        s = c.sessions[c.sessions["day"] < within_days]
        return float(s.groupby("patient_id")[column].any().mean())

    return measure


def ever_responded(c: Cohort) -> float:
    """Patients who met GAD-7 response after any of the three weekly doses."""
    t = c.scores[(c.scores["instrument"] == "GAD-7")]
    base = t[t["session_number"] == 0].set_index("patient_id")["score"]
    post = t[t["session_number"] >= 1]
    b = post["patient_id"].map(base).to_numpy()
    resp = (post["score"].to_numpy() * 2 <= b) & (b > 0)
    return float(pd.Series(resp).groupby(post["patient_id"].to_numpy()).any().mean())
