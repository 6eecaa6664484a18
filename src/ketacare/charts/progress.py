"""The patient's own progress chart: GAD-7 and PHQ-9 totals over time, session days marked,
with each scale's response line (and remission line where it applies).

Drawn narrow and tall with large type, so that it stays legible on a 390 px phone screen when
the SVG is scaled to the page width. The page always pairs it with a text list of the scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from matplotlib.dates import AutoDateLocator, DateFormatter, date2num

from ketacare.charts import ACCENT, BRAND, CAUTION, INK, MUTED, new_figure, svg_of

SERIES_COLOURS = (BRAND, CAUTION, ACCENT)
SERIES_MARKERS = ("o", "s", "^")
FONT_PT = 14


@dataclass(frozen=True)
class ProgressSeries:
    """One scale: its points (when, total), and the lines to draw across it (None = none)."""

    label: str
    points: Sequence[tuple[datetime, int]]
    response_line: float | None = None
    remission_below: int | None = None
    highlight: Sequence[datetime] = field(default_factory=tuple)  # points to ring (just added)


def _x(moment: datetime) -> float:
    """A moment as matplotlib's date number (the axis gets a date locator and formatter)."""
    return float(date2num(moment))  # type: ignore[no-untyped-call]


def progress_svg(
    series: Sequence[ProgressSeries],
    *,
    session_days: Sequence[datetime] = (),
    y_max: int = 27,
    title: str = "Your scores over time",
) -> str:
    """An inline SVG of `series` (lower is better) with dotted verticals on `session_days`."""
    fig, ax = new_figure(3.9, 3.4)
    for n, one in enumerate(series):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        if not one.points:
            continue
        xs = [_x(when) for when, _ in one.points]
        ys = [total for _, total in one.points]
        ax.plot(
            xs,
            ys,
            color=colour,
            marker=SERIES_MARKERS[n % len(SERIES_MARKERS)],
            markersize=6,
            linewidth=2.2,
            label=one.label,
        )
        for when, total in one.points:
            if when in one.highlight:
                ax.plot(
                    [_x(when)],
                    [total],
                    marker="o",
                    markersize=14,
                    markerfacecolor="none",
                    markeredgecolor=colour,
                    markeredgewidth=2,
                )
        if one.response_line is not None:
            ax.axhline(one.response_line, color=colour, linestyle="--", linewidth=1.2, alpha=0.8)
        if one.remission_below is not None:
            ax.axhline(one.remission_below, color=colour, linestyle=":", linewidth=1.4, alpha=0.9)
    for day in session_days:
        ax.axvline(_x(day), color=MUTED, linestyle=":", linewidth=1, alpha=0.6)
    if session_days:
        ax.plot([], [], color=MUTED, linestyle=":", linewidth=1, label="Session")
    ax.set_ylim(0, y_max)
    ax.set_ylabel("Score (lower is better)", fontsize=FONT_PT, color=INK)
    ax.tick_params(labelsize=FONT_PT - 1, colors=INK)
    locator = AutoDateLocator(minticks=2, maxticks=4)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter("%b %-d"))  # type: ignore[no-untyped-call]
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=3,
        fontsize=FONT_PT - 1,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.0,
    )
    return svg_of(fig, title=title)
