"""Array-level outcome computations shared by the report and the benchmark.

Everything is a scatter/gather over dense patient codes (no per-patient Python loop and no
sort): baselines are scattered into a per-patient array, every post-session row gathers its
patient's baseline, and counts are `numpy.bincount`s over (group, session) keys.

Input contract: one score per patient, instrument and session number (the baseline has session
number 0, the score after session k has k, check-ins have NaN); if a patient has two baselines
the later row wins. Rows of patients without a baseline, or with a baseline of 0, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ketacare.analytics.definitions import OutcomeDefinitions

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def dense_codes(*id_arrays: NDArray[np.generic]) -> tuple[list[IntArray], NDArray[np.generic]]:
    """Map patient ids (in one or more arrays) to shared dense codes 0..m-1.

    Non-negative integer ids that are not too sparse are used as their own codes (no hashing);
    anything else is factorised. Returns the code arrays and the id of each code.
    """
    arrays = [np.asarray(a) for a in id_arrays]
    total = sum(a.size for a in arrays)
    if all(np.issubdtype(a.dtype, np.integer) for a in arrays) and total:
        low = min(int(a.min()) for a in arrays if a.size)
        high = max(int(a.max()) for a in arrays if a.size)
        if low >= 0 and high < 4 * total + 1024:
            return [a.astype(np.int64, copy=False) for a in arrays], np.arange(high + 1)
    codes, uniques = pd.factorize(np.concatenate(arrays))
    bounds = np.cumsum([0] + [a.size for a in arrays])
    split = [codes[bounds[i] : bounds[i + 1]].astype(np.int64) for i in range(len(arrays))]
    return split, np.asarray(uniques)


@dataclass(frozen=True)
class InstrumentRows:
    """The rows of one instrument, with dense patient codes."""

    patient: IntArray
    day: FloatArray
    session: FloatArray
    score: FloatArray


def equals_mask(column: pd.Series, value: str) -> BoolArray:
    """Rows whose ``column`` equals ``value``; compares category codes when categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = list(column.cat.categories)
        if value not in cats:
            return np.zeros(len(column), dtype=bool)
        return np.asarray(column.cat.codes.to_numpy() == cats.index(value))
    return np.asarray(column.to_numpy() == value)


def select_rows(codes: IntArray, scores: pd.DataFrame, instrument: str) -> InstrumentRows:
    mask = equals_mask(scores["instrument"], instrument)
    return InstrumentRows(
        patient=codes[mask],
        day=scores["day"].to_numpy(dtype=np.float64)[mask],
        session=scores["session_number"].to_numpy(dtype=np.float64)[mask],
        score=scores["score"].to_numpy(dtype=np.float64)[mask],
    )


def baseline_per_patient(rows: InstrumentRows, n: int) -> FloatArray:
    base = np.full(n, np.nan)
    m = rows.session == 0
    base[rows.patient[m]] = rows.score[m]
    return base


@dataclass(frozen=True)
class PostSession:
    """One entry per score taken after a session, with its outcome."""

    patient: IntArray
    session: IntArray
    responded: BoolArray
    remission_eligible: BoolArray
    remitted: BoolArray
    improvement: FloatArray  # fraction of the baseline gone


def post_session_outcomes(
    rows: InstrumentRows, base: FloatArray, defs: OutcomeDefinitions
) -> PostSession:
    m = rows.session >= 1
    patient = rows.patient[m]
    b = base[patient]
    keep = b > 0  # NaN (no baseline) compares False as well
    patient, b = patient[keep], b[keep]
    s = rows.score[m][keep]
    eligible = b >= defs.remission_baseline_at_least
    return PostSession(
        patient=patient,
        session=rows.session[m][keep].astype(np.int64),
        responded=s <= (1.0 - defs.response_fall_fraction) * b,
        remission_eligible=eligible,
        remitted=eligible & (s < defs.remission_below),
        improvement=(b - s) / b,
    )


@dataclass(frozen=True)
class SessionCounts:
    """Counts per (group, session number); arrays of shape (groups, max_session + 1)."""

    n_at_risk: IntArray
    responders: IntArray
    remission_eligible: IntArray
    remitters: IntArray


