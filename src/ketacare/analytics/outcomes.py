"""Response and remission by session count, and sessions to first response.

Inputs are the columnar frames the database provides (see ketacare.simulation.cohort for the
shapes): ``scores`` (patient_id, day, session_number, instrument, score) and, for breakdowns, a
``groups`` Series mapping patient_id to a label (see `route_groups`, `comorbidity_groups`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ketacare.analytics.core import (
    PostSession,
    baseline_per_patient,
    counts_by_session,
    dense_codes,
    first_response_session,
    post_session_outcomes,
    select_rows,
)
from ketacare.analytics.definitions import Figure, OutcomeDefinitions, ci_text
from ketacare.analytics.stats import wilson_interval

DEFAULT_DEFINITIONS = OutcomeDefinitions()


def route_groups(frame: pd.DataFrame) -> pd.Series:
    """patient_id → route (the route of the patient's first row in ``frame``)."""
    first = frame.drop_duplicates("patient_id")
    return pd.Series(
        first["route"].astype(str).to_numpy(), index=first["patient_id"].to_numpy(), name="route"
    )


def comorbidity_groups(patients: pd.DataFrame) -> pd.Series:
    """patient_id → "anxiety only", "with depression", "with PTSD" or "with depression and PTSD"."""
    dep = patients["comorbid_depression"].to_numpy(dtype=bool)
    ptsd = patients["comorbid_ptsd"].to_numpy(dtype=bool)
    labels = np.array(["anxiety only", "with depression", "with PTSD", "with depression and PTSD"])
    return pd.Series(
        labels[dep.astype(int) + 2 * ptsd.astype(int)],
        index=patients["patient_id"].to_numpy(),
        name="comorbidity",
    )


def _outcomes(
    scores: pd.DataFrame, instrument: str, defs: OutcomeDefinitions
) -> tuple[PostSession, NDArray[np.generic], int]:
    (codes,), ids = dense_codes(scores["patient_id"].to_numpy())
    rows = select_rows(codes, scores, instrument)
    base = baseline_per_patient(rows, ids.size)
    return post_session_outcomes(rows, base, defs), ids, int(ids.size)


def _group_codes(
    ids: NDArray[np.generic], groups: pd.Series | None
) -> tuple[NDArray[np.int64] | None, list[str]]:
    if groups is None:
        return None, ["all patients"]
    labels = pd.Series(ids).map(groups)
    codes, names = pd.factorize(labels, sort=True)
    return codes.astype(np.int64), [str(x) for x in names]


def response_by_session(
    scores: pd.DataFrame,
    *,
    instrument: str = "GAD-7",
    definitions: OutcomeDefinitions = DEFAULT_DEFINITIONS,
    groups: pd.Series | None = None,
    max_session: int | None = None,
) -> Figure:
    """Response and remission rates after each session number, with Wilson CIs and n at risk."""
    post, ids, _ = _outcomes(scores, instrument, definitions)
    group_of_patient, names = _group_codes(ids, groups)
    counts = counts_by_session(post, group_of_patient, len(names))
    frames = []
    for g, name in enumerate(names):
        k = np.arange(counts.n_at_risk.shape[1])
        n, r = counts.n_at_risk[g], counts.responders[g]
        e, m = counts.remission_eligible[g], counts.remitters[g]
        r_lo, r_hi = wilson_interval(r, n, definitions.confidence)
        m_lo, m_hi = wilson_interval(m, e, definitions.confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame = pd.DataFrame(
                {
                    "group": name,
                    "session_number": k,
                    "n_at_risk": n,
                    "responders": r,
                    "response_rate": r / n,
                    "response_ci_low": r_lo,
                    "response_ci_high": r_hi,
                    "remission_eligible": e,
                    "remitters": m,
                    "remission_rate": m / e,
                    "remission_ci_low": m_lo,
                    "remission_ci_high": m_hi,
                }
            )
        keep = (k >= 1) & (n > 0) & (k <= (max_session or k.max()))
        frames.append(frame[keep])
    table = pd.concat(frames, ignore_index=True)
    definition = (
        f"{instrument} after each session number k (the score taken the day after "
        f"session k). n at risk = patients with a baseline and a score after session k. "
        f"{definitions.response_text.capitalize()}; {definitions.remission_text} "
        f"(its denominator is the n at risk with such a baseline). "
        f"{ci_text(definitions.confidence)}."
    )
    return Figure(
        title=f"{instrument} response and remission by session count",
        definition=definition,
        table=table,
    )


def sessions_to_first_response(
    scores: pd.DataFrame,
    *,
    instrument: str = "GAD-7",
    definitions: OutcomeDefinitions = DEFAULT_DEFINITIONS,
) -> Figure:
    """How many sessions patients needed before their first response (and how many never did)."""
    post, _, n = _outcomes(scores, instrument, definitions)
    first, seen = first_response_session(post, n)
    treated = int(seen.sum())
    hist = np.bincount(first[seen], minlength=2)
    k = np.arange(1, hist.size)
    patients = hist[1:]
    share = patients / treated if treated else np.full(k.size, np.nan)
    table = pd.DataFrame(
        {
            "sessions": k,
            "patients": patients,
            "share_of_treated": share,
            "cumulative_share": np.cumsum(share),
        }
    )
    never = int(hist[0])
    definition = (
        f"Number of sessions after which a patient first met {instrument} response "
        f"({definitions.response_text}). Denominator: the {treated} patients with a "
        f"baseline and at least one score after a session; {never} of them never met "
        "response in the data."
    )
    return Figure(
        title=f"Sessions to first {instrument} response",
        definition=definition,
        table=table,
        notes=(f"never responded: {never}", f"treated: {treated}"),
    )
