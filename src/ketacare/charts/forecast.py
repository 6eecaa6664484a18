"""Chart of the forecast: P(responded by session N), N = 1–12, as a small step/bar chart."""

from __future__ import annotations

from collections.abc import Sequence

from ketacare.charts import ACCENT, BRAND, MUTED, new_figure, svg_of


def forecast_chart(
    by_session: Sequence[float], *, landmark: int = 0, expected: int | None = None
) -> str:
    """Inline SVG: bars of P(response by session N); sessions already given are muted, the
    expected (median) session is marked."""
    fig, ax = new_figure(5.2, 2.4)
    sessions = list(range(1, len(by_session) + 1))
    colours = [MUTED if n <= landmark else BRAND for n in sessions]
    ax.bar(sessions, [100.0 * p for p in by_session], color=colours, width=0.7)
    if expected is not None:
        ax.axvline(expected, color=ACCENT, linestyle="--", linewidth=1.2)
    ax.axhline(50, color=MUTED, linewidth=0.8, alpha=0.6)
    ax.set_ylim(0, 100)
    ax.set_xticks(sessions)
    ax.set_xlabel("session")
    ax.set_ylabel("% responded by")
    return svg_of(fig, title="Chance of response by each session, 1 to 12")
