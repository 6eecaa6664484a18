"""A session's vital signs over time: blood pressure and heart rate (left axis), SpO2 (right).

The x axis is minutes from the start of dosing (negative before it) once the dose has started,
otherwise minutes from the first reading. The page shows the readings table beside the chart
as its text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from ketacare.charts import ACCENT, BRAND, CAUTION, DANGER, MUTED, new_figure, svg_of


@dataclass(frozen=True)
class VitalPoint:
    taken_at: datetime
    systolic_mmhg: float
    diastolic_mmhg: float
    heart_rate_bpm: float
    spo2_pct: float


def vitals_chart(points: Sequence[VitalPoint], dose_start: datetime | None = None) -> str:
    """An inline SVG of BP, HR and SpO2 over time ("" when there is no reading).

    Drawing takes a good fraction of a second, and readings are append-only, so the SVG of a
    given series is remembered (the flowsheet is reloaded far more often than vitals change).
    """
    if not points:
        return ""
    return _drawn(tuple(points), dose_start)


@lru_cache(maxsize=128)
def _drawn(points: tuple[VitalPoint, ...], dose_start: datetime | None) -> str:
    origin = dose_start or points[0].taken_at
    minutes = [(p.taken_at - origin).total_seconds() / 60 for p in points]
    fig, ax = new_figure(7.5, 3.4)
    ax.plot(minutes, [p.systolic_mmhg for p in points], "-o", color=DANGER, label="Systolic mmHg")
    ax.plot(
        minutes, [p.diastolic_mmhg for p in points], "-s", color=CAUTION, label="Diastolic mmHg"
    )
    ax.plot(minutes, [p.heart_rate_bpm for p in points], "-^", color=BRAND, label="Heart rate bpm")
    ax.set_ylabel("mmHg / bpm", color=MUTED)
    low = min(min(p.diastolic_mmhg, p.heart_rate_bpm) for p in points)
    high = max(max(p.systolic_mmhg, p.heart_rate_bpm) for p in points)
    ax.set_ylim(max(0.0, low - 15), high + 15)
    ax.set_xlabel("minutes from dose start" if dose_start else "minutes from first reading")
    if dose_start is not None:
        ax.axvline(0, color=MUTED, linestyle="--", linewidth=1)
        ax.annotate("dose", (0, 1), xycoords=("data", "axes fraction"), color=MUTED, fontsize=9)
    spo2 = ax.twinx()
    spo2.plot(minutes, [p.spo2_pct for p in points], "-D", color=ACCENT, label="SpO2 %")
    spo2.set_ylim(min(85.0, min(p.spo2_pct for p in points) - 2), 100.5)
    spo2.set_ylabel("SpO2 %", color=ACCENT)
    spo2.spines["top"].set_visible(False)
    handles = ax.get_legend_handles_labels()
    extra = spo2.get_legend_handles_labels()
    ax.legend(
        handles[0] + extra[0],
        handles[1] + extra[1],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncol=4,
        frameon=False,
        fontsize=9,
    )
    if len(minutes) == 1:
        ax.set_xlim(minutes[0] - 5, minutes[0] + 5)
    return svg_of(fig, title="Blood pressure, heart rate and SpO2 over the session")
