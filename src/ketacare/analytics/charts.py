"""Server-side SVG charts (matplotlib, Agg backend): each function returns an SVG string.

The figure's title and definition come from the analytics result, so a chart always carries what
it measures. Charts are drawn on a fresh `matplotlib.figure.Figure` (no pyplot global state), so
they are safe to render from several threads.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

import ketacare.charts  # noqa: F401  (selects the Agg backend and deterministic SVG ids)
from ketacare.analytics.definitions import Figure
from ketacare.analytics.relapse import RelapseFigure

_WIDTH_IN, _HEIGHT_IN = 7.5, 4.6


def _svg(fig: MplFigure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def _new(title: str, definition: str) -> tuple[MplFigure, Axes]:
    fig = MplFigure(figsize=(_WIDTH_IN, _HEIGHT_IN))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title, fontsize=11, loc="left")
    fig.text(
        0.01,
        -0.02,
        "\n".join(textwrap.wrap(definition, 120)),
        fontsize=6.5,
        va="top",
        color="#444444",
    )
    ax.grid(True, alpha=0.3)
    return fig, ax


def _error_bars(value: pd.Series, low: pd.Series, high: pd.Series) -> list[pd.Series]:
    """Distances from the value to its interval, never negative: a Wilson bound around a rate
    of 0 or 1 can miss it by ~1e-17, which matplotlib refuses as a negative error bar."""
    return [(value - low).clip(lower=0), (high - value).clip(lower=0)]


def relapse_chart_svg(result: RelapseFigure) -> str:
    """Kaplan–Meier curves (steps) with shaded confidence bands, one per group."""
    fig, ax = _new(result.title, result.definition)
    for name, part in result.curves.groupby("group", sort=True):
        line = ax.step(part["day"], part["survival"], where="post", label=str(name))[0]
        ax.fill_between(
            part["day"],
            part["ci_low"],
            part["ci_high"],
            step="post",
            alpha=0.2,
            color=line.get_color(),
            linewidth=0,
        )
    ax.set_xlabel("days since the last loading session")
    ax.set_ylabel("share still in response")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="upper right")
    return _svg(fig)


def response_chart_svg(result: Figure) -> str:
    """Response and remission rates (with CI bars) against the session number."""
    fig, ax = _new(result.title, result.definition)
    for name, part in result.table.groupby("group", sort=True):
        suffix = "" if name == "all patients" else f" – {name}"
        for column, style in (("response", "-o"), ("remission", "--s")):
            rate = part[f"{column}_rate"]
            err = _error_bars(rate, part[f"{column}_ci_low"], part[f"{column}_ci_high"])
            ax.errorbar(
                part["session_number"],
                rate,
                yerr=err,
                fmt=style,
                capsize=3,
                markersize=4,
                label=f"{column}{suffix}",
            )
    ax.set_xlabel("sessions received")
    ax.set_ylabel("share of patients at risk")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, ncol=2)
    return _svg(fig)


def sessions_to_response_chart_svg(result: Figure) -> str:
    """Histogram of the session after which patients first met response."""
    fig, ax = _new(result.title, result.definition)
    table = result.table
    ax.bar(table["sessions"], table["patients"], color="#4c72b0")
    ax.set_xlabel("session of first response")
    ax.set_ylabel("patients")
    ax.set_xticks(table["sessions"])
    return _svg(fig)


def adverse_events_chart_svg(result: Figure) -> str:
    """Events per 100 sessions with CI bars, grouped by event and coloured by group."""
    fig, ax = _new(result.title, result.definition)
    table = result.table
    events = list(dict.fromkeys(table["event"]))
    groups = list(dict.fromkeys(table["group"]))
    width = 0.8 / max(len(groups), 1)
    for g, name in enumerate(groups):
        part = table[table["group"] == name].set_index("event").reindex(events)
        x = [i + g * width for i in range(len(events))]
        err = _error_bars(part["per_100_sessions"], part["ci_low"], part["ci_high"])
        ax.bar(x, part["per_100_sessions"], width=width, yerr=err, capsize=2, label=str(name))
    ax.set_xticks([i + width * (len(groups) - 1) / 2 for i in range(len(events))], events)
    ax.set_ylabel("per 100 sessions")
    ax.legend(fontsize=7)
    return _svg(fig)


def booster_policy_chart_svg(
    table: pd.DataFrame, *, title: str = "Booster policies", definition: str = ""
) -> str:
    """Sessions per patient-year against days in remission per patient-year, one point each."""
    fig, ax = _new(title, definition)
    ax.scatter(table["sessions_per_patient_year"], table["remission_days_per_patient_year"])
    for row in table.itertuples():
        ax.annotate(
            str(row.policy),
            (row.sessions_per_patient_year, row.remission_days_per_patient_year),
            fontsize=8,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xlabel("booster sessions per patient-year")
    ax.set_ylabel("days in remission per patient-year")
    return _svg(fig)
