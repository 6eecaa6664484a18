"""The outcome report as one self-contained HTML file (inline CSS and SVG; nothing fetched)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ketacare.analytics.definitions import Figure
from ketacare.analytics.relapse import RelapseFigure
from ketacare.analytics.report import OutcomeReport

_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
)


def _table_html(table: pd.DataFrame, limit: int = 40) -> Markup:
    shown = table.head(limit)
    html = shown.to_html(
        index=False, float_format=lambda x: f"{x:.3g}", border=0, classes="data", na_rep="—"
    )
    return Markup(html)


def report_sections(report: OutcomeReport) -> list[dict[str, object]]:
    """Each figure with its definition, its table and (where there is one) its chart."""
    pairs: list[tuple[Figure | RelapseFigure, str | None, str]] = [
        (report.response, "response", ""),
        (report.response_by_route, None, " — by route"),
        (report.response_by_comorbidity, None, " — by comorbidity"),
        (report.sessions_to_response, "sessions_to_response", ""),
        (report.relapse, "relapse", ""),
        (report.relapse_by_route, "relapse_by_route", " — by route"),
        (report.adverse_events, "adverse_events", ""),
    ]
    sections: list[dict[str, object]] = []
    for figure, chart, suffix in pairs:
        table = figure.medians if isinstance(figure, RelapseFigure) else figure.table
        sections.append(
            {
                "title": figure.title + ("" if suffix in figure.title else suffix),
                "definition": figure.definition,
                "table": _table_html(table),
                "chart": Markup(report.charts[chart]) if chart and chart in report.charts else None,
            }
        )
    return sections


def render_report_html(
    report: OutcomeReport, *, title: str, subtitle: str, generated_at: datetime
) -> str:
    template = _env.get_template("report.html")
    return template.render(
        title=title,
        subtitle=subtitle,
        instrument=report.instrument,
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        sections=report_sections(report),
    )
