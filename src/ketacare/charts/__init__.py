"""Server-side SVG charts for the pages (matplotlib, Agg backend, no pyplot global state).

One module per chart concept (vitals, symptoms, forecast); each function takes plain data and
returns an SVG string to inline in a page. `svg_of` and `new_figure` are the shared plumbing;
the outcome report's charts (ketacare.analytics.charts) use them too.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
# Deterministic SVG: fixed id salt and no creation date.
matplotlib.rcParams["svg.hashsalt"] = "ketacare"

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# The palette of app.css, so charts match the pages.
INK = "#1b2430"
MUTED = "#526070"
BRAND = "#0f5f73"
ACCENT = "#1b7f5a"
CAUTION = "#8a5a00"
DANGER = "#b00020"


def new_figure(width_in: float = 7.5, height_in: float = 3.6) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_subplot(1, 1, 1)
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def svg_of(fig: Figure, *, title: str | None = None) -> str:
    """The figure as an inline SVG string (no XML prologue; `title` becomes its accessible
    name)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    if title:
        from html import escape

        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    return svg
