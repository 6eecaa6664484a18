"""Time to relapse after the loading series: Kaplan–Meier curves with confidence bands.

The estimator is lifelines' `KaplanMeierFitter` (exponential Greenwood "log(-log)" bands);
``ketacare.analytics.stats.kaplan_meier`` is the same product-limit estimate without bands, used
by the benchmark and checked against lifelines in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from ketacare.analytics.core import (
    RelapseData,
    baseline_per_patient,
    dense_codes,
    relapse_durations,
    select_rows,
)
from ketacare.analytics.definitions import OutcomeDefinitions
from ketacare.analytics.outcomes import DEFAULT_DEFINITIONS


@dataclass(frozen=True)
class RelapseFigure:
    """Survival free of relapse per group (``curves``) and the median per group (``medians``)."""

    title: str
    definition: str
    curves: pd.DataFrame = field(repr=False)  # group, day, survival, ci_low, ci_high, at_risk
    medians: pd.DataFrame = field(repr=False)  # group, patients, relapses, median_days, CI
    durations: pd.DataFrame = field(repr=False)  # patient_id, group, duration_days, relapsed


def relapse_data(
    scores: pd.DataFrame,
    sessions: pd.DataFrame,
    *,
    instrument: str = "GAD-7",
    definitions: OutcomeDefinitions = DEFAULT_DEFINITIONS,
) -> tuple[RelapseData, np.ndarray]:
    """Durations per followed responder, and the patient id of each dense code."""
    (codes, s_codes), ids = dense_codes(
        scores["patient_id"].to_numpy(), sessions["patient_id"].to_numpy()
    )
    rows = select_rows(codes, scores, instrument)
    base = baseline_per_patient(rows, ids.size)
    return relapse_durations(rows, base, s_codes, sessions, ids.size, definitions), ids


def relapse_after_loading(
    scores: pd.DataFrame,
    sessions: pd.DataFrame,
    *,
    instrument: str = "GAD-7",
    definitions: OutcomeDefinitions = DEFAULT_DEFINITIONS,
    groups: pd.Series | None = None,
) -> RelapseFigure:
    """Kaplan–Meier time to relapse after loading, overall or per group, with CI bands."""
    data, ids = relapse_data(scores, sessions, instrument=instrument, definitions=definitions)
    patient_ids = ids[data.patient]
    labels = (
        np.full(patient_ids.size, "all patients", dtype=object)
        if groups is None
        else pd.Series(patient_ids).map(groups).astype(str).to_numpy()
    )
    durations = pd.DataFrame(
        {
            "patient_id": patient_ids,
            "group": labels,
            "duration_days": data.duration_days,
            "relapsed": data.relapsed,
        }
    )
    alpha = 1.0 - definitions.confidence
    curves, medians = [], []
    for name, part in durations.groupby("group", sort=True):
        kmf = KaplanMeierFitter(alpha=alpha).fit(part["duration_days"], part["relapsed"])
        ci = kmf.confidence_interval_survival_function_
        curves.append(
            pd.DataFrame(
                {
                    "group": name,
                    "day": kmf.survival_function_.index.to_numpy(),
                    "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
                    "ci_low": ci.iloc[:, 0].to_numpy(),
                    "ci_high": ci.iloc[:, 1].to_numpy(),
                    "at_risk": kmf.event_table["at_risk"].to_numpy(),
                }
            )
        )
        med_ci = median_survival_times(kmf.confidence_interval_)
        medians.append(
            {
                "group": name,
                "patients": len(part),
                "relapses": int(part["relapsed"].sum()),
                "median_days": float(kmf.median_survival_time_),
                "median_ci_low": float(med_ci.iloc[0, 0]),
                "median_ci_high": float(med_ci.iloc[0, 1]),
            }
        )
    definition = (
        f"Days from the last loading session to relapse on {instrument}: "
        f"{definitions.relapse_text}. Patients who did not relapse are censored at "
        "their last check-in on or before their first booster (or their last check-in). "
        f"Kaplan–Meier estimate with {definitions.confidence:.0%} pointwise confidence "
        "bands (exponential Greenwood, lifelines)."
    )
    empty_curves = pd.DataFrame(
        columns=["group", "day", "survival", "ci_low", "ci_high", "at_risk"]
    )
    return RelapseFigure(
        title=f"Time to {instrument} relapse after loading",
        definition=definition,
        curves=pd.concat(curves, ignore_index=True) if curves else empty_curves,
        medians=pd.DataFrame(medians),
        durations=durations,
    )