def counts_by_session(
    post: PostSession, group_of_patient: IntArray | None, n_groups: int
) -> SessionCounts:
    width = int(post.session.max()) + 1 if post.session.size else 1
    g = (
        np.zeros(post.patient.size, dtype=np.int64)
        if group_of_patient is None
        else group_of_patient[post.patient]
    )
    ok = g >= 0
    key = g[ok] * width + post.session[ok]
    size = n_groups * width

    def count(weights: BoolArray | None) -> IntArray:
        w = None if weights is None else weights[ok]
        return np.bincount(key, weights=w, minlength=size).astype(np.int64).reshape(n_groups, width)

    return SessionCounts(
        count(None), count(post.responded), count(post.remission_eligible), count(post.remitted)
    )


def first_response_session(post: PostSession, n: int) -> tuple[IntArray, BoolArray]:
    """Per patient: the first session after which they met response (0 = never) and whether
    they had any post-session score at all."""
    never = np.iinfo(np.int64).max
    first = np.full(n, never, dtype=np.int64)
    np.minimum.at(first, post.patient[post.responded], post.session[post.responded])
    seen = np.zeros(n, dtype=bool)
    seen[post.patient] = True
    return np.where(first == never, 0, first), seen


@dataclass(frozen=True)
class RelapseData:
    """One entry per patient who met response at the end of loading and was followed."""

    patient: IntArray
    duration_days: FloatArray
    relapsed: BoolArray


def relapse_durations(
    rows: InstrumentRows,
    base: FloatArray,
    sess_codes: IntArray,
    sessions: pd.DataFrame,
    n: int,
    defs: OutcomeDefinitions,
) -> RelapseData:
    """Days from the last loading session to relapse (see OutcomeDefinitions.relapse_text);
    censored at the last check-in on or before the first booster (or the last check-in)."""
    s_day = sessions["day"].to_numpy(dtype=np.float64)
    s_num = sessions["session_number"].to_numpy(dtype=np.float64)
    loading = equals_mask(sessions["phase"], "loading")
    end_day = np.full(n, -np.inf)
    np.maximum.at(end_day, sess_codes[loading], s_day[loading])
    n_loading = np.zeros(n)
    np.maximum.at(n_loading, sess_codes[loading], s_num[loading])
    booster_day = np.full(n, np.inf)
    np.minimum.at(booster_day, sess_codes[~loading], s_day[~loading])

    keep_factor = 1.0 - defs.response_fall_fraction
    p, sc = rows.patient, rows.score
    end_row = (rows.session == n_loading[p]) & (rows.session >= 1)
    responder = np.zeros(n, dtype=bool)
    ok_end = end_row & (base[p] > 0)
    responder[p[ok_end]] = sc[ok_end] <= keep_factor * base[p[ok_end]]

    check = (
        np.isnan(rows.session)
        & (rows.day > end_day[p])
        & (rows.day <= booster_day[p])
        & responder[p]
    )
    cp, cday = p[check], rows.day[check]
    lost = sc[check] > keep_factor * base[cp]
    confirmed = _confirmed(cp, cday, lost, defs.relapse_confirmations)
    event_day = np.full(n, np.inf)
    np.minimum.at(event_day, cp[confirmed], cday[confirmed])
    last_check = np.full(n, -np.inf)
    np.maximum.at(last_check, cp, cday)
    followed = np.flatnonzero(responder & np.isfinite(last_check))
    relapsed = np.isfinite(event_day[followed])
    stop = np.where(relapsed, event_day[followed], last_check[followed])
    return RelapseData(patient=followed, duration_days=stop - end_day[followed], relapsed=relapsed)


def _confirmed(patient: IntArray, day: FloatArray, lost: BoolArray, runs: int) -> BoolArray:
    """Rows that start ``runs`` consecutive check-ins (of one patient) with response lost."""
    if runs <= 1:
        return lost
    order = np.argsort(patient * (day.max() + 2.0 if day.size else 1.0) + day, kind="stable")
    p, ok = patient[order], lost[order]
    run = ok.copy()
    for j in range(1, runs):
        nxt = np.zeros_like(ok)
        nxt[:-j] = ok[j:] & (p[j:] == p[:-j])
        run &= nxt
    out = np.zeros_like(lost)
    out[order] = run
    return out


def lookup_codes(values: NDArray[np.generic], ids: NDArray[np.generic]) -> IntArray:
    """Dense codes of patient ``values`` given the id of each code (−1 where unknown)."""
    values = np.asarray(values)
    if (
        np.issubdtype(values.dtype, np.integer)
        and np.issubdtype(ids.dtype, np.integer)
        and np.array_equal(ids, np.arange(ids.size))
    ):
        out = values.astype(np.int64)
        return np.where((out >= 0) & (out < ids.size), out, -1)
    return np.asarray(pd.Index(ids).get_indexer(values), dtype=np.int64)
