"""The symptom chart of the patient chart: one questionnaire's totals over time, with a vertical
marker at each treatment session and the response and remission bands.

The bands come from the clinic's policy (`OutcomesPolicy`), never from constants here:
- response: a total at least `response_min_improvement_pct` % below the baseline (the first
  score shown), i.e. total ≤ baseline × (1 − pct / 100);
- remission: a total below `remission_below_score` (shown only when the baseline reaches
  `remission_requires_baseline_at_least`, as the policy's remission rule requires).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from matplotlib import dates as mdates

from ketacare.charts import ACCENT, BRAND, INK, MUTED, new_figure, svg_of
from ketacare.domain.instruments import GAD7, PCL5, PHQ9
from ketacare.domain.outcomes import OutcomesPolicy

# matplotlib.dates is untyped; these typed aliases keep the calls checked everywhere else.
date2num: Callable[[Any], Any] = mdates.date2num
AutoDateLocator: Callable[..., Any] = mdates.AutoDateLocator
ConciseDateFormatter: Callable[..., Any] = mdates.ConciseDateFormatter

INSTRUMENTS = {i.code: i for i in (GAD7, PHQ9, PCL5)}


@dataclass(frozen=True)
class SymptomPoint:
    taken_at: datetime
    total: int


@dataclass(frozen=True)
class Bands:
    """The thresholds drawn, as numbers on the instrument's scale (for the text alternative)."""

    baseline: int
    response_at_or_below: float
    remission_below: int | None  # None: the baseline is too low for remission to apply


def bands_for(baseline: int, outcomes: OutcomesPolicy) -> Bands:
    response = baseline * (1 - outcomes.response_min_improvement_pct / 100)
    remission = (
        outcomes.remission_below_score
        if baseline >= outcomes.remission_requires_baseline_at_least
        else None
    )
    return Bands(baseline, round(response, 1), remission)


def symptom_chart(
    instrument_code: str,
    points: Sequence[SymptomPoint],
    session_times: Sequence[datetime],
    outcomes: OutcomesPolicy,
) -> str | None:
    """An inline SVG of one instrument's totals (oldest first), or None without any score."""
    if not points:
        return None
    instrument = INSTRUMENTS[instrument_code]
    bands = bands_for(points[0].total, outcomes)
    fig, ax = new_figure(10.0, 3.2)
    top = instrument.total_max
    _draw_bands(ax, bands, outcomes)
    for i, moment in enumerate(session_times):
        label = "treatment session" if i == 0 else None
        ax.axvline(
            float(date2num(moment)), color=MUTED, linestyle=(0, (3, 3)), linewidth=1, label=label
        )
    times = [p.taken_at for p in points]
    ax.plot(
        date2num(times),
        [p.total for p in points],
        color=BRAND,
        marker="o",
        linewidth=2,
        markersize=5,
        label=f"{instrument.name} total",
    )
    span = [*times, *session_times]
    start, end = min(span), max(span)
    pad = max((end - start) * 0.05, timedelta(days=1))
    ax.set_xlim(float(date2num(start - pad)), float(date2num(end + pad)))
    ax.set_ylim(0, top)
    ax.set_ylabel(f"{instrument.name} (0–{top})", color=INK)
    locator = AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    # Above the plot, so it never covers a score.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), fontsize=9, frameon=False, ncol=4)
    title = f"{instrument.name} over time: {len(points)} scores, {len(session_times)} sessions"
    return svg_of(fig, title=title)


def _draw_bands(ax, bands: Bands, outcomes: OutcomesPolicy) -> None:  # type: ignore[no-untyped-def]
    """Response band from the remission edge (or 0) up to the response line; remission below."""
    floor = 0.0
    if bands.remission_below is not None:
        # Totals are whole numbers: "below 5" is 0–4, so the band's edge sits at 4.5.
        floor = bands.remission_below - 0.5
        ax.axhspan(
            0,
            floor,
            color=ACCENT,
            alpha=0.22,
            linewidth=0,
            label=f"remission (< {bands.remission_below})",
        )
    if bands.response_at_or_below > floor:
        pct = f"{outcomes.response_min_improvement_pct:g}"
        ax.axhspan(
            floor,
            bands.response_at_or_below,
            color=ACCENT,
            alpha=0.09,
            linewidth=0,
            label=f"response (≥ {pct}% below baseline {bands.baseline})",
        )
